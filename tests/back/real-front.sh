#!/bin/sh
# The backend core against the real frontend library: libxenfbfront
# through the frontend's own test tool (tests/front/xfb-front-tool), one
# process per device. Handshake, pixels, exact rectangles, resize, refresh
# period, keys, and a backend restart.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

REAL_FRONT="$top_builddir/tests/front/xfb-front-tool"
[ -x "$REAL_FRONT" ] || bail "missing $REAL_FRONT (configure with the guest part)"
plan 13
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
back use 1

FB_OUT="$TEST_TMP/real-fb.out"
KB_OUT="$TEST_TMP/real-kbd.out"
mkfifo "$TEST_TMP/real-fb.in" "$TEST_TMP/real-kbd.in"
"$XSIM" run --domid 1 -- "$REAL_FRONT" vfb --width 320 --height 240 --max-width 640 \
    --max-height 480 --pattern 1 --stdin <"$TEST_TMP/real-fb.in" >"$FB_OUT" 2>&1 &
exec 8>"$TEST_TMP/real-fb.in"
"$XSIM" run --domid 1 -- "$REAL_FRONT" vkbd --stdin <"$TEST_TMP/real-kbd.in" >"$KB_OUT" 2>&1 &
exec 9>"$TEST_TMP/real-kbd.in"

# pattern N: pixel(x, y) = (x * 3 + y * 5 + N * 7) & 0xffffff
pat() { printf '%#x' $((($1 * 3 + $2 * 5 + $3 * 7) & 0xffffff)); }

wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$'
ok $? "vfb connected with libxenfbfront's mode"
wait_line "$BACK_OUT" '^1 kbd connected '
ok $? "vkbd connected"
wait_line "$BACK_OUT" '^1 update 0 0 320 240$'
ok $? "the frontend sent the whole surface"
is "$(back_ask 'pixel 0 0') $(back_ask 'pixel 319 239') $(back_ask 'pixel 17 33')" \
    "$(pat 0 0 1) $(pat 319 239 1) $(pat 17 33 1)" "the backend reads the frontend's pattern"

echo "fill 10 20 30 40 00ff00" >&8
wait_line "$BACK_OUT" '^1 update 10 20 30 40$'
ok $? "fill 10 20 30 40 arrives as exactly that rectangle"
is "$(back_ask 'pixel 39 59')" "0xff00" "with its pixels"

echo "resize 640 480" >&8
wait_line "$BACK_OUT" '^1 resize 640 480 2560 32$'
ok $? "resize to the limit"
echo "pattern 2" >&8
wait_line "$BACK_OUT" '^1 update 0 0 640 480$'
is "$(back_ask 'pixel 639 479')" "$(pat 639 479 2)" "pixels of the new mode"

back refresh 0
wait_line "$FB_OUT" '^ev-refresh 0$'
ok $? "refresh period 0 reaches the frontend"
back refresh 40
wait_line "$BACK_OUT" '^1 update 0 0 640 480$' 2
ok $? "a non-zero period brings a full update"

back key 30 1
back key 30 0
wait_line "$KB_OUT" '^ev-key 30 0$'
is "$(grep '^ev-key' "$KB_OUT" | tr '\n' ' ')" "ev-key 30 1 ev-key 30 0 " "keys arrive in order"

back_kill
back_start --quiet
back use 1
wait_line "$BACK_OUT" '^1 connected 640 480 2560 32$'
ok $? "a restarted backend finds libxenfbfront's current mode"
is "$(back_ask 'pixel 100 100')" "$(pat 100 100 2)" "and the picture"

echo quit >&8
echo quit >&9
[ "$_tap_failed" -eq 0 ] || { show_logs; sed 's/^/# real-fb: /' "$FB_OUT" | tail -n 20; }
