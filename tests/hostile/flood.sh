#!/bin/sh
# Notification floods and ring indices that lie, from a hostile guest on
# `xenfb-backend serve`, while a healthy guest's viewer is measured
# (tests/hostile/lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 37
hostile_setup

evil_connect
attack_begin "vfb notification flood"
front 1 floodfor fb 6000
attack_end "flood of event notifications"
front_sync 1
diag "$(grep flooded "$(front_out 1)" | tail -n 1)"

evil_connect
attack_begin "vkbd notification flood"
front 1 floodfor kbd 6000
attack_end "flood of event notifications"
front_sync 1
diag "$(grep flooded "$(front_out 1)" | tail -n 1)"

evil_connect
# A flood where every wakeup finds progress (a 1x1 update, in_cons moved
# between two legal values) is legal traffic: the backend does at most a
# ring's worth of work per wakeup, and past 50 wakeups in 10 ms leaves
# the port masked for the rest of the slice, so that the notifications
# meanwhile fold into one wakeup.
attack_begin "vfb flood that shows progress"
front 1 busy fb 3000
attack_end "throttled: more than 50 wakeups in 10 ms"
front_sync 1
diag "$(grep busy "$(front_out 1)" | tail -n 1)"

# Ring indices far ahead, backwards, half the index space away, and the
# indices the backend owns moved where they cannot be.
while IFS='|' read -r cmd why; do
    evil_connect
    attack_begin "ring: $cmd"
    front 1 "$cmd"
    attack_end "$why"
done <<'CASES'
ring fb out_prod 100000|out_prod is more than a ring ahead of out_cons
ring fb out_prod -1|out_prod is more than a ring ahead of out_cons
ring fb out_prod 2147483648|out_prod is more than a ring ahead of out_cons
ring fb in_cons 1|in_cons is not behind in_prod
ring kbd out_prod 100000|out_prod is more than a ring ahead of out_cons
ring kbd in_cons -100000|in_cons is not behind in_prod
CASES

# Indices that wrap at 2^32 are legal (and, as the ring's length is not a
# power of two, slots jump there): the guest's frames keep coming.
evil_connect --start-index 0xfffffff0
viewer_start 1 "$TEST_TMP/frames-1"
start=$(wc -l <"$SERVE_LOG")
front 1 animate 100
wait_line "$TEST_TMP/frames-1" '^[0-9.]* 2[0-9a-f]4080$' 1 20 &&
    ! since "$start" 'error: domain 1: '
ok $? "ring indices wrapping at 2^32: the guest's 40th frame arrives, no error"
front 1 animate 0

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
