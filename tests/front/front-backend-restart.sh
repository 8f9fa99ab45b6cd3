#!/bin/sh
# The backend goes away (exit without cleaning up, as in a crash) and a new
# one comes: the frontend notices through the liveness byte, goes back to
# Initialised keeping its grants and port, and the new backend gets a full
# update without the caller doing anything.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 12
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vfb 1024 768
send back write feature-gref 1
send back state 2
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --pattern 7 --stdin
expect front opened || bail "frontend did not open"
send back wait-front 3
send back front-node event-channel
expect_re back '^front-node event-channel [0-9]+$'
port1=$LINE
send back connect
say front wait-connected -- connected "connected"

proc_stop back
expect front "log warning vfb 0: backend gone (its liveness byte is 0): waiting for a new one"
ok $? "frontend noticed the backend's exit"
expect front "ev-state 3 0"
ok $? "and went back to Initialised"
say front update 0 0 10 10 -- "update ok" "updates while no backend are accepted"

proc_start back 7 0 "$FAKE_BACK" vfb --front $GUEST
say back state 2 -- ok "new backend at InitWait"
send back front-node event-channel
expect_re back '^front-node event-channel [0-9]+$'
is "$LINE" "$port1" "the frontend kept its port"
say back connect -- connected "new backend connected to the same page and port"
expect front "ev-state 4 1"
ok $? "frontend connected again by itself"
send back wait-event
send back read-out
expect back "update 0 0 800 600" && expect back "out-end 1"
ok $? "the new backend got a full update"
say back check-pattern 7 -- "pattern ok" "and sees the picture"

send back state 5
expect front "log warning vfb 0: backend gone (state changed): waiting for a new one"
ok $? "a backend going to Closing is gone too"
expect front "ev-state 3 0"
ok $? "and the frontend waits at Initialised again"
proc_stop front
proc_stop back
