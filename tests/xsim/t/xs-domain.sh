#!/bin/sh
# A new domain's xenstore nodes as libxl__domain_make leaves them: the home
# read-only to the guest, device/ and control/ the toolstack's, the
# directories where the guest reports its own, /vm/UUID, /libxl/N/type;
# and what destroy removes.
. "$top_srcdir/tests/lib.sh"

need xenstore-read xenstore-write xenstore-ls xenstore-list
plan 27
xsim_setup

x0() { "$XSIM" run --domid 0 -- "$@"; }
x3() { "$XSIM" run --domid 3 -- "$@"; }
perms() { "$XSIM" ctl dump-store | grep -e "^$1 = " | sed 's/.*(\(.*\))$/\1/'; }
U=4a3c55e0-8b1f-4c2d-9e6a-0123456789ab
H=/local/domain/3

"$XSIM" create 3 three --uuid 4A3C55E0-8B1F-4C2D-9E6A-0123456789AB --type pvh
ok $? "create 3 with a name, a UUID and a type"
is "$(perms $H)" "n0,r3" "the home is dom0's, readable by the guest"
is "$(x0 xenstore-read $H/name $H/domid $H/vm)" "three
3
/vm/$U" "name, domid and vm (the UUID in lower case, as libxl prints it)"
is "$(perms $H/name) $(perms $H/vm) $(perms $H/domid)" "n0,r3 n0,r3 n0,r3" \
    "the guest may read them, not change them"
is "$(x0 xenstore-read /vm/$U/uuid /vm/$U/name)" "$U
three" "/vm/UUID holds the uuid and the name"
is "$(perms /vm/$U)" "n0,r3" "/vm/UUID is read-only to the guest"
is "$(x0 xenstore-read /libxl/3/type)" "pvh" "libxl records the type in /libxl/3/type"
is "$(perms /libxl/3) $(perms /libxl/3/type) $(perms /libxl/3/device)" "n0 n0 n0" \
    "which only dom0 may read"
is "$(perms $H/device) $(perms $H/control) $(perms $H/cpu) $(perms $H/memory)" \
    "n0,r3 n0,r3 n0,r3 n0,r3" "device, control, cpu and memory are the toolstack's"
is "$(perms $H/data) $(perms $H/drivers) $(perms $H/feature) $(perms $H/attr) $(perms $H/error)" \
    "n3 n3 n3 n3 n3" "data, drivers, feature, attr and error are the guest's"
is "$(perms $H/control/shutdown) $(perms $H/control/sysrq) $(perms $H/control/feature-poweroff)" \
    "n3 n3 n3" "and so are control/shutdown, sysrq and the feature nodes"
is "$(x0 xenstore-read $H/control/platform-feature-xs_reset_watches)" "1" \
    "control/platform-feature-xs_reset_watches is 1"
is "$(perms $H/device/suspend/event-channel)" "n3" "device/suspend/event-channel is the guest's"
x0 xenstore-read $H/hvmloader >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a PVH domain has no hvmloader directory"

# what the guest may do there
x3 xenstore-write device/vfb/0/state 1 2>/dev/null
[ $? -ne 0 ]
ok $? "the guest cannot create a device itself"
x3 xenstore-write control/foo 1 2>/dev/null
[ $? -ne 0 ]
ok $? "nor a node in control/"
x3 xenstore-write name evil 2>/dev/null
[ $? -ne 0 ]
ok $? "nor rename itself"
x3 xenstore-write data/x 1 && x3 xenstore-write control/shutdown poweroff &&
    x3 xenstore-write feature/f 1
ok $? "it writes data/, control/shutdown and feature/"
is "$(x3 xenstore-list device)" "suspend" "it reads device/"

# the defaults, and the type of an HVM domain
"$XSIM" run --domid 4 -- true
U4=$(x0 xenstore-read /local/domain/4/vm)
case $U4 in
/vm/????????-????-4???-[89ab]???-????????????) r=0 ;;
*) r=1 ;;
esac
ok $r "xsim run creates a domain with a random UUID ($U4)"
is "$(x0 xenstore-read /libxl/4/type) $(x0 xenstore-read /local/domain/4/name)" "pv guest4" \
    "of type pv, named guest4"
"$XSIM" run --domid 5 --type hvm --name five -- true &&
    is "$(x0 xenstore-read /libxl/5/type $(x0 xenstore-read /local/domain/5/vm)/name)" "hvm
five" "xsim run --type hvm --name five"
x0 xenstore-read /local/domain/5/hvmloader /local/domain/5/control/feature-s3 >/dev/null
ok $? "an HVM domain gets hvmloader and control/feature-s3"

out=$("$XSIM" create 6 --uuid 1234 2>&1)
[ $? -ne 0 ] && [ "$out" = "xsim: '1234' is not a UUID (8-4-4-4-12 hexadecimal digits)" ]
ok $? "a malformed UUID is refused"
out=$("$XSIM" run --domid 6 --type kvm -- true 2>&1)
[ $? -ne 0 ] && [ "$out" = "xsim: 'kvm' is not a domain type (pv, pvh or hvm)" ]
ok $? "so is an unknown type"

# destroy removes everything libxl made
"$XSIM" destroy 3
ok $? "destroy 3"
is "$("$XSIM" ctl dump-store | grep -c -e "^$H" -e "^/vm/$U" -e '^/libxl/3')" 0 \
    "its home, /vm/UUID and /libxl/3 are gone"
