#!/bin/sh
# The daemon's life without --foreground: it returns once started (status
# 0; a start that fails still says why on the terminal, status 1), keeps
# serving detached, listens on a Unix socket per guest when --vnc is a
# path, publishes it, and on SIGTERM removes its socket and nodes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 10
need timeout
viewer_setup
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
libxl_console 1 || bail "cannot make domain 1's console"

timeout 10 "$XSIM" run --domid 0 -- "$BACKEND" serve --bogus >"$TEST_TMP/out" 2>&1
is "$?:$(wc -l <"$TEST_TMP/out")" "2:1" "an unknown option: status 2, one line"

timeout 10 "$XSIM" run --domid 0 -- "$BACKEND" serve --vnc "$TEST_TMP/vnc.sock" >"$TEST_TMP/out" 2>&1
is "$?:$(cat "$TEST_TMP/out")" \
    "1:xenfb-backend: error: --vnc $TEST_TMP/vnc.sock: a socket path needs %d unless --domid is given" \
    "detaching, a bad start still reports on the terminal with status 1"

sock="$TEST_TMP/vnc-%d.sock"
timeout 10 "$XSIM" run --domid 0 -- "$BACKEND" serve --vnc "$sock" >"$TEST_TMP/out" 2>&1
is "$?" "0" "without --foreground the command returns 0 once the daemon runs"
pid=$(pgrep -f -- "serve --vnc $sock" | head -n 1)
[ -n "$pid" ] && at_exit "kill $pid 2>/dev/null"
is "$(ps -o sid= -p "${pid:-1}" | tr -d ' ')" "${pid:-none}" "the daemon leads its own session"
wait_for 10 test -S "$TEST_TMP/vnc-1.sock"
ok $? "guest 1 gets its socket, vnc-1.sock"
banner=$("$PY" -c "
import socket; s = socket.socket(socket.AF_UNIX); s.connect('$TEST_TMP/vnc-1.sock')
print(s.recv(12).decode().strip())")
is "$banner" "RFB 003.008" "a VNC server answers on it"
wait_for 10 eq "$TEST_TMP/vnc-1.sock" x0 xenstore-read /local/domain/1/console/vnc-listen
ok $? "console/vnc-listen holds the socket's path"

kill -TERM "$pid"
wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
ok $? "SIGTERM stops it"
test ! -e "$TEST_TMP/vnc-1.sock"
ok $? "and its socket is gone"
"$XSIM" run --domid 0 -- xenstore-read /local/domain/1/console/vnc-listen >/dev/null 2>&1
ok $((! $?)) "and so is console/vnc-listen"
