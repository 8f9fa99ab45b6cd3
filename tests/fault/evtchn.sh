#!/bin/sh
# Notifications from the guest's framebuffer to the daemon delayed, then
# dropped, while the guest draws all over the screen: the VNC picture
# converges on the guest's screen, every pixel, within a bounded time.
#   delay: during the fault (a delayed notification still arrives);
#   a few dropped and the guest goes quiet: the guest, which skips
#   notifications while the daemon is behind (feature-lazy-notify),
#   reminds it when it has not moved for a while, so the updates the lost
#   notifications announced (they wait in the ring) arrive by themselves;
#   every one dropped until the ring is full and the guest keeps drawing:
#   the guest must not go quiet on a full ring, or the daemon would never
#   look again and the picture would stay stale for good.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 8
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'

fport=$("$XSIM" run --domid 1 -- xenstore-read device/xenfb/0/event-channel) || bail "no vfb port"
bport=$("$XSIM" ctl dump-ports | sed -n "s/^domain=0 port=\([0-9]*\) state=interdomain remote=1:$fport .*/\1/p")
[ -n "$bport" ] || bail "the daemon's end of the vfb port not found"
diag "the daemon listens on dom0 port $bport for the guest's port $fport"

# scatter N SEED: N fills of 1..N, each one a client, one update each
scatter() {
    i=0
    while [ "$i" -lt "$1" ]; do
        i=$((i + 1))
        v=$((($2 * 7919 + i * 104729) % 1000003))
        "$XDRAW" fill $((v % 960)) $((v / 7 % 700)) $((16 + v % 64)) $((16 + v / 3 % 64)) \
            "$(printf '%06x' $((v * 37 % 16777216)))"
    done
}

# converge SECONDS: how long until the viewer's picture equals the screen
converge() {
    t0=$(now_ms)
    T=
    wait_match watch_matches "$1" || return 1
    T=$(($(now_ms) - t0))
}

# stale: one second after the drawing, the viewer still misses some of it
stale() {
    sleep 1
    ! watch_matches
}

watch_start 1
wait_match watch_matches 10 || bail "no picture to start from"

"$XSIM" ctl fault-evtchn-delay 0 "$bport" 300 >/dev/null || bail "cannot delay"
scatter 30 1
converge 10
ok $? "300 ms delay: the picture converges while the fault is on"
diag "converged ${T:-?} ms after the last draw"
"$XSIM" ctl fault-evtchn-delay 0 "$bport" 0 >/dev/null

"$XSIM" ctl fault-evtchn-drop 0 "$bport" 5 >/dev/null || bail "cannot drop"
scatter 5 2
converge 10
ok $? "5 notifications dropped, then the guest goes quiet: the picture converges by itself"
diag "converged ${T:-?} ms after the last draw"
# the fault bit: at least one was dropped (the guest skips notifications
# while the daemon looks behind, so it may send fewer than 5 before the
# picture converges; drop= is how many are still to come)
left=$("$XSIM" ctl dump-ports | sed -n "s/^domain=0 port=$bport .* drop=\([0-9]*\).*/\1/p")
ok $((${left:-0} < 5 ? 0 : 1)) "the fault bit: $((5 - ${left:-0})) of 5 dropped on the way"

"$XSIM" ctl fault-evtchn-drop 0 "$bport" 100000 >/dev/null
scatter 150 4
"$XSIM" ctl fault-evtchn-drop 0 "$bport" 0 >/dev/null
stale || diag "unexpected: no stale region with every notification dropped"
scatter 1 5
converge 10
ok $? "every notification dropped past a full ring: the next draw after the fault brings it all"
diag "converged ${T:-?} ms after the next draw"

# the same while a viewer asks for frames all along (incremental updates)
"$PY" "$top_srcdir/bench/rfbcount.py" 127.0.0.1 "$(vnc_port 1)" 60 raw >/dev/null 2>&1 &
cp=$!
at_exit "kill $cp 2>/dev/null"
"$XSIM" ctl fault-evtchn-drop 0 "$bport" 100000 >/dev/null
scatter 150 6
"$XSIM" ctl fault-evtchn-drop 0 "$bport" 0 >/dev/null
scatter 1 7
converge 10
ok $? "the same under a busy viewer"
kill -0 "$cp"
ok $? "the viewer stayed connected"
kill "$cp" 2>/dev/null

grep -q "closing the device" "$SERVE_LOG"
ok $((! $?)) "the daemon never closed the device (no flood, no broken ring)"
kill -0 "$SERVE_PID"
ok $? "the daemon is still running"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 20; }
