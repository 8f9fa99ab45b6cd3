#!/bin/sh
# An update encoded before the viewer asks for it (Tight, while the
# guest draws flat out: backend/rfbupdate.c) is sent only as asked: a
# viewer that changes its pixel format, its encodings or its compression
# level, or asks for part of the screen or for all of it changed or not,
# between two updates gets what it asked for, pixel for pixel, and its
# zlib streams stay in step (rfbahead.py: a strict decoder, and a second
# client showing the guest's screen as it is). Each round the guest
# draws flat out. A ZRLE viewer (never encoded ahead) goes through the
# same changes: its one zlib stream, across formats and levels.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 16
viewer_setup
serve_start
guest_up 1 800 600 '"800x600"'
"$XDRAW" fill 0 0 800 600 204060

for enc in tight zrle; do
    "$PY" "$top_srcdir/tests/viewer/rfbahead.py" 127.0.0.1 "$(vnc_port 1)" "$XDRAW" 8 "$enc" \
        >"$TEST_TMP/ahead-$enc.out" 2>&1
    ok $? "$enc: the viewer's copy equalled the screen after every change"
    sed 's/^/# /' "$TEST_TMP/ahead-$enc.out" | head -n 10
    for change in same 16-bit 32-bit raw level part full; do
        is "$(grep "^$change " "$TEST_TMP/ahead-$enc.out")" "$change ok 8" \
            "$enc, $change: 8 rounds, each exact"
    done
done
