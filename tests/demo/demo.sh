#!/bin/sh
# The README's main command, as a new user meets it: demo/demo.sh (what
# `./run demo` starts) brings up the guest desktop on the simulated Xen,
# prints the web viewer's URL and the VNC address; the URL, opened in a
# real browser, shows the guest's desktop and typing there runs a command
# in the guest's xterm; Ctrl-C stops everything it started and leaves
# nothing behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 13
need chromium websockify twm xterm xclock xdotool xwininfo setsid
base=$(free_base)
[ -n "$base" ] || bail "no free port"
web=$((base + 4))
devtools=$((base + 3))
mkdir -p "$TEST_TMP/demo"
cd "$TEST_TMP/demo" || bail "no temp dir"

# As from a terminal: SIGINT must reach it (a background job of a
# script would ignore it), in a UTF-8 locale (twm's fonts differ).
LC_ALL=C.UTF-8 TMPDIR="$TEST_TMP/demo" "$PY" -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$top_srcdir/demo/demo.sh" "$top_builddir" \
    --size 1024x768 --vnc-base "$base" --web-port "$web" >"$TEST_TMP/demo.out" 2>&1 &
DEMO_PID=$!
at_exit "kill -INT $DEMO_PID 2>/dev/null; wait $DEMO_PID 2>/dev/null"

wait_for 60 grep -q 'Stop: Ctrl-C' "$TEST_TMP/demo.out"
ok $? "the demo comes up and says how to stop it" || sed 's/^/# /' "$TEST_TMP/demo.out"
url=$(sed -n 's/^ *browser: *\(http[^ ]*\)$/\1/p' "$TEST_TMP/demo.out")
is "$url" "http://127.0.0.1:$web/vnc.html?autoconnect=1&path=websockify%3Ftoken%3Ddom1" \
    "it prints the web viewer's URL"
grep -q "VNC: *127.0.0.1:$((base + 1)) " "$TEST_TMP/demo.out"
ok $? "and the VNC address"
d=$(sed -n 's/.*The guest.s X display is \(:[0-9]*\) .*/\1/p' "$TEST_TMP/demo.out")

# twm gives the focus to the window under the pointer: put it on the
# xterm, as a user's mouse would be
term=$(DISPLAY=$d timeout 60 xdotool search --sync --onlyvisible --name "xenfb demo: a terminal" |
    head -n 1)
[ -n "$term" ] || bail "no demo xterm on the guest display $d"
# twm runs and frames the windows (it exits at once when its fonts are
# missing, and a window mapped while it dies may stay unmapped)
framed() {
    parent=$(DISPLAY=$d xwininfo -children -id "$1" 2>/dev/null | sed -n 's/^ *Parent window id: //p')
    case $parent in "" | *"(the root window)"*) return 1 ;; esac
}
wait_for 30 framed "$term"
ok $? "the window manager frames the xterm"
clock=$(DISPLAY=$d timeout 60 xdotool search --sync --onlyvisible --class XClock | head -n 1)
[ -n "$clock" ] && framed "$clock"
ok $? "and shows the clock, framed"
DISPLAY=$d xdotool mousemove --window "$term" 100 100

chromium_start "$devtools"
webdrive "$devtools" "$url" "demo-guest" "$TEST_TMP/page.png" \
    "touch typed in the browser"
ok $? "the page connects and shows the guest's name" || sed 's/^/# /' "$TEST_TMP/drive.out"
set -- $(sed -n 's/^canvas //p' "$TEST_TMP/drive.out")
is "${3:-0}x${4:-0}" "1024x768" "the page shows the guest's 1024x768 screen"
colour=$("$PY" -c "
from PIL import Image
im = Image.open('$TEST_TMP/page.png').convert('RGB')
print('%02x%02x%02x' % im.getpixel((${1:-0} + 600, ${2:-0} + 740)))")
is "$colour" "2f4f6f" "with the desktop's background colour where no window is"
wait_for 10 test -e "$TEST_TMP/demo/typed" -a -e "$TEST_TMP/demo/browser"
ok $? "a command typed in the browser runs in the guest's xterm"

# what the demo started: every process with its directory on the command
# line (xsimd, Xorg, the backend, websockify), and the desktop's clients
demo_dir=$(sed -n 's|.*Logs: \(.*\)/backend.log.*|\1|p' "$TEST_TMP/demo.out")
[ -n "$demo_dir" ] || bail "the demo did not print its logs' directory"
kill -INT "$DEMO_PID"
wait_for 30 sh -c "! kill -0 $DEMO_PID 2>/dev/null"
ok $? "Ctrl-C stops the demo"
grep -q 'demo: stopped; nothing left running.' "$TEST_TMP/demo.out"
ok $? "and it says so"
left=$(pgrep -a -f -- "$demo_dir|xenfb demo: a terminal|xclock -geometry 160x160-40.40|^twm$")
is "$left" "" "no process of the demo is left"
is "$(ls "$TEST_TMP/demo" | grep -c '^xenfb-demo')" 0 "its directory, sockets and all, is gone"
