# The guest kernel's frontends under test: tests/kernel/xfb-kfront stands
# in for Linux's xen-fbfront and xen-kbdfront in a guest, and the daemon
# serves them. Source after lib.sh and tests/viewer/lib-viewer.sh.
#
#   kfront_start D [ARGS]   the stand-in in domain D (one at a time: its
#                           commands go through descriptor 5); its output
#                           is $(kfront_out D)
#   kfront D CMD            a command (print TEXT, fill, mode, dump FILE...)
#   kfront_sync D           every command before it is done
#   kfront_kill D           kill -9, as a guest's kernel is never stopped
#   kconsole D              wait until the daemon has the kernel's console
#                           and shows it
#   console_matches D       gvnccapture equals the stand-in's framebuffer,
#                           every pixel
#   rfbinput D ACTION...    tests/kernel/rfbinput.py on D's VNC port
#   frames_held D           privcmd mappings of D's memory still held

KFRONT="$top_builddir/tests/kernel/xfb-kfront"
RFBINPUT="$top_srcdir/tests/kernel/rfbinput.py"

kfront_out() { echo "$TEST_TMP/kfront-$1.out"; }

kfront_start() {
    local d=$1
    shift
    rm -f "$TEST_TMP/kfront.in"
    mkfifo "$TEST_TMP/kfront.in"
    : >>"$(kfront_out "$d")"
    "$XSIM" run --domid "$d" -- "$KFRONT" "$@" <"$TEST_TMP/kfront.in" \
        >>"$(kfront_out "$d")" 2>&1 &
    KFRONT_PID=$!
    exec 5>"$TEST_TMP/kfront.in"
    at_exit "kfront_kill $d"
}

kfront() {
    shift
    echo "$*" >&5
}

kfront_sync() {
    local n
    n=$(($(count "$(kfront_out "$1")" '^sync$') + 1))
    kfront "$1" sync
    wait_line "$(kfront_out "$1")" '^sync$' "$n"
}

kfront_kill() {
    [ -n "${KFRONT_PID:-}" ] || return 0
    kill -9 "$KFRONT_PID" 2>/dev/null
    wait "$KFRONT_PID" 2>/dev/null
    KFRONT_PID=
    exec 5>&-
}

# kconsole D [N]: the Nth time the daemon shows D's kernel console
kconsole() {
    wait_line "$SERVE_LOG" "domain $1: kernel console framebuffer connected" 1 20 &&
        wait_line "$SERVE_LOG" "domain $1: showing the kernel's console" "${2:-1}" 20 ||
        { show_serve_log; bail "the daemon did not show domain $1's console"; }
}

console_matches() {
    rm -f "$TEST_TMP/console.ppm" "$TEST_TMP/cap.png"
    kfront "$1" dump "$TEST_TMP/console.ppm"
    kfront_sync "$1"
    capture "$1" "$TEST_TMP/cap.png" || { echo "gvnccapture failed" >"$TEST_TMP/cmp.out"; return 1; }
    "$PY" "$IMGCMP" "$TEST_TMP/cap.png" "$TEST_TMP/console.ppm" >"$TEST_TMP/cmp.out" 2>&1
}

rfbinput() {
    local d=$1
    shift
    timeout 20 "$PY" "$RFBINPUT" 127.0.0.1 "$(vnc_port "$d")" "$@" >"$TEST_TMP/rfbinput.out" 2>&1
}

frames_held() {
    "$XSIM" ctl dump-frames | sed -n "s/^domain=$1 .*foreign-maps=\([0-9]*\).*/\1/p"
}

# no_frames D: nothing of D's memory is left (for wait_for)
no_frames() { ! "$XSIM" ctl dump-frames | grep -q "^domain=$1 "; }
