#!/bin/sh
# Mode changes inside the limits the backend owns go through; a mode
# beyond them, at connect or by resize, is refused with one log line and
# a closed device.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 10
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
attach --domid 2 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
front_start 1 --width 320 --height 240 --max-width 640 --max-height 480
wait_line "$BACK_OUT" '^1 connected 320 240 1280 32$' || bail "no connection"

front 1 resize 640 480
wait_line "$BACK_OUT" '^1 resize 640 480 2560 32$'
ok $? "resize to the limit"
wait_line "$BACK_OUT" '^1 update 0 0 640 480$'
ok $? "followed by an update of the whole new surface"
front 1 resize 300 200 1280 32 4096
wait_line "$BACK_OUT" '^1 resize 300 200 1280 32$'
ok $? "resize with a wider stride and an offset"
front 1 fill 0 0 300 200 123456
wait_line "$BACK_OUT" '^1 update 0 0 300 200$' 2
back use 1
is "$(back_ask 'crc 0 0 300 200')" "$(front_ask 1 'crc 0 0 300 200')" \
    "pixels at the offset equal the frontend's"
front 1 resize 200 100 400 16
wait_line "$BACK_OUT" '^1 resize 200 100 400 16$'
ok $? "resize to 16 bits"

front 1 resize 800 600
wait_line "$BACK_OUT" '^log 1 error: vfb/0: closing the device: bad resize to 800x600.*width is outside'
ok $? "a resize beyond max-width: one log line"
wait_line "$BACK_OUT" '^1 disconnected$'
ok $? "and the device closed"
is "$(x0 xenstore-read /local/domain/0/backend/xenfb/1/0/state)" "6" "backend state is Closed"

front_start 2 --width 800 --height 600
wait_line "$BACK_OUT" '^log 2 error: vfb/0: refusing the frontend: width is outside 1..max-width'
ok $? "a mode beyond the limit at connect is refused with one line"
wait_for 5 eq 6 x0 xenstore-read /local/domain/0/backend/xenfb/2/0/state
ok $? "and that device is Closed"

[ "$_tap_failed" -eq 0 ] || show_logs
