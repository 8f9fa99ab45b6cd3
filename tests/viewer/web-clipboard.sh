#!/bin/sh
# noVNC's clipboard panel in a headless Chromium (tests/viewer/webclip.py
# over DevTools), through `serve --web`: text copied in the guest (xclip,
# with xenfb-agent clipboard in its session) shows in the panel, and text
# put in the panel becomes the guest's CLIPBOARD. noVNC has the extended
# clipboard: text crosses both ways in UTF-8, € and 日本 too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 4
need chromium websockify xclip
viewer_setup
web=$((VNC_BASE + 4))
devtools=$((VNC_BASE + 3))
serve_start --web "127.0.0.1:$web"
"$XSIM" create 1 clipguest >/dev/null
guest_up 1 1024 768 '"1024x768"'
url=$(sed -n 's/.*domain 1: web viewer: \(http[^ ]*\)$/\1/p' "$SERVE_LOG")
[ -n "$url" ] || bail "no web viewer page logged"
AGENT="$top_builddir/xenfb-agent/xenfb-agent"
AGENT_LOG="$TEST_TMP/agent.log"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

x0 "$BACKEND" attach --domid 1 --clipboard both || bail "attach --clipboard failed"
"$XSIM" run --domid 1 -- "$AGENT" clipboard >"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
at_exit "kill $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null"
wait_line "$SERVE_LOG" "domain 1: clip/0: connected: clipboard both ways" 1 20
ok $? "the guest's clipboard device connects"

chromium_start "$devtools"
rm -f "$TEST_TMP/web.in"
mkfifo "$TEST_TMP/web.in"
"$PY" "$top_srcdir/tests/viewer/webclip.py" "$devtools" "$url" clipguest <"$TEST_TMP/web.in" \
    >"$TEST_TMP/web.out" 2>&1 &
WEB_PID=$!
exec 7>"$TEST_TMP/web.in"
at_exit "exec 7>&-; kill $WEB_PID 2>/dev/null"
wait_line "$TEST_TMP/web.out" '^ready' 1 30 || { sed 's/^/# /' "$TEST_TMP/web.out"; bail "noVNC did not connect"; }

a=$(count "$AGENT_LOG" "CLIPBOARD: .* bytes for dom0")
printf '%s' 'copied in the guest: café € 日本' | xclip -selection clipboard
wait_line "$AGENT_LOG" "CLIPBOARD: .* bytes for dom0" $((a + 1)) 20
echo "wait $(hex 'copied in the guest: café € 日本')" >&7
wait_line "$TEST_TMP/web.out" '^\(got\|timeout\)' 1 30
grep -q '^got' "$TEST_TMP/web.out"
ok $? "text copied in the guest shows in noVNC's clipboard panel"

a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text")
echo "paste $(hex 'pasted in the browser: é € 日本')" >&7
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text" $((a + 1)) 20
ok $? "text put in noVNC's clipboard panel reaches the agent"
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$(hex 'pasted in the browser: é € 日本')" \
    "and is the guest's CLIPBOARD"

[ "$_tap_failed" -eq 0 ] || { sed 's/^/# web: /' "$TEST_TMP/web.out"; show_serve_log 30; }
