# The same drivers in a PVH and an HVM guest (hardware virtualisation:
# QEMU's TCG emulates AMD's SVM with nested paging; -cpu in xen.sh). The
# HVM guest boots dom0's kernel directly (QEMU's -kernel in dom0, with
# SeaBIOS), its disk PV-only, without QEMU's vkbd.

other_type() {
    local name=$1
    guest_ready "$name" "$name: a $name domU created paused, its vfb and vkbd attached, unpaused; its agent answers" ||
        return 1
    local d=$D t
    t=$(now)
    out=$(xstart "$d" 1024 768 1024x768)
    ok $? "$name: Xorg starts on xenfb and xenkbd" || { diag "$out"; return 1; }
    diag "$out"
    wait_log 120 "domain $d: framebuffer connected: 1024x768"
    ok $? "$name: the daemon maps its framebuffer" || diag_file "$SERVE_LOG"
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

other_type pvh
other_type hvm
