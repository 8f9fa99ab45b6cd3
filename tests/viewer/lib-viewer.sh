# The viewers under test: `xenfb-backend serve` in dom0 on the simulated
# Xen, a real Xorg with xenfb + xenkbd in each guest, real VNC clients.
# Source after lib.sh; it sources lib-guest.sh (and so lib-back.sh and
# lib-xorg.sh).
#
#   serve_start ARGS...        start the daemon (--foreground, --vnc on a
#                              free loopback base port $VNC_BASE); its log
#                              is $SERVE_LOG
#   guest_up D MAXW MAXH "MODES" [LAYOUT]  attach domain D, start its X
#                              server (DISPLAY set to it) and wait until
#                              the daemon logs its framebuffer
#   vnc_port D / vnc_display D the guest's VNC port / display number
#   capture_matches D          gvnccapture equals xwd -root, every pixel
#   viewer_matches             TigerVNC's window equals xwd -root

. "$top_srcdir/tests/guest/lib-guest.sh"

PY=/usr/bin/python3
IMGCMP="$top_srcdir/tests/viewer/imgcmp.py"
SERVE_LOG="$TEST_TMP/serve.log"
: >"$SERVE_LOG"

# A base port with BASE+1 .. BASE+4 free on loopback, above 5900 so that
# clients that take a display number reach it.
free_base() {
    "$PY" - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(6000, 9000)
    try:
        socks = []
        for p in range(base + 1, base + 5):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
}

viewer_setup() {
    need "$PY" gvnccapture xwd xdpyinfo
    xsim_setup
    VNC_BASE=$(free_base)
    [ -n "$VNC_BASE" ] || bail "no free port"
}

serve_start() {
    "$XSIM" run --domid 0 -- "$BACKEND" serve --foreground --vnc "127.0.0.1:$VNC_BASE" "$@" \
        >>"$SERVE_LOG" 2>&1 &
    SERVE_PID=$!
    at_exit "serve_stop"
}

serve_stop() {
    [ -n "${SERVE_PID:-}" ] || return 0
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_RC=$?
    SERVE_PID=
}

show_serve_log() { sed 's/^/# serve: /' "$SERVE_LOG" | tail -n "${1:-30}"; }

vnc_port() { echo $((VNC_BASE + $1)); }
vnc_display() { echo $((VNC_BASE + $1 - 5900)); }

guest_conf() {
    sed -e "s/@MAXW@/$2/" -e "s/@MAXH@/$3/" -e "s/@MODES@/$4/" -e "s/@LAYOUT@/${5:-us}/" \
        "$top_srcdir/xf86-video-xenfb/examples/xorg-headless-test.conf" >"$TEST_TMP/xorg-$1.conf"
}

# guest_x D: start (or restart) domain D's X server
guest_x() {
    xorg_stop "dom$1"
    rm -f "$TEST_TMP/xorg-dom$1/display.fifo"
    xorg_start "dom$1" "$TEST_TMP/xorg-$1.conf" "$XSIM" run --domid "$1" --
    "$XDRAW" cursor-blank && "$XDRAW" warp 0 0 || bail "cannot talk to the X server of domain $1"
}

guest_up() {
    local d=$1
    # a guest configured for xenfb has raised its gntalloc limit
    gntalloc_limit "$d" 32768
    attach --domid "$d" --max-width "$2" --max-height "$3" || bail "attach $d failed"
    guest_conf "$@"
    local n k
    n=$(count "$SERVE_LOG" "domain $d: framebuffer connected")
    k=$(count "$SERVE_LOG" "domain $d: keyboard and pointer connected")
    guest_x "$d"
    wait_line "$SERVE_LOG" "domain $d: framebuffer connected" $((n + 1)) 20 ||
        { show_serve_log; bail "the daemon did not see domain $d's framebuffer"; }
    # the vkbd connects on its own schedule: input tests need it
    wait_line "$SERVE_LOG" "domain $d: keyboard and pointer connected" $((k + 1)) 20 ||
        { show_serve_log; bail "the daemon did not see domain $d's keyboard"; }
}

# capture D FILE: a PNG of what a VNC client of domain D sees
capture() { timeout 20 gvnccapture -q "127.0.0.1:$(vnc_display "$1")" "$2" >/dev/null 2>&1; }

capture_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    rm -f "$TEST_TMP/cap.png"
    capture "$1" "$TEST_TMP/cap.png" || { echo "gvnccapture failed" >"$TEST_TMP/cmp.out"; return 1; }
    "$PY" "$IMGCMP" "$TEST_TMP/cap.png" "$TEST_TMP/screen.xwd" >"$TEST_TMP/cmp.out" 2>&1
}

# wait_match FN D [SECONDS]: for drawing whose end no event announces
wait_match() {
    if wait_for "${3:-10}" "$1" "$2"; then
        return 0
    fi
    sed 's/^/# /' "$TEST_TMP/cmp.out"
    return 1
}

