#!/bin/sh
# The guest's pages go away under a busy viewer: a client keeps asking
# for updates (raw, and ZRLE which encodes on worker threads) while the
# guest draws without pause, and the guest's X server is killed, again and
# again. The daemon must never read the pages after the core unmaps them:
# its encoder threads read copies of its own (protocol.md 2.5), taken
# while the core hands the rectangles over, so nothing reads the pages
# once the disconnect returns. It survives every time and keeps serving.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

ROUNDS=6
plan $((ROUNDS + 3))
viewer_setup
serve_start --verbose
guest_up 1 1024 768 '"1024x768"'
COUNT="$top_srcdir/bench/rfbcount.py"

# scribble: fills all over the screen until killed
scribble() {
    i=0
    while :; do
        i=$(((i + 1) % 7))
        "$XDRAW" fill 0 0 1024 768 "$(printf '%02x%02x%02x' $((i * 36)) $((255 - i * 36)) $((i * 20)))" ||
            sleep 0.05
    done
}

for r in $(seq 1 $ROUNDS); do
    enc=raw
    [ $((r % 2)) -eq 0 ] && enc=zrle
    scribble &
    sp=$!
    "$PY" "$COUNT" 127.0.0.1 "$(vnc_port 1)" 30 "$enc" >/dev/null 2>&1 &
    cp=$!
    sleep 1.5
    n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
    xorg_stop dom1
    kill "$sp" 2>/dev/null
    wait "$sp" 2>/dev/null
    kill -0 "$SERVE_PID" 2>/dev/null
    ok $? "round $r ($enc): the guest's X server died under a busy viewer, the daemon lives"
    kill "$cp" 2>/dev/null
    wait "$cp" 2>/dev/null
    guest_x 1
    wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20 || bail "no reconnect"
done
is "$(count "$SERVE_LOG" ': error: ')" "0" "nothing went wrong in the daemon"
xsetroot -solid '#123456'
wait_match capture_matches 1
ok $? "and still serves the guest, pixel for pixel"
serve_stop
is "$SERVE_RC" "0" "it stops cleanly"
[ "$_tap_failed" -eq 0 ] || show_serve_log 20
