#!/bin/sh
# Keys and pointer down the vkbd ring: 10000 key events to a frontend that
# reads slowly all arrive, in order (the backend queues rather than drops);
# pointer positions are scaled to the raw range the frontend asked for.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 7
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
front_start 1 --width 320 --height 240 --slow 2
wait_line "$BACK_OUT" '^1 kbd connected 1 1$' || bail "no vkbd"
wait_line "$BACK_OUT" '^1 connected ' || bail "no vfb"
back use 1

awk 'BEGIN { for (i = 0; i < 5000; i++) { c = 1 + i % 240; print "key " c " 1"; print "key " c " 0" } }' \
    >"$TEST_TMP/keys"
sed 's/^key \(.*\)/key \1/' "$TEST_TMP/keys" >"$TEST_TMP/want"
cat "$TEST_TMP/keys" >&7
back_sync
ok $? "the backend took 10000 key events"
wait_line "$(front_out 1)" '^key ' 10000 120
ok $? "the frontend received 10000 key events"
grep '^key ' "$(front_out 1)" >"$TEST_TMP/got"
cmp -s "$TEST_TMP/got" "$TEST_TMP/want"
ok $? "all of them, in order"
! grep -q '^err' "$BACK_OUT"
ok $? "no input command failed"

back pos 319 239
back pos 0 0
back pos 160 120
wait_line "$(front_out 1)" '^pos ' 3
is "$(grep '^pos ' "$(front_out 1)" | tr '\n' ' ')" \
    "pos 32767 32767 0 pos 0 0 0 pos 16435 16452 0 " "positions scaled to [0, 0x7fff]"
back wheel -1
wait_line "$(front_out 1)" '^pos 16435 16452 -1$'
ok $? "the wheel travels with the last position"
back rawpos 40000 5
wait_line "$(front_out 1)" '^pos 32767 5 0$'
ok $? "a raw position is clamped to 0x7fff"

[ "$_tap_failed" -eq 0 ] || show_logs
