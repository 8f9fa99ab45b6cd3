#!/bin/sh
# A served guest's domain destroyed (xsim destroy: its processes killed,
# its ports closed, its store directory removed, @releaseDomain) while it
# animates under a viewer: the daemon logs the guest gone, holds no
# mapping and no port of it, closes its VNC port, and keeps serving the
# other guest, pixel for pixel.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 8
need xsetroot
viewer_setup
serve_start
guest_up 2 800 600 '"800x600"'
D2=$DISPLAY
guest_up 1 1024 768 '"1024x768"'
COUNT="$top_srcdir/bench/rfbcount.py"

animate_start
"$PY" "$COUNT" 127.0.0.1 "$(vnc_port 1)" 30 raw >/dev/null 2>&1 &
cp=$!
"$PY" "$COUNT" 127.0.0.1 "$(vnc_port 2)" 30 raw >/dev/null 2>&1 &
cp2=$!
at_exit "kill $cp $cp2 2>/dev/null"
sleep 1
[ "$(mapped_left 1)" -gt 0 ] || bail "nothing of domain 1 mapped before the destroy"

t0=$(now_ms)
"$XSIM" destroy 1 >/dev/null || bail "xsim destroy failed"
animate_stop
# the watch on the guest's device directory or @releaseDomain, whichever
# the daemon reads first (both orders happen), forgets the guest; the
# other then finds nothing left
wait_line "$SERVE_LOG" "domain 1: vfb/0: removed" 1 10 && wait_line "$SERVE_LOG" "domain 1: vkbd/0: removed" 1 10
ok $? "the daemon logs both devices of domain 1 removed"
wait_line "$SERVE_LOG" "domain 1: guest gone" 1 10
is "$(count "$SERVE_LOG" "domain 1: guest gone")" "1" "and forgets the guest, once"
wait_for 10 none_mapped 1
ok $? "no page of domain 1 stays mapped"
wait_for 10 no_ports 1
ok $? "no event channel of domain 1 stays bound"
diag "domain 1 forgotten and released $(($(now_ms) - t0)) ms after xsim destroy"
wait_for 10 sh -c "! $PY -c 'import socket; socket.create_connection((\"127.0.0.1\", $(vnc_port 1)), 2)' 2>/dev/null"
ok $? "domain 1's VNC port is closed"
kill -0 "$cp2"
ok $? "domain 2's viewer is still connected"

export DISPLAY=$D2
xsetroot -solid '#3366cc'
wait_match capture_matches 2
ok $? "the daemon still serves domain 2, pixel for pixel"
kill "$cp" "$cp2" 2>/dev/null
serve_stop
is "$SERVE_RC" "0" "and stops cleanly"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 40; "$XSIM" ctl dump-ports | sed 's/^/# /'; }
