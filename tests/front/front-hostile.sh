#!/bin/sh
# vkbd against a hostile backend: events delivered in order and clamped,
# unknown types and key codes past KEY_MAX dropped with one log line, ring
# indices far ahead stop the device (one line, no crash) until another
# backend connects.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 16
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

start_back vkbd
send back write feature-abs-pointer 1
send back write feature-raw-pointer 1
send back state 2
proc_start front 8 $GUEST "$FRONT_TOOL" vkbd --stdin
expect front opened || bail "frontend did not open"
say back wait-front 3 -- "front-state 3" "frontend published"
say back front-node request-abs-pointer -- "front-node request-abs-pointer 1" "absolute pointer requested"
say back front-node request-raw-pointer -- "front-node request-raw-pointer 1" "raw pointer requested"
send back connect
say front wait-connected -- connected "connected"

send back key 30 1
send back pos 100 40000 -1
send back motion 1 -2 3
send back key 30 0
expect front "ev-key 30 1" && expect front "ev-pos 100 32767 -1 32767 32767" &&
    expect front "ev-motion 1 -2 3" && expect front "ev-key 30 0"
ok $? "key, position (clamped), motion, key, in order"

send back raw 9
expect front "log warning [XFB-010] vkbd 0: dropped an in-ring event of unknown type 9"
ok $? "unknown type dropped with a log line"
send back key 0x300 1
expect front "log warning [XFB-011] vkbd 0: dropped a key event with code 0x300 (above KEY_MAX 0x2ff)"
ok $? "key code above KEY_MAX dropped with a log line"
send back raw 77
send back key 31 1
expect front "ev-key 31 1"
ok $? "events after the bad ones still arrive"
is "$(grep -c 'XFB-010' "$TEST_TMP/front.out")" 1 "the second unknown type is not logged again (rate limit)"

send back bump-in-prod 1000
expect_re front '^log error \[XFB-009\] vkbd 0: the backend broke the in ring \(prod [0-9]+, cons [0-9]+, 51 slots\): ignoring it until it reconnects$'
ok $? "indices far ahead: one log line"
send back key 32 1
say front run 200 -- ran "frontend still running"
is "$(grep -c 'ev-key 32' "$TEST_TMP/front.out")" 0 "the broken ring is not read"
is "$(grep -c 'XFB-009' "$TEST_TMP/front.out")" 1 "logged once"

proc_stop back
expect front "ev-state 3 0"
ok $? "the backend's exit puts the frontend back to Initialised"
proc_start back 7 0 "$FAKE_BACK" vkbd --front $GUEST
send back state 2
send back connect
expect front "ev-state 4 1"
ok $? "a new backend connects"
send back key 33 1
expect front "ev-key 33 1"
ok $? "and its events arrive"
proc_stop front
proc_stop back
