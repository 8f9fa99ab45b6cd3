#!/bin/sh
# kill -9 of the guest's X server, once idle and once animating under a
# busy viewer: the daemon logs it, releases every mapping and port of the
# guest (xsimd's dumps), keeps running, and shows the next X server,
# pixel for pixel.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 12
need xsetroot
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
COUNT="$top_srcdir/bench/rfbcount.py"

for r in 1 2; do
    if [ "$r" -eq 2 ]; then
        animate_start
        "$PY" "$COUNT" 127.0.0.1 "$(vnc_port 1)" 30 raw >/dev/null 2>&1 &
        cp=$!
        sleep 1
        what="animating under a viewer"
    else
        cp=
        what="idle"
    fi
    [ "$(mapped_left 1)" -gt 0 ] || bail "the daemon maps nothing of the guest before the kill"
    n=$(count "$SERVE_LOG" "domain 1: framebuffer disconnected")
    fb=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
    xpid=$(xorg_pid dom1)
    t0=$(now_ms)
    kill -9 "$xpid"
    wait_for 10 sh -c "! kill -0 $xpid 2>/dev/null" || bail "X did not die"
    animate_stop
    [ -n "$cp" ] && { kill "$cp" 2>/dev/null; wait "$cp" 2>/dev/null; }
    wait_line "$SERVE_LOG" "domain 1: framebuffer disconnected" $((n + 1)) 10
    ok $? "round $r ($what): the daemon logs the framebuffer going away"
    wait_for 10 none_mapped 1
    ok $? "round $r: no page of the guest stays mapped by dom0"
    wait_for 10 nothing_left 1
    is "$(grants_left 1):$(ports_left 1)" "0:0" "round $r: no grant and no event channel of domain 1 left"
    t_rel=$(now_ms)
    kill -0 "$SERVE_PID"
    ok $? "round $r: the daemon is still running"
    t1=$(now_ms)
    guest_x 1
    wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((fb + 1)) 20 || bail "no reconnect"
    t_conn=$(now_ms)
    xsetroot -solid "#$r$r$r${r}80"
    wait_match capture_matches 1
    ok $? "round $r: the new X server is shown, pixel for pixel"
    diag "round $r: everything released $((t_rel - t0)) ms after the kill; the new X server connected $((t_conn - t1)) ms after its start, shown after $(($(now_ms) - t1)) ms"
done
is "$(count "$SERVE_LOG" "domain 1: vfb/0: frontend is gone")" "2" \
    "each kill is logged as the frontend gone (unmap notification)"
serve_stop
is "$SERVE_RC" "0" "the daemon stops cleanly"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 40; }
