#!/bin/sh
# The SDL window viewer under Xvfb: the window shows the guest's screen
# pixel for pixel (xwd of the window against xwd -root of the guest) and
# follows its drawing; keys typed and clicks made in the window reach the
# guest as the physical keys and the right pixel; the guest's cursor is
# the window's own (XFixes on the viewer's display), shape and hotspot,
# and is not in the pixels.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 9
need Xvfb xdotool xsetroot
viewer_setup
xvfb_start
DISPLAY=$VIEWER_DISPLAY serve_start --sdl
# the domain exists, with its name, before its devices do (as with xl)
"$XSIM" create 1 guest1 >/dev/null
guest_up 1 1024 768 '"1024x768"'

SDL_WIN=$(vx timeout 60 xdotool search --sync --onlyvisible --name '^xenfb: ' | head -n 1)
[ -n "$SDL_WIN" ]
ok $? "an SDL window opens for the guest"
is "$(vx xdotool getwindowname "$SDL_WIN")" "xenfb: guest1 (domain 1)" "its title names the guest"

sdl_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    vx xwd -id "$SDL_WIN" -silent >"$TEST_TMP/sdl.xwd" || return 1
    "$PY" "$IMGCMP" "$TEST_TMP/sdl.xwd" "$TEST_TMP/screen.xwd" >"$TEST_TMP/cmp.out" 2>&1
}
xsetroot -solid '#c04080'
wait_match sdl_matches 1 10
ok $? "the window equals the guest's screen, pixel for pixel"
"$XDRAW" fill 100 120 50 60 00ff00
wait_match sdl_matches 1 10
ok $? "and follows a draw"

events_start
vx xdotool windowfocus --sync "$SDL_WIN"
vx xdotool key --window "$SDL_WIN" y
wait_line "$EV_OUT" '^key release 29 y$' 1 10
ok $? "a key typed in the window arrives as the same physical key (y: Linux 21, X 29)"
vx xdotool mousemove --window "$SDL_WIN" 300 200 click 1
wait_line "$EV_OUT" '^button release 1 300 200$' 1 10
ok $? "a click in the window lands on the same guest pixel"

# the guest's cursor (feature-cursor): the SDL window's cursor while the
# pointer is over it, read back with XFixes on the viewer's display
xsetroot -solid '#204080'
"$XDRAW" cursor-box 12 20 3 5 ff8000
"$XDRAW" warp 300 200
vx xdotool mousemove --window "$SDL_WIN" 200 150
out=$(vx "$PY" "$top_srcdir/tests/viewer/xcursor.py" 30 12x20)
is "$out" "cursor 12 20 3 5 240 ff8000" "the window's cursor is the guest's: 12x20, hotspot 3,5, orange"
# X's own picture of its screen never holds its cursor: had the guest
# drawn it into its framebuffer, the window would differ from it
wait_match sdl_matches 1 10
ok $? "the window's pixels equal the guest's screen: no cursor in them"
xsetroot -cursor_name crosshair
out=$(vx "$PY" "$top_srcdir/tests/viewer/xcursor.py" 30 -12x20 2>&1)
echo "$out" | grep -q '^cursor [1-9][0-9]* [1-9][0-9]* '
ok $? "xsetroot -cursor_name crosshair becomes the window's cursor: $out"
