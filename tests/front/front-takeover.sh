#!/bin/sh
# Another writer of the frontend's own nodes (a kernel frontend that loads
# late rewrites event-channel and state of a device X already uses): a
# hotplug handle lets go of the device with one line rather than mix two
# frontends' pages on one backend, writes nothing more there, and takes
# the device again once it is made anew.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
need xenstore-write xenstore-read
plan 11
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
BE=/local/domain/0/backend/xenfb/$GUEST/0
FE=/local/domain/$GUEST/device/xenfb/0
rd() { "$XSIM" run --domid 0 -- xenstore-read "$FE/$1" 2>/dev/null; }

start_back vfb 1024 768
send back write feature-gref 1
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --width 640 --height 480 --stdin
expect front opened
send back state 2
expect back ok
say back wait-front 3 -- "front-state 3" "published"
say back connect -- connected "connected"
expect front "ev-state 4 1"

# what xen-fbfront writes first (in its transaction), from inside the guest
"$XSIM" run --domid $GUEST -- xenstore-write device/xenfb/0/event-channel 99 ||
    bail "cannot write as the guest"
expect_re front "^log error \[XFB-016\] vfb 0: another writer changed device/xenfb/0 \(state 4, ours 4; event-channel 99, ours [0-9]+\): a kernel frontend or a tool drives this device too; xenfb lets go of it until the device is made anew$"
ok $? "a foreign event-channel: one line naming what changed"
expect front "ev-device gone taken device/xenfb/0 $BE"
ok $? "and the device is let go"
say back front-alive -- "front-alive 0" "the backend sees the frontend gone (its liveness byte)"
say front fb -- "fb 0 0 640 480 2560 32" "its memory is released"
"$XSIM" run --domid $GUEST -- xenstore-write device/xenfb/0/state 3 device/xenfb/0/page-ref 12345
say front state -- "state 0 connected 0" "the other writer goes on: xenfb stays away"
is "$(rd state) $(rd event-channel) $(rd page-gref)" "3 99 $(rd page-gref)" \
    "and has written nothing over it"

# made anew by the toolstack: taken again
send back unmap
send back reattach 1024 768
expect back reattached
expect front "ev-device present added device/xenfb/0 $BE"
ok $? "a device made anew is taken again"
send back write feature-gref 1
send back state 2
say back wait-front 3 -- "front-state 3" "and published"
say back connect -- connected "a backend connects to it"

proc_stop front
proc_stop back
