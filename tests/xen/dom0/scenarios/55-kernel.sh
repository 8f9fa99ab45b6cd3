# The guest kernel's own frontends, served by the daemon too (guests.conf
# devices=): Debian's xen-fbfront and xen-kbdfront, built into its
# kernel, drive a standard vfb and vkbd the daemon makes.
#   kcon  devices=kernel, no X at all (a guest without xenfb's package):
#         the viewer shows its kernel's console, keys reach it
#   pv    devices=both (the default), X at boot: the viewer shows X while
#         X runs, the console when X stops, X again when X is back

guest_ready kcon "kcon: a PV domU with only its kernel's frontends (devices=kernel, no X); its agent answers" ||
    return 0
K=$D
t=$(now)
ever_logged "domain $K: guest 'kcon': devices created"
ok $? "kcon: the daemon made its kernel's vfb and vkbd as the domain appeared" || diag_file "$SERVE_LOG"
wait_for 300 ever_logged "domain $K: showing the kernel's console"
ok $? "kcon: the daemon shows the kernel's console (its log: showing the kernel's console)" ||
    diag_file "$SERVE_LOG"
wait_for 300 ever_logged "domain $K: kernel console keyboard and pointer connected"
ok $? "kcon: and connects the kernel's keyboard and pointer" || diag_file "$SERVE_LOG"
g "$K" "for dev in vfb-0 vkbd-0; do echo \"\$dev \$(readlink /sys/bus/xen/devices/\$dev/driver | sed 's|.*/||')\"; done" \
    >"$RUN/kcon.sysfs" 2>&1
is "$(tr '\n' ' ' <"$RUN/kcon.sysfs")" "vfb-0 vfb vkbd-0 vkbd " \
    "kcon: the guest kernel's xen-fbfront and xen-kbdfront drive them (sysfs)"
# the console's cursor blinks unless told not to: a still picture
g "$K" "echo 0 >/sys/class/graphics/fbcon/cursor_blink; printf '\\nxenfb: the console of domain %s\\n' $K >/dev/tty1" >/dev/null
SHOT=fb0 pictures_match "$K"
ok $? "kcon: the viewer shows the kernel's console exactly (VNC against the guest's /dev/fb0)"
diag "kcon: the console is $(vnc_size)"
# a key typed in the viewer reaches the console: a reader on tty1
text="typed at the console 42"
g "$K" "setsid sh -c 'exec cat >/tmp/ktyped' </dev/tty1 >/dev/null 2>&1 &
p=\$!; echo \$p >/tmp/kcat.pid; n=0
until [ \"\$(readlink /proc/\$p/fd/0)\" = /dev/tty1 ] && [ \"\$(cat /proc/\$p/comm)\" = cat ]; do
    n=\$((n + 1)); [ \$n -lt 300 ] || exit 1; sleep 0.1
done" >/dev/null
ok $? "kcon: a reader on the console (tty1)"
rfbkeys.py 127.0.0.1 "$(vnc_port "$K")" "$text" >"$RUN/keys.out" 2>&1 || diag_file "$RUN/keys.out"
got=$(g "$K" "p=\$(cat /tmp/kcat.pid); n=0
while kill -0 \$p 2>/dev/null && [ \$n -lt 300 ]; do sleep 0.2; n=\$((n + 1)); done
cat /tmp/ktyped")
is "$got" "$text" "kcon: text typed in the viewer reaches the console, exactly"
SHOT=fb0 pictures_match "$K"
ok $? "kcon: the viewer shows the console with the typed text, exactly"
phase "kcon: console, keys" "$(secs "$t")"

# the PV guest, devices=both: X shown; X stops: the console; X again
t=$(now)
wait_log 300 "domain $PV: kernel console framebuffer connected"
ok $? "both: the PV guest's kernel console is connected beside its X (devices=both)" || diag_file "$SERVE_LOG"
n=$(count "$SERVE_LOG" "domain $PV: showing the kernel's console")
g "$PV" "xstart stop; echo 0 >/sys/class/graphics/fbcon/cursor_blink" >/dev/null
wait_log_n 300 $((n + 1)) "domain $PV: showing the kernel's console"
ok $? "both: X stopped, the daemon shows the kernel's console" || diag_file "$SERVE_LOG"
SHOT=fb0 pictures_match "$PV"
ok $? "both: the viewer shows the console exactly (VNC against /dev/fb0)"
diag "both: the console is $(vnc_size)"
n=$(count "$SERVE_LOG" "domain $PV: showing the X screen")
out=$(xstart "$PV" 1280 800 1024x768)
ok $? "both: X started again" || diag "$out"
wait_log_n 300 $((n + 1)) "domain $PV: showing the X screen"
ok $? "both: the daemon shows the X screen again" || diag_file "$SERVE_LOG"
g "$PV" "xsetroot -solid '#705030'" >/dev/null
pictures_match "$PV"
ok $? "both: the viewer shows X exactly again"
is "$(vnc_pixel 5 5) $(vnc_size)" "705030 1024x768" "both: X's background, at 1024x768"
phase "both: X to console to X" "$(secs "$t")"
