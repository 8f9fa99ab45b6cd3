# xl reboot of the PV guest. libxl makes a new domain (a new domid) from
# its config, which names nothing of xenfb's: the daemon gives the new
# domain its devices as it appears, removes the old one's, and the X
# server the guest's init starts at boot takes them; the viewer shows it
# again, pixel for pixel.

t=$(now)
old=$PV
new_up() {
    local d
    d=$(domid pv) && [ "$d" != "$old" ] && agent_ready "$d"
}
xl reboot pv >"$RUN/reboot.out" 2>&1
ok $? "reboot: xl reboot pv" || diag_file "$RUN/reboot.out"
wait_for 900 new_up
ok $? "reboot: the guest comes back as a new domain, its agent answers" ||
    { diag_file "$LOGDIR/console/guest-pv.log" 15; return 0; }
NEW=$(domid pv)
diag "reboot: domain $old became domain $NEW"
phase "reboot: xl reboot to the new domain's agent" "$(secs "$t")"
has_line "$SERVE_LOG" "domain $NEW: guest 'pv': devices created (max-size 1280x800, keyboard"
ok $? "reboot: the daemon made the new domain's devices as it appeared (guest 'pv': devices created)" ||
    diag_file "$SERVE_LOG"
wait_log 120 "domain $old: guest 'pv' is gone: its backend directories removed"
ok $? "reboot: and removed the old domain's (guest 'pv' is gone: its backend directories removed)" ||
    diag_file "$SERVE_LOG"
left=$(for ty in xenfb xenkbd; do xenstore-list "/local/domain/0/backend/$ty/$old" 2>/dev/null; done | wc -l)
is "$left" 0 "reboot: no backend directory of the old domain $old is left"

t=$(now)
out=$(xinit "$NEW" 600)
ok $? "reboot: the Xorg the rebooted guest's init started takes the new devices" || diag "$out"
diag "$out"
wait_log 300 "domain $NEW: framebuffer connected: 1024x768"
ok $? "reboot: the daemon maps the new domain's framebuffer" || diag_file "$SERVE_LOG"
wait_log 300 "domain $NEW: keyboard and pointer connected"
ok $? "reboot: and connects its keyboard and pointer" || diag_file "$SERVE_LOG"
g "$NEW" "xsetroot -solid '#406080'
(xterm -geometry 60x8+200+300 -fa '' -fn fixed -T xfbdeco -e sh -c 'echo rebooted; cat /proc/uptime; exec sleep 100000' >/dev/null 2>&1 &)
timeout 60 xdotool search --sync --onlyvisible --name xfbdeco >/dev/null" >/dev/null
pictures_match "$NEW"
ok $? "reboot: VNC (port $(vnc_port "$NEW")) shows the rebooted guest's screen exactly"
is "$(vnc_pixel 5 5) $(vnc_size)" "406080 1024x768" "reboot: the rebooted guest's background, at 1024x768"
PV=$NEW
phase "reboot: X's word to the screen in the new domain" "$(secs "$t")"
