#!/bin/sh
# RandR inside the granted memory: a smaller and a larger mode become a
# resize at the backend with matching pixels; a mode beyond the maximum is
# refused with a log line saying what to raise.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 14
need xrandr xsetroot
# the largest mode first: with no Monitor section (X would assume a
# 31.5-48 kHz CRT) the driver must still accept it
guest_start 1280 1024 '"1280x1024" "1280x800" "1024x768" "800x600"'
is "$(fb_mode)" "1280 1024 5120 32" "starts at 1280x1024 with no Monitor section"
grep -q 'XENFB(0): No HorizSync given: every mode.s rate fits' "$(xorg_log guest)"
ok $? "the Xorg log says why every rate fits"
xrandr --output XENFB-0 --mode 1280x800
wait_line "$BACK_OUT" '^1 resize 1280 800 5120 32$'
ok $? "1280x800 (a reduced-blanking mode) is there too: the backend gets it"
xrandr --output XENFB-0 --mode 1024x768
wait_line "$BACK_OUT" '^1 resize 1024 768 4096 32$'
is "$(xrandr | grep -c '^XENFB-0 connected')" "1" "one output, XENFB-0, connected"
mm=$(xrandr | sed -n 's/^XENFB-0 connected.* \([0-9]*\)mm x \([0-9]*\)mm.*/\1 \2/p')
is "$mm" "270 203" "its physical size is sane (96 dpi)"

# smaller
xrandr --output XENFB-0 --mode 800x600
wait_line "$BACK_OUT" '^1 resize 800 600 3200 32$'
ok $? "800x600: the backend gets the new geometry"
xsetroot -solid '#336699'
wait_screen_matches 10
ok $? "800x600: pixels match"

# larger than the initial mode, inside the maximum
xrandr --newmode 1280x1024t 108.00 1280 1328 1440 1688 1024 1025 1028 1066 +hsync +vsync
xrandr --addmode XENFB-0 1280x1024t
xrandr --output XENFB-0 --mode 1280x1024t
wait_line "$BACK_OUT" '^1 resize 1280 1024 5120 32$'
ok $? "1280x1024 (the maximum): the backend gets the new geometry"
is "$("$XDRAW" size)" "1280x1024" "the root window is 1280x1024"
xsetroot -solid '#996633'
wait_screen_matches 10
ok $? "1280x1024: pixels match"

# back to a third size
xrandr --output XENFB-0 --mode 1024x768
wait_line "$BACK_OUT" '^1 resize 1024 768 4096 32$'
ok $? "back to 1024x768"
wait_screen_matches 10
ok $? "1024x768: pixels match"

# beyond the maximum: refused
xrandr --newmode 1600x1200t 162.00 1600 1664 1856 2160 1200 1201 1204 1250 +hsync +vsync
xrandr --addmode XENFB-0 1600x1200t
mark
xrandr --output XENFB-0 --mode 1600x1200t 2>"$TEST_TMP/xrandr.err"
is "$? $("$XDRAW" size)" "1 1024x768" "1600x1200 is refused and the screen stays 1024x768"
grep -q 'Cannot resize to 1600x1200: it needs 7500 KiB, 5120 KiB were granted at start. Raise Option "MaxWidth"/"MaxHeight"' \
    "$(xorg_log guest)"
ok $? "the Xorg log says why and what to raise"
