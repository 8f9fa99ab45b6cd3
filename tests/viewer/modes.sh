#!/bin/sh
# Any width and height reaches a VNC client pixel for pixel: a spread of
# the modes real screens have, widths that are not multiples of 8 or 16
# among them, at depth 24, and at depth 16 one that is not even a
# multiple of 2. Each picture has its edges painted, where a wrong line
# pitch shows first. And what real Xen showed: Option "MaxWidth" "1366"
# no longer refuses its own 1366x768 ("width requires unsupported line
# pitch").
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

SPREAD="1366x768 1360x768 1280x800 1440x900 1600x900 1680x1050 1920x1080 1920x1200 2560x1440
1024x600 1400x1050 1023x767 1111x555 800x601"
plan 36
need xrandr xsetroot awk
viewer_setup
serve_start --refresh 40

# paint W H: a background, the four edges and a block in the middle
paint() {
    xsetroot -solid '#204080'
    "$XDRAW" fill 0 0 3 "$2" ff0000
    "$XDRAW" fill $(($1 - 3)) 0 3 "$2" 00ff00
    "$XDRAW" fill 0 $(($2 - 2)) "$1" 2 ffff00
    "$XDRAW" fill $(($1 / 3)) $(($2 / 3)) $(($1 / 3)) $(($2 / 3)) ff00ff
    "$XDRAW" fill $(($1 - 1)) $(($2 - 1)) 1 1 ffffff
}

# a mode of exactly W x H: cvt would round the width to 8
add_mode() {
    local w=$1 h=$2 clock
    clock=$(awk -v t=$(($1 + 160)) -v v=$(($2 + 30)) 'BEGIN { printf "%.2f", t * v * 60 / 1e6 }')
    xrandr --newmode "${w}x${h}t" "$clock" "$w" $((w + 48)) $((w + 80)) $((w + 160)) \
        "$h" $((h + 3)) $((h + 8)) $((h + 30)) -hsync +vsync &&
        xrandr --addmode XENFB-0 "${w}x${h}t"
}

# with_modeline D MODELINE: domain D's xorg.conf gains a Monitor section
# holding MODELINE (X's built-in list has no 1366x768 or 1023x767)
with_modeline() {
    sed -i -e "s/^\(    Device     \"xenfb\"\)$/\1\n    Monitor    \"mon\"/" \
        -e "1i Section \"Monitor\"\n    Identifier \"mon\"\n    Modeline $2\nEndSection\n" \
        "$TEST_TMP/xorg-$1.conf"
}

# What real Xen showed: the cap of 1366 and the mode of 1366
gntalloc_limit 1 32768
attach --domid 1 --max-width 1366 --max-height 768 || bail "attach failed"
guest_conf 1 1366 768 '"1366x768"'
with_modeline 1 '"1366x768" 85.50 1366 1436 1579 1792 768 771 774 798 +hsync +vsync'
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" 1 20 || { show_serve_log; bail "no framebuffer"; }
log=$(xorg_log dom1)
grep -q 'Not using mode "1366x768"' "$log"
ok $((! $?)) "MaxWidth 1366: 1366x768 is not refused"
grep -q 'domain 1: framebuffer connected: 1366x768, 32 bits' "$SERVE_LOG"
ok $? "X starts in 1366x768 and the daemon maps it"
paint 1366 768
wait_match capture_matches 1
ok $? "1366x768 at depth 24: the VNC client's picture equals xwd -root"

# The spread, by xrandr, on a server with a cap larger than all of them
xorg_stop dom1
detach --domid 1 >/dev/null || bail "detach failed"
guest_up 1 2560 1600 '"1024x768"'
for m in $SPREAD; do
    w=${m%x*} h=${m#*x}
    add_mode "$w" "$h" && xrandr --output XENFB-0 --mode "${m}t"
    is "$("$XDRAW" size)" "$m" "xrandr to $m"
    paint "$w" "$h"
    wait_match capture_matches 1 20
    ok $? "$m at depth 24: pixel for pixel at the VNC client"
done
grep -q 'width requires unsupported line pitch' "$(xorg_log dom1)"
ok $((! $?)) "no mode was refused for its line pitch"

# Depth 16 (r5g6b5): an odd width, at start and by xrandr, compared where
# the backend maps it, as tests/guest/ do; then through the daemon to a
# VNC client, which gets the pixels converted to its 32-bit format.
xorg_stop dom1
serve_stop
detach --domid 1 >/dev/null || bail "detach failed"
attach --domid 1 --max-width 2560 --max-height 1600 || bail "attach failed"
back_start
guest_conf 1 2560 1600 '"1023x767"'
with_modeline 1 '"1023x767" 64.00 1023 1071 1103 1183 767 770 775 797 -hsync +vsync'
sed -i 's/^\( *\)DefaultDepth 24$/\1DefaultDepth 16/; s/^\( *\)Depth 24$/\1Depth 16/' \
    "$TEST_TMP/xorg-1.conf"
guest_x 1
wait_line "$BACK_OUT" '^1 connected 1023 767 2048 16$' 1 20
ok $? "depth 16 at 1023x767: the backend maps 16-bit pixels, rows of 2048 bytes"
back use 1
paint 1023 767
wait_screen_matches 10
ok $? "1023x767 at depth 16: pixel for pixel at the backend"
add_mode 1366 768 && xrandr --output XENFB-0 --mode 1366x768t
wait_line "$BACK_OUT" '^1 \(connected\|resize\) 1366 768 2752 16$' 1 20
paint 1366 768
wait_screen_matches 10
ok $? "1366x768 at depth 16 by xrandr: pixel for pixel"

back_kill
serve_start --refresh 40
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1366x768, 16 bits" 1 20
wait_match capture_matches 1 20
ok $? "1366x768 at depth 16 through the daemon: the VNC client's picture equals xwd -root"
