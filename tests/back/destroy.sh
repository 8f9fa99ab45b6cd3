#!/bin/sh
# A guest destroyed (xsim destroy: @releaseDomain, its directories gone)
# is forgotten: nothing of it stays mapped or bound, and the other guest
# carries on. Then detach of a live guest does the same.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 8
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
attach --domid 2 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
front_start 1 --width 320 --height 240
front_start 2 --width 320 --height 240
wait_line "$BACK_OUT" '^1 connected ' && wait_line "$BACK_OUT" '^2 connected ' || bail "no connection"
wait_line "$BACK_OUT" '^1 kbd connected' && wait_line "$BACK_OUT" '^2 kbd connected' || bail "no vkbd"

"$XSIM" destroy 1 >/dev/null
wait_line "$BACK_OUT" '^1 gone$'
ok $? "the destroyed guest is gone"
wait_for 5 eq 0 grants_of 1
ok $? "none of its grants stays mapped"
wait_for 5 eq 0 ports_of 1
ok $? "none of its ports stays bound"

front 2 fill 1 2 3 4 ff
wait_line "$BACK_OUT" '^2 update 1 2 3 4$'
ok $? "the other guest still updates"

detach --domid 2
wait_line "$BACK_OUT" '^2 gone$'
ok $? "detach: the guest is gone"
wait_for 5 eq 0 grants_of 2
ok $? "nothing of it stays mapped"
wait_for 5 eq 0 ports_of 2
ok $? "nothing of it stays bound"
back_sync
kill -0 "$BACK_PID"
ok $? "the backend is still running"

[ "$_tap_failed" -eq 0 ] || show_logs
