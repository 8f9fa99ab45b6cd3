#!/bin/sh
# VNC clients that send junk at every stage: in place of the version, as
# the security type, a broken pixel format, messages of unknown types
# after the handshake; 60 of them while the guest animates and a good
# viewer watches. Then the inputs that put other VNC servers out of step
# or past their buffers: 40 encodings, cut text over the limit, an update
# request far past the screen. The daemon (backend/rfbguard.c, then
# rfbfilter.c before its RFB server) answers each with a log line saying
# what was wrong, drops or mends it, and the good viewer keeps its frames
# and its picture; every session that began ends. Under
# --enable-sanitizers no read or write goes astray.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 14
need xsetroot
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
PORT=$(vnc_port 1)

watch_start 1
animate_start
rfb garbage 127.0.0.1 "$PORT" 60 01234 >"$TEST_TMP/garbage.out" 2>&1
ok $? "60 clients sent junk at every stage"
sed 's/^/# /' "$TEST_TMP/garbage.out"
kill -0 "$SERVE_PID"
ok $? "the daemon is alive"

# each kind of junk, named in the log (stage 0, 1, 2 and 3, 4)
missing=
for what in "version '.*', not RFB 003.008: refused" \
    "security type [0-9]*, not the None offered: refused" \
    "sent a pixel format the server cannot serve" \
    "sent a message of type [0-9]*, not one RFB 3.8 viewers send"; do
    grep -q "domain 1: VNC viewer from 127.0.0.1:[0-9]*:\{0,1\} $what" "$SERVE_LOG" ||
        missing="$missing; $what"
done
[ -z "$missing" ]
ok $? "each kind of junk is logged with what was wrong${missing:+ (not:$missing)}"

is "$(rfb desync 127.0.0.1 "$PORT" 2>&1)" "raw 1024x768" \
    "40 encodings, Raw the 40th: the stream stays in step and Raw is served"
out=$(rfb bigcut 127.0.0.1 "$PORT" 2>&1)
is "$out" "frame 1024x768" "cut text over the limit is skipped, the next request served"
grep -q "domain 1: VNC viewer from 127.0.0.1:[0-9]*: cut text of 10000001 bytes skipped" "$SERVE_LOG"
ok $? "and the skipped text is logged"
is "$(rfb bigrect 127.0.0.1 "$PORT" 2>&1)" "1024x768" \
    "an update request of 4096x4096 gets the screen, no more"

"$PY" "$top_srcdir/bench/rfbcount.py" 127.0.0.1 "$PORT" 2 raw >"$TEST_TMP/fps" 2>&1
grep -q 'frames=[1-9]' "$TEST_TMP/fps"
ok $? "a new viewer gets frames ($(tail -n 1 "$TEST_TMP/fps"))"
animate_stop
wait_match watch_matches 10
ok $? "the viewer that stayed shows the guest's screen, pixel for pixel"
xsetroot -solid '#c08040'
wait_match watch_matches 10
ok $? "and the next picture"
n=$(grep -c "domain 1: VNC viewer connected from" "$SERVE_LOG")
l=$(grep -c "domain 1: VNC viewer from .* left" "$SERVE_LOG")
diag "viewers connected $n, left $l"
[ "$n" -ge 15 ]
ok $? "the clients that got through the handshake were logged connecting ($n)"
serve_stop
[ "$SERVE_RC" = 0 ]
ok $? "the daemon stops cleanly (status $SERVE_RC)"
! grep -q "ERROR: AddressSanitizer\|runtime error:" "$SERVE_LOG"
ok $? "no sanitizer report"
l=$(grep -c "domain 1: VNC viewer from .* left" "$SERVE_LOG")
n=$(grep -c "domain 1: VNC viewer connected from" "$SERVE_LOG")
is "$l" "$n" "every session that began ended, each with its line"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 20; }
