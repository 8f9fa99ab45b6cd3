#!/bin/sh
# tests/oxenstored.sh SHELL tests/oxenstored/DIR/NAME.ox: run
# tests/DIR/NAME.sh with SHELL, as make check runs it, but with xsimd
# deciding commits as oxenstored does (see tests/oxenstored.mk).
: "${top_srcdir:?run this test through make check}"
sh=$1
test=${2#tests/oxenstored/}
test=${test#*/tests/oxenstored/}
XSIM_XENSTORED=oxenstored
export XSIM_XENSTORED
exec "$sh" "$top_srcdir/tests/${test%.ox}.sh"
