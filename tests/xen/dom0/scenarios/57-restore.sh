# xl save and xl restore of the PV guest while its X runs. The restored
# domain is a new domain (a new domid) that libxl builds from the saved
# config, without xenfb's devices; the daemon gives it them as it
# appears. Inside the guest nothing restarts: its kernel re-registers
# the watches of the processes that use xenstore, each fires once, and
# the X server's drivers find their devices made anew (another backend)
# and take them again with new grants and event channels, the old ones
# having been the old domain's. The kernel's own frontends (devices=both)
# reconnect through their resume handlers.

restore_check() {
    local d=$PV d2 t pid
    t=$(now)
    pid=$(g "$d" "cat /run/xorg.pid")
    xl save pv "$RUN/pv.save" >"$RUN/save.out" 2>&1
    ok $? "restore: xl save pv (domain $d)" || { diag_file "$RUN/save.out"; return 1; }
    wait_log 120 "domain $d: guest 'pv' is gone: its backend directories removed"
    ok $? "restore: the daemon removes the saved domain's backend directories" || diag_file "$SERVE_LOG"
    xl restore "$RUN/pv.save" >"$RUN/restore.out" 2>&1
    ok $? "restore: xl restore" || { diag_file "$RUN/restore.out"; return 1; }
    rm -f "$RUN/pv.save"
    d2=$(domid pv)
    diag "restore: domain $d became domain $d2"
    # the agent goes on counting dom0's commands where it was
    cp "$RUN/seq.$d" "$RUN/seq.$d2"
    wait_log 300 "domain $d2: framebuffer connected: 1024x768"
    ok $? "restore: the same X takes the restored domain's devices and the daemon maps its framebuffer" ||
        { diag_file "$SERVE_LOG"; g "$d2" "grep -E 'XENFB|xenkbd' /var/log/Xorg.0.log | tail -n 8" |
            while IFS= read -r l; do diag "  $l"; done; }
    wait_log 300 "domain $d2: keyboard and pointer connected"
    ok $? "restore: and connects its keyboard and pointer" || diag_file "$SERVE_LOG"
    wait_log 300 "domain $d2: kernel console framebuffer connected"
    ok $? "restore: the guest kernel's own frontends reconnect too (devices=both)" || diag_file "$SERVE_LOG"
    is "$(g "$d2" "cat /run/xorg.pid")" "$pid" "restore: the X server is the same process"
    g "$d2" "xsetroot -solid '#336699'" >/dev/null
    pictures_match "$d2"
    ok $? "restore: VNC shows its screen exactly"
    is "$(vnc_pixel 5 5)" 336699 "restore: with the background set after the restore"
    PV=$d2
    phase "restore: xl save, xl restore, the same X shown again" "$(secs "$t")"
}

restore_check
