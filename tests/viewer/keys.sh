#!/bin/sh
# Keys and clicks from a real viewer: TigerVNC's vncviewer under Xvfb,
# driven by xdotool, types into an xterm in the guest (which runs
# `cat > FILE`) through QEMU extended key events; with the guest on a
# German layout the same key positions arrive, so `y` typed on the
# viewer side gives `z` in the guest. A click lands on the right pixel.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 9
need xterm xdotool vncviewer Xvfb
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
xvfb_start

# type_into TEXT OUTFILE: an xterm in the guest catches what the viewer types
type_into() {
    rm -f "$2"
    xterm -geometry 60x5+100+100 -fa '' -fn fixed -T xfbcat -e sh -c "cat > '$2'" &
    XTERM_PID=$!
    focus_window xfbcat || diag "the xterm did not get the focus"
    timeout 10 env DISPLAY="$VIEWER_DISPLAY" xdotool windowfocus --sync "$VIEWER_WIN" ||
        diag "the viewer did not get the focus"
    vx xdotool type --delay 30 "$1"
    vx xdotool key --delay 30 Return ctrl+d
    wait_for 10 sh -c "! kill -0 $XTERM_PID 2>/dev/null"
    wait "$XTERM_PID" 2>/dev/null
}

tiger_start 1
grep -q "domain 1: VNC viewer connected from 127.0.0.1:" "$SERVE_LOG"
ok $? "TigerVNC's viewer is logged with its address"

text='Hello, World! @ ~ | \'
type_into "$text" "$TEST_TMP/typed"
is "$(cat "$TEST_TMP/typed" 2>/dev/null)" "$text" "us on both sides: the guest gets exactly the text typed"

# a click at a known position, seen by an X client in the guest
events_start
vx xdotool mousemove --window "$VIEWER_WIN" 300 200
vx xdotool click 1
wait_line "$EV_OUT" '^button release 1 ' 1 10
grep '^button press' "$EV_OUT" | head -n 1 >"$TEST_TMP/press"
is "$(cat "$TEST_TMP/press")" "button press 1 300 200" "a click at (300,200) in the viewer lands at (300,200)"
: >"$EV_OUT"
vx xdotool mousemove --window "$VIEWER_WIN" 700 500
vx xdotool click 3
wait_line "$EV_OUT" '^button release 3 ' 1 10
is "$(grep '^button press' "$EV_OUT" | head -n 1)" "button press 3 700 500" "a right click at (700,500)"
: >"$EV_OUT"
vx xdotool click 4
wait_line "$EV_OUT" '^button release 4 ' 1 10
ok $? "the wheel scrolls (button 4 in the guest)"
exec 6>&-
kill "$EV_PID" 2>/dev/null

# the guest on layout de, the viewer side still us
tiger_stop
guest_conf 1 1024 768 '"1024x768"' de
n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20
ok $? "the guest's X server restarts with XkbLayout de"
tiger_start 1
type_into "y" "$TEST_TMP/typed-de"
is "$(cat "$TEST_TMP/typed-de" 2>/dev/null)" "z" "the key that types y on the viewer side gives z in the de guest"
type_into "z" "$TEST_TMP/typed-de2"
is "$(cat "$TEST_TMP/typed-de2" 2>/dev/null)" "y" "and z gives y"

tiger_stop
wait_line "$SERVE_LOG" "domain 1: VNC viewer from 127.0.0.1:[0-9]* left" 2 10
ok $? "each viewer leaving is logged"
