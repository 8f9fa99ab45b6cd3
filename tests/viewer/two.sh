#!/bin/sh
# Two guests on one daemon, each in isolation: while the first guest's X
# server is killed and restarted (and then the domain destroyed), the
# second's viewer keeps working, pixel for pixel (TigerVNC's window
# against the guest's xwd -root).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 13
need xsetroot vncviewer Xvfb
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
D1=$DISPLAY
guest_up 2 800 600 '"800x600"'
D2=$DISPLAY
on1() { DISPLAY=$D1 "$@"; }
on2() { DISPLAY=$D2 "$@"; }

on1 xsetroot -solid '#aa3311'
on2 xsetroot -solid '#1133aa'
on1 wait_match capture_matches 1
ok $? "guest 1: the capture equals its screen"
on2 wait_match capture_matches 2
ok $? "guest 2: the capture equals its screen"

xvfb_start
tiger_start 2 ZRLE
tiger2=$TIGER_PID
TIGER_PID=
at_exit "kill $tiger2 2>/dev/null"
wait_line "$SERVE_LOG" "domain 2: VNC viewer connected from" 1 10
ok $? "a TigerVNC viewer stays connected to guest 2"
wait_line "$SERVE_LOG" "domain 2: VNC viewer from .* gets ZRLE, \(compression level [0-9], \)\{0,1\}its own cursor" 1 10
ok $? "it gets ZRLE, as it asked ($(grep -o 'domain 2: VNC viewer from .* gets .*' "$SERVE_LOG" | tail -n 1))"

n=$(count "$SERVE_LOG" "domain 1: framebuffer disconnected")
xorg_stop dom1
wait_line "$SERVE_LOG" "domain 1: framebuffer disconnected" $((n + 1)) 20
ok $? "guest 1's X server is killed: the daemon logs its framebuffer going"
on2 "$XDRAW" fill 100 100 200 150 00ff00
on2 wait_match viewer_matches 2
ok $? "guest 2 meanwhile: new drawing, pixel for pixel in its TigerVNC window"
kill -0 "$tiger2" 2>/dev/null
ok $? "and its TigerVNC viewer is still running"

n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
DISPLAY=$D1
guest_x 1
D1=$DISPLAY
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20
ok $? "guest 1's X server restarts and reconnects"
on1 xsetroot -solid '#33aa11'
on1 wait_match capture_matches 1
ok $? "guest 1 after the restart: pixel for pixel"
on2 wait_match viewer_matches 2
ok $? "guest 2 still: pixel for pixel"

xorg_stop dom1
"$XSIM" destroy 1
wait_line "$SERVE_LOG" "domain 1: guest gone" 1 20
ok $? "destroying domain 1: the daemon logs it gone"
on2 "$XDRAW" fill 300 300 100 100 ff00ff
on2 wait_match viewer_matches 2
ok $? "guest 2 unaffected"
kill -0 "$tiger2" 2>/dev/null
ok $? "its viewer still running"
