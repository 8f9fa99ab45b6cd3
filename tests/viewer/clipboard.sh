#!/bin/sh
# The clipboard both ways, end to end: a real Xorg guest with
# `xenfb-agent clipboard` on its clipboard device, xclip as the guest's
# applications, and an RFB client (tests/viewer/rfbclip.py) as the
# viewer's clipboard. Text copied in the guest reaches the viewer as cut
# text (Latin-1: what does not fit becomes '?'; UTF-8 as it is with the
# extended clipboard); a viewer's cut text
# becomes the guest's CLIPBOARD and PRIMARY; each direction turned off by
# dom0's policy lets nothing across.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 29
need xclip
viewer_setup
AGENT="$top_builddir/xenfb-agent/xenfb-agent"
RFBCLIP="$top_srcdir/tests/viewer/rfbclip.py"
AGENT_LOG="$TEST_TMP/agent.log"
: >"$AGENT_LOG"
serve_start
guest_up 1 1024 768 '"1024x768"'
port=$(vnc_port 1)
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

agent_start() {
    "$XSIM" run --domid 1 -- "$AGENT" clipboard >>"$AGENT_LOG" 2>&1 &
    AGENT_PID=$!
}
agent_stop() {
    [ -n "${AGENT_PID:-}" ] || return 0
    kill "$AGENT_PID" 2>/dev/null
    wait "$AGENT_PID" 2>/dev/null
    AGENT_PID=
}
at_exit agent_stop
# the agent and the daemon both say so once the device is connected
agent_up() {
    local n a
    n=$(count "$SERVE_LOG" "domain 1: clip/0: connected: clipboard $1")
    a=$(count "$AGENT_LOG" "dom0's policy: text")
    agent_start
    wait_line "$SERVE_LOG" "domain 1: clip/0: connected: clipboard $1" $((n + 1)) 20 &&
        wait_line "$AGENT_LOG" "dom0's policy: text" $((a + 1)) 20
}
# guest_copy TEXT: an application of the guest copies TEXT, and the
# agent has handed it to the device
guest_copy() {
    local a
    a=$(count "$AGENT_LOG" "CLIPBOARD: .* bytes for dom0")
    printf '%s' "$1" | xclip -selection clipboard
    wait_line "$AGENT_LOG" "CLIPBOARD: .* bytes for dom0" $((a + 1)) 20
}
# viewer_receive HEX: an RFB client, ready, waits for this cut text
viewer_receive() {
    "$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 recv "$1" >"$TEST_TMP/recv.out" 2>&1 &
    RECV_PID=$!
    wait_line "$TEST_TMP/recv.out" '^ready' 1 20
}
viewer_send() { "$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 send "$1" >/dev/null 2>&1; }

x0 "$BACKEND" attach --domid 1 --clipboard both
ok $? "attach --clipboard both adds a clipboard device to the guest"
agent_up "both ways"
ok $? "xenfb-agent clipboard connects; the daemon logs the policy: both ways"
# a session that starts it twice (Xsession.d and XDG autostart)
"$XSIM" run --domid 1 -- "$AGENT" clipboard 2>&1 | grep -q "another agent serves :[0-9]* already"
ok $? "a second agent on the same display leaves it to the first and exits"

# guest to viewer
viewer_receive "$(hex 'hello from the guest')"
guest_copy 'hello from the guest'
ok $? "the agent hands the guest's CLIPBOARD to dom0"
wait "$RECV_PID"
ok $? "the viewer gets it as cut text"
grep -q "domain 1: clip/0: clipboard: 20 bytes from the guest" "$SERVE_LOG"
ok $? "the daemon logs the guest's 20 bytes"

# far beyond the channel's 64 KiB: xclip hands 2 MB over in INCR chunks
# (its chunks are a quarter of X's largest request, about 1 MB)
"$PY" "$RFBCLIP" 127.0.0.1 "$port" 60 recv >"$TEST_TMP/big.out" 2>&1 &
BIG_PID=$!
wait_line "$TEST_TMP/big.out" '^ready' 1 20
a=$(count "$AGENT_LOG" "CLIPBOARD: 65536 bytes (cut to 64 KiB) for dom0")
head -c 2000000 /dev/zero | tr '\0' 'a' | xclip -selection clipboard
wait_line "$AGENT_LOG" "CLIPBOARD: 65536 bytes (cut to 64 KiB) for dom0" $((a + 1)) 60
ok $? "2 MB copied in the guest, in INCR chunks: the agent hands over its first 64 KiB and says so"
wait_line "$TEST_TMP/big.out" '^cut ' 1 30
is "$(sed -n 's/^cut //p' "$TEST_TMP/big.out" | head -n 1)" "$(head -c 65536 /dev/zero | tr '\0' 'a' | od -An -v -tx1 | tr -d ' \n')" \
    "the viewer gets exactly those 64 KiB"
kill "$BIG_PID" 2>/dev/null
wait "$BIG_PID" 2>/dev/null

# what Latin-1 cannot hold
n=$(count "$SERVE_LOG" "characters outside Latin-1 sent as '?'")
viewer_receive "$(hex 'caf')e9203f3f"
guest_copy "café €?"
wait "$RECV_PID"
ok $? "café €? reaches the viewer as Latin-1: é kept, € as '?'"
wait_line "$SERVE_LOG" "domain 1: clipboard to VNC viewers: 1 characters outside Latin-1 sent as '?'" $((n + 1)) 5
ok $? "one line says one character was replaced"

# the extended clipboard (caps, notify, request, provide): UTF-8 both
# ways, whatever Latin-1 holds
"$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 recv-ext "$(hex 'café € 日本')" >"$TEST_TMP/ext.out" 2>&1 &
EXT_PID=$!
wait_line "$TEST_TMP/ext.out" '^ready' 1 20
guest_copy "café € 日本"
wait "$EXT_PID"
ok $? "a viewer with the extended clipboard gets café € 日本 as it is ($(tail -n 1 "$TEST_TMP/ext.out"))"
"$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 recv-ext "$(hex 'café € 日本')" >"$TEST_TMP/ext.out" 2>&1
ok $? "and one that connects afterwards is offered it at once ($(tail -n 1 "$TEST_TMP/ext.out"))"
a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text")
two=$(printf 'from an extended viewer: € 日本\nline 2' | od -An -tx1 | tr -d ' \n')
"$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 send-ext "$two" >"$TEST_TMP/ext.out" 2>&1
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text" $((a + 1)) 20
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$two" \
    "and the text it provides reaches the guest as it is, its CRLF made LF" ||
    sed 's/^/# send-ext: /' "$TEST_TMP/ext.out"
# hostile: 64 MB of text deflated to 64 KB, and a stream that is not
# zlib: each skipped with one line, the guest's text unchanged
for what in bomb broken; do
    n=$(count "$SERVE_LOG" "clipboard text not zlib or over 1048576 bytes: skipped")
    "$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 send-ext "$what" >"$TEST_TMP/ext.out" 2>&1
    wait_line "$SERVE_LOG" "clipboard text not zlib or over 1048576 bytes: skipped" $((n + 1)) 20
    ok $? "an extended clipboard $what is skipped with one line"
done
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$two" \
    "and the guest's text is the last good one"

# viewer to guest: Latin-1 from the viewer, UTF-8 in the guest
a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text")
viewer_send "$(hex 'from the viewer, ')e9"
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD and PRIMARY are now dom0's text" $((a + 1)) 20
ok $? "the viewer's cut text reaches the agent, which owns the selections"
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$(hex 'from the viewer, é')" \
    "xclip -o reads it from CLIPBOARD, in UTF-8"
is "$(xclip -o -selection primary | od -An -tx1 | tr -d ' \n')" "$(hex 'from the viewer, é')" \
    "and from PRIMARY"
is "$(xclip -o -selection clipboard -target TARGETS | sort | tr '\n' ' ')" \
    "STRING TARGETS TEXT TIMESTAMP UTF8_STRING " "the agent offers TARGETS, TIMESTAMP, UTF8_STRING, TEXT, STRING"

# policy: only to the guest. The agent is restarted: the daemon reads the
# policy (written by its toolstack, here by hand) at each connection (and
# when it changes, below).
agent_stop
x0 xenstore-write "/local/domain/0/backend/xenclip/1/0/clipboard" to-guest
agent_up "to the guest only"
ok $? "policy to-guest: the daemon says so at the connection"
n=$(count "$SERVE_LOG" "bytes from the guest")
"$PY" "$RFBCLIP" 127.0.0.1 "$port" 30 recv >"$TEST_TMP/recv.out" 2>&1 &
RECV_PID=$!
wait_line "$TEST_TMP/recv.out" '^ready' 1 20
guest_copy 'a secret of the guest'
wait_line "$SERVE_LOG" "domain 1: clip/0: clipboard: the guest's text stays in the guest" 1 20
ok $? "policy to-guest: the guest's text stays in the guest, said once"
# text still goes the other way, after the guest's copy was refused
a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD")
viewer_send "$(hex 'to the guest')"
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD" $((a + 1)) 20
ok $? "policy to-guest: the viewer's text still reaches the guest"
kill "$RECV_PID" 2>/dev/null
wait "$RECV_PID" 2>/dev/null
is "$(grep -c '^cut ' "$TEST_TMP/recv.out")/$(count "$SERVE_LOG" "bytes from the guest")" "0/$n" \
    "policy to-guest: no cut text reached the viewer, nothing was taken from the guest"

# policy: only from the guest
agent_stop
x0 xenstore-write "/local/domain/0/backend/xenclip/1/0/clipboard" from-guest
agent_up "from the guest only"
ok $? "policy from-guest: the daemon says so at the connection"
before=$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')
n=$(count "$SERVE_LOG" "not passed to the guest: this guest's policy keeps text out")
viewer_send "$(hex 'a secret of dom0')"
wait_line "$SERVE_LOG" "not passed to the guest: this guest's policy keeps text out" $((n + 1)) 20
ok $? "policy from-guest: the viewer's text is not passed to the guest, said in one line"
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$before" \
    "policy from-guest: the guest's CLIPBOARD is unchanged"

# dom0 changes the policy while the agent stays connected (its toolstack
# rewrites the node when guests.conf changes): it applies at once
n=$(count "$SERVE_LOG" "domain 1: clip/0: clipboard policy changed: now to the guest only")
x0 xenstore-write "/local/domain/0/backend/xenclip/1/0/clipboard" to-guest
wait_line "$SERVE_LOG" "domain 1: clip/0: clipboard policy changed: now to the guest only" $((n + 1)) 20
ok $? "policy changed to to-guest while connected: the daemon says so at once"
a=$(count "$AGENT_LOG" "bytes from dom0: CLIPBOARD")
viewer_send "$(hex 'now let through')"
wait_line "$AGENT_LOG" "bytes from dom0: CLIPBOARD" $((a + 1)) 20
is "$(xclip -o -selection clipboard | od -An -tx1 | tr -d ' \n')" "$(hex 'now let through')" \
    "and the viewer's text reaches the guest, with no reconnection"

[ "$_tap_failed" -eq 0 ] || { show_serve_log 40; sed 's/^/# agent: /' "$AGENT_LOG" | tail -n 20; }
