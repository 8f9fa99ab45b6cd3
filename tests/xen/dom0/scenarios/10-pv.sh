# A PV guest made with a plain xl create, named in guests.conf: the
# daemon gives it its devices as it appears, its Xorg (started by its
# init at boot) takes them, the guest kernel's own frontends are in and
# leave them alone. Then the pixels, typing, the pointer, an xrandr
# resize.

guest_ready pv "pv: a PV domU made with a plain xl create; its agent answers" ||
    bail "the PV guest did not come up"
PV=$D
has_line "$SERVE_LOG" "domain $PV: guest 'pv': devices created (max-size 1280x800, keyboard"
ok $? "pv: the daemon made its devices as the domain appeared (its log: guest 'pv': devices created)" ||
    diag_file "$SERVE_LOG"

# Debian's kernel has xen-fbfront and xen-kbdfront built in: they are
# there, and bound to nothing of xenfb's (its devices have types of their
# own, xenfb and xenkbd)
g "$PV" "ls /sys/bus/xen/drivers | tr '\n' ' '; echo
for dev in /sys/bus/xen/devices/*; do
    echo \"\${dev##*/} \$(readlink \$dev/driver 2>/dev/null | sed 's|.*/||')\"
done" >"$RUN/sysfs.out" 2>&1
diag_file "$RUN/sysfs.out" 8
head -n 1 "$RUN/sysfs.out" | grep -q -w vfb && head -n 1 "$RUN/sysfs.out" | grep -q -w vkbd
ok $? "pv: the guest kernel's xen-fbfront and xen-kbdfront are in (sysfs: drivers vfb and vkbd)"
is "$(grep -E '^xen(fb|kbd)-' "$RUN/sysfs.out" | sort | tr '\n' ' ')" "xenfb-0  xenkbd-0  " \
    "pv: the guest's xenbus has xenfb-0 and xenkbd-0, bound to no kernel driver"
g "$PV" "xenfb-agent check" >"$RUN/agent-check.out" 2>&1
diag_file "$RUN/agent-check.out" 12
grep -q -F 'ok: vfb 0: no kernel driver bound to device/xenfb/0' "$RUN/agent-check.out"
ok $? "pv: xenfb-agent check says so from sysfs (vfb 0: no kernel driver bound to device/xenfb/0)"

t=$(now)
out=$(xinit "$PV" 600)
ok $? "pv: the Xorg the guest's init started takes xenfb and xenkbd (MaxWidth x MaxHeight 1280x800, mode 1024x768)" ||
    { diag "$out"; bail "no X server in the PV guest"; }
diag "$out"
wait_log 300 "domain $PV: framebuffer connected: 1024x768"
ok $? "pv: the daemon maps the guest's framebuffer (its log: framebuffer connected: 1024x768)" ||
    diag_file "$SERVE_LOG"
wait_log 300 "domain $PV: keyboard and pointer connected"
ok $? "pv: the daemon connects the guest's keyboard and pointer" || diag_file "$SERVE_LOG"
phase "pv: X's word to both devices connected" "$(secs "$t")"
is "$(xenstore-read "/local/domain/$PV/console/vnc-port" 2>&1)" "$(vnc_port "$PV")" \
    "pv: console/vnc-port names xenfb's VNC port, 5900 + domid (a PV guest has no QEMU)"
g "$PV" "grep -E 'XFB-|vfb 0|vkbd 0' /var/log/Xorg.0.log" >"$LOGDIR/pv.xorg-xfb" 2>&1
diag_file "$LOGDIR/pv.xorg-xfb" 8
# X takes tens of seconds to reach its main loop under emulation, more
# than BackendTimeout (10 s): a backend waiting at InitWait all along
# must not be reported missing
! grep -q 'XFB-006' "$LOGDIR/pv.xorg-xfb"
ok $? "pv: X's log has no [XFB-006] (no backend): the backend waited at InitWait all along"

# something to look at: a background colour, text in colours
t=$(now)
g "$PV" "xsetroot -solid '#3060a0'
(xterm -geometry 70x12+40+40 -fa '' -fn fixed -bg '#fff0c0' -fg '#102040' -T xfbdeco \
    -e sh -c 'ls -l /opt/xfb /usr/bin | head -n 40; exec sleep 100000' >/dev/null 2>&1 &)
timeout 60 xdotool search --sync --onlyvisible --name xfbdeco >/dev/null" >/dev/null
pictures_match "$PV"
ok $? "pv: a VNC client in dom0 sees exactly the guest's screen (xwd -root), every pixel"
is "$(vnc_pixel 5 5) $(vnc_size)" "3060a0 1024x768" "pv: that picture is what the guest drew: its background, at 1024x768"
phase "pv: pixels compared" "$(secs "$t")"

