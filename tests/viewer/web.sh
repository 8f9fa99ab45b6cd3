#!/bin/sh
# The web viewer: `serve --web` runs websockify with Debian's noVNC; a
# headless Chromium opens the page the daemon logs for the guest, which
# connects by itself and shows the guest's name and screen (a test
# pattern: the colours of large regions), draws the guest's cursor as the
# canvas's own (shape, hotspot, colour), and keys typed in the page
# reach an xterm in the guest. Stopping the daemon stops websockify.
# With Unix-socket VNC listeners the bridge reaches them too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 14
need chromium websockify xterm xdotool
viewer_setup
web=$((VNC_BASE + 4))
devtools=$((VNC_BASE + 3))
serve_start --web "127.0.0.1:$web"
wait_line "$SERVE_LOG" "web viewer on http://127.0.0.1:$web/ (websockify pid [0-9]*)" 1 10
ok $? "the daemon starts websockify"
ws_pid=$(sed -n 's/.*(websockify pid \([0-9]*\)).*/\1/p' "$SERVE_LOG" | head -n 1)
"$XSIM" create 1 webguest >/dev/null
guest_up 1 1024 768 '"1024x768"'
url=$(sed -n 's/.*domain 1: web viewer: \(http[^ ]*\)$/\1/p' "$SERVE_LOG")
is "$url" "http://127.0.0.1:$web/vnc.html?autoconnect=1&path=websockify%3Ftoken%3Ddom1" \
    "the guest's page is logged"

# the test pattern: four quadrants
xsetroot -solid '#000000'
"$XDRAW" fill 0 0 512 384 ff0000
"$XDRAW" fill 512 0 512 384 00ff00
"$XDRAW" fill 0 384 512 384 0000ff
"$XDRAW" fill 512 384 512 384 ffff00
# a cursor of known shape (feature-cursor): 12x20, hotspot 3,5, over the
# red quadrant; its colour has equal red and blue: Debian's noVNC 1.3.0
# reads cursor pixels with red and blue swapped (its _handleCursor takes
# its own RGBX pixel format for BGRX), whatever the server; cursor.sh
# checks the channels with TigerVNC's viewer
"$XDRAW" cursor-box 12 20 3 5 40c040
"$XDRAW" warp 100 100
rm -f "$TEST_TMP/typed"
xterm -geometry 30x3+700+600 -fa '' -fn fixed -T xfbcat -e sh -c "cat > '$TEST_TMP/typed'" &
XTERM_PID=$!
focus_window xfbcat || diag "the xterm did not get the focus"

chromium_start "$devtools"

webdrive "$devtools" "$url" "webguest" "$TEST_TMP/page.png" \
    "hello from the web 42"
ok $? "the page connects by itself and shows the guest's name: $(head -n 1 "$TEST_TMP/drive.out")"
set -- $(sed -n 's/^canvas //p' "$TEST_TMP/drive.out")
is "${3:-0}x${4:-0}" "1024x768" "the page's canvas is the guest's 1024x768 screen"
is "$(grep '^cursor' "$TEST_TMP/drive.out")" "cursor 12 20 3 5 240 40c040" \
    "noVNC draws the guest's cursor as the canvas's: 12x20, hotspot 3,5, its colour"

colour_at() {
    "$PY" -c "
from PIL import Image
im = Image.open('$TEST_TMP/page.png').convert('RGB')
print('%02x%02x%02x' % im.getpixel(($1 + $3, $2 + $4)))"
}
is "$(colour_at "${1:-0}" "${2:-0}" 256 192)" "ff0000" "top left is red in the browser"
is "$(colour_at "${1:-0}" "${2:-0}" 768 192)" "00ff00" "top right is green"
is "$(colour_at "${1:-0}" "${2:-0}" 256 576)" "0000ff" "bottom left is blue"
is "$(colour_at "${1:-0}" "${2:-0}" 300 700)" "0000ff" "and blue near its bottom edge"
# the guest's pointer is parked on the red quadrant: no cursor drawn there
is "$(colour_at "${1:-0}" "${2:-0}" 102 102)" "ff0000" "and no cursor in the pixels where the guest's pointer is"
wait_for 10 sh -c "! kill -0 $XTERM_PID 2>/dev/null"
is "$(cat "$TEST_TMP/typed" 2>/dev/null)" "hello from the web 42" "keys typed in the page reach the guest"
grep -q "domain 1: VNC viewer connected from 127.0.0.1:" "$SERVE_LOG"
ok $? "the bridge shows up as a viewer of the guest"

serve_stop
wait_for 10 sh -c "! kill -0 $ws_pid 2>/dev/null"
ok $? "stopping the daemon stops websockify"

: >"$SERVE_LOG"
serve_start --vnc "$TEST_TMP/vnc-%d.sock" --web "127.0.0.1:$web"
wait_line "$SERVE_LOG" "Listen on 127.0.0.1:$web" 1 15
banner=$("$PY" -c "
import websocket
ws = websocket.create_connection('ws://127.0.0.1:$web/websockify?token=dom1', subprotocols=['binary'])
print(ws.recv().decode().strip())" 2>&1)
is "$banner" "RFB 003.008" "the web bridge reaches a guest's Unix-socket listener"
