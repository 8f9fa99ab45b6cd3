#!/bin/sh
# The vfb/vkbd handshake in both orders, then pixels end to end: the exact
# rectangles the frontend sends arrive, and what the backend reads through
# its mapping equals what the frontend drew. Refresh period 0 stops the
# updates; a non-zero period brings one update of the whole surface.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 16
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"

# backend first (guest 1), then frontend first (guest 2)
back_start --quiet
front_start 1 --width 320 --height 240 --max-width 640 --max-height 480
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$'
ok $? "backend first: vfb connected with the frontend's mode"
wait_line "$BACK_OUT" '^1 kbd connected 1 1$'
ok $? "backend first: vkbd connected, absolute and raw pointer"
wait_line "$(front_out 1)" '^fb connected$' && wait_line "$(front_out 1)" '^kbd connected$'
ok $? "backend first: the frontend saw Connected"

back_kill
attach --domid 2 --max-width 640 --max-height 480 || bail "attach failed"
front_start 2 --width 200 --height 100 --depth 16
wait_line "$(front_out 2)" '^fb backend-state 1$' 1 5
ok $? "frontend first: it waits for the backend"
back_start --quiet
wait_line "$BACK_OUT" '^2 connected 200 100 400 16$' && wait_line "$(front_out 2)" '^fb connected$'
ok $? "frontend first: connected once the backend came"
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' 2
ok $? "the backend took guest 1 over again too"

# exact rectangles and pixels
front 1 fill 10 20 30 40 ff0000
front 1 fill 300 200 50 50 00ff00
wait_line "$BACK_OUT" '^1 update 10 20 30 40$'
ok $? "update 10 20 30 40 arrives exactly"
wait_line "$BACK_OUT" '^1 update 300 200 20 40$'
ok $? "a rectangle past the edge arrives clipped to the surface"
back use 1
is "$(back_ask 'crc 0 0 320 240')" "$(front_ask 1 'crc 0 0 320 240')" \
    "guest 1: backend's pixels equal the frontend's"
is "$(back_ask 'pixel 15 25')" "0xff0000" "the pixel the frontend drew"
front 2 fill 0 0 7 9 f800
wait_line "$BACK_OUT" '^2 update 0 0 7 9$'
back use 2
is "$(back_ask 'crc 0 0 200 100')" "$(front_ask 2 'crc 0 0 200 100')" \
    "guest 2 (16 bits): backend's pixels equal the frontend's"

# refresh period
back use 1
back refresh 0
wait_line "$(front_out 1)" '^refresh 0$'
ok $? "the frontend got refresh period 0"
n=$(count "$BACK_OUT" '^1 update')
front 1 fill 1 1 2 2 0000ff
front_sync 1
back_sync
sleep 0.3
is "$(count "$BACK_OUT" '^1 update')" "$n" "no update while nobody watches"
back refresh 30
wait_line "$BACK_OUT" '^1 update 0 0 320 240$' 2
ok $? "a non-zero period brings an update of the whole surface"
is "$(back_ask 'crc 0 0 320 240')" "$(front_ask 1 'crc 0 0 320 240')" \
    "and the pixels drawn meanwhile are there"
wait_line "$(front_out 1)" '^refresh 30$'
ok $? "the frontend got refresh period 30"

[ "$_tap_failed" -eq 0 ] || show_logs
