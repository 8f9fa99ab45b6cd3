# X as an ordinary user (GDM, startx without the setuid wrapper), in the
# second PV guest, on the guest kernel's real devices: without access
# (devtmpfs makes /dev/xen/* root's, mode 0600) X stops and says why
# ([XFB-002]); with udev running xenfb-guest's opt-in rule
# (60-xenfb.rules: group xenfb, mode 0660) and the user in the group
# xenfb, the same X runs as that user and exports its screen.

user_x() {
    # up since 30-gntalloc, which waited for it and said so
    [ "$(cat "$RUN/big.status" 2>/dev/null)" = ok ] || { ok 1 "user: the second PV guest is up"; return 1; }
    local d t out n
    d=$(cat "$RUN/big.domid")
    t=$(now)
    g "$d" "xstart stop" >/dev/null
    is "$(g "$d" "stat -c '%U %G %a' /dev/xen/gntalloc /dev/xen/evtchn /dev/xen/xenbus | sort -u")" \
        "root root 600" "user: without udev the Xen devices are root's alone (devtmpfs)"
    out=$(xstart "$d" --user xfbuser 1024 768 1024x768)
    [ $? -ne 0 ]
    ok $? "user: X as xfbuser without access stops" || diag "$out"
    g "$d" "grep -F '[XFB-002]' /var/log/Xorg.0.log" >"$RUN/xfb002" 2>&1
    grep -q -F "[XFB-002] xenstore (/dev/xen/xenbus): Permission denied: this process (user xfbuser) may not open it: run X as root, or add the user to the group xenfb (adduser xfbuser xenfb)" "$RUN/xfb002"
    ok $? "user: and its log names xenstore, the user and the fix ([XFB-002])" || diag_file "$RUN/xfb002" 3
    # udev as the guest's init system would run it, with the package's rule
    out=$(g "$d" "/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 &&
udevadm trigger --action=add --subsystem-match=misc && udevadm settle --timeout=120 &&
stat -c '%G %a' /dev/xen/gntalloc /dev/xen/evtchn /dev/xen/xenbus | sort -u" 300)
    is "$out" "xenfb 660" "user: udev with xenfb-guest's rule gives the group xenfb the Xen devices (0660)"
    n=$(count "$SERVE_LOG" "domain $d: framebuffer connected: 1024x768")
    out=$(xstart "$d" --user xfbuser 1024 768 1024x768)
    ok $? "user: X as xfbuser, a member of xenfb, runs" || { diag "$out"; return 1; }
    diag "$out"
    is "$(g "$d" "ps -o user= -p \$(cat /run/xorg.pid)")" xfbuser "user: the X server's process is xfbuser's"
    wait_log_n 300 $((n + 1)) "domain $d: framebuffer connected: 1024x768"
    ok $? "user: the daemon maps its framebuffer" || diag_file "$SERVE_LOG"
    g "$d" "xsetroot -solid '#2060a0'" >/dev/null
    pictures_match "$d"
    ok $? "user: VNC shows its screen exactly"
    is "$(vnc_pixel 5 5)" 2060a0 "user: with its background"
    phase "user: X as an ordinary user, without and with the udev rule" "$(secs "$t")"
}

user_x
