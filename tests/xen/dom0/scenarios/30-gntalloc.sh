# gntalloc's real limit: 1920x1080 needs 2029 grant pages, Linux's
# default limit is 1024. The xenfb-guest package raises it (its
# modprobe.d file), so a guest with the package runs X at 1920x1080 with
# no step of anyone's: nothing on the kernel command line, nothing
# written to sysfs. Without that file the limit is Linux's default again
# and X says why it cannot export the screen ([XFB-003]); raised, X
# exports it once more.

guest_ready big "big: a second PV domU (nothing about gntalloc on its command line) comes up the same way" ||
    return 0
BIG=$D
t=$(now)
lim=/sys/module/xen_gntalloc/parameters/limit
# what modprobe's configuration says (the package's file; /lib is /usr/lib)
pkg=$(g "$BIG" "modprobe -c | sed -n 's/^options xen_gntalloc limit=\([0-9]*\).*/\1/p' | tail -n 1")
diag "gntalloc: modprobe's configuration says limit=${pkg:-nothing} ($(g "$BIG" "grep -l xen_gntalloc /usr/lib/modprobe.d/*.conf /etc/modprobe.d/*.conf 2>/dev/null" | tr '\n' ' '))"
is "$(g "$BIG" "cat $lim")" "${pkg:-none}" \
    "gntalloc: the guest kernel's limit is the package's (modprobe.d), with no manual step"
[ "${pkg:-0}" -ge 2029 ]
ok $? "gntalloc: which holds 1920x1080 (2029 pages)"
out=$(xinit "$BIG" 600)
ok $? "gntalloc: the Xorg the guest's init started at 1920x1080 runs" || diag "$out"
diag "$out"
wait_log 300 "domain $BIG: framebuffer connected: 1920x1080"
ok $? "gntalloc: the daemon maps the 1920x1080 framebuffer" || diag_file "$SERVE_LOG"
g "$BIG" "xsetroot -solid '#a03060'
(xterm -geometry 100x20+1500+900 -fa '' -fn fixed -T xfbdeco -e sh -c 'dmesg | tail -n 30; exec sleep 100000' >/dev/null 2>&1 &)
timeout 60 xdotool search --sync --onlyvisible --name xfbdeco >/dev/null" >/dev/null
pictures_match "$BIG"
ok $? "gntalloc: VNC shows the 1920x1080 screen exactly"
is "$(vnc_pixel 5 5) $(vnc_size)" "a03060 1920x1080" "gntalloc: the guest's background, at 1920x1080"
phase "gntalloc: X at boot to the 1920x1080 picture" "$(secs "$t")"

# without the package's file: gntalloc loaded with no configuration
t=$(now)
is "$(g "$BIG" "xstart stop && rmmod xen_gntalloc && modprobe -C /dev/null xen-gntalloc && cat $lim" 2>&1)" 1024 \
    "gntalloc: loaded without the package's modprobe.d file, the limit is Linux's default, 1024"
out=$(xstart "$BIG" 1920 1080 1920x1080)
diag "gntalloc: X at 1920x1080 with that limit: $(echo "$out" | head -n 2 | tr '\n' ' ')"
g "$BIG" "grep -F '[XFB-003]' /var/log/Xorg.0.log" >"$RUN/xfb003" 2>&1
ok $? "gntalloc: X's log says why the screen is not exported, and what to raise: [XFB-003]" ||
    g "$BIG" "grep -E 'XFB|vfb' /var/log/Xorg.0.log | tail -n 5" | while IFS= read -r l; do diag "  $l"; done
diag_file "$RUN/xfb003" 2
is "$(grep -c -F '[XFB-003]' "$RUN/xfb003")" 1 "gntalloc: and says it once (X's first mode set asks for the same memory again)"
n=$(count "$SERVE_LOG" "domain $BIG: framebuffer connected: 1920x1080")
g "$BIG" "echo $pkg >$lim" >/dev/null
out=$(xstart "$BIG" 1920 1080 1920x1080)
ok $? "gntalloc: with the limit raised again (sysfs), X restarted at 1920x1080 runs" || diag "$out"
wait_log_n 300 $((n + 1)) "domain $BIG: framebuffer connected: 1920x1080"
ok $? "gntalloc: and exports its screen again (the daemon maps it)" || diag_file "$SERVE_LOG"
g "$BIG" "xsetroot -solid '#30a060'" >/dev/null
pictures_match "$BIG"
ok $? "gntalloc: VNC shows the restarted X exactly"
is "$(vnc_pixel 5 5)" 30a060 "gntalloc: with its new background"
phase "gntalloc: without the package's limit and back" "$(secs "$t")"
