#!/bin/sh
# Two guests on one daemon, one of them hostile: each lie of the hostile
# frontend (a sample of tests/back/hostile.sh's table, and a notification
# flood) costs that guest its device, with a log line naming it, while the
# other guest's VNC viewer keeps showing its screen pixel for pixel.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

# frontend options | commands once connected | the daemon's log line
cat >"$TEST_TMP/cases" <<'CASES'
--set width=100000||width is outside 1..max-width
--set depth=24||depth is not 16 or 32
--pd0 foreign||cannot map the grant directory pages
--fb-foreign||cannot map the framebuffer pages
--node event-channel=4000||cannot bind to the frontend's port 4000
|poke fb 12 100000|out_prod is more than a ring ahead of out_cons
|flood fb 300000|flood of event notifications
CASES
n=$(wc -l <"$TEST_TMP/cases")
# since START REGEX: a line of the daemon's log after line START matches
since() { tail -n "+$(($1 + 1))" "$SERVE_LOG" | grep -q -e "$2"; }
plan $((n * 2 + 2))
need xsetroot
viewer_setup
serve_start
guest_up 2 1024 768 '"1024x768"'
xsetroot -solid '#3060a0'
wait_match capture_matches 2 10
ok $? "guest 2's VNC viewer shows its screen"

i=0
while IFS='|' read -r opts cmds why; do
    i=$((i + 1))
    start=$(wc -l <"$SERVE_LOG")
    attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
    # shellcheck disable=SC2086
    front_start 1 --width 320 --height 240 --max-width 640 --max-height 480 $opts
    if [ -n "$cmds" ]; then
        wait_for 10 since "$start" 'domain 1: framebuffer connected' ||
            diag "case $i did not connect"
        front 1 "$cmds"
    fi
    wait_for 20 since "$start" "error: domain 1: .*$why"
    ok $? "hostile guest 1, ${opts:-$cmds}: its device closed with a log line ($why)"
    xsetroot -solid "#$i${i}80$i$i"
    wait_match capture_matches 2 10
    ok $? "  while guest 2's viewer keeps showing its screen"
    front_kill 1
    detach --domid 1
done <"$TEST_TMP/cases"

kill -0 "$SERVE_PID"
ok $? "the daemon is still running"
