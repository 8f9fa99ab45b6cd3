#!/bin/sh
# One viewer from boot to desktop: a guest with both its kernel's
# frontends (xfb-kfront) and xenfb (a real Xorg with the xenfb and xenkbd
# drivers), devices=both. The VNC client sees the kernel's console until
# X connects, then the X desktop, then the console again when X exits,
# pixel for pixel each time, with the desktop resizing between the two
# modes; keys go to the picture shown: to X while it runs, to the
# console's vkbd before and after. X re-granting for a larger mode (it
# disconnects and comes back, protocol.md section 5) is not X exiting:
# the viewer never shows the console meanwhile.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"
. "$top_srcdir/tests/kernel/lib-kernel.sh"

plan 18
need xsetroot xrandr awk
viewer_setup
guests_conf "guest desk max-size=1280x1024"
serve_start --verbose --refresh 40 --config "$GUESTS_CONF"
domain 1 desk
gntalloc_limit 1 32768
created 1 desk || bail "domain 1 got no devices"
is "$(rd /local/domain/1/device/xenfb/0/backend) $(rd /local/domain/1/device/vfb/0/backend)" \
    "/local/domain/0/backend/xenfb/1/0 /local/domain/0/backend/vfb-xenfb/1/0" \
    "devices=both (the default): xenfb's and the kernel's vfb"

kfront_start 1
kconsole 1
kfront 1 print "[    0.000000] Linux version 6.1.0-xenfb"
kfront 1 print "desk login: "
wait_match console_matches 1
ok $? "before X: the viewer shows the kernel's console, pixel for pixel"

: >"$(kfront_out 1)"
rfbinput 1 type:ab
wait_line "$(kfront_out 1)" '^key 48 0$'
is "$(grep -c '^key ' "$(kfront_out 1)")" 4 "keys go to the console's vkbd"

# X in 1024x768 with that mode's memory, 1280x1024 allowed
guest_conf 1 1280 1024 '"1024x768"'
guest_x 1
wait_line "$SERVE_LOG" "domain 1: showing the X screen (1024x768)" 1 20
ok $? "X starts: the daemon shows the X screen"
xsetroot -solid '#225588'
"$XDRAW" fill 50 60 300 200 ffee00
wait_match capture_matches 1
ok $? "the viewer has the X desktop, pixel for pixel (a desktop resize from 800x600)"
"$PY" -c "from PIL import Image; print('%dx%d' % Image.open('$TEST_TMP/cap.png').size)" \
    >"$TEST_TMP/size"
is "$(cat "$TEST_TMP/size")" "1024x768" "at X's size"

events_start
: >"$(kfront_out 1)"
rfbinput 1 type:xy
wait_line "$EV_OUT" '^key release [0-9]* y$'
ok $? "keys go to X while it runs"
is "$(grep -c '^key ' "$(kfront_out 1)")" 0 "and not to the console"
kill "$EV_PID" 2>/dev/null

n=$(count "$SERVE_LOG" "domain 1: showing ")
xrandr --newmode 1280x1024t 109.00 1280 1328 1360 1440 1024 1027 1034 1054 -hsync +vsync &&
    xrandr --addmode XENFB-0 1280x1024t && xrandr --output XENFB-0 --mode 1280x1024t
ok $? "xrandr to 1280x1024, beyond X's memory: X re-grants"
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1280x1024" 1 20
ok $? "the daemon maps X's new memory"
grep -o "domain 1: showing .*" "$SERVE_LOG" | tail -n +$((n + 1)) >"$TEST_TMP/shown"
is "$(cat "$TEST_TMP/shown")" "domain 1: showing the X screen (1280x1024)" \
    "the viewer went from X to X, not by the console"
xsetroot -solid '#553322'
"$XDRAW" fill 900 700 300 200 00ccff
wait_match capture_matches 1
ok $? "the viewer has the X desktop at 1280x1024, pixel for pixel"

kfront 1 print "X is running on vt7"
xorg_stop dom1
wait_line "$SERVE_LOG" "domain 1: showing the kernel's console" 2 20
ok $? "X stops: the console is shown again"
wait_match console_matches 1
ok $? "pixel for pixel, with what it printed meanwhile"
"$PY" -c "from PIL import Image; print('%dx%d' % Image.open('$TEST_TMP/cap.png').size)" \
    >"$TEST_TMP/size"
is "$(cat "$TEST_TMP/size")" "800x600" "back at the console's size"

rfbinput 1 type:q
wait_line "$(kfront_out 1)" '^key 16 0$'
ok $? "keys go to the console again"
wait_match console_matches 1
ok $? "and its echo shows"

grep -c "domain 1: showing " "$SERVE_LOG" >"$TEST_TMP/n"
is "$(cat "$TEST_TMP/n")" 4 "one line per switch: console, X, X in its new mode, console"

[ "$_tap_failed" -eq 0 ] || { show_serve_log 40; sed 's/^/# kfront: /' "$(kfront_out 1)" | tail -n 20; }
