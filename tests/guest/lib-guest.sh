# The guest side under test: a real Xorg in domain 1 with the built xenfb
# and xenkbd, the backend core (tests/back/xfb-back-tool) in dom0. Source
# after lib.sh; it sources lib-back.sh and lib-xorg.sh.
#
#   guest_start MAXW MAXH "MODES" [LAYOUT]  attach domain 1, start the
#                       backend tool and the guest X server; returns once
#                       the vfb is connected and the cursor is hidden
#   guest_restart_x     stop and start the guest X server again
#   screen_matches      xwd -root equals the backend's mapped pixels
#   mark / updates_since_mark   the update lines since a point in time

. "$top_srcdir/tests/back/lib-back.sh"
. "$top_srcdir/tests/lib-xorg.sh"

XDRAW="$top_builddir/tests/guest/xdraw"
XWDCMP="$top_srcdir/tests/guest/xwdcmp.py"

xorg_modulepath() {
    echo "$top_builddir/xf86-video-xenfb/.libs,/usr/lib/xorg/modules"
}

guest_config() {
    sed -e "s/@MAXW@/$1/" -e "s/@MAXH@/$2/" -e "s/@MODES@/$3/" -e "s/@LAYOUT@/${4:-us}/" \
        "$top_srcdir/xf86-video-xenfb/examples/xorg-headless-test.conf" >"$TEST_TMP/xorg.conf"
}

# The software cursor is drawn into the framebuffer but xwd leaves it
# out: blank the root cursor and park the pointer in the top-left corner,
# where the tests put no window (a window's own cursor would show).
guest_x_start() {
    xorg_start guest "$TEST_TMP/xorg.conf" "$XSIM" run --domid 1 --
    "$XDRAW" cursor-blank && "$XDRAW" warp 0 0 || bail "cannot talk to the guest X server"
}

guest_start() {
    need python3 xwd xdpyinfo
    xsim_setup
    # the default gntalloc limit (1024 pages) is below most modes tested
    gntalloc_limit 1 16384
    attach --domid 1 --max-width "$1" --max-height "$2" || bail "attach failed"
    back_start
    back use 1 2>/dev/null || true
    guest_config "$@"
    guest_x_start
    wait_line "$BACK_OUT" '^1 connected ' 1 20 || bail "the guest's vfb did not connect"
    back use 1
}

guest_restart_x() {
    xorg_stop guest
    guest_x_start
}

# The root window's geometry as the backend sees it: W H STRIDE DEPTH
fb_mode() {
    grep -E '^1 (connected|resize) ' "$BACK_OUT" | tail -n 1 | cut -d' ' -f3-6
}

# screen_matches: true when what X holds equals what the backend maps
screen_matches() {
    set -- $(fb_mode)
    xwd -root -silent >"$TEST_TMP/screen.xwd" || return 1
    rm -f "$TEST_TMP/fb.raw"
    back dump "$TEST_TMP/fb.raw"
    back_sync
    python3 "$XWDCMP" "$TEST_TMP/screen.xwd" "$TEST_TMP/fb.raw" "$1" "$2" "$4" \
        >"$TEST_TMP/cmp.out" 2>&1
}

# wait_screen_matches SECONDS: for drawing whose end no event announces
# (an xterm rendering text); reports the last difference on failure
wait_screen_matches() {
    if wait_for "${1:-10}" screen_matches; then
        return 0
    fi
    sed 's/^/# /' "$TEST_TMP/cmp.out"
    return 1
}

mark() { _mark=$(wc -l <"$BACK_OUT"); }
since_mark() { tail -n +"$((_mark + 1))" "$BACK_OUT"; }
updates_since_mark() { since_mark | grep -E '^1 update '; }

XEVENTS="$top_builddir/tests/guest/xevents"
EV_OUT="$TEST_TMP/xevents.out"

# events_start: an X client in the guest that prints the events it gets
events_start() {
    rm -f "$TEST_TMP/xevents.in"
    mkfifo "$TEST_TMP/xevents.in"
    : >"$EV_OUT"
    # appending, so that tests may empty the file while it runs
    "$XEVENTS" <"$TEST_TMP/xevents.in" >>"$EV_OUT" 2>&1 &
    EV_PID=$!
    exec 6>"$TEST_TMP/xevents.in"
    at_exit "exec 6>&-; kill $EV_PID 2>/dev/null"
    wait_line "$EV_OUT" '^ready$' 1 10 || bail "xevents did not start"
}

# The 105 keys of an ISO (pc105) keyboard, as Linux key codes
PC105_KEYS="1 59 60 61 62 63 64 65 66 67 68 87 88 99 70 119
41 2 3 4 5 6 7 8 9 10 11 12 13 14 110 102 104 69 98 55 74
15 16 17 18 19 20 21 22 23 24 25 26 27 28 111 107 109 71 72 73 78
58 30 31 32 33 34 35 36 37 38 39 40 43 75 76 77
42 86 44 45 46 47 48 49 50 51 52 53 54 103 79 80 81 96
29 125 56 57 100 126 127 97 105 108 106 82 83"
