#!/bin/sh
# RandR: a mode that fits the granted memory becomes a resize at the
# backend; a larger one, or one that needs at most half of it, gets memory
# of its own size and reconnects; pixels match after each. A mode beyond
# MaxWidth/MaxHeight (now a cap, not the memory) is refused by RandR.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 16
need xrandr xsetroot
# the largest mode first: with no Monitor section (X would assume a
# 31.5-48 kHz CRT) the driver must still accept it
guest_start 1280 1024 '"1280x1024" "1280x800" "1024x768" "800x600"'
is "$(fb_mode)" "1280 1024 5120 32" "starts at 1280x1024 with no Monitor section"
grep -q 'XENFB(0): No HorizSync given: every mode.s rate fits' "$(xorg_log guest)"
ok $? "the Xorg log says why every rate fits"
grep -q 'XENFB(0): Modes up to 1280x1024 (MaxWidth/MaxHeight); memory is granted for the mode in use' \
    "$(xorg_log guest)"
ok $? "and that MaxWidth/MaxHeight cap the modes"
xrandr --output XENFB-0 --mode 1280x800
wait_line "$BACK_OUT" '^1 resize 1280 800 5120 32$'
ok $? "1280x800 (a reduced-blanking mode) fits the memory: a resize"
xrandr --output XENFB-0 --mode 1024x768
wait_line "$BACK_OUT" '^1 resize 1024 768 4096 32$'
ok $? "1024x768: a resize"
is "$(xrandr | grep -c '^XENFB-0 connected')" "1" "one output, XENFB-0, connected"
mm=$(xrandr | sed -n 's/^XENFB-0 connected.* \([0-9]*\)mm x \([0-9]*\)mm.*/\1 \2/p')
is "$mm" "270 203" "its physical size is sane (96 dpi)"

# needs at most half the memory: re-granted, the backend reconnects
xrandr --output XENFB-0 --mode 800x600
wait_line "$BACK_OUT" '^1 connected 800 600 3200 32$'
ok $? "800x600 needs under half the memory: new memory, the backend reconnects"
xsetroot -solid '#336699'
wait_screen_matches 10
ok $? "800x600: pixels match"

# larger than the memory now: re-granted
xrandr --newmode 1280x1024t 108.00 1280 1328 1440 1688 1024 1025 1028 1066 +hsync +vsync
xrandr --addmode XENFB-0 1280x1024t
xrandr --output XENFB-0 --mode 1280x1024t
wait_line "$BACK_OUT" '^1 connected 1280 1024 5120 32$'
ok $? "1280x1024 (the cap) is larger than the memory: new memory, reconnected"
is "$("$XDRAW" size)" "1280x1024" "the root window is 1280x1024"
xsetroot -solid '#996633'
wait_screen_matches 10
ok $? "1280x1024: pixels match"

xrandr --output XENFB-0 --mode 1024x768
wait_line "$BACK_OUT" '^1 resize 1024 768 4096 32$' 2
ok $? "back to 1024x768, in place"
wait_screen_matches 10
ok $? "1024x768: pixels match"

# beyond MaxWidth/MaxHeight: RandR refuses it
xrandr --newmode 1600x1200t 162.00 1600 1664 1856 2160 1200 1201 1204 1250 +hsync +vsync
xrandr --addmode XENFB-0 1600x1200t
xrandr --output XENFB-0 --mode 1600x1200t 2>"$TEST_TMP/xrandr.err"
is "$? $("$XDRAW" size)" "1 1024x768" "1600x1200 is refused and the screen stays 1024x768"
grep -q 'screen cannot be larger than 1280x1024' "$TEST_TMP/xrandr.err"
ok $? "xrandr says the screen cannot be larger than the cap"
