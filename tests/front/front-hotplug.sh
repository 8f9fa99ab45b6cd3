#!/bin/sh
# A hotplug handle (XFB_FRONT_HOTPLUG) outlives its device: it opens
# without one, takes it when it appears, lets go of everything (memory,
# port) when it is removed and takes it again when it comes back, also
# when it is made anew between two looks. What the caller drew reaches
# each new backend.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 21
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
BE=/local/domain/0/backend/xenfb/$GUEST/0

proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --width 640 --height 480 --stdin
expect front "log warning [XFB-004] vfb 0: no device in xenstore yet (device/xenfb/0/backend and backend-id): waiting for it; name this guest in the backend domain's xenfb guests.conf, or run xenfb-backend attach there"
ok $? "no device at open: one warning, and the handle opens"
say front fb -- "fb 0 0 640 480 2560 32" "no device: no memory, the mode is kept"
is "$(grants_of $GUEST)" "" "no device: nothing granted"

# the device appears
start_back vfb 1024 768
expect_re front "^log info vfb 0: device device/xenfb/0 appeared, backend $BE \(domain 0\), 640x480, 32 bpp, 1200 KiB granted$"
ok $? "the device appears: one line with its backend, the geometry and the memory granted"
expect front "ev-device present added device/xenfb/0 $BE"
ok $? "and an event names it and its backend"
send front pattern 3
expect front "pattern ok"
send back write feature-gref 1
send back state 2
say back wait-front 3 -- "front-state 3" "it publishes to the backend in InitWait"
say back connect -- connected "the backend connects"
expect front "ev-state 4 1"
say back check-pattern 3 -- "pattern ok" "the backend maps what was drawn"

# removed: everything is let go, nothing is written into the store
send back detach
expect back detached
expect_re front "^log warning vfb 0: device device/xenfb/0 removed \(backend $BE, 640x480, 32 bpp, 1200 KiB granted\): released; waiting for it to come back$"
ok $? "the device is removed: one line says what is released"
expect front "ev-device gone removed device/xenfb/0 $BE"
ok $? "and an event says so"
say front fb -- "fb 0 0 640 480 2560 32" "no memory once the device is gone"
no_grants() { [ -z "$(grants_of $GUEST)" ]; }
wait_for 10 no_grants
ok $? "no grant left"
is "$(ports_of $GUEST)" "" "no port left"
"$XSIM" run --domid 0 -- xenstore-read /local/domain/$GUEST/device/xenfb/0/state >/dev/null 2>&1
ok $((! $?)) "and no node written back into the removed directory"

# it comes back
send back attach 1024 768
expect back attached
expect front "ev-device present added device/xenfb/0 $BE"
ok $? "the device comes back: taken again"
send front pattern 4
expect front "pattern ok"
send back write feature-gref 1
send back state 2
say back wait-front 3 -- "front-state 3" "published again"
say back connect -- connected "a backend connects"
say back check-pattern 4 -- "pattern ok" "and sees the new picture"

# made anew between two looks: the frontend finds a fresh directory (its
# nodes gone, state 1) and starts over
send back unmap
expect back unmapped
send back reattach 1024 768
expect back reattached
expect front "ev-device gone replaced device/xenfb/0 $BE"
ok $? "a directory made anew in place: the old device is let go"
expect front "ev-device present added device/xenfb/0 $BE"
ok $? "and the new one taken"
send back write feature-gref 1
send back state 2
say back wait-front 3 -- "front-state 3" "published to the new device"

proc_stop front
proc_stop back
