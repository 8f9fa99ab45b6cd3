#!/bin/sh
# A VNC client that sends only keysyms (tests/viewer/rfbkeys.py: plain
# RFB KeyEvents, no modifier keys of its own): the daemon finds the keys
# with libxkbcommon for --keymap, pressing Shift/AltGr as needed, so the
# guest types exactly the text, on us and on de.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 5
need xterm xdotool
viewer_setup

# keysyms_into TEXT OUTFILE
keysyms_into() {
    rm -f "$2"
    xterm -geometry 60x5+100+100 -fa '' -fn fixed -T xfbcat -e sh -c "cat > '$2'" &
    XTERM_PID=$!
    focus_window xfbcat || diag "the xterm did not get the focus"
    "$PY" "$top_srcdir/tests/viewer/rfbkeys.py" 127.0.0.1 "$(vnc_port 1)" "$1" >"$TEST_TMP/rfbkeys.out"
    wait_for 10 sh -c "! kill -0 $XTERM_PID 2>/dev/null"
    wait "$XTERM_PID" 2>/dev/null
}

"$XSIM" create 1 kbguest >/dev/null
serve_start
guest_up 1 1024 768 '"1024x768"'
text='Hello, World! @ ~ | \ {x} <y> "q" 1+2=3 _#$%^&*()'
keysyms_into "$text" "$TEST_TMP/typed"
is "$(cat "$TEST_TMP/rfbkeys.out")" "1024x768 kbguest" "the client sees the guest's size and name"
is "$(cat "$TEST_TMP/typed" 2>/dev/null)" "$text" "--keymap us: keysyms become exactly that text"

serve_stop
xorg_stop dom1
guest_conf 1 1024 768 '"1024x768"' de
: >"$SERVE_LOG"
serve_start --keymap de
wait_line "$SERVE_LOG" "domain 1: VNC on" 1 10
n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20
ok $? "the guest restarts on XkbLayout de, the daemon with --keymap de"
text='Hello, World! zy @ ~ | \ {x} <y> 1+2=3 #'
keysyms_into "$text" "$TEST_TMP/typed-de"
is "$(cat "$TEST_TMP/typed-de" 2>/dev/null)" "$text" \
    "--keymap de: the same text, through de's keys (AltGr for @ ~ | \\ { })"

"$XSIM" run --domid 0 -- "$BACKEND" serve --foreground --keymap nosuchlayout \
    --vnc "127.0.0.1:$VNC_BASE" >"$TEST_TMP/out" 2>&1
is "$?:$(cat "$TEST_TMP/out")" "1:xenfb-backend: error: unknown keymap 'nosuchlayout'" \
    "an unknown --keymap is refused at start"
