#!/bin/sh
# The cursor extension end to end: the guest's real Xorg hands its cursor
# to the backend (feature-cursor), a VNC client that asks for the cursor
# pseudo-encoding gets the guest's shape and hotspot, the pixels have no
# cursor in them, and pointer motion over a still desktop sends no
# framebuffer update at all. TigerVNC's viewer shows the guest's cursor as
# its window's own (read back with XFixes on the viewer's display); a
# viewer without the pseudo-encoding gets it drawn into its own pixels,
# where its pointer is. A guest whose X is told Option "SWCursor" keeps
# drawing the cursor into its pixels, as before.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 21
need xsetroot
viewer_setup
RFBCURSOR="$top_srcdir/tests/viewer/rfbcursor.py"
serve_start --refresh 40
guest_up 1 1024 768 '"1024x768"'
port=$(vnc_port 1)

grep -q "cursor drawn by the backend's viewers (feature-cursor)" "$(xorg_log dom1)"
ok $? "the Xorg log says the backend draws the cursor"
grep -q "domain 1: vfb/0: the guest's cursor is drawn by the viewers" "$SERVE_LOG"
ok $? "the daemon logs the cursor extension"

xsetroot -solid '#204080'
# a cursor of known shape: 12x20, hotspot 3,5, orange
"$XDRAW" cursor-box 12 20 3 5 ff8000
"$XDRAW" warp 300 200
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 shape 300 200 24 --want 12x20)
echo "$out" | sed 's/^/# /'
is "$(echo "$out" | grep '^cursor')" "cursor 12 20 3 5 240 ff8000" \
    "the client gets the guest's cursor: 12x20, hotspot 3,5, every pixel opaque, orange"
is "$(echo "$out" | grep '^area')" "area uniform 204080" \
    "the pixels around the pointer are the desktop's alone: no cursor in them"

# a core font cursor, as desktops set them
xsetroot -cursor_name crosshair
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 shape 300 200 24 --want-not 12x20)
echo "$out" | grep -q '^cursor [1-9][0-9]* [1-9][0-9]* '
ok $? "xsetroot -cursor_name crosshair reaches the client: $(echo "$out" | grep '^cursor')"
is "$(echo "$out" | grep '^area')" "area uniform 204080" "and is not in the pixels"

# pointer motion over a still desktop, and a repaint that changes no
# pixel: nothing but the marker drawn last
"$PY" "$RFBCURSOR" 127.0.0.1 "$port" 60 count 1000 740 8 8 >"$TEST_TMP/count" 2>&1 &
cpid=$!
wait_line "$TEST_TMP/count" "^ready" 1 30
ok $? "the counting client has the first frame"
i=0
while [ $i -lt 40 ]; do
    "$XDRAW" warp $((100 + i * 10)) $((100 + i * 5))
    i=$((i + 1))
done
# and the whole desktop painted over in the colour it has: the guest
# reports it, the daemon finds nothing changed
"$XDRAW" fill 0 0 1024 700 204080
"$XDRAW" fill 1000 740 8 8 ffffff
wait "$cpid"
ok $? "the client saw the marker drawn after the motion"
sed 's/^/# /' "$TEST_TMP/count"
grep -q "^rects 0 pixels 0 " "$TEST_TMP/count"
ok $? "40 pointer moves and the desktop repainted alike: no framebuffer update before the marker"

# a cursor without a visible pixel: X hides it, the client gets an
# empty one and shows none
"$XDRAW" cursor-blank
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 shape 300 200 4 --want 0x0)
is "$(echo "$out" | grep '^cursor')" "cursor 0 0 0 0 0 000000" \
    "a blank X cursor reaches the client as no cursor"
# a viewer without the pseudo-encoding moving its pointer while the
# cursor is hidden: nothing to draw, and its update request still stands
"$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 count 1000 740 8 8 --no-cursor >"$TEST_TMP/count2" 2>&1 &
cpid=$!
wait_line "$TEST_TMP/count2" "^ready" 1 30
"$XDRAW" fill 1000 740 8 8 ff0000
wait "$cpid"
ok $? "a viewer moving its pointer over a hidden cursor still gets the next change ($(tail -n 1 "$TEST_TMP/count2"))"

# TigerVNC's viewer draws the guest's cursor itself: its window's cursor
# (XFixes on the viewer's display) is the guest's shape, and its picture
# of the guest has no cursor in it
xvfb_start
"$XDRAW" cursor-box 12 20 3 5 ff8000
"$XDRAW" warp 300 200
tiger_start 1
wait_line "$SERVE_LOG" "domain 1: VNC viewer from .* gets Tight, \(compression level [0-9], \)\{0,1\}its own cursor" 1 10
ok $? "TigerVNC's viewer gets Tight, lossless, and draws the cursor itself ($(grep -o 'domain 1: VNC viewer from .* gets .*' "$SERVE_LOG" | tail -n 1))"
vx xdotool mousemove --window "$VIEWER_WIN" 200 150
out=$(vx "$PY" "$top_srcdir/tests/viewer/xcursor.py" 30 12x20)
is "$out" "cursor 12 20 3 5 240 ff8000" "TigerVNC's window shows the guest's cursor: 12x20, hotspot 3,5, orange"
wait_match viewer_matches 1
ok $? "TigerVNC's picture equals xwd -root: no cursor in the pixels"
tiger_stop

# a viewer that cannot draw a cursor gets it in its pixels, where its
# pointer is, and follows the pointer; the others still get none there
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 composite 300 200 600 400 24 ff8000)
echo "$out" | sed 's/^/# /'
is "$(echo "$out" | tail -n 1)" "moved to 600 400" \
    "a viewer without the Cursor pseudo-encoding has the cursor drawn where its pointer goes"
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 shape 600 400 24 --want 12x20)
is "$(echo "$out" | grep '^area')" "area uniform 204080" \
    "and one that draws its own still has no cursor in its pixels there"

# the guest without the extension: X draws the cursor, as before
sed -i 's/Option     "MaxWidth"/Option     "SWCursor" "true"\n    Option     "MaxWidth"/' \
    "$TEST_TMP/xorg-1.conf"
n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20
ok $? "X restarted with Option \"SWCursor\""
grep -q 'cursor: drawn by X into the screen (Option "SWCursor")' "$(xorg_log dom1)"
ok $? "the Xorg log names the option"
"$XSIM" run --domid 0 -- xenstore-read /local/domain/1/device/xenfb/0/cursor-gref >/dev/null 2>&1
ok $((! $?)) "the frontend did not ask for the cursor"
xsetroot -solid '#204080'
"$XDRAW" cursor-box 12 20 3 5 ff8000
"$XDRAW" warp 300 200
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 shape 300 200 24 --no-cursor --want-mixed)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q '^area mixed 2'
ok $? "the pixels around the pointer hold X's own cursor"
# a viewer without the Cursor pseudo-encoding moves the pointer: X's
# cursor follows it in the pixels (nothing for the daemon to draw, and
# its update requests still answered)
out=$("$PY" "$RFBCURSOR" 127.0.0.1 "$port" 30 composite 300 200 600 400 24 ff8000)
echo "$out" | sed 's/^/# /'
is "$(echo "$out" | tail -n 1)" "moved to 600 400" \
    "a viewer without the pseudo-encoding sees X's cursor follow its pointer"