# xvfb_start: a virtual X server for the viewer side; VIEWER_DISPLAY
xvfb_start() {
    need Xvfb
    rm -f "$TEST_TMP/xvfb.fifo"
    mkfifo "$TEST_TMP/xvfb.fifo"
    Xvfb -displayfd 3 -screen 0 1600x1200x24 -nolisten tcp 3>"$TEST_TMP/xvfb.fifo" \
        >"$TEST_TMP/xvfb.log" 2>&1 &
    XVFB_PID=$!
    at_exit "kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null"
    local d
    read -r -t 30 d <"$TEST_TMP/xvfb.fifo" || bail "Xvfb did not start"
    VIEWER_DISPLAY=":$d"
}

# tiger_start D [ENCODING]: TigerVNC's viewer of domain D on the Xvfb,
# asking for ENCODING first (Tight, its own default, unless told; without
# JPEG, so that pixels compare exactly); VIEWER_WIN
tiger_start() {
    need vncviewer xdotool
    DISPLAY=$VIEWER_DISPLAY vncviewer -Shared -RemoteResize=0 -MenuKey= -AutoSelect=0 \
        -PreferredEncoding="${2:-Tight}" -NoJPEG \
        "127.0.0.1::$(vnc_port "$1")" >"$TEST_TMP/tiger.log" 2>&1 &
    TIGER_PID=$!
    at_exit "tiger_stop"
    VIEWER_WIN=$(DISPLAY=$VIEWER_DISPLAY timeout 60 xdotool search --sync --onlyvisible --name "TigerVNC" | head -n 1)
    [ -n "$VIEWER_WIN" ] || { sed 's/^/# tiger: /' "$TEST_TMP/tiger.log"; bail "no TigerVNC window"; }
}

tiger_stop() {
    [ -n "${TIGER_PID:-}" ] || return 0
    kill "$TIGER_PID" 2>/dev/null
    wait "$TIGER_PID" 2>/dev/null
    TIGER_PID=
}

# chromium_start PORT: a headless Chromium, driven by webdrive.py on PORT
chromium_start() {
    need chromium setsid
    setsid chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TEST_TMP/chromium" --remote-debugging-port="$1" \
        --window-size=1280,1000 about:blank >"$TEST_TMP/chromium.log" 2>&1 &
    CHROME_PID=$!
    at_exit "kill -- -$CHROME_PID 2>/dev/null; wait $CHROME_PID 2>/dev/null"
}

# webdrive DEVTOOLS_PORT URL TITLE PNG [TEXT]: tests/viewer/webdrive.py,
# output in $TEST_TMP/drive.out. A browser that refuses to be driven
# stops the test with its reason rather than failing every check after.
webdrive() {
    "$PY" "$top_srcdir/tests/viewer/webdrive.py" "$@" >"$TEST_TMP/drive.out" 2>&1
    local rc=$?
    if grep -q '^webdrive: DevTools refused' "$TEST_TMP/drive.out"; then
        sed 's/^/# chromium: /' "$TEST_TMP/chromium.log" | tail -n 5
        bail "$(grep '^webdrive: DevTools refused' "$TEST_TMP/drive.out")"
    fi
    return $rc
}

# vx CMD...: run CMD on the viewer side's display
vx() { DISPLAY=$VIEWER_DISPLAY "$@"; }

# viewer_matches: TigerVNC's window on the Xvfb (xwd -id) equals xwd
# -root of the guest on $DISPLAY. (A real client's picture without
# connecting another one.)
viewer_matches() {
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    vx xwd -id "$VIEWER_WIN" -silent >"$TEST_TMP/viewer.xwd" || return 1
    "$PY" "$IMGCMP" "$TEST_TMP/viewer.xwd" "$TEST_TMP/screen.xwd" >"$TEST_TMP/cmp.out" 2>&1
}

# focus_window NAME: wait until the guest's window NAME is viewable and
# give it the focus (there is no window manager to do it)
focus_window() {
    local w
    w=$(timeout 60 xdotool search --sync --onlyvisible --name "$1" 2>/dev/null | head -n 1)
    [ -n "$w" ] || return 1
    timeout 10 xdotool windowfocus --sync "$w"
}

# resize_guests_up: the two guests of the resize tests. Domain 1 (guest1):
# the backend allows 1600x1200, its driver 1280x1024, starting at 800x600,
# D1 its display, DISPLAY left on it. Domain 2 (guest2): 1024x768 at
# 800x600, its driver with Option "ViewerResize" "off" (it takes no size
# requests); D2 its display.
resize_guests_up() {
    "$XSIM" create 1 guest1 >/dev/null
    "$XSIM" create 2 guest2 >/dev/null
    gntalloc_limit 1 32768
    attach --domid 1 --max-width 1600 --max-height 1200 || bail "attach 1 failed"
    guest_conf 1 1280 1024 '"800x600"'
    guest_x 1
    wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 800x600" 1 20 ||
        { show_serve_log; bail "no framebuffer for domain 1"; }
    D1=$DISPLAY
    local n
    guest_up 2 1024 768 '"800x600"'
    sed -i 's/^\(    Option     "MaxHeight".*\)$/\1\n    Option     "ViewerResize" "off"/' \
        "$TEST_TMP/xorg-2.conf"
    n=$(count "$SERVE_LOG" "domain 2: framebuffer connected")
    guest_x 2
    wait_line "$SERVE_LOG" "domain 2: framebuffer connected" $((n + 1)) 20 ||
        { show_serve_log; bail "no framebuffer for domain 2 without ViewerResize"; }
    D2=$DISPLAY
    DISPLAY=$D1
}
