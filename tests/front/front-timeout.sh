#!/bin/sh
# The backend timeout says what is true. It counts from the last step
# towards a backend, and it is judged after the store is read again: a
# frontend too busy to dispatch (an X server still starting) is not told
# "no backend" about one that waited in InitWait all along. Each line
# names the backend's state as it is: none, closed, dead, or waiting in
# InitWait for something.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 14
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
BE=/local/domain/0/backend/xenfb/$GUEST/0

# the backend is in InitWait before the frontend opens; the frontend then
# does not dispatch for longer than its timeout
start_back vfb 1024 768
send back write feature-gref 1
send back state 2
expect back ok
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --timeout 2000 --busy 3000 --stdin
expect front "busy done"
say back wait-front 3 -- "front-state 3" "a busy frontend publishes at its first dispatch"
say back connect -- connected "the backend connects"
expect front "ev-state 4 1"
before=$(awk '/^ev-state 4 1$/ { exit } /XFB-006|XFB-014/ { print }' "$TEST_TMP/front.out")
is "$before" "" "its timer, ready as long as the watch, said nothing: the store was read first"
proc_stop front

# the same in the other order: the timer expires while the frontend is
# stopped, then the backend reaches InitWait; both are ready when it runs
send back unmap
send back state 1
expect back ok
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --timeout 500 --stdin
expect front opened
say front state -- "state 1 connected 0" "a frontend waiting for its backend"
pid=$(eval echo \$_pid_front)
kill -STOP "$pid"
# its timerfd counts the expiry (fdinfo "ticks") while nobody reads it
expired() { grep -qs '^ticks: [1-9]' /proc/"$pid"/fdinfo/*; }
wait_for 20 expired
ok $? "stopped past its timeout"
send back state 2
expect back ok
kill -CONT "$pid"
say back wait-front 3 -- "front-state 3" "once it runs, it publishes"
is "$(grep -c 'XFB-006' "$TEST_TMP/front.out")" 0 "and never said no backend: it read the store before judging"
proc_stop front
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --timeout 300 --stdin
expect front opened

# published to a backend that does not connect
send back unmap
send back state 1
send back state 2
expect_re front "^log error \[XFB-014\] vfb 0: the backend \($BE\) is in InitWait and has not connected 300 ms after this frontend published device/xenfb/0: it may be stuck; its log says why$"
ok $? "a backend in InitWait that does not connect: [XFB-014], not no backend"
send front run 800
expect front ran
is "$(grep -c 'XFB-014' "$TEST_TMP/front.out")" 1 "said once while nothing changes"

# the backend closes the device
send back state 6
expect_re front "^log error \[XFB-006\] vfb 0: the backend closed the device \($BE, state 6\) and has not come back after 300 ms: its log says why; restart xenfb-backend in domain 0 or attach the device again$"
ok $? "a backend that closed the device: [XFB-006] says it closed it"

# a state left Connected by a backend that died
send back state 4
expect_re front "^log error \[XFB-006\] vfb 0: no live backend after 300 ms \($BE says Connected, but its liveness byte is 0: a backend that exited\): start xenfb-backend in domain 0$"
ok $? "a Connected state with no live backend: said so"

# no backend at all
send back state 1
expect_re front "^log error \[XFB-006\] vfb 0: no backend after 300 ms \($BE, state 1\): start xenfb-backend in domain 0 or check the device's configuration$"
ok $? "no backend: [XFB-006]"

# and a backend that comes then is taken
send back state 2
say back wait-front 3 -- "front-state 3" "published to the backend that came"
say back connect -- connected "connected"
proc_stop front
proc_stop back
