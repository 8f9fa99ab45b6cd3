#!/bin/sh
# xenfb-agent check gives the right advice: no backend, a backend without
# feature-gref, gntalloc limit too low (the pages the X driver takes for
# the mode, and the fix its own [XFB-003] line gives), a kernel driver
# bound to xenfb's device (as the guest's sysfs shows it); and exits 0 when
# all is well, the kernel's own frontend on the standard vfb beside it
# included.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 17
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
AGENT="$top_builddir/xenfb-agent/xenfb-agent"
check() { "$XSIM" run --domid $GUEST -- "$AGENT" check "$@"; }
B=/local/domain/0/backend

start_back vfb 1024 768
proc_start kbd 9 0 "$FAKE_BACK" vkbd --front $GUEST
send kbd attach
expect kbd attached || bail "vkbd not attached"

out=$(check)
ok $([ $? -eq 1 ]; echo $?) "no backend: exit 1"
echo "$out" | grep -qxF "error: [XFB-006] vfb 0: no backend running ($B/xenfb/$GUEST/0 state 1): start xenfb-backend in domain 0"
ok $? "no backend: [XFB-006] with what to do" || echo "$out" | sed 's/^/# /'

send back state 2
say back wait-front 1 -- "front-state 1" "backend at InitWait"
out=$(check)
echo "$out" | grep -qxF "error: [XFB-007] vfb 0: the backend has no feature-gref (stock QEMU?): it cannot show a userspace framebuffer; use xenfb-backend for this guest"
ok $? "backend without feature-gref: [XFB-007]" || echo "$out" | sed 's/^/# /'

send back write feature-gref 1
send kbd write feature-abs-pointer 1
send kbd state 2
expect kbd ok
gntalloc_limit $GUEST 100
out=$(check)
echo "$out" | grep -qxF "error: [XFB-003] gntalloc limit reached: vfb 0 at 1024x768x32 and vkbd 0 need 771 grant pages (limit 100); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=1024, or echo 1024 > /sys/module/xen_gntalloc/parameters/limit"
ok $? "gntalloc limit too low: [XFB-003] with the pages and the fix" || echo "$out" | sed 's/^/# /'
is "$(grants_of $GUEST)" "" "the probe leaves no grant behind"
# the X driver's line for the same mode, under the same limit
drv=$("$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb --hotplug --width 1024 --height 768 --stdin \
    </dev/null | grep -o '\[XFB-003\].*')
agent=$(echo "$out" | grep -o '\[XFB-003\].*')
is "${drv#*; }" "${agent#*; }" "the same fix as the X driver's [XFB-003] line"
out=$(check --width 1920 --height 1080)
echo "$out" | grep -qxF "error: [XFB-003] gntalloc limit reached: vfb 0 at 1920x1080x32 and vkbd 0 need 2029 grant pages (limit 100); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=2048, or echo 2048 > /sys/module/xen_gntalloc/parameters/limit"
ok $? "--width/--height: the mode checked" || echo "$out" | sed 's/^/# /'

gntalloc_limit $GUEST 1024
out=$(check)
ok $? "all well: exit 0" || echo "$out" | sed 's/^/# /'
is "$(echo "$out" | tail -n 1)" "all is well" "all well: says so"
out=$(check --depth 16)
echo "$out" | grep -qxF "ok: gntalloc: 1024x768 at 16 bits takes 387 grant pages (386 for vfb 0, 1 for vkbd 0): available, under a limit of 1024"
ok $? "--depth 16: the pages of 16-bit pixels, and the limit" || echo "$out" | sed 's/^/# /'

# the kernel's xen-fbfront on the guest's standard vfb (its console)
K=/local/domain/$GUEST/device/vfb/0
"$XSIM" run --domid 0 -- xenstore-write $K/state 1 && "$XSIM" ctl kernel-bind $GUEST vfb 0 vfb ||
    bail "cannot bind a kernel frontend to device/vfb/0"
out=$(check)
rc=$?
echo "$out" | grep -qxF "ok: vfb 0: the kernel's xen-fbfront drives it (the console; xenfb's X screen uses its own device beside it)"
ok $? "the kernel's frontend on device/vfb/0 is reported" || echo "$out" | sed 's/^/# /'
is "$rc $(echo "$out" | tail -n 1)" "0 all is well" "and is no problem"

# a kernel driver bound to xenfb's own device
"$XSIM" ctl kernel-bind $GUEST xenfb 0 rogue || bail "cannot bind a kernel driver to device/xenfb/0"
out=$(check)
rc=$?
echo "$out" | grep -qxF "error: [XFB-005] vfb 0: a kernel driver (rogue) drives device/xenfb/0: unbind it (/sys/bus/xen/drivers/rogue/unbind)"
ok $? "a kernel driver on device/xenfb/0: [XFB-005] naming it" || echo "$out" | sed 's/^/# /'
is "$rc" 1 "exit 1"
out=$("$XSIM" run --domid $GUEST -- "$FRONT_TOOL" vfb </dev/null; echo "exit=$?")
is "$out" "log error [XFB-005] vfb 0: a kernel driver (rogue) drives device/xenfb/0: unbind it (/sys/bus/xen/drivers/rogue/unbind), then retry
open error EBUSY
exit=1" "the frontend library refuses the device too: EBUSY and [XFB-005]"
"$XSIM" ctl kernel-unbind $GUEST xenfb 0
out=$(check)
ok $? "unbound: all well again" || echo "$out" | sed 's/^/# /'
proc_stop kbd
proc_stop back
