# Helpers for the fault tests: the real `xenfb-backend serve` daemon and
# real guest X servers on the simulated Xen, with faults injected. Source
# after lib.sh; it sources lib-viewer.sh (and so lib-guest.sh,
# lib-back.sh and lib-xorg.sh).
#
#   animate_start [W H]   the guest draws full-screen fills without pause
#   animate_stop          stops it (the last fill is complete in X)
#   grants_left D / ports_left D   what xsimd still holds for domain D
#   serve_rss             the daemon's VmRSS in kB
#   now_ms                a monotonic-enough clock for recovery times
#   rfb MODE ARGS...      tests/fault/rfbbad.py against domain 1's VNC port

. "$top_srcdir/tests/viewer/lib-viewer.sh"

RFBBAD="$top_srcdir/tests/fault/rfbbad.py"
IMGEQ="$top_srcdir/tests/fault/imgeq.py"

animate_start() {
    local w=${1:-1024} h=${2:-768}
    rm -f "$TEST_TMP/animate.stop"
    (
        i=0
        while [ ! -e "$TEST_TMP/animate.stop" ]; do
            i=$(((i + 1) % 7))
            "$XDRAW" fill 0 0 "$w" "$h" \
                "$(printf '%02x%02x%02x' $((i * 36)) $((255 - i * 36)) $((i * 20)))" || sleep 0.05
        done
    ) &
    ANIM_PID=$!
    at_exit "animate_stop"
}

# The loop ends after its current fill (killing it would leave that
# xdraw drawing on its own); xdraw syncs with the server before it exits,
# so once the loop is gone every fill is in the framebuffer.
animate_stop() {
    [ -n "${ANIM_PID:-}" ] || return 0
    : >"$TEST_TMP/animate.stop"
    wait "$ANIM_PID" 2>/dev/null
    ANIM_PID=
}

# Every grant domain D still has (mapped or not), and every event channel
# with an end in D.
grants_left() { "$XSIM" ctl dump-grants | grep -c "^granter=$1 "; }
mapped_left() { "$XSIM" ctl dump-grants | grep -c "^granter=$1 .*mapped-by=[1-9]"; }
ports_left() { "$XSIM" ctl dump-ports | grep -c -e "^domain=$1 " -e " remote=$1:" -e " remote=$1 "; }

serve_rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVE_PID/status"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# (in the foreground: a function put in the background is a subshell,
# and killing it would leave the client running)
rfb() { "$PY" "$RFBBAD" "$@"; }

# xorg_pid NAME: the pid of a guest's X server
xorg_pid() { cat "$TEST_TMP/xorg-$1/pid"; }

# watch_start D: a viewer of domain D that stays connected and keeps its
# own picture from the updates it gets (a new client always gets a full
# frame, so only a viewer that stays can see a stale region)
watch_start() {
    rm -f "$TEST_TMP/watch.png"
    : >"$TEST_TMP/watch.out"
    "$PY" "$RFBBAD" watch 127.0.0.1 "$(vnc_port "$1")" "$TEST_TMP/watch.png" \
        >>"$TEST_TMP/watch.out" 2>&1 &
    WATCH_PID=$!
    at_exit "kill $WATCH_PID 2>/dev/null"
    wait_line "$TEST_TMP/watch.out" '^ready$' 1 20 || bail "the watching viewer got no frame"
}

# watch_matches: the watching viewer's picture equals xwd -root
watch_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    rm -f "$TEST_TMP/watch.png"
    kill -USR1 "$WATCH_PID" 2>/dev/null || { echo "the watching viewer is gone" >"$TEST_TMP/cmp.out"; return 1; }
    wait_for 10 test -f "$TEST_TMP/watch.png" || { echo "no picture from the watcher" >"$TEST_TMP/cmp.out"; return 1; }
    "$PY" "$IMGEQ" "$TEST_TMP/watch.png" "$TEST_TMP/screen.xwd" >"$TEST_TMP/cmp.out" 2>&1
}

# shot_matches D: a new shared client's first frame equals xwd -root
# (gvnccapture asks for exclusive access, which disconnects the others)
shot_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    rm -f "$TEST_TMP/shot.png"
    timeout 20 "$PY" "$RFBBAD" shot 127.0.0.1 "$(vnc_port "$1")" "$TEST_TMP/shot.png" \
        >"$TEST_TMP/cmp.out" 2>&1 || return 1
    "$PY" "$IMGEQ" "$TEST_TMP/shot.png" "$TEST_TMP/screen.xwd" >"$TEST_TMP/cmp.out" 2>&1
}

# nothing_left D: xsimd holds no grant and no event channel of domain D
nothing_left() { [ "$(grants_left "$1"):$(ports_left "$1")" = "0:0" ]; }
none_mapped() { [ "$(mapped_left "$1")" = 0 ]; }
no_ports() { [ "$(ports_left "$1")" = 0 ]; }

# show_sanitizer: the daemon's AddressSanitizer or UBSan report, if any
# (builds with --enable-sanitizers), without the shadow byte dump
show_sanitizer() {
    sed -n -e '/ERROR: AddressSanitizer/,/^SUMMARY/p' -e '/runtime error:/p' "$SERVE_LOG" |
        sed 's/^/# serve: /' | head -n 80
}
