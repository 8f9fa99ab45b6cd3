#!/bin/sh
# A domain destroyed while the daemon is making its devices, and while it
# is announcing its VNC address: xenstore refusing every commit (xsim's
# fault-commit-eagain) holds the daemon there, retrying from its timer;
# the domain goes; once commits pass again, nothing of it is written
# back: no home, no backend directory, no console node.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 10
viewer_setup
guests_conf "guest web1" "guest web2"
serve_start --verbose --config "$GUESTS_CONF"
wait_line "$SERVE_LOG" "configuration: $GUESTS_CONF: 2 guests named" || bail "no start"

# while making the devices (the simulation's own domain creation writes
# without transactions: the refused commits are the daemon's)
"$XSIM" ctl fault-commit-eagain 1000000 >/dev/null
"$XSIM" create 3 web1 >/dev/null
wait_line "$SERVE_LOG" "domain 3: xenstore keeps refusing our transactions (EAGAIN): trying again"
ok $? "with every commit refused, the daemon keeps trying, and says so once"
"$XSIM" destroy 3 >/dev/null
"$XSIM" ctl fault-commit-eagain 0 >/dev/null
wait_line "$SERVE_LOG" "domain 3: guest 'web1' is gone"
ok $? "the domain destroyed meanwhile: the daemon says it is gone"
is "$(store_count '^/local/domain/3')" "0" "its home is not written back"
is "$(store_count 'backend/xen[a-z]*/3')" "0" "nor any backend directory"
serve_stop

# while announcing: a daemon that starts finds domain 4's device (made by
# hand) and its console, and cannot write its VNC address there
attach --domid 4 --max-width 640 --max-height 480 || bail "attach failed"
libxl_console 4 || bail "cannot make domain 4's console"
"$XSIM" ctl fault-commit-eagain 1000000 >/dev/null
serve_start --verbose --config "$GUESTS_CONF"
wait_line "$SERVE_LOG" "domain 4: VNC on 127.0.0.1:$(vnc_port 4)" || bail "no listener for domain 4"
wait_line "$SERVE_LOG" "domain 4: xenstore keeps refusing our transactions (EAGAIN): trying again"
ok $? "announcing its VNC address, the daemon keeps trying"
"$XSIM" destroy 4 >/dev/null
"$XSIM" ctl fault-commit-eagain 0 >/dev/null
wait_line "$SERVE_LOG" "domain 4: domain is gone: its backend directories removed"
ok $? "the domain destroyed meanwhile: its backend directories are removed"
wait_line "$SERVE_LOG" "domain 4: guest gone"
is "$(store_count '^/local/domain/4')" "0" "no console node, no home written back"
is "$(store_count 'backend/xen[a-z]*/4')" "0" "no backend directory either"
wait_for 10 vnc_closed 4
ok $? "and its listener closed"
# whatever the daemon still had to do is done when it has stopped
serve_stop
is "$(store_count -e '^/local/domain/4' -e 'backend/xen[a-z]*/4')" "0" \
    "nothing of domain 4 written, to the daemon's end"

[ "$_tap_failed" -eq 0 ] || show_serve_log 60
