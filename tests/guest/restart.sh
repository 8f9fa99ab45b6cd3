#!/bin/sh
# Lifecycles: the guest's X server restarts twice in a row; the backend
# restarts (kill -9) under a running X server. Each time the picture comes
# back and matches, and X is not disturbed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 9
need xsetroot
guest_start 1024 768 '"1024x768"'

for round in 1 2; do
    n=$(($(count "$BACK_OUT" '^1 connected ') + 1))
    guest_restart_x
    wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' "$n" 20
    ok $? "X restart $round: the vfb connects again"
    xsetroot -solid "#$round$round$round$round$round$round"
    wait_screen_matches 10
    ok $? "X restart $round: pixels match"
done
"$XSIM" ctl dump-grants | grep -c "granter=1 " >"$TEST_TMP/grants"
# the shared pages, the directory, the framebuffer and the cursor's five
# pages of one X server only
is "$(cat "$TEST_TMP/grants")" "$(( 1 + 1 + 768 + 1 + 5 ))" "no grants left over from the earlier X servers (vfb + vkbd + cursor)"

xsetroot -solid '#204060'
pid=$(cat "$TEST_TMP/xorg-guest/pid")
n=$(($(count "$BACK_OUT" '^1 connected ') + 1))
back_kill
back_start
back use 1 2>/dev/null
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' "$n" 20
ok $? "backend killed and restarted: the vfb connects again"
kill -0 "$pid"
ok $? "the X server kept running"
back_sync
wait_screen_matches 10
ok $? "the picture is back, pixel for pixel"
xsetroot -solid '#602040'
wait_screen_matches 10
ok $? "and drawing still arrives"
