#!/bin/sh
# An update encoded before the viewer asks for it (backend/rfbupdate.c)
# is sent only as asked: a viewer that changes its pixel format, its
# encodings or its compression level, or asks for part of the screen
# or for all of it changed or not,
# between two updates gets what it asked for, pixel for pixel, and
# Tight's zlib streams stay in step (rfbahead.py: a strict decoder, and
# a second client showing the guest's screen as it is). Each round the
# guest draws flat out, the one case where the daemon encodes ahead.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 8
viewer_setup
serve_start
guest_up 1 800 600 '"800x600"'
"$XDRAW" fill 0 0 800 600 204060

"$PY" "$top_srcdir/tests/viewer/rfbahead.py" 127.0.0.1 "$(vnc_port 1)" "$XDRAW" 8 \
    >"$TEST_TMP/ahead.out" 2>&1
ok $? "the viewer's copy equalled the screen after every change"
sed 's/^/# /' "$TEST_TMP/ahead.out" | head -n 10
for change in same 16-bit 32-bit raw tight part full; do
    is "$(grep "^$change " "$TEST_TMP/ahead.out")" "$change ok 8" "$change: 8 rounds, each exact"
done
