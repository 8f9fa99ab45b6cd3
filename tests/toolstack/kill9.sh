#!/bin/sh
# A daemon killed -9 halfway through making devices: the next start
# completes them, or removes them if the domain is no longer named.
# First for real: xenstore refusing every commit holds the daemon in the
# middle of its work when it is killed. Then the states a kill between
# two transactions leaves, made by hand: a backend directory of ours
# without its frontend, for a named domain (killed between making the
# backend and the frontend) and for one no longer named (killed between
# removing the frontend and the backend).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 10
need xsetroot
viewer_setup
guests_conf "guest web1"
domain 3 web1
"$XSIM" ctl fault-commit-eagain 1000000 >/dev/null
serve_start --verbose --config "$GUESTS_CONF"
wait_line "$SERVE_LOG" "domain 3: xenstore keeps refusing our transactions (EAGAIN): trying again"
ok $? "the daemon is held halfway, trying again from its timer"
kill -9 "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=
"$XSIM" ctl fault-commit-eagain 0 >/dev/null

domain 4 web4
half_backend 4 xenfb serve || bail "cannot write the half device"
domain 5 old
half_backend 5 xenfb serve || bail "cannot write the half device"
half_backend 5 xenkbd attach || bail "cannot write the hand-made device"
guests_conf "guest web1" "guest web4"

serve_start --verbose --config "$GUESTS_CONF"
created 3 web1
ok $? "started again, the daemon makes the devices the killed one could not"
created 4 web4
ok $? "and completes a device whose backend directory alone was made"
is "$(rd /local/domain/4/device/xenfb/0/backend)" "/local/domain/0/backend/xenfb/4/0" \
    "its frontend directory names that backend directory"
is "$(rd /local/domain/0/backend/xenkbd/4/0/created-by):$(rd /local/domain/4/device/xenkbd/0/state)" \
    "serve:1" "and the keyboard is made as well"
wait_line "$SERVE_LOG" "domain 5: guest 'old': devices removed: no longer named"
ok $? "a half-removed device of a domain no longer named is removed"
gone /local/domain/0/backend/xenfb/5
ok $? "its backend directory is gone"
is "$(rd /local/domain/0/backend/xenkbd/5/0/created-by)" "attach" "a hand-made device there stays"

screen 3
xsetroot -solid '#806040'
"$XDRAW" fill 50 60 400 300 20c0f0
wait_match capture_matches 3
ok $? "the recovered guest's screen reaches a VNC client, pixel for pixel"
serve_stop
is "$SERVE_RC" "0" "the daemon stops cleanly"

[ "$_tap_failed" -eq 0 ] || show_serve_log 60
