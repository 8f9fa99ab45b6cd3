#!/bin/sh
# The conditions users meet, each one log line with its id: no device,
# gntalloc limit too low, a backend without feature-gref, no backend;
# the kernel's own vfb beside ours changes nothing; a kernel driver bound
# to xenfb's own device is refused.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 11
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

out=$("$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb </dev/null; echo "exit=$?")
is "$out" "log error [XFB-004] vfb 0: no device in xenstore (device/xenfb/0/backend and backend-id): name this guest in the backend domain's xenfb guests.conf, or run xenfb-backend attach there
open error ENODEV
exit=1" "no device: ENODEV and [XFB-004]"

start_back vfb 1024 768
gntalloc_limit $GUEST 100
out=$("$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb --width 1024 --height 768 </dev/null; echo "exit=$?")
is "$out" "log error [XFB-003] gntalloc limit reached: vfb 0 needs 770 grant pages (limit 100); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=1024, or echo 1024 > /sys/module/xen_gntalloc/parameters/limit
open error ENOSPC
exit=1" "gntalloc limit: ENOSPC and [XFB-003] naming the parameter and its value"
is "$(grants_of $GUEST)" "" "nothing left allocated after the failed open"
# as X opens: the device kept without memory (hotplug), then X's first
# mode set asks for the same memory again: one line for it, and one for
# a size not asked for before
out=$(printf 'resize 1024 768\nresize 800 600\nquit\n' |
    "$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb --width 1024 --height 768 --hotplug --stdin 2>&1 |
    grep -E '^(resize|log error)')
is "$out" "log error [XFB-003] gntalloc limit reached: vfb 0 needs 770 grant pages (limit 100); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=1024, or echo 1024 > /sys/module/xen_gntalloc/parameters/limit
resize ok
log error [XFB-003] gntalloc limit reached: vfb 0 needs 471 grant pages (limit 100); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=1024, or echo 1024 > /sys/module/xen_gntalloc/parameters/limit
resize ok" "kept without memory: [XFB-003] once for the mode it opened with, asked again; once for a new size"
gntalloc_limit $GUEST 1024

# the kernel's own vfb beside ours, as a Debian guest's built-in
# xen-fbfront leaves it (state 4, page-ref): xenfb uses device/xenfb/0
# and never touches it
K=/local/domain/$GUEST/device/vfb/0
"$XSIM" run --domid 0 -- xenstore-write $K/state 4 $K/page-ref 12345 || bail "cannot make device/vfb/0"
send back state 2
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 640 --height 480 --timeout 300 --stdin
expect front "log error [XFB-007] vfb 0: the backend (/local/domain/0/backend/xenfb/$GUEST/0) has no feature-gref: it cannot map a userspace framebuffer (stock QEMU cannot); use xenfb-backend"
ok $? "backend without feature-gref: [XFB-007]"
expect front "log error [XFB-014] vfb 0: the backend (/local/domain/0/backend/xenfb/$GUEST/0) waits in InitWait but offers no feature-gref ([XFB-007]): not connected after 300 ms; serve this guest with xenfb-backend"
ok $? "after the timeout, a backend that lacks feature-gref is not called no backend: [XFB-014]"
say front state -- "state 1 connected 0" "the frontend stays at Initialising without hanging"
send back write feature-gref 1
send back state 2
say back wait-front 3 -- "front-state 3" "once the backend offers feature-gref, it goes on"
is "$("$XSIM" run --domid 0 -- xenstore-read $K/state $K/page-ref | tr '\n' ' ')" "4 12345 " \
    "the kernel's vfb beside it is left alone"
is "$(grep -c '\[XFB-007\] vfb' "$TEST_TMP/front.out")" 1 "[XFB-007] logged once"
proc_stop front

# a kernel driver bound to xenfb's own device (sysfs says so): the
# frontend refuses it, as xenfb-agent check does
"$XSIM" ctl kernel-bind $GUEST xenfb 0 rogue >/dev/null || bail "cannot bind a kernel driver"
out=$("$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb </dev/null; echo "exit=$?")
is "$out" "log error [XFB-005] vfb 0: a kernel driver (rogue) drives device/xenfb/0: unbind it (/sys/bus/xen/drivers/rogue/unbind), then retry
open error EBUSY
exit=1" "a kernel driver bound to device/xenfb/0: EBUSY and [XFB-005]"
"$XSIM" ctl kernel-unbind $GUEST xenfb 0 >/dev/null
proc_stop back
