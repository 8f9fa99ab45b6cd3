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
# the start-up clients (cursor, then warp) leave one after the other:
# one generation or two, as the timing goes. Hold the server (a client
# that stays), and count once the backend shows this generation's screen
events_start
xsetroot -solid '#203040'
wait_screen_matches 20 || bail "the backend does not show the held generation's screen"
n=$(count "$BACK_OUT" '^1 connected 1024 768 4096 32$')
for round in 1 2; do
    # the last client leaves: the next generation, whose arrival is the
    # backend seeing the vfb again
    if [ "$round" = 1 ]; then
        exec 6>&-
        kill "$EV_PID" 2>/dev/null
        wait "$EV_PID" 2>/dev/null
    else
        xdpyinfo >/dev/null 2>&1
    fi
    wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' $((n + round)) 20
    ok $? "generation +$round: the vfb connects again"
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
