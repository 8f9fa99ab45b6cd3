#!/bin/sh
# Server regeneration: without -noreset the X server closes and reopens
# its screens whenever the last client leaves. The driver releases the
# device and opens it again; the backend sees a frontend restart and the
# picture comes back, and nothing of the old generation stays granted.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 5
need xsetroot
XORG_NORESET= guest_start 1024 768 '"1024x768"'
n=$(count "$BACK_OUT" '^1 connected ')
for round in 1 2; do
    # the start-up clients (cursor, warp) have left: wait for the next
    # generation, whose arrival is the backend seeing the vfb again
    wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' $((n + round)) 20
    ok $? "generation $((round + 1)): the vfb connects again"
    xdpyinfo >/dev/null 2>&1 # one more client leaves: one more generation
done
events_start # hold the server: no more generations while we compare
"$XDRAW" cursor-blank && "$XDRAW" warp 0 0 && xsetroot -solid '#4080c0'
wait_screen_matches 10
ok $? "the picture of the current generation arrives, pixel for pixel"
kill -0 "$(cat "$TEST_TMP/xorg-guest/pid")"
ok $? "it is the same X server process throughout"
"$XSIM" ctl dump-grants | grep "granter=1 " | grep -c "state=live" >"$TEST_TMP/live"
# the vfb's and vkbd's pages, the framebuffer, its directory, the cursor's five
is "$(cat "$TEST_TMP/live")" "$((1 + 1 + 768 + 1 + 5))" "only the current generation's grants are live (vfb + vkbd + cursor)"
