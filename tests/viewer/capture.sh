#!/bin/sh
# What a VNC client gets from `xenfb-backend serve` is the guest's screen,
# pixel for pixel: gvnccapture (PNG) against xwd -root of the guest's real Xorg,
# after drawing and again after an xrandr resize. The daemon publishes
# the listener where `xl vncviewer` looks, and removes it when it stops.
# (vncsnapshot speaks RFB 3.3 only, which the daemon refuses.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 16
need xsetroot xrandr
viewer_setup
libxl_console 1 || bail "cannot make domain 1's console"
serve_start --verbose --refresh 40
guest_up 1 1280 1024 '"1024x768" "800x600"'

port=$(vnc_port 1)
# written from the daemon's loop once the listener is open
wait_for 10 eq "$port" x0 xenstore-read /local/domain/1/console/vnc-port
ok $? "console/vnc-port holds the guest's VNC port"
is "$("$XSIM" run --domid 0 -- xenstore-read /local/domain/1/console/vnc-listen)" "127.0.0.1" \
    "console/vnc-listen holds the loopback address"

xsetroot -solid '#204080'
"$XDRAW" fill 100 200 300 150 ff8000
"$XDRAW" fill 500 100 64 64 00ff7f
wait_match capture_matches 1
ok $? "gvnccapture equals xwd -root, every pixel (1024x768)"
grep -q "VNC viewer connected from 127.0.0.1:" "$SERVE_LOG"
ok $? "the daemon logs the viewer with its address"
wait_line "$SERVE_LOG" "VNC viewer from 127.0.0.1:[0-9]* left"
ok $? "and logs it leaving"
# (logged as the viewer hangs up; then the guest is told)
wait_line "$SERVE_LOG" "domain 1: refresh period 0 ms"
grep -E "domain 1: (refresh period|VNC viewer)" "$SERVE_LOG" | grep -v " gets " |
    sed 's/.*domain 1: //; s/from .*//' |
    head -n 4 | tr '\n' '|' >"$TEST_TMP/refresh"
is "$(cat "$TEST_TMP/refresh")" "VNC viewer connected |refresh period 40 ms|VNC viewer |refresh period 0 ms|" \
    "the guest is asked for updates (--refresh 40) only while a viewer watches"

# drawn while nobody watches (the guest is asked for no updates): a
# viewer connecting now gets it in its first picture, not the last one
# the guest sent (capture takes the first picture and hangs up)
"$XDRAW" fill 600 400 120 80 c000c0
capture_matches 1
ok $? "a viewer's first picture shows what was drawn while nobody watched" ||
    sed 's/^/# /' "$TEST_TMP/cmp.out"

xterm -geometry 40x8+50+60 -fa '' -fn fixed -T xfbterm -e sh -c 'echo "hello from the guest"; exec cat' &
at_exit "kill $! 2>/dev/null"
timeout 60 xdotool search --sync --onlyvisible --name xfbterm >/dev/null 2>&1
wait_match capture_matches 1
ok $? "an xterm with text: gvnccapture still equals xwd -root"

xrandr --output XENFB-0 --mode 800x600
wait_line "$SERVE_LOG" 'domain 1: resized to 800x600'
ok $? "xrandr 800x600: the daemon logs the resize"
xsetroot -solid '#336699'
"$XDRAW" fill 10 10 100 100 ffffff
wait_match capture_matches 1
ok $? "after the resize the client sees 800x600, pixel for pixel"
"$PY" -c "from PIL import Image; print('%dx%d' % Image.open('$TEST_TMP/cap.png').size)" >"$TEST_TMP/size"
is "$(cat "$TEST_TMP/size")" "800x600" "the captured picture is 800x600"

xrandr --newmode 1280x1024t 108.00 1280 1328 1440 1688 1024 1025 1028 1066 +hsync +vsync
xrandr --addmode XENFB-0 1280x1024t
xrandr --output XENFB-0 --mode 1280x1024t
wait_line "$SERVE_LOG" 'domain 1: resized to 1280x1024'
xsetroot -solid '#996633'
wait_match capture_matches 1
ok $? "larger, 1280x1024: pixel for pixel"

serve_stop
is "$SERVE_RC" "0" "SIGTERM stops the daemon with status 0"
grep -q "info: signal 15: stopping" "$SERVE_LOG"
ok $? "and says so"
"$XSIM" run --domid 0 -- xenstore-read /local/domain/1/console/vnc-port >/dev/null 2>&1
ok $((! $?)) "console/vnc-port is removed on exit"
is "$("$XSIM" run --domid 0 -- xenstore-read /local/domain/0/backend/xenfb/1/0/state 2>/dev/null)" "4" \
    "the vfb node stays Connected for the next backend"