# typing: TEXT through VNC (keysyms, as simple clients send them) into an
# xterm that writes what it gets to a file
t=$(now)
text='Typed on Xen 4.17: xenfb {ok} #1!'
g "$PV" "rm -f /tmp/typed
xterm -geometry 50x4+560+420 -fa '' -fn fixed -T xfbcat -e sh -c 'cat > /tmp/typed' >/dev/null 2>&1 &
echo \$! >/tmp/xfbcat.pid
w=\$(timeout 60 xdotool search --sync --onlyvisible --name xfbcat | head -n 1) &&
    timeout 30 xdotool windowfocus --sync \$w" >/dev/null
ok $? "pv: an xterm in the guest has the focus"
rfbkeys.py 127.0.0.1 "$(vnc_port "$PV")" "$text" >"$RUN/keys.out" 2>&1 || diag_file "$RUN/keys.out"
# the xterm ends at the Ctrl+D that follows the text
got=$(g "$PV" "p=\$(cat /tmp/xfbcat.pid); n=0
while kill -0 \$p 2>/dev/null && [ \$n -lt 300 ]; do sleep 0.2; n=\$((n + 1)); done
cat /tmp/typed")
is "$got" "$text" "pv: text typed in a VNC client in dom0 arrives in the guest's xterm, exactly"
phase "pv: typing" "$(secs "$t")"

# the pointer: motion and a click of each of three buttons land on the
# exact pixel, as an X client on the root window sees them
t=$(now)
# xev_ready: xev listens (it reports a property change on the root)
g "$PV" "rm -f /tmp/xev.out
(xev -root -event mouse -event button -event property >>/tmp/xev.out 2>&1 &)
n=0
until grep -q PropertyNotify /tmp/xev.out; do
    xprop -root -f _XFB_PING 8s -set _XFB_PING \$n
    n=\$((n + 1)); [ \$n -lt 100 ] || exit 1
    sleep 0.2
done" >/dev/null
ok $? "pv: an X client listens to the root window's pointer events"
# pointer_check X Y BUTTONS...: move there through VNC and click
pointer_check() {
    local x=$1 y=$2
    shift 2
    xfbvnc.py pointer "$(vnc_port "$PV")" "$x" "$y" "$@" >"$RUN/ptr.out" 2>&1 || diag_file "$RUN/ptr.out"
    local want=$#
    g "$PV" "timeout 30 sh -c 'until [ \$(grep -c ButtonRelease /tmp/xev.out) -ge $want ]; do sleep 0.2; done'
xdotool getmouselocation | cut -d' ' -f1,2
grep -A 2 -E '^(ButtonPress|ButtonRelease)' /tmp/xev.out | grep -o -E 'root:\([0-9]+,[0-9]+\)|button [0-9]+|^Button[A-Za-z]+' | tr '\n' ' '
: >/tmp/xev.out"
}
out=$(pointer_check 700 500 1 2 3)
is "$(echo "$out" | head -n 1)" "x:700 y:500" "pv: the pointer moved through VNC is at the same pixel in the guest (700,500)"
is "$(echo "$out" | tail -n 1 | sed 's/ $//')" \
    "ButtonPress root:(700,500) button 1 ButtonRelease root:(700,500) button 1 ButtonPress root:(700,500) button 2 ButtonRelease root:(700,500) button 2 ButtonPress root:(700,500) button 3 ButtonRelease root:(700,500) button 3" \
    "pv: left, middle and right clicks through VNC arrive as X buttons 1, 2, 3 at that pixel"
out=$(pointer_check 1023 767 1)
is "$(echo "$out" | head -n 1)" "x:1023 y:767" "pv: the bottom right pixel is reached (1023,767)"
phase "pv: pointer" "$(secs "$t")"

# RandR: the guest changes its mode; the viewer follows, size and pixels
t=$(now)
g "$PV" "xrandr -s 800x600" >"$RUN/xrandr.out" 2>&1
ok $? "pv: xrandr -s 800x600 in the guest succeeds" || diag_file "$RUN/xrandr.out"
pictures_match "$PV"
ok $? "pv: after the resize, VNC shows the guest's screen exactly"
is "$(vnc_size)" 800x600 "pv: the VNC client is told the new size, 800x600"
out=$(pointer_check 799 599 1)
is "$(echo "$out" | head -n 1)" "x:799 y:599" "pv: after the resize the pointer still lands on the exact pixel (799,599)"
phase "pv: xrandr" "$(secs "$t")"
