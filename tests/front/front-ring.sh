#!/bin/sh
# The vfb out ring under pressure and the refresh period: a full ring
# merges what is pending into one bounding box sent when the backend frees
# space; period 0 stops updates, a period after 0 brings one full update;
# resize inside the granted memory and beyond it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 17
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vfb 1024 768
send back write feature-gref 1
send back write feature-resize 1
send back state 2
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --max-width 1024 \
    --max-height 768 --stdin
expect front opened || bail "frontend did not open"
send back wait-front 3
send back connect
say front wait-connected -- connected "connected"
send back wait-event
send back read-out
expect back "out-end 1"
ok $? "the connect update consumed"

# fill the ring (51 slots) while the backend does not read, then 3 more
i=0
while [ $i -lt 51 ]; do
    send front update $i $i 1 1
    i=$((i + 1))
done
send front update 100 100 10 10
send front update 300 50 20 20
send front update 200 400 5 5
# every update answers "update ok": wait for all 54 answers, or the check
# below could run while the frontend is still working through them
n=0
while [ $n -lt 54 ] && expect front "update ok"; do
    n=$((n + 1))
done
is "$n" "54" "54 updates sent without blocking"
say back out-pending -- "out-pending 51" "the ring is full"
send back read-out
expect back "update 50 50 1 1" && expect back "out-end 51"
ok $? "the backend reads 51 separate updates"
send back wait-event
send back read-out
expect back "update 100 50 220 355" && expect back "out-end 1"
ok $? "the 3 others arrive as one bounding box once there was space"

# refresh period
send back refresh 0
expect front "ev-refresh 0"
ok $? "frontend saw refresh period 0"
say front update 1 1 1 1 -- "update ok" "update while nobody watches"
say front run 200 -- ran "frontend ran"
say back out-pending -- "out-pending 0" "nothing sent at period 0"
send back refresh 30
expect front "ev-refresh 30"
ok $? "frontend saw refresh period 30"
# the backend may wake for the frontend's notice of the period it read
# before the update is in the ring: read until it comes, as a backend would
full_update() {
    for _i in 1 2 3; do
        send back wait-event
        send back read-out
        expect_re back '^(update 0 0 800 600|out-end 0)$' || return 1
        [ "$LINE" = "update 0 0 800 600" ] && { expect back "out-end 1"; return; }
    done
    return 1
}
full_update
ok $? "one full update when a viewer is back"

# resize
say front resize 1024 768 -- "resize ok" "resize to the largest mode"
send back wait-event
send back read-out
expect back "resize 1024 768 4096 32 0" && expect back "update 0 0 1024 768"
ok $? "the backend gets the resize and a full update"
say back geometry -- "geometry 1024 768 4096 32 3145728" "the page follows the mode"
say front resize 1280 1024 -- "resize error E2BIG" "a mode beyond the grant is refused"
is "$(grep -cxF "log error [XFB-008] vfb 0: mode 1280x1024 (stride 5120, offset 0) needs 5242880 bytes, 3145728 were granted: open with a larger largest mode" "$TEST_TMP/front.out")" 1 \
    "with one log line"
proc_stop front
proc_stop back
