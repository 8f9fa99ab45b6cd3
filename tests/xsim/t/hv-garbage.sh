#!/bin/sh
# xsimd's hypervisor against a client that breaks the protocol (hv-garbage).
. "$top_srcdir/tests/lib.sh"
xsim_setup
"$top_builddir/tests/xsim/t/hv-garbage"
