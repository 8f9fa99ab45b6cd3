#!/bin/sh
# An ordinary user, as an X server started by GDM or startx without the
# setuid wrapper is: without access to xenstore or the Xen devices, one
# [XFB-002] line names what it may not open and the fix (root, or the
# group xenfb of the opt-in udev rule), not "is this a Xen guest?"; with
# access, as that group gives, the frontend works as root's does.
#
# On the simulated Xen, xenstore is the domain's socket and the devices
# are reached through hv.sock: their modes stand for the devices'.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
need setpriv getent
plan 5
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
user=nobody
getent passwd $user >/dev/null || bail "no user $user"
chmod 711 "$TEST_TMP" "$XSIM_DIR"
caps=$(reach_caps $user "$FRONT_TOOL")

# as_user CMD...: CMD in the guest's domain as $user, with no group
as_user() {
    env $("$XSIM" env --domid $GUEST | sed -n "s/^export \([A-Z_]*\)='\(.*\)'$/\1=\2/p") \
        setpriv --reuid=$user --regid=nogroup --clear-groups $caps "$@"
}

start_back vfb 1024 768
send back write feature-gref 1
send back state 2
expect back ok

fix="run X as root, or add the user to the group xenfb (adduser $user xenfb), which the udev rule 60-xenfb.rules lets open /dev/xen/gntalloc, evtchn and xenbus"
out=$(as_user "$FRONT_TOOL" vfb --hotplug </dev/null)
is "$out" "log error [XFB-002] xenstore (/dev/xen/xenbus): Permission denied: this process (user $user) may not open it: $fix
open error EACCES" "no access to xenstore: [XFB-002] naming it and the fix"

chmod 666 "$XSIM_DIR/xs-dom$GUEST.sock"
out=$(as_user "$FRONT_TOOL" vfb --hotplug </dev/null)
is "$out" "log error [XFB-002] /dev/xen/evtchn: Permission denied: this process (user $user) may not open it: $fix
open error EACCES" "no access to the Xen devices: [XFB-002] naming the device and the fix"

# what the udev rule's group gives: the devices and xenstore
chmod 666 "$XSIM_DIR/hv.sock"
as_user "$FRONT_TOOL" vfb --hotplug --pattern 2 >"$TEST_TMP/user.out" 2>&1 &
user_pid=$!
at_exit "kill $user_pid 2>/dev/null"
say back wait-front 3 -- "front-state 3" "with access, an ordinary user's frontend publishes"
say back connect -- connected "and connects"
say back check-pattern 2 -- "pattern ok" "the backend maps its framebuffer"
kill $user_pid
