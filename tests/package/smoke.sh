#!/bin/sh
# The installed Debian packages, end to end: the backend from PATH
# (xenfb-backend, as its unit runs it: --user _xenfb), Xorg loading xenfb and xenkbd from its own module
# directory (no -modulepath of ours), xenfb-agent with the installed
# libxenfbfront. A VNC client sees the guest's screen pixel for pixel and
# types into it. Run by `./run check --packages` after installing them;
# the simulated Xen comes from the build tree.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 17
need dpkg-query xsetroot xterm xdotool

owner() { dpkg-query -S "$1" 2>/dev/null | cut -d: -f1; }
BACKEND=$(command -v xenfb-backend)
is "$BACKEND" /usr/sbin/xenfb-backend "xenfb-backend is on PATH from /usr/sbin"
is "$(owner /usr/sbin/xenfb-backend) $(owner /usr/lib/xorg/modules/drivers/xenfb_drv.so)" \
    "xenfb-backend xenfb-guest" "the backend and the video driver come from their packages"
is "$(owner /usr/lib/xorg/modules/input/xenkbd_drv.so) $(owner "$(command -v xenfb-agent)")" \
    "xenfb-guest xenfb-guest" "the input driver and xenfb-agent come from xenfb-guest"

getent passwd _xenfb >/dev/null
ok $? "installing xenfb-backend created its system user _xenfb"
dpkg-query -W -f='${Conffiles}\n' xenfb-backend | grep -q '^ /etc/xenfb/guests.conf '
ok $? "xenfb-backend ships /etc/xenfb/guests.conf as a conffile"
is "$(grep -c '^guest' /etc/xenfb/guests.conf)" "0" "which names no guest until edited"
getent group xenfb >/dev/null
ok $? "installing xenfb-guest created the opt-in group xenfb of its udev rule"

# the guest is configured at boot: the modules the drivers need, and a
# gntalloc limit for 3840x2160 twice over
is "$(grep -v '^#' /lib/modules-load.d/xenfb.conf | tr '\n' ' ')" "xen-gntalloc xen-evtchn " \
    "xenfb-guest loads xen-gntalloc and xen-evtchn at boot"
is "$(grep -v '^#' /lib/modprobe.d/xenfb.conf)" "options xen_gntalloc limit=16384" \
    "and gives gntalloc a limit of 16384 pages"
is "$(sed -n 's/^ExecStart=//p' /lib/systemd/system/xenfb-backend.service)" \
    "/usr/sbin/xenfb-backend serve --foreground --user _xenfb" \
    "the systemd unit runs the daemon as _xenfb"

# Xorg's default module path only: what an installed guest gets
xorg_modulepath() { echo /usr/lib/xorg/modules; }

viewer_setup
serve_start --user _xenfb    # as the unit does
guest_up 1 1024 768 '"1024x768"'
log=$(xorg_log dom1)
grep -q 'Loading /usr/lib/xorg/modules/drivers/xenfb_drv.so' "$log" &&
    grep -q 'Loading /usr/lib/xorg/modules/input/xenkbd_drv.so' "$log"
ok $? "Xorg loads both drivers from its standard module directory"

xsetroot -solid '#3060a0'
"$XDRAW" fill 200 150 320 240 f0c020
wait_match capture_matches 1
ok $? "a VNC client sees the guest's screen, every pixel"

rm -f "$TEST_TMP/typed"
xterm -geometry 60x5+100+100 -fa '' -fn fixed -T xfbcat -e sh -c "cat > '$TEST_TMP/typed'" &
XTERM_PID=$!
focus_window xfbcat || diag "the xterm did not get the focus"
"$PY" "$top_srcdir/tests/viewer/rfbkeys.py" 127.0.0.1 "$(vnc_port 1)" 'typed via VNC' >/dev/null
wait_for 10 sh -c "! kill -0 $XTERM_PID 2>/dev/null"
is "$(cat "$TEST_TMP/typed" 2>/dev/null)" "typed via VNC" "typing in the VNC client reaches the guest"

# xenfb-agent check (the installed program and library) in a second guest
attach --domid 2 --max-width 1024 --max-height 768 || bail "attach 2 failed"
in_initwait() {
    for t in xenfb xenkbd; do
        [ "$("$XSIM" run --domid 0 -- xenstore-read "/local/domain/0/backend/$t/2/0/state")" = 2 ] ||
            return 1
    done
}
wait_for 10 in_initwait || diag "the daemon did not take domain 2's devices"
out=$("$XSIM" run --domid 2 -- xenfb-agent check 2>&1)
ok $? "xenfb-agent check in a guest with a backend: exit 0" || echo "$out" | sed 's/^/# /'
is "$(echo "$out" | tail -n 1)" "all is well" "xenfb-agent check says all is well"

serve_stop
is "$SERVE_RC" 0 "the installed backend stops cleanly on SIGTERM"
xorg_stop dom1
is "$("$XSIM" ctl dump-grants | grep -c 'granter=1 ')" 0 "the guest's X server leaves no grant behind"
