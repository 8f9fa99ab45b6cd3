# gntalloc's real limit: 1920x1080 needs 2029 grant pages; with the guest
# kernel's default limit (1024) X does not start and says so ([XFB-003]);
# with the limit raised (at run time, through sysfs) it starts and the
# viewer shows it.

guest_ready big "big: a second PV domU (gntalloc's default limit) comes up the same way" || return 0
BIG=$D
t=$(now)
is "$(g "$BIG" "cat /sys/module/xen_gntalloc/parameters/limit")" 1024 \
    "gntalloc: the guest kernel's default limit is 1024 pages"
out=$(xstart "$BIG" 1920 1080 1920x1080)
rc=$?
[ "$rc" -ne 0 ]
ok $? "gntalloc: with that limit, X at 1920x1080 does not start" || diag "$out"
g "$BIG" "grep -F '[XFB-003]' /var/log/Xorg.0.log" >"$RUN/xfb003" 2>&1
ok $? "gntalloc: its log says why and what to raise: [XFB-003]" || diag "$out"
diag_file "$RUN/xfb003" 2
g "$BIG" "echo 4096 >/sys/module/xen_gntalloc/parameters/limit"
out=$(xstart "$BIG" 1920 1080 1920x1080)
ok $? "gntalloc: with the limit raised to 4096 (sysfs), X at 1920x1080 starts" || diag "$out"
diag "$out"
wait_log 120 "domain $BIG: framebuffer connected: 1920x1080"
ok $? "gntalloc: the daemon maps the 1920x1080 framebuffer" || diag_file "$SERVE_LOG"
g "$BIG" "xsetroot -solid '#a03060'
(xterm -geometry 100x20+1500+900 -fa '' -fn fixed -T xfbdeco -e sh -c 'dmesg | tail -n 30; exec sleep 100000' >/dev/null 2>&1 &)
timeout 60 xdotool search --sync --onlyvisible --name xfbdeco >/dev/null" >/dev/null
pictures_match "$BIG"
ok $? "gntalloc: VNC shows the 1920x1080 screen exactly"
is "$(vnc_pixel 5 5) $(vnc_size)" "a03060 1920x1080" "gntalloc: the guest's background, at 1920x1080"
phase "gntalloc: both X starts and the pixels" "$(secs "$t")"
