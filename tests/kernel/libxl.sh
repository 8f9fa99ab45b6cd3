#!/bin/sh
# The kernel's devices beside libxl's own. An HVM guest's default vkbd
# (QEMU's, device/vkbd/0) keeps its index: the kernel's vkbd of ours goes
# at 1. A PV guest whose xl config has a vfb= line (QEMU's vfb/0, where its
# kernel's console is) gets no kernel devices of ours. libxl's own
# vinput vkbd (vkb backend-type=linux) is the kernel's keyboard as it is,
# served, with only a vfb of ours beside it. libxl adding its vkbd at the
# index the daemon took first (it replaces the frontend directory) moves
# ours to the next one. Each is one line of the log. A domain gone loses
# the devices the daemon made, and keeps libxl's for libxl to remove.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"
. "$top_srcdir/tests/kernel/lib-kernel.sh"

plan 15
viewer_setup

# libxl_device D TYPE BACKEND_TYPE [ID]: a device as
# libxl__device_generic_add writes it: any frontend directory there is
# replaced, then the backend directory, state 1
libxl_device() {
    local f="/local/domain/$1/device/$2/${4:-0}" b="/local/domain/0/backend/$3/$1/${4:-0}"
    x0 xenstore-rm "$f" 2>/dev/null
    x0 xenstore-write "$f/backend" "$b" "$f/backend-id" 0 "$f/state" 1 \
        "$b/frontend" "$f" "$b/frontend-id" "$1" "$b/online" 1 "$b/state" 1 &&
        x0 xenstore-chmod -r "$f" "n$1" r0 && x0 xenstore-chmod -r "$b" n0 "r$1"
}

domain 2 win "" hvm
libxl_device 2 vkbd vkbd || bail "cannot write QEMU's vkbd"
domain 3 pvqemu "" pv
libxl_device 3 vfb vfb && libxl_device 3 vkbd vkbd || bail "cannot write QEMU's vfb"
domain 4 pvh1 "" pvh
libxl_device 4 vkbd vinput || bail "cannot write the vinput device"

guests_conf "guest *"
serve_start --verbose --config "$GUESTS_CONF"
for d in 2:win 3:pvqemu 4:pvh1; do
    created "${d%%:*}" "${d#*:}" || bail "domain $d got no devices"
done

grep -q "domain 2: guest 'win': devices created (max-size 3840x2160, keyboard; kernel vfb 0 and vkbd 1 (vkbd 0 is libxl's, QEMU's))" \
    "$SERVE_LOG"
ok $? "HVM: QEMU's vkbd 0 stays, the kernel's of ours is vkbd 1: one line says so"
is "$(rd /local/domain/2/device/vkbd/0/backend) $(rd /local/domain/2/device/vkbd/1/backend)" \
    "/local/domain/0/backend/vkbd/2/0 /local/domain/0/backend/vinput/2/1" "as the store shows"

grep -q "domain 3: guest 'pvqemu': devices created (max-size 3840x2160, keyboard; no kernel devices of ours: libxl gave it vfb 0 (QEMU's), where its kernel's console is)" \
    "$SERVE_LOG"
ok $? "PV with a vfb= line: no kernel devices of ours, one line says why"
gone /local/domain/0/backend/vfb-xenfb/3 && gone /local/domain/0/backend/vinput/3 &&
    [ "$(rd /local/domain/3/device/vfb/0/backend)" = /local/domain/0/backend/vfb/3/0 ]
ok $? "libxl's vfb and vkbd are left alone"

grep -q "domain 4: guest 'pvh1': devices created (max-size 3840x2160, keyboard; kernel vfb 0 and vkbd 0)" \
    "$SERVE_LOG"
ok $? "libxl's vinput vkbd 0 is the kernel's keyboard"
is "$(x0 xenstore-list /local/domain/0/backend/vinput/4 | tr '\n' ' ')" "0 " \
    "and no vkbd of ours is added beside it"
is "$(rd /local/domain/0/backend/vinput/4/0/created-by)" "" "(libxl's, as it made it)"
kfront_start 4
kconsole 4
wait_line "$SERVE_LOG" "domain 4: kernel console keyboard and pointer connected"
: >"$(kfront_out 4)"
rfbinput 4 type:k
wait_line "$(kfront_out 4)" '^key 37 0$'
ok $? "keys typed at its viewer reach the kernel through libxl's vinput"
kfront_kill 4

# libxl adding its devices after the domain appeared, and after the
# daemon made the kernel's at index 0: its vkbd replaces our frontend
# directory there
domain 5 late "" hvm
created 5 late || bail "domain 5 got no devices"
is "$(rd /local/domain/5/device/vkbd/0/backend)" "/local/domain/0/backend/vinput/5/0" \
    "the daemon was first: the kernel's vkbd at 0"
libxl_device 5 vkbd vkbd || bail "cannot write QEMU's vkbd"
wait_line "$SERVE_LOG" "domain 5: guest 'late': kernel vkbd removed: libxl took its index"
ok $? "libxl replaces it with QEMU's: ours is dropped, with one line"
wait_for 10 eq /local/domain/0/backend/vinput/5/1 rd /local/domain/5/device/vkbd/1/backend
ok $? "and made again at vkbd 1"
gone /local/domain/0/backend/vinput/5/0 &&
    [ "$(rd /local/domain/5/device/vkbd/0/backend)" = /local/domain/0/backend/vkbd/5/0 ]
ok $? "QEMU's vkbd 0 is libxl's alone"

# the domains go: libxl removes its own backend directories (not here,
# standing in for it), the daemon only those it made, vinput's too
"$XSIM" destroy 4 >/dev/null
"$XSIM" destroy 5 >/dev/null
wait_line "$SERVE_LOG" "domain 4: guest 'pvh1' is gone: its backend directories removed" 1 20 &&
    wait_line "$SERVE_LOG" "domain 5: guest 'late' is gone: its backend directories removed" 1 20
ok $? "the domains go: one line each"
gone /local/domain/0/backend/vfb-xenfb/4 && gone /local/domain/0/backend/vfb-xenfb/5 &&
    gone /local/domain/0/backend/vinput/5
ok $? "the kernel's vfb and vkbd the daemon made are removed"
is "$(rd /local/domain/0/backend/vinput/4/0/frontend) $(rd /local/domain/0/backend/vkbd/5/0/frontend)" \
    "/local/domain/4/device/vkbd/0 /local/domain/5/device/vkbd/0" \
    "libxl's vinput and QEMU's vkbd are left for libxl to remove"

[ "$_tap_failed" -eq 0 ] || show_serve_log 60
