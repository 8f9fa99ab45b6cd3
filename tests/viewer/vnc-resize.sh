#!/bin/sh
# Resizing the guest from a VNC viewer (ExtendedDesktopSize, rfbproto
# 7.8.2, given by the daemon's front door: backend/rfbguard.h): a viewer
# that asks for it is told the size, its SetDesktopSize is answered with
# the standard status (accepted, prohibited when the guest's driver takes
# no requests, invalid screen layout), an accepted size becomes the
# guest's mode through RandR (xrandr shows it), reaches the viewer as a
# DesktopSize and a VNC client sees it pixel for pixel; a size beyond the
# guest's MaxWidth/MaxHeight is clamped. TigerVNC's viewer ("resize
# remote session to the local window") and noVNC in headless Chromium
# with remote resizing ask for their window's size and the guest takes it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 16
need xsetroot xrandr chromium websockify Xvfb xdotool vncviewer
viewer_setup
web=$((VNC_BASE + 4))
devtools=$((VNC_BASE + 3))
serve_start --web "127.0.0.1:$web"
resize_guests_up
RESIZE="$top_srcdir/tests/viewer/rfbresize.py"
mode() { xrandr | sed -n 's/.* current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p'; }

out=$("$PY" "$RESIZE" 127.0.0.1 "$(vnc_port 1)" 1024 768 60 2>&1)
echo "$out" | sed 's/^/# /'
is "$(echo "$out" | sed -n 1p)" "ext 800x600 reason 0 status 0 screens 1" \
    "a viewer that asks for ExtendedDesktopSize is told the size, one screen"
is "$(echo "$out" | grep 'reason 1')" "ext 800x600 reason 1 status 0 screens 1" \
    "its SetDesktopSize 1024x768 is accepted (status 0)"
is "$(echo "$out" | tail -n 1)" "size 1024x768" "and the new size reaches it"
grep -q "domain 1: VNC viewer from 127.0.0.1:[0-9]* asks for 1024x768: asking the guest" "$SERVE_LOG" &&
    grep -q "domain 1: vfb/0: resize requested by a VNC viewer: 1024x768" "$SERVE_LOG"
ok $? "the daemon logs the request and asks the guest"
is "$(mode)" "1024x768" "xrandr in the guest shows 1024x768"
xsetroot -solid '#406080'
"$XDRAW" fill 10 10 100 100 ffffff
wait_match capture_matches 1
ok $? "a VNC client sees the guest's new mode, pixel for pixel"

out=$("$PY" "$RESIZE" 127.0.0.1 "$(vnc_port 1)" 1600 1200 60 2>&1)
echo "$out" | sed 's/^/# /'
is "$(echo "$out" | tail -n 1)" "size 1280x1024" \
    "1600x1200 asked: the guest clamps it to its MaxWidth x MaxHeight, 1280x1024"
is "$(mode)" "1280x1024" "xrandr agrees"

out=$("$PY" "$RESIZE" 127.0.0.1 "$(vnc_port 1)" 1024 768 30 --no-screens 2>&1)
is "$(echo "$out" | grep 'reason 1')" "ext 1280x1024 reason 1 status 3 screens 1" \
    "a layout of no screen: invalid (status 3)"
out=$("$PY" "$RESIZE" 127.0.0.1 "$(vnc_port 2)" 1024 768 30 2>&1)
is "$(echo "$out" | grep 'reason 1')" "ext 800x600 reason 1 status 1 screens 1" \
    "a guest whose driver takes no requests: prohibited (status 1)"
grep -q "domain 2: VNC viewer from 127.0.0.1:[0-9]* asks for 1024x768: refused, the guest takes no size requests" \
    "$SERVE_LOG"
ok $? "and logged"
is "$(DISPLAY=$D1 mode)" "1280x1024" "neither changed guest 1's mode"

# noVNC with remote resizing asks for the size of its page
n=$(count "$SERVE_LOG" "domain 1: VNC viewer from .* asks for")
chromium_start "$devtools"
url=$(sed -n 's/.*domain 1: web viewer: \(http[^ ]*\)$/\1/p' "$SERVE_LOG" | head -n 1)
webdrive "$devtools" "$url&resize=remote" "guest1" "$TEST_TMP/page.png"
wait_line "$SERVE_LOG" "domain 1: VNC viewer from .* asks for" $((n + 1)) 30
ok $? "noVNC asks for a size: $(grep 'domain 1: VNC viewer from .* asks for' "$SERVE_LOG" | tail -n 1 | sed 's/.*asks for //')"
asked=$(grep "domain 1: VNC viewer from .* asks for" "$SERVE_LOG" | tail -n 1 | sed 's/.*asks for \([0-9]*x[0-9]*\).*/\1/')
wait_for 30 sh -c "[ \"\$(xrandr | sed -n 's/.* current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p')\" = '$asked' ]"
ok $? "and the guest takes it: xrandr shows $asked ($(mode))"

# TigerVNC's viewer, its window 900x700, resizing the remote session to it
xvfb_start
n=$(count "$SERVE_LOG" "domain 1: VNC viewer from .* asks for 900x700")
DISPLAY=$VIEWER_DISPLAY vncviewer -Shared -RemoteResize=1 -geometry 900x700 -MenuKey= \
    -AutoSelect=0 -PreferredEncoding=ZRLE -NoJPEG "127.0.0.1::$(vnc_port 1)" \
    >"$TEST_TMP/tiger.log" 2>&1 &
TIGER_PID=$!
at_exit "kill $TIGER_PID 2>/dev/null; wait $TIGER_PID 2>/dev/null"
wait_line "$SERVE_LOG" "domain 1: VNC viewer from .* asks for 900x700: asking the guest" $((n + 1)) 60
ok $? "TigerVNC's viewer asks for its window's size, 900x700" ||
    { sed "s/^/# tiger: /" "$TEST_TMP/tiger.log"; grep -v "^  \|^Traceback\|websockify" "$SERVE_LOG" | tail -n 25 | sed "s/^/# serve: /"
      sed -n -e '/ERROR: AddressSanitizer/,/^SUMMARY/p' -e '/runtime error:/p' "$SERVE_LOG" | sed 's/^/# serve: /'; }
wait_for 30 sh -c "[ \"\$(xrandr | sed -n 's/.* current \([0-9]*\) x \([0-9]*\),.*/\1x\2/p')\" = 900x700 ]"
ok $? "and the guest takes it: xrandr shows 900x700 ($(mode))"
