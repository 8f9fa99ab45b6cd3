#!/bin/sh
# Every xenstore transaction commit fails with EAGAIN (as if another
# writer always won the race) for a while, at the three moments a
# handshake needs the store: the guest's X server starting while the
# daemon waits, the X server restarting, the daemon starting. Neither
# side may give up for good: once the fault is lifted the handshakes
# complete without restarting anything, and the picture (pixel for
# pixel) and the keyboard work.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 15
need xsetroot
viewer_setup
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
guest_conf 1 1024 768 '"1024x768"'
# more refusals than any retry loop takes: only lifting the fault ends them
eagain_on() { "$XSIM" ctl fault-commit-eagain 1000000000 >/dev/null || bail "cannot inject EAGAIN"; }
eagain_off() {
    "$XSIM" ctl fault-commit-eagain 0 >/dev/null
    t0=$(now_ms)
}
since_off() { echo $(($(now_ms) - t0)); }
fb_conn() { count "$SERVE_LOG" "domain 1: framebuffer connected"; }
kb_conn() { count "$SERVE_LOG" "domain 1: keyboard and pointer connected"; }
refusals() { count "$SERVE_LOG" "domain 1: vfb/0: xenstore keeps refusing"; }

# 1. the daemon waits at InitWait; the X server starts under the fault
serve_start
at_initwait() { [ "$(x0 xenstore-read /local/domain/0/backend/xenfb/1/0/state 2>/dev/null)" = 2 ]; }
wait_for 20 at_initwait || bail "the daemon did not reach InitWait"
eagain_on
guest_x 1
xpid=$(xorg_pid dom1)
wait_line "$(xorg_log dom1)" "cannot publish .*Resource temporarily unavailable (retrying)" 1 20
ok $? "X starting: the guest's frontend meets the refused commits and says it retries"
sleep 1 # the fault lasts a while
is "$(fb_conn)" "0" "no connection while every commit fails"
eagain_off
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" 1 20 &&
    wait_line "$SERVE_LOG" "domain 1: keyboard and pointer connected" 1 20
ok $? "fault lifted: the framebuffer and the keyboard connect"
diag "connected $(since_off) ms after the fault was lifted"
grep -q "published after [0-9]* refused attempts" "$(xorg_log dom1)"
ok $? "the guest logs the publish that finally went through"
is "$(xorg_pid dom1)" "$xpid" "the same X server"
xsetroot -solid '#408020'
wait_match shot_matches 1
ok $? "the picture is the guest's, pixel for pixel"

# 2. the X server restarts under the fault
n=$(fb_conn)
r=$(refusals)
eagain_on
guest_x 1
wait_line "$SERVE_LOG" "domain 1: vfb/0: xenstore keeps refusing" $((r + 1)) 20
ok $? "X restarting: the daemon meets the refused commits and says it retries"
sleep 1
is "$(fb_conn)" "$n" "no connection while every commit fails"
eagain_off
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20
ok $? "fault lifted: the new X server's framebuffer connects"
diag "connected $(since_off) ms after the fault was lifted"
xsetroot -solid '#208040'
wait_match shot_matches 1
ok $? "and shows, pixel for pixel"

# 3. the daemon starts under the fault
serve_stop
n=$(fb_conn)
k=$(kb_conn)
r=$(refusals)
eagain_on
serve_start
wait_line "$SERVE_LOG" "domain 1: vfb/0: xenstore keeps refusing" $((r + 1)) 20
ok $? "daemon starting: it meets the refused commits and says it retries"
sleep 1
eagain_off
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20 &&
    wait_line "$SERVE_LOG" "domain 1: keyboard and pointer connected" $((k + 1)) 20
ok $? "fault lifted: the daemon connects to the running guest"
diag "connected $(since_off) ms after the fault was lifted"
grep -q "domain 1: vfb/0: xenstore took our writes after [0-9]* refusals" "$SERVE_LOG"
ok $? "and logs the writes that finally went through"
xsetroot -solid '#802040'
wait_match shot_matches 1
ok $? "the picture is the guest's, pixel for pixel"
events_start
rfb keys 127.0.0.1 "$(vnc_port 1)" "k"
wait_line "$EV_OUT" '^key release [0-9]* k$' 1 10
ok $? "a key typed in a VNC client reaches the guest"
exec 6>&-
kill "$EV_PID" 2>/dev/null
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 30; grep -i -e xenfb -e xenkbd "$(xorg_log dom1)" | tail -n 20 | sed 's/^/# Xorg: /'; }
