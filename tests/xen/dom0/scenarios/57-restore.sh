# xl save and xl restore of the PV guest while its X runs. The restored
# domain is a new domain (a new domid) that libxl builds from the saved
# config, without xenfb's devices; the daemon gives it them as it
# appears. Inside the guest nothing restarts: its kernel re-registers
# the watches of the processes that use xenstore, each fires once, and
# the X server's drivers find their devices made anew (another backend)
# and must take them again with new grants and event channels, the old
# ones having been the old domain's. The kernel's own frontends
# (devices=both) reconnect through their resume handlers. On Debian 12's
# guest kernel X does not survive: letting go of its old event channel
# (gntalloc's unmap notification, the evtchn device's unbind) oopses in
# Linux 6.1's event-channel code, whose user ports lost their interrupt
# on resume, and the kernel kills X; that is a TODO check naming it.

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
    wait_log 300 "domain $d2: kernel console framebuffer connected"
    ok $? "restore: the guest kernel's own frontends reconnect (devices=both)" || diag_file "$SERVE_LOG"
    # X's drivers find their devices made anew; either they take them, or
    # the guest kernel stops X (below)
    x_settled() {
        has_line "$SERVE_LOG" "domain $d2: framebuffer connected" ||
            ! g "$d2" "ps -o stat= -p $pid | grep -qv Z" >/dev/null 2>&1
    }
    wait_for 300 x_settled
    if has_line "$SERVE_LOG" "domain $d2: framebuffer connected"; then
        ok 0 "restore: the same X takes the restored domain's devices and the daemon maps its framebuffer"
        wait_log 300 "domain $d2: keyboard and pointer connected"
        ok $? "restore: and connects its keyboard and pointer" || diag_file "$SERVE_LOG"
        is "$(g "$d2" "cat /run/xorg.pid")" "$pid" "restore: the X server is the same process"
        g "$d2" "xsetroot -solid '#336699'" >/dev/null
        pictures_match "$d2"
        ok $? "restore: VNC shows its screen exactly"
    else
        g "$d2" "dmesg | grep -E 'kernel BUG at|RIP: .*evtchn' | head -n 3" 2>&1 |
            while IFS= read -r l; do diag "restore: guest kernel: $l"; done
        todo 1 "Debian 12's guest kernel (Linux 6.1) oopses when X lets go of an event channel bound before the restore (evtchn_put, evtchn_unbind_from_user), which kills X (tests/xen/README.md)" \
            "restore: the same X takes the restored domain's devices and VNC shows it"
    fi
    # whatever X's fate, its drivers wrote nothing into the devices the
    # daemon made for the new domain before taking them
    has_line "$SERVE_LOG" "domain $d2: vfb/0: frontend has no page-gref"
    is $? 1 "restore: no frontend state without its grant and port in the restored domain's devices"
    PV=$d2
    phase "restore: xl save, xl restore, the same X shown again" "$(secs "$t")"
}

restore_check
