#!/bin/sh
# xsimd's xenstore at the wire level (xs-protocol.py speaks raw messages).
. "$top_srcdir/tests/lib.sh"

need python3
xsim_setup
"$XSIM" create 1 >/dev/null || bail "cannot create domain 1"
python3 "$top_srcdir/tests/xsim/t/xs-protocol.py" "$XSIM"
