#!/bin/sh
# Beside QEMU and libxl's own devices. An HVM domain as libxl makes it
# has QEMU's vkbd (libxl's default vkb_device: device/vkbd/0 and
# backend/vkbd/D/0) and QEMU's VNC address in console/: the daemon gives
# it xenfb and xenkbd only, and a QEMU-like scanner watching backend/vfb
# and backend/vkbd sees nothing of them; console/ stays QEMU's. A PVH
# domain (no QEMU) gets its VNC address in console/ for xl vncviewer; a
# PV domain whose vfb QEMU serves (vnc=1) keeps QEMU's. A PVH domain with
# vkb = ["backend-type=linux"] (backend/vinput) and keyboard=no has that
# vkbd served as its keyboard.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 17
need xenstore-watch xsetroot
viewer_setup

console_of() { echo "$(rd "/local/domain/$1/console/vnc-listen"):$(rd "/local/domain/$1/console/vnc-port")"; }

# libxl_device D TYPE BACKEND_TYPE: a device as libxl__device_generic_add
# writes it (device/TYPE/0, backend/BACKEND_TYPE/D/0), state 1
libxl_device() {
    local f="/local/domain/$1/device/$2/0" b="/local/domain/0/backend/$3/$1/0"
    x0 xenstore-write "$f/backend" "$b" "$f/backend-id" 0 "$f/state" 1 \
        "$b/frontend" "$f" "$b/frontend-id" "$1" "$b/online" 1 "$b/state" 1 &&
        x0 xenstore-chmod -r "$f" "n$1" r0 && x0 xenstore-chmod -r "$b" n0 "r$1"
}

domain 2 win "" hvm
libxl_device 2 vkbd vkbd || bail "cannot write QEMU's vkbd"
x0 xenstore-write /local/domain/2/console/vnc-listen 127.0.0.1 /local/domain/2/console/vnc-port 5900
domain 3 pvh1 "" pvh
libxl_console 3
domain 4 pvqemu "" pv
libxl_console 4
x0 xenstore-write /local/domain/4/console/vnc-listen 0.0.0.0 /local/domain/4/console/vnc-port 5904
domain 5 pvh2 "" pvh
libxl_device 5 vkbd vinput || bail "cannot write the vinput device"

# QEMU's legacy backends: a watch on each type's backend directory
scanner() {
    x0 xenstore-watch "/local/domain/0/backend/$1" >"$TEST_TMP/scan-$1.out" 2>&1 &
    at_exit "kill $! 2>/dev/null"
    wait_line "$TEST_TMP/scan-$1.out" "^/local/domain/0/backend/$1\$" || bail "no $1 scanner"
}
scanner vfb
scanner vkbd

guests_conf "guest win" "guest pvh1" "guest pvqemu" "guest pvh2 keyboard=no"
serve_start --verbose --config "$GUESTS_CONF"
for d in 2:win 3:pvh1 4:pvqemu 5:pvh2; do
    created "${d%%:*}" "${d#*:}" || bail "domain $d got no devices"
done
ok 0 "an HVM, a PV and two PVH domains get their devices"

screen 2
xsetroot -solid '#4466aa'
"$XDRAW" fill 10 10 500 300 ee3300
wait_match capture_matches 2
ok $? "the HVM guest's X screen reaches a VNC client, pixel for pixel"
is "$(rd /local/domain/0/backend/vkbd/2/0/state) $(rd /local/domain/0/backend/vkbd/2/0/feature-abs-pointer)" \
    "1 " "QEMU's vkbd is left alone (state 1, nothing of ours in it)"
is "$(console_of 2)" "127.0.0.1:5900" "console/ of the HVM guest stays QEMU's"
grep -q "domain 2: an HVM guest: console/vnc-port stays QEMU's (xl vncviewer shows QEMU's display); xenfb's VNC address is in /local/domain/0/backend/xenfb/2/0" \
    "$SERVE_LOG"
ok $? "and the log says where xenfb's address is"
wait_for 10 eq "$(vnc_port 2)" rd /local/domain/0/backend/xenfb/2/0/vnc-port
ok $? "which holds its VNC port"

wait_for 10 eq "127.0.0.1:$(vnc_port 3)" console_of 3
ok $? "a PVH guest (no QEMU) gets xenfb's VNC address in console/, for xl vncviewer"
wait_line "$SERVE_LOG" "domain 4: console/vnc-port is not ours"
is "$(console_of 4)" "0.0.0.0:5904" "a PV guest whose vfb QEMU serves keeps QEMU's"

wait_line "$SERVE_LOG" "domain 5: vinput/0: found"
ok $? "libxl's vinput device (vkb backend-type=linux) is served"
gone /local/domain/0/backend/xenkbd/5 && gone /local/domain/5/device/xenkbd
ok $? "and with keyboard=no no xenkbd is made beside it"

serve_stop
is "$SERVE_RC" "0" "the daemon stops"
is "$(console_of 2)" "127.0.0.1:5900" "QEMU's console/ of the HVM guest is still there after it"
is "$(rd /local/domain/4/console/vnc-port)" "5904" "and so is the PV guest's"
gone /local/domain/3/console/vnc-port && gone /local/domain/3/console/vnc-listen
ok $? "what it wrote for the PVH guest is taken back"
gone /local/domain/0/backend/xenfb/2/0/vnc-port
ok $? "and its record in the backend directory"

# everything before the marker reached the scanners first
for t in vfb vkbd; do
    x0 xenstore-write "/local/domain/0/backend/$t/scan-marker" 1
    wait_line "$TEST_TMP/scan-$t.out" "scan-marker\$" || bail "the $t scanner missed its marker"
done
is "$(cat "$TEST_TMP/scan-vfb.out" "$TEST_TMP/scan-vkbd.out" | grep -v -c -e '/backend/vfb$' \
    -e '/backend/vkbd$' -e 'scan-marker$')" "0" \
    "QEMU's scanners of backend/vfb and backend/vkbd saw nothing of ours"
is "$(rd /local/domain/0/backend/xenfb/2/0/created-by)" "serve" \
    "(ours are under backend/xenfb and backend/xenkbd)"

[ "$_tap_failed" -eq 0 ] || { show_serve_log 60; sed 's/^/# scan: /' "$TEST_TMP"/scan-*.out; }
