#!/bin/sh
# A RandR change to a mode larger than the memory X granted: new memory,
# the backend told by the frontend's reconnection; the VNC client stays
# connected and gets the new mode pixel for pixel. Back down, the memory
# goes back (counted where the hypervisor holds the grants). What dom0's
# limits or gntalloc's refuse is a RandR error: X stays in its mode and
# the picture is intact.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 20
need xrandr xsetroot awk
viewer_setup
serve_start --refresh 40
granted() { "$XSIM" ctl dump-grants | grep -c "^granter=1 "; }
log=$(xorg_log dom1)

paint() {
    xsetroot -solid '#204080'
    "$XDRAW" fill 0 0 5 "$2" ff0000
    "$XDRAW" fill $(($1 - 5)) 0 5 "$2" 00ff00
    "$XDRAW" fill $(($1 / 4)) $(($2 / 4)) $(($1 / 2)) $(($2 / 2)) ffff00
}

add_mode() {
    local clock
    clock=$(awk -v t=$(($1 + 160)) -v v=$(($2 + 30)) 'BEGIN { printf "%.2f", t * v * 60 / 1e6 }')
    xrandr --newmode "${1}x${2}t" "$clock" "$1" $(($1 + 48)) $(($1 + 80)) $(($1 + 160)) \
        "$2" $(($2 + 3)) $(($2 + 8)) $(($2 + 30)) -hsync +vsync &&
        xrandr --addmode XENFB-0 "${1}x${2}t"
}

# dom0 allows up to 1920x1200; X itself is capped higher
gntalloc_limit 1 32768
attach --domid 1 --max-width 1920 --max-height 1200 || bail "attach failed"
guest_conf 1 2560 1600 '"1024x768"'
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1024x768" 1 20 || bail "no framebuffer"
wait_line "$SERVE_LOG" "domain 1: keyboard and pointer connected" 1 20
# 768 pages of framebuffer, a directory, the vfb's and the vkbd's pages,
# and the cursor's five (the daemon offers feature-cursor)
is "$(granted)" 776 "X starts at 1024x768 with what that mode needs: 776 pages"
paint 1024 768
wait_match capture_matches 1
ok $? "1024x768: pixel for pixel"

# larger than the memory: re-granted while a client watches
"$PY" "$top_srcdir/tests/viewer/rfbframes.py" 127.0.0.1 "$(vnc_port 1)" 1920 1080 60 \
    >"$TEST_TMP/frames.out" 2>&1 &
frames_pid=$!
at_exit "kill $frames_pid 2>/dev/null"
wait_line "$TEST_TMP/frames.out" '^ready$' 1 20 || bail "the watching client did not start"
add_mode 1920 1080 && xrandr --output XENFB-0 --mode 1920x1080t
ok $? "xrandr to 1920x1080, larger than the memory granted: accepted"
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1920x1080, 32 bits" 1 20
ok $? "the backend maps the new memory"
grep -q 'XENFB(0): Screen resized to 1920x1080 (line 7680; 8100 KiB granted)' "$log"
ok $? "the Xorg log says how much was granted"
paint 1920 1080
wait "$frames_pid"
ok $? "a VNC client watching throughout stays connected and gets the 1920x1080 picture"
diag "what it saw (ms, size, content): $(grep '^frame' "$TEST_TMP/frames.out" | cut -d' ' -f2- | tr '\n' ';')"
wait_match capture_matches 1
ok $? "1920x1080: pixel for pixel"
is "$(granted)" 2034 "2034 pages now, the old memory given back"

# back down: the memory goes back
xrandr --output XENFB-0 --mode 1024x768
ok $? "xrandr back to 1024x768"
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1024x768" 2 20
paint 1024 768
wait_match capture_matches 1
ok $? "1024x768 again: pixel for pixel"
is "$(granted)" 776 "its memory only: 776 pages"

# beyond dom0's limits
add_mode 2560 1440
xrandr --output XENFB-0 --mode 2560x1440t 2>/dev/null
is "$? $("$XDRAW" size)" "1 1024x768" "2560x1440, beyond dom0's 1920x1200: a RandR error, X stays at 1024x768"
grep -q 'XENFB(0): \[XFB-015\] vfb 0: mode 2560x1440 (14400 KiB of framebuffer) is beyond the backend.s limits, 1920x1200 (max-width and max-height in /local/domain/0/backend/xenfb/1/0)' "$log"
ok $? "[XFB-015] names the limits and where they are"
grep -q "XENFB(0): Cannot resize to 2560x1440: beyond the backend's limits (see above); the screen stays 1024x768" "$log"
ok $? "and the driver says the screen stays"
wait_match capture_matches 1
ok $? "the picture is intact"

# gntalloc's limit holds neither both nor the new memory alone
gntalloc_limit 1 2000
xrandr --output XENFB-0 --mode 1920x1080t 2>/dev/null
is "$? $("$XDRAW" size)" "1 1024x768" "1920x1080 under a gntalloc limit of 2000 pages: a RandR error, X stays"
grep -q 'XENFB(0): \[XFB-003\] gntalloc limit reached: vfb 0 needs 2028 grant pages (limit [a-z0-9]*); raise xen_gntalloc.s limit' "$log"
ok $? "[XFB-003] says what to raise"
grep -q "XENFB(0): Cannot resize to 1920x1080: No space left on device (see above); the screen stays 1024x768" "$log"
ok $? "the driver says the screen stays"
wait_line "$SERVE_LOG" "domain 1: framebuffer connected: 1024x768" 3 20
wait_match capture_matches 1
ok $? "the picture is intact, at the viewer too"
is "$(granted)" 776 "nothing left over: 776 pages"
