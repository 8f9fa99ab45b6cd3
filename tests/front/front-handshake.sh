#!/bin/sh
# vfb handshake against a scripted backend: the nodes published in one go,
# the states walked, a full update at connect, the framebuffer readable
# through the grant directory, and updates as sent.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 16
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vfb 1024 768
say back write feature-gref 1 -- ok "backend offers feature-gref"
say back write feature-resize 1 -- ok "backend offers feature-resize"
say back state 2 -- ok "backend at InitWait"

proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --max-width 1024 \
    --max-height 768 --pattern 3 --stdin
expect front opened
ok $? "frontend opened" || bail "frontend did not open"
say back wait-front 3 -- "front-state 3" "frontend published and went to Initialised"
send back front-node protocol
expect_re back '^front-node protocol x86_(64|32)-abi$'
ok $? "protocol published"
say back front-node feature-update -- "front-node feature-update 1" "feature-update published"
say back front-node page-ref -- "front-node page-ref -" "no page-ref (the extension writes page-gref only)"
say back connect -- connected "backend connected"
say front wait-connected -- connected "frontend connected"
send back wait-event
send back read-out
expect back "update 0 0 800 600" && expect back "out-end 1"
ok $? "a full update at connect"
say back check-pattern 3 -- "pattern ok" "the backend reads the guest's pixels through the grant directory"
say back geometry -- "geometry 800 600 3200 32 3145728" "the page holds the mode and the memory granted"
say front update 10 20 30 40 -- "update ok" "frontend sends an update"
send back wait-event
send back read-out
expect back "update 10 20 30 40" && expect back "out-end 1"
ok $? "the backend gets it as sent"
say back front-alive -- "front-alive 1" "the frontend's liveness byte is set"
proc_stop front
proc_stop back
