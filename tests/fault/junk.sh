#!/bin/sh
# VNC clients that send junk at every stage: in place of the version, as
# the security type, after a broken pixel format, and messages of unknown
# types after the handshake; 60 of them while the guest animates and a
# good viewer watches. The daemon drops them and the good viewer keeps
# its frames and its picture.
#
# A known bug of Debian's neatvnc 0.5.4 (README.md): when a client's
# bytes make it close the client in the middle of a read, on_client_event
# then moves the rest of the buffer inside the client it has just freed
# (heap use-after-free, before any authentication). A normal build
# happens to survive it; under --enable-sanitizers AddressSanitizer stops
# the daemon. A check that fails then, with exactly that report in the
# daemon's log, is reported as TODO (expected failure) naming the bug;
# any other failure fails.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

neatvnc_uaf() {
    grep -A3 'ERROR: AddressSanitizer: heap-use-after-free' "$SERVE_LOG" 2>/dev/null |
        grep -A1 'in __interceptor_memmove' | grep -q 'libneatvnc\.so'
}

# check STATUS DESC: ok, unless it failed because of the neatvnc bug
check() {
    if [ "$1" -ne 0 ] && neatvnc_uaf; then
        _tap_n=$((_tap_n + 1))
        echo "not ok $_tap_n - $2 # TODO neatvnc 0.5.4 use-after-free on junk (tests/fault/README.md)"
        return 1
    fi
    ok "$1" "$2"
}

plan 6
need xsetroot
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
PORT=$(vnc_port 1)

watch_start 1
animate_start
rfb garbage 127.0.0.1 "$PORT" 60 01234 >"$TEST_TMP/garbage.out" 2>&1
check $? "60 clients sent junk at every stage"
sed 's/^/# /' "$TEST_TMP/garbage.out"
kill -0 "$SERVE_PID"
check $? "the daemon is alive"
"$PY" "$top_srcdir/bench/rfbcount.py" 127.0.0.1 "$PORT" 2 raw >"$TEST_TMP/fps" 2>&1
grep -q 'frames=[1-9]' "$TEST_TMP/fps"
check $? "a new viewer gets frames ($(tail -n 1 "$TEST_TMP/fps"))"
animate_stop
wait_match watch_matches 10
check $? "the viewer that stayed shows the guest's screen, pixel for pixel"
xsetroot -solid '#c08040'
wait_match watch_matches 10
check $? "and the next picture"
serve_stop
[ "$SERVE_RC" = 0 ]
check $? "the daemon stops cleanly (status $SERVE_RC)"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 20; }
