#!/bin/sh
# A guest's xenbus in its sysfs, as Linux shows it: /sys/bus/xen/drivers
# always; /sys/bus/xen/devices/TYPE-ID (a link to /sys/devices/TYPE-ID)
# for each device/TYPE/ID found at Initialising, gone with its node;
# driver links only while a kernel driver stand-in is bound (xsim ctl
# kernel-bind). Looked at through every libc call sys-look makes and with
# the shell's tools.
. "$top_srcdir/tests/lib.sh"

need ls readlink cat find
plan 37
xsim_setup
LOOK="$top_builddir/tests/xsim/t/sys-look"
B=/sys/bus/xen
dom() { _d=$1; shift; "$XSIM" run --domid "$_d" -- "$@"; }
look() { _d=$1; shift; dom "$_d" "$LOOK" "$@"; }
x0() { "$XSIM" run --domid 0 -- "$@"; }
"$XSIM" create 1 >/dev/null && "$XSIM" create 2 >/dev/null || bail "cannot create the guests"

# the bus, no device yet
is "$(look 1 stat $B/drivers)" "dir" "a guest has $B/drivers (stat, stat64, fstatat agree)"
is "$(look 1 access $B/drivers) $(look 1 faccessat $B/drivers) $(look 1 eaccess $B/drivers)" \
    "ok ok ok" "access, faccessat and euidaccess find it"
is "$(look 1 ls $B/drivers)|$(look 1 ls $B/devices)" "|" "no driver, no device"
is "$(look 0 stat $B/drivers)" "dir" "dom0 has one too"
is "$(look 1 stat /sys/bus/xen-nothing) $(look 1 stat /sys/module/xen_fbfront)" \
    "err ENOENT err ENOENT" "the rest of /sys is the machine's"

# a device appears
x0 xenstore-write /local/domain/1/device/vfb/0/backend-id 0 /local/domain/1/device/vfb/0/state 1 ||
    bail "cannot write the device"
is "$(look 1 lstat $B/devices/vfb-0)" "link" "device/vfb/0 at state 1: $B/devices/vfb-0 is a link"
is "$(look 1 stat $B/devices/vfb-0)" "dir" "to a directory"
is "$(look 1 statx $B/devices/vfb-0)" "link" "statx says so too"
is "$(look 1 readlink $B/devices/vfb-0)" "../../../devices/vfb-0" \
    "readlink and readlinkat: ../../../devices/vfb-0"
is "$(look 1 realpath $B/devices/vfb-0)" "/sys/devices/vfb-0" "realpath: /sys/devices/vfb-0"
is "$(look 1 cat /sys/devices/vfb-0/nodename)" "device/vfb/0" "its nodename"
is "$(look 1 cat $B/devices/vfb-0/devtype) $(look 1 cat $B/devices/vfb-0/modalias)" "vfb xen:vfb" \
    "its devtype and modalias"
is "$(look 1 ls /sys/devices/vfb-0)" "devtype modalias nodename subsystem" "opendir/readdir list it"
is "$(look 1 readlink /sys/devices/vfb-0/subsystem)" "../../bus/xen" "its subsystem is the bus"
is "$(look 1 access $B/devices/vfb-0/driver)" "err ENOENT" "no driver is bound"
is "$(look 2 ls $B/devices) $(look 2 stat /sys/devices/vfb-0)" " err ENOENT" \
    "another guest does not see it"
x0 xenstore-write /local/domain/1/device/vkbd/0/state 4
is "$(look 1 ls $B/devices)" "vfb-0" \
    "a device found past Initialising is not probed (xenbus_probe_node)"

# a kernel driver stand-in binds
"$XSIM" ctl kernel-bind 1 vfb 0 vfb
ok $? "kernel-bind 1 vfb 0 vfb"
is "$(look 1 access $B/drivers/vfb/vfb-0)" "ok" "$B/drivers/vfb/vfb-0 exists"
is "$(look 1 readlink $B/drivers/vfb/vfb-0)" "../../../../devices/vfb-0" "a link to the device"
is "$(look 1 readlink $B/devices/vfb-0/driver)" "../../bus/xen/drivers/vfb" \
    "and the device's driver link names the driver"
is "$(look 1 realpath $B/devices/vfb-0/driver)" "$B/drivers/vfb" "which resolves under $B"
is "$(look 1 ls $B/drivers)" "vfb" "the driver is listed"
is "$("$XSIM" ctl kernel-devices 1)" "1 vfb-0 vfb" "kernel-devices shows the binding"
out=$("$XSIM" ctl kernel-bind 1 vfb 0 other 2>&1)
[ $? -ne 0 ] && [ "$out" = "xsim: vfb-0 is bound to vfb already" ]
ok $? "a second driver cannot bind it"
out=$("$XSIM" ctl kernel-bind 1 vkbd 0 vkbd 2>&1)
[ $? -ne 0 ] && [ "$out" = "xsim: domain 1 has no vkbd-0 on its xenbus (device/vkbd/0 at state 1 makes it)" ]
ok $? "nor can one bind a device the bus does not have"

# the shell's tools
dom 1 test -L $B/devices/vfb-0 && dom 1 test -d $B/devices/vfb-0/ && dom 1 test -e $B/drivers/vfb/vfb-0
ok $? "test -L, -d, -e"
is "$(dom 1 readlink -f $B/devices/vfb-0/driver)" "$B/drivers/vfb" "readlink -f"
is "$(dom 1 cat $B/devices/vfb-0/nodename)" "device/vfb/0" "cat"
is "$(dom 1 ls $B/drivers/vfb)" "vfb-0" "ls"
is "$(dom 1 find $B -mindepth 2 | sort | tr '\n' ' ')" \
    "$B/devices/vfb-0 $B/drivers/vfb $B/drivers/vfb/vfb-0 " "find"
is "$(dom 1 stat -c %F $B/devices/vfb-0)" "symbolic link" "stat(1)"

# unbinding, and the device going
"$XSIM" ctl kernel-unbind 1 vfb 0
is "$(look 1 access $B/devices/vfb-0/driver) $(look 1 ls $B/drivers/vfb)" "err ENOENT " \
    "kernel-unbind: no driver link, the driver (its module) stays"
"$XSIM" ctl kernel-bind 1 vfb 0 vfb >/dev/null || bail "cannot bind again"
x0 xenstore-rm /local/domain/1/device/vfb/0
is "$(look 1 lstat $B/devices/vfb-0) $(look 1 stat /sys/devices/vfb-0)" "err ENOENT err ENOENT" \
    "device/vfb/0 removed: the device leaves the bus"
is "$(look 1 ls $B/drivers/vfb)" "" "and its driver's link with it"
is "$("$XSIM" ctl kernel-devices)" "" "no device is left on any bus"
"$XSIM" destroy 1
"$XSIM" create 1 >/dev/null
is "$(look 1 ls $B/drivers)" "" "a domain created again boots a kernel with no driver"
