#!/bin/sh
# The SDL window's clipboard: text copied in the guest (xclip, with
# xenfb-agent clipboard in its session) becomes the clipboard of the X
# server the window is on, in UTF-8; text copied there (xclip on the
# Xvfb) while the guest's window has the focus becomes the guest's
# CLIPBOARD.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 5
need Xvfb xdotool xclip
viewer_setup
xvfb_start
DISPLAY=$VIEWER_DISPLAY serve_start --sdl
"$XSIM" create 1 guest1 >/dev/null
guest_up 1 1024 768 '"1024x768"'
AGENT="$top_builddir/xenfb-agent/xenfb-agent"
AGENT_LOG="$TEST_TMP/agent.log"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

x0 "$BACKEND" attach --domid 1 --clipboard both || bail "attach --clipboard failed"
"$XSIM" run --domid 1 -- "$AGENT" clipboard >"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
at_exit "kill $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null"
wait_line "$SERVE_LOG" "domain 1: clip/0: connected: clipboard both ways" 1 20
ok $? "the guest's clipboard device connects"

SDL_WIN=$(vx timeout 60 xdotool search --sync --onlyvisible --name '^xenfb: ' | head -n 1)
[ -n "$SDL_WIN" ] || bail "no SDL window"

# the Xvfb's clipboard, as hex
dom0_clip() { vx timeout 10 xclip -o -selection clipboard 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
dom0_clip_is() { [ "$(dom0_clip)" = "$1" ]; }

printf '%s' 'from the guest: über ✓' | xclip -selection clipboard
wait_for 20 dom0_clip_is "$(hex 'from the guest: über ✓')"
ok $? "text copied in the guest becomes the SDL window's X clipboard, in UTF-8"

vx xdotool windowfocus --sync "$SDL_WIN"
a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text")
printf '%s' 'from dom0: ñ' | vx xclip -selection clipboard
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text" $((a + 1)) 20
ok $? "text copied on dom0's desktop while the guest's window has the focus reaches the agent"
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$(hex 'from dom0: ñ')" \
    "and is the guest's CLIPBOARD, in UTF-8"
grep -q "domain 1: clip/0: clipboard: 13 bytes to the guest" "$SERVE_LOG"
ok $? "the daemon logs the 13 bytes it gave the guest"

[ "$_tap_failed" -eq 0 ] || { show_serve_log 30; sed 's/^/# agent: /' "$AGENT_LOG" | tail -n 10; }
