#!/bin/sh
# The frontend's own restart (an X server restart): close leaves no grant,
# port or published node behind, and opening again connects anew.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 14
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vfb 1024 768
send back write feature-gref 1
send back state 2
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 640 --height 480 --pattern 1 --stdin
expect front opened || bail "frontend did not open"
send back wait-front 3
send back connect
say front wait-connected -- connected "connected"
grants=$(grants_of $GUEST | wc -l)
ok $([ "$grants" -gt 1 ]; echo $?) "the guest has grants while connected ($grants)"

say front close -- closed "frontend closed"
say back wait-front 6 -- "front-state 6" "frontend went to Closed"
say back front-node page-gref -- "front-node page-gref -" "page-gref removed"
say back front-node event-channel -- "front-node event-channel -" "event-channel removed"
say back front-alive -- "front-alive 0" "the grant device cleared the frontend's liveness byte"
say back unmap -- unmapped "backend unmapped"
is "$(grants_of $GUEST)" "" "no grant of the guest left"
is "$(ports_of $GUEST)" "" "no event channel of the guest left"
nodes=$("$XSIM" ctl dump-store | sed -n "s|^/local/domain/$GUEST/device/xenfb/0/\([^ ]*\) = \(.*\) (.*|\1=\2|p")
is "$(echo $nodes)" "backend=\"/local/domain/0/backend/xenfb/$GUEST/0\" backend-id=\"0\" state=\"6\"" \
    "only the toolstack's nodes are left in the frontend directory"

say front open -- opened "frontend opened again"
send back wait-front 1
send back state 2
send back wait-front 3
send back connect
say front wait-connected -- connected "connected again"
say back check-pattern 1 -- "pattern ok" "the new backend mapping shows the new framebuffer"
proc_stop front
proc_stop back
