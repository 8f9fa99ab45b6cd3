#!/bin/sh
# Size requests (protocol.md 9) through libxenfbfront, against a
# scripted backend: a caller that asks for them publishes
# feature-resize-request and gets each request as an event; zero and
# huge sizes are dropped with [XFB-017]; a size beyond the backend's
# max-width/max-height is cut to them; a caller that did not ask
# publishes nothing and gets nothing.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 9
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"

connect_front() {
    start_back vfb 1024 768
    send back write feature-gref 1
    send back write feature-resize 1
    send back state 2
    proc_start front 8 $GUEST "$FRONT_TOOL" vfb --width 800 --height 600 --max-width 1024 \
        --max-height 768 "$@" --stdin
    expect front opened || bail "frontend did not open"
    send back wait-front 3
    expect back "front-state 3" || bail "frontend did not publish"
}

connect_front --resize-requests
say back front-node feature-resize-request -- "front-node feature-resize-request 1" \
    "a caller that takes requests publishes feature-resize-request"
send back connect
say front wait-connected -- connected "connected"
send back resreq 1023 599
expect front "ev-resize-request 1023 599"
ok $? "a request arrives as an event, odd sizes as they are"
send back resreq 0 600
expect front "log warning [XFB-017] vfb 0: dropped a size request for 0x600: a width or height of 0"
ok $? "a zero size is dropped with one line"
send back resreq 4294967295 5
send back resreq 640 480
expect front "ev-resize-request 640 480"
ok $? "a huge one is dropped (rate-limited), the next comes"
is "$(grep -c 'ev-resize-request 4294967295' "$TEST_TMP/front.out")" 0 "the huge one never reached the caller"
send back resreq 5000 700
expect front "ev-resize-request 1024 700"
ok $? "beyond the backend's max-width: cut to it"
proc_stop front
proc_stop back

connect_front
say back front-node feature-resize-request -- "front-node feature-resize-request -" \
    "a caller that did not ask publishes nothing"
send back connect
expect front "ev-state 4 1" || bail "not connected"
send back resreq 1024 768
send back refresh 50
expect front "ev-refresh 50"
is "$(grep -c 'ev-resize-request' "$TEST_TMP/front.out")" 0 \
    "a request sent anyway reaches no caller that did not ask (the event after it did)"
