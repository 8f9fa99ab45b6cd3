# The daemon killed with -9 and started again: the same X server (the
# guest's Xorg was never restarted) is shown again, pixel for pixel, and
# takes input.

t=$(now)
xpid=$(g "$PV" "cat /run/xorg.pid")
kill -9 "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
serve_start 2
wait_log 120 "domain $PV: framebuffer connected"
ok $? "restart: a new daemon maps the running guest's framebuffer again" || diag_file "$SERVE_LOG"
wait_log 120 "domain $PV: keyboard and pointer connected"
ok $? "restart: and its keyboard and pointer" || diag_file "$SERVE_LOG"
is "$(g "$PV" "cat /run/xorg.pid; pgrep -x Xorg" | sort -u | tr '\n' ' ')" "$xpid " \
    "restart: the guest's X server is the same process"
g "$PV" "xsetroot -solid '#208040'" >/dev/null
pictures_match "$PV"
ok $? "restart: VNC shows the same X server's screen exactly (after a change made since)"
is "$(vnc_pixel 5 5)" 208040 "restart: with that change (the new background)"
g "$PV" "grep -E 'backend gone|XFB-0' /var/log/Xorg.0.log | tail -n 4" >"$RUN/restart.xlog"
diag_file "$RUN/restart.xlog" 4
phase "restart: SIGKILL to pixels again" "$(secs "$t")"
