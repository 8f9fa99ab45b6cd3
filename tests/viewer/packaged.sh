#!/bin/sh
# The guest as the xenfb-guest package leaves it, from the kernel's
# defaults: gntalloc's limit at 1024 pages, which holds neither 1920x1080
# (2029 pages) nor 2560x1440. The package's own step (xenfb-guest-setup,
# run by its postinst; the modprobe.d file it installs says the same at
# every boot) is the only thing done; X then starts at 1920x1080 and goes
# to 2560x1440 and back, each mode pixel for pixel at the viewer, with the
# daemon's default limits.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 10
need xrandr xsetroot awk
viewer_setup
SETUP="$top_builddir/xenfb-agent/system/xenfb-guest-setup"
MODPROBE="$top_builddir/xenfb-agent/system/modprobe/xenfb.conf"
[ -x "$SETUP" ] || bail "xenfb-guest-setup is not built: $SETUP"
[ -f "$MODPROBE" ] || bail "the modprobe.d file is not built: $MODPROBE"
serve_start --refresh 40
log=$(xorg_log dom1)

paint() {
    xsetroot -solid '#305020'
    "$XDRAW" fill 0 0 4 "$2" ff0000
    "$XDRAW" fill $(($1 - 4)) 0 4 "$2" 00ff00
    "$XDRAW" fill 0 $(($2 - 3)) "$1" 3 ffff00
    "$XDRAW" fill $(($1 / 3)) $(($2 / 3)) $(($1 / 3)) $(($2 / 3)) ff00ff
}

"$XSIM" run --domid 1 -- true || bail "cannot create domain 1"
is "$("$XSIM" ctl gntalloc-limit 1)" "limit=1024 used=0" "the guest kernel starts at gntalloc's default, 1024 pages"

want=$(sed -n 's/^want=//p' "$SETUP")
boot=$(sed -n 's/^options xen[-_]gntalloc limit=\([0-9]*\)$/\1/p' "$MODPROBE")
is "$boot" "$want" "the modprobe.d file sets at boot the limit the setup sets now ($want)"

"$XSIM" run --domid 1 -- "$SETUP" >"$TEST_TMP/setup.out" 2>&1
is "$? $(cat "$TEST_TMP/setup.out")" "0 xenfb-guest-setup: gntalloc's page limit raised from 1024 to $want" \
    "the package's setup raises it and says so"

# the daemon's default limits; X's mode list names its first mode only
attach --domid 1 || bail "attach failed"
guest_conf 1 2560 1440 '"1920x1080"'
sed -i '/MaxWidth\|MaxHeight/d' "$TEST_TMP/xorg-1.conf"
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1920x1080, 32 bits" 1 30
ok $? "X starts at 1920x1080 with no other step"
paint 1920 1080
wait_match capture_matches 1
ok $? "1920x1080: pixel for pixel"

add_mode() {
    local clock
    clock=$(awk -v t=$(($1 + 160)) -v v=$(($2 + 30)) 'BEGIN { printf "%.2f", t * v * 60 / 1e6 }')
    xrandr --newmode "${1}x${2}t" "$clock" "$1" $(($1 + 48)) $(($1 + 80)) $(($1 + 160)) \
        "$2" $(($2 + 3)) $(($2 + 8)) $(($2 + 30)) -hsync +vsync &&
        xrandr --addmode XENFB-0 "${1}x${2}t"
}
add_mode 2560 1440 && xrandr --output XENFB-0 --mode 2560x1440t
ok $? "xrandr to 2560x1440: accepted"
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 2560x1440, 32 bits" 1 30
ok $? "the backend maps the larger memory"
paint 2560 1440
wait_match capture_matches 1
ok $? "2560x1440: pixel for pixel"
grep -q 'XFB-003' "$log"
is "$?" 1 "no [XFB-003] in the Xorg log"

xrandr --output XENFB-0 --mode 1920x1080
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1920x1080, 32 bits" 2 30
paint 1920 1080
wait_match capture_matches 1
ok $? "back to 1920x1080: pixel for pixel"
