#!/bin/sh
# Resizing the SDL window resizes the guest (protocol.md 9): the window's
# new size becomes the guest's mode through RandR (xrandr shows it as
# current), the daemon logs the request, and the window, a VNC client
# and xwd -root of the guest agree pixel for pixel. A size beyond the
# guest's MaxWidth/MaxHeight is clamped by the guest; a guest whose
# driver does not take requests keeps its size, scaled in its window.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 17
need Xvfb xdotool xsetroot xrandr
viewer_setup
xvfb_start
DISPLAY=$VIEWER_DISPLAY serve_start --sdl
resize_guests_up

win_of() { vx timeout 60 xdotool search --sync --onlyvisible --name "^xenfb: guest$1 " | head -n 1; }
W1=$(win_of 1)
W2=$(win_of 2)
[ -n "$W1" ] && [ -n "$W2" ] || bail "no SDL windows"
# both open in the middle of the screen: apart, guest 1's is seen whole
vx xdotool windowmove --sync "$W2" 1290 0
vx xdotool windowmove --sync "$W1" 0 0

# current D W H: domain D's xrandr shows W x H as the screen and the
# output's current mode (the * of its mode line)
current() {
    DISPLAY=$(eval echo \$D$1) xrandr >"$TEST_TMP/xrandr-$1.out" 2>&1 &&
        grep -q "current $2 x $3," "$TEST_TMP/xrandr-$1.out" &&
        grep -Eq "^ +$2x$3 .*\*" "$TEST_TMP/xrandr-$1.out"
}
# sdl_matches: the SDL window as shown on its X screen (the Xvfb's root,
# cut to the window) equals xwd -root of guest 1
sdl_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    vx xwd -root -silent >"$TEST_TMP/viewer.xwd" || return 1
    geo=$(vx xdotool getwindowgeometry --shell "$W1") || return 1
    eval "$geo"
    "$PY" "$top_srcdir/tests/viewer/xwdcrop.py" "$TEST_TMP/viewer.xwd" "$X" "$Y" "$WIDTH" "$HEIGHT" \
        "$TEST_TMP/sdl.png" >"$TEST_TMP/cmp.out" 2>&1 || return 1
    "$PY" "$IMGCMP" "$TEST_TMP/sdl.png" "$TEST_TMP/screen.xwd" >>"$TEST_TMP/cmp.out" 2>&1
}
paint() {
    xsetroot -solid '#3060a0'
    "$XDRAW" fill 0 0 3 "$2" ff0000
    "$XDRAW" fill $(($1 - 3)) 0 3 "$2" 00ff00
    "$XDRAW" fill 0 $(($2 - 2)) "$1" 2 ffff00
    "$XDRAW" fill $(($1 / 3)) $(($2 / 3)) $(($1 / 3)) $(($2 / 3)) ff00ff
}

# A size the guest takes as it is, odd on purpose
vx xdotool windowsize "$W1" 1001 701
wait_line "$SERVE_LOG" "domain 1: vfb/0: resize requested by the SDL window: 1001x701" 1 20
ok $? "the daemon logs the request"
wait_for 20 current 1 1001 701
ok $? "the guest's xrandr shows 1001x701 as current"
is "$(grep -c 'resize requested by the SDL window' "$SERVE_LOG")" 1 "one request, one line"
grep -q 'the backend asked for 1001x701: switched to 1001x701' "$(xorg_log dom1)"
ok $? "the Xorg log says what was done"
paint 1001 701
wait_match sdl_matches 1 20
ok $? "the SDL window shows the new mode 1:1, pixel for pixel"
wait_match capture_matches 1 20
ok $? "and a VNC client sees the same"
is "$(vx xdotool getwindowgeometry "$W1" | sed -n 's/^ *Geometry: //p')" "1001x701" \
    "the window keeps the size asked for"

# Beyond the guest's MaxWidth/MaxHeight (within the backend's limits)
vx xdotool windowsize "$W1" 1500 1100
wait_line "$SERVE_LOG" "domain 1: vfb/0: the guest answered the request for 1500x1100 with 1280x1024: clamped or refused" 1 20
ok $? "a size beyond the guest's limits: the guest clamps, the daemon logs its answer"
wait_for 20 current 1 1280 1024
ok $? "the guest's xrandr shows the clamped 1280x1024"
paint 1280 1024
wait_match sdl_matches 1 20
ok $? "the window took the clamped size and shows it 1:1"

# Guest 2 takes no requests: its window scales, the guest keeps its mode.
# Guest 1's next request is the barrier: the window events come in order.
vx xdotool windowsize "$W2" 900 500
vx xdotool windowsize "$W1" 640 480
wait_line "$SERVE_LOG" "domain 1: vfb/0: resize requested by the SDL window: 640x480" 1 20
ok $? "guest 1 asked again"
is "$(grep -c 'domain 2: .*resize requested' "$SERVE_LOG")" 0 "nothing is asked of guest 2"
current 2 800 600
ok $? "guest 2 keeps 800x600"
grep -q 'feature-resize-request\|asked for' "$(xorg_log dom2)"
ok $((! $?)) "and its driver heard of no request"
# The guest's own mode changes, two in a row: the window follows, and the
# size events of its following are not taken for the user's. The user's
# next size is the barrier: the window's events come in order.
DISPLAY=$D1
n=$(count "$SERVE_LOG" 'domain 1: vfb/0: resize requested')
r=$(count "$SERVE_LOG" 'domain 1: resized to 1280x1024')
xrandr --output XENFB-0 --mode 1001x701 && xrandr --output XENFB-0 --mode 1280x1024 ||
    bail "xrandr in the guest failed"
wait_line "$SERVE_LOG" 'domain 1: resized to 1280x1024' $((r + 1)) 20 ||
    { show_serve_log; bail "the guest's own mode changes did not reach the daemon"; }
vx xdotool windowsize "$W1" 900 700
wait_line "$SERVE_LOG" "domain 1: vfb/0: resize requested by the SDL window: 900x700" 1 20
ok $? "the user's next size is asked for"
is "$(count "$SERVE_LOG" 'domain 1: vfb/0: resize requested')" $((n + 1)) \
    "following the guest's own two mode changes asked nothing"
wait_for 20 current 1 900 700
ok $? "and the guest takes the user's size"
[ "$_tap_failed" -eq 0 ] || grep -E 'resize|resized|connected|answered' "$SERVE_LOG" | sed 's/^/# serve: /'
