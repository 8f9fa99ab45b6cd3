#!/bin/sh
# serve --user: once xenstore and the Xen devices are open the daemon (and
# its websockify) run as that user, for good, and still serve: a guest
# that comes afterwards is mapped and shown pixel for pixel, and the web
# bridge reaches it. Bad uses get one line.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 11
need setpriv websockify xsetroot
viewer_setup
[ "$(id -u)" -eq 0 ] || bail "this test changes user: run it as root"
nobody=$(id -u nobody)

"$XSIM" run --domid 0 -- "$BACKEND" serve --foreground --user no-such-user >"$TEST_TMP/out" 2>&1
is "$?:$(cat "$TEST_TMP/out")" \
    "2:xenfb-backend serve: --user no-such-user: no such user (create it, e.g. adduser --system) (see xenfb-backend --help)" \
    "an unknown user: one line, status 2"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BACKEND" serve --user nobody \
    >"$TEST_TMP/out" 2>&1
is "$?:$(cat "$TEST_TMP/out")" \
    "2:xenfb-backend serve: --user nobody: only root can change user; start as root or leave --user out (see xenfb-backend --help)" \
    "--user without root: one line, status 2"

web=$((VNC_BASE + 4))
serve_start --user nobody --web "127.0.0.1:$web" --vnc "127.0.0.1:$VNC_BASE"
wait_line "$SERVE_LOG" "running as user nobody (uid $nobody, " 1 10
ok $? "the daemon says whom it became"
wait_line "$SERVE_LOG" "Listen on 127.0.0.1:$web" 1 15
ws_pid=$(sed -n 's/.*(websockify pid \([0-9]*\)).*/\1/p' "$SERVE_LOG" | head -n 1)

# uids: real, effective, saved, filesystem
ids() { awk -v k="$2:" '$1 == k { print $2, $3, $4, $5 }' "/proc/$1/status"; }
is "$(ids "$SERVE_PID" Uid)" "$nobody $nobody $nobody $nobody" "every uid of the daemon is nobody's"
is "$(ids "$SERVE_PID" Gid)" "$(id -g nobody) $(id -g nobody) $(id -g nobody) $(id -g nobody)" \
    "every gid of the daemon is nobody's group"
is "$(awk '$1 == "Groups:" { print $2 }' "/proc/$SERVE_PID/status")" "$(id -g nobody)" \
    "no supplementary group of root's is left"
is "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$SERVE_PID/status")" 1 \
    "no new privileges through exec"
is "$(ids "${ws_pid:-1}" Uid)" "$nobody $nobody $nobody $nobody" "websockify runs as nobody too"

# a guest that appears after the drop: map, bind, listen, all as nobody
guest_up 1 1024 768 '"1024x768"'
xsetroot -solid '#a04020'
"$XDRAW" fill 300 200 200 100 20c0f0
wait_match capture_matches 1
ok $? "a guest attached after the drop is shown, every pixel"
banner=$("$PY" -c "
import websocket
ws = websocket.create_connection('ws://127.0.0.1:$web/websockify?token=dom1', subprotocols=['binary'])
print(ws.recv().decode().strip())" 2>&1)
is "$banner" "RFB 003.008" "the web bridge, as nobody, reaches the guest"
serve_stop
is "$SERVE_RC" 0 "and it stops cleanly"
