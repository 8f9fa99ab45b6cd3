#!/bin/sh
# A caller that does not dispatch for longer than the backend timeout
# after opening, as X does between PreInit and its main loop (tens of
# seconds under emulation): a backend that waited at InitWait all along
# is not reported missing ([XFB-006]). The backend's time counts from
# the frontend publishing, and a backend that does not answer within it
# is still reported.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 8
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vfb 1024 768
say back write feature-gref 1 -- ok "backend offers feature-gref"
say back state 2 -- ok "backend at InitWait"

proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --timeout 300 --busy 1000 \
    --stdin
expect front opened || bail "frontend did not open"
say back wait-front 3 -- "front-state 3" "after a busy second, the frontend publishes"
say back connect -- connected "the backend connects"
say front wait-connected -- connected "the frontend connects"
is "$(grep -c 'XFB-006' "$TEST_TMP/front.out")" 0 \
    "no [XFB-006]: the backend was at InitWait all along"
proc_stop front

# the same frontend, dispatching all along, with a backend that takes
# its publication and never connects
say back state 2 -- ok "backend back at InitWait"
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --timeout 300 --stdin
expect front opened || bail "frontend did not open"
expect front "log error [XFB-006] vfb 0: no backend after 300 ms (/local/domain/0/backend/vfb/$GUEST/0, state 2): start xenfb-backend in domain 0 or check the device's configuration"
ok $? "a backend that does not connect after the frontend published: [XFB-006]"
proc_stop front
proc_stop back
