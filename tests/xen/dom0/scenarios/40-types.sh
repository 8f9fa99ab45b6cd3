# The same drivers in a PVH and an HVM guest (hardware virtualisation:
# QEMU's TCG emulates AMD's SVM with nested paging; -cpu in xen.sh), each
# made with a plain xl create. The HVM guest keeps libxl's defaults: QEMU
# as its device model, with emulated VGA and a VNC server of its own, and
# libxl's QEMU-backed vkbd, which the guest kernel's xen-kbdfront drives
# beside xenfb's xenkbd. It boots dom0's kernel directly (QEMU's -kernel
# in dom0, with SeaBIOS), its disk PV-only.

other_type() {
    local name=$1
    guest_ready "$name" "$name: a $name domU made with a plain xl create; its agent answers" ||
        return 1
    local d=$D t
    t=$(now)
    # the daemon of then: this guest may have appeared before 20-restart
    ever_logged "domain $d: guest '$name': devices created"
    ok $? "$name: the daemon made its devices as the domain appeared" ||
        { diag_file "$LOGDIR/serve-1.log"; diag_file "$SERVE_LOG"; }
    out=$(xinit "$d" 600)
    ok $? "$name: the Xorg its init started takes xenfb and xenkbd" || { diag "$out"; return 1; }
    diag "$out"
    wait_log 300 "domain $d: framebuffer connected: 1024x768"
    ok $? "$name: the daemon maps its framebuffer" || diag_file "$SERVE_LOG"
    wait_log 300 "domain $d: keyboard and pointer connected"
    ok $? "$name: and connects its keyboard and pointer" || diag_file "$SERVE_LOG"
    if [ "$name" = hvm ]; then
        # QEMU's own devices and records, untouched by the daemon
        is "$(xenstore-read "/local/domain/$d/console/vnc-port" 2>&1)" $((5900 + QEMU_VNC_DISPLAY)) \
            "hvm: console/vnc-port stays QEMU's VNC port (libxl's record, for xl vncviewer)"
        xenstore-exists "/local/domain/0/backend/vkbd/$d/0"
        ok $? "hvm: libxl's QEMU-backed vkbd is there (backend/vkbd/$d/0), beside xenfb's xenkbd"
        diag "hvm: QEMU's vkbd: frontend state $(xenstore-read "/local/domain/$d/device/vkbd/0/state" 2>&1), backend state $(xenstore-read "/local/domain/0/backend/vkbd/$d/0/state" 2>&1)"
        g "$d" "xenfb-agent check" >"$RUN/agent-check.out" 2>&1
        diag_file "$RUN/agent-check.out" 12
        grep -q -F "ok: vkbd 0: the kernel's xen-kbdfront drives it" "$RUN/agent-check.out"
        ok $? "hvm: xenfb-agent check names the kernel's xen-kbdfront on QEMU's vkbd (sysfs)"
    else
        is "$(xenstore-read "/local/domain/$d/console/vnc-port" 2>&1)" "$(vnc_port "$d")" \
            "$name: console/vnc-port names xenfb's VNC port (no QEMU)"
    fi
    g "$d" "xsetroot -solid '#605010'
(xterm -geometry 60x10+100+100 -fa '' -fn fixed -T xfbdeco -e sh -c 'uname -a; dmesg | grep -i -E \"xen|pvh|hvm\" | tail -n 8; exec sleep 100000' >/dev/null 2>&1 &)
timeout 60 xdotool search --sync --onlyvisible --name xfbdeco >/dev/null" >/dev/null
    pictures_match "$d"
    ok $? "$name: VNC shows its screen exactly"
    is "$(vnc_pixel 5 5)" 605010 "$name: the guest's background"
    text="typed into $name"
    g "$d" "rm -f /tmp/typed
xterm -geometry 40x4+500+500 -fa '' -fn fixed -T xfbcat -e sh -c 'cat > /tmp/typed' >/dev/null 2>&1 &
echo \$! >/tmp/xfbcat.pid
w=\$(timeout 60 xdotool search --sync --onlyvisible --name xfbcat | head -n 1) &&
    timeout 30 xdotool windowfocus --sync \$w" >/dev/null
    rfbkeys.py 127.0.0.1 "$(vnc_port "$d")" "$text" >"$RUN/keys.out" 2>&1 || diag_file "$RUN/keys.out"
    got=$(g "$d" "p=\$(cat /tmp/xfbcat.pid); n=0
while kill -0 \$p 2>/dev/null && [ \$n -lt 300 ]; do sleep 0.2; n=\$((n + 1)); done
cat /tmp/typed")
    is "$got" "$text" "$name: text typed through VNC arrives"
    phase "$name: X start, pixels, typing" "$(secs "$t")"
}

once_more_on_emulation_stop pvh other_type pvh
once_more_on_emulation_stop hvm other_type hvm
