#!/bin/sh
# Both reconnect paths of protocol.md section 5: the backend killed and
# started again takes the guest over and gets the picture back; the
# frontend closing, or crashing, and coming back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 13
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
front_start 1 --width 320 --height 240
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' || bail "no connection"
front 1 fill 5 5 100 100 abcdef
wait_line "$BACK_OUT" '^1 update 5 5 100 100$' || bail "no update"

# the backend dies
back_kill
wait_line "$(front_out 1)" '^fb backend-gone$'
ok $? "the frontend saw the backend go (liveness byte)"
wait_line "$(front_out 1)" '^kbd backend-gone$'
ok $? "on the vkbd too"
is "$(grants_of 1)" "0" "the grant device unmapped everything of the dead backend"
front 1 fill 50 50 10 10 fedcba
back_start --quiet
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' 2
ok $? "a new backend maps the frontend that is still there"
wait_line "$BACK_OUT" '^1 update 0 0 320 240$' 2
ok $? "and the frontend sends the whole picture"
back use 1
is "$(back_ask 'crc 0 0 320 240')" "$(front_ask 1 'crc 0 0 320 240')" \
    "the picture, including what was drawn meanwhile"
wait_line "$BACK_OUT" '^1 kbd connected 1 1$' 2 && back key 2 1 && wait_line "$(front_out 1)" '^key 2 1$'
ok $? "keys flow again"

# the frontend closes and comes back (X server restart)
front 1 close
wait_line "$BACK_OUT" '^1 disconnected$' 1
ok $? "frontend closing: the backend lets go"
wait_for 5 eq 6 x0 xenstore-read /local/domain/0/backend/xenfb/1/0/state
ok $? "and goes Closed"
front 1 reopen
# both devices: the vkbd may connect after the vfb, and the crash below
# is checked on both
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' 3 &&
    wait_line "$BACK_OUT" '^1 kbd connected 1 1$' 3
ok $? "frontend back: connected again"

# the frontend crashes, and a new one starts
front_kill 1
wait_line "$BACK_OUT" '^1 disconnected$' 2 && wait_line "$BACK_OUT" '^1 kbd disconnected$' 2
ok $? "a crashed frontend is seen through its liveness byte"
wait_for 5 eq 0 grants_of 1
ok $? "and nothing of it stays mapped"
front_start 1 --width 320 --height 240
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' 4
ok $? "a new frontend connects"

[ "$_tap_failed" -eq 0 ] || show_logs
