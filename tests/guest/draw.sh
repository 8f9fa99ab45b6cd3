#!/bin/sh
# The guest's X screen, drawn by real X clients, arrives at the backend
# pixel for pixel (xwd -root against the backend's mapping), and each
# drawing arrives as update rectangles covering exactly what changed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 13
need xsetroot xterm xdotool
guest_start 1024 768 '"1024x768"'
is "$(fb_mode)" "1024 768 4096 32" "the backend sees the guest's 1024x768 screen"

for color in red green blue; do
    xsetroot -solid "$color"
    wait_screen_matches 10
    ok $? "xsetroot -solid $color: the backend's pixels equal xwd -root"
done

mark
"$XDRAW" fill 100 200 30 40 ff8000
wait_line "$BACK_OUT" '^1 update 100 200 30 40$'
ok $? "a 30x40 fill arrives as exactly that rectangle"
is "$(updates_since_mark | grep -vc '^1 update 100 200 30 40$')" "0" \
    "and as nothing else: no full-screen fallback for a small draw"
is "$(back_ask 'pixel 115 220')" "0xff8000" "the pixel inside it has the colour drawn"
screen_matches
ok $? "the whole screen still matches"

xterm -geometry 40x8+50+60 -fa '' -fn fixed -T xfbterm -e sh -c 'echo "hello from the guest"; exec cat' &
at_exit "kill $! 2>/dev/null"
xdotool search --sync --name xfbterm >"$TEST_TMP/xterm.id" 2>/dev/null
ok $? "an xterm maps on the guest screen"
wait_screen_matches 10
ok $? "the xterm with its text matches at the backend"

win=$(head -n 1 "$TEST_TMP/xterm.id")
mark
xdotool windowmove --sync "$win" 400 300
wait_screen_matches 10
ok $? "the window moved: the backend's pixels follow"
updates_since_mark | awk '{ if ($5 * $6 >= 1024 * 768) full = 1 } END { exit full }'
ok $? "moving a window sends no full-screen update"

xdotool windowsize --sync "$win" 500 200
wait_screen_matches 10
ok $? "the window resized: the backend's pixels follow"
