#!/bin/sh
# No backend when X starts: the server starts anyway (a guest's desktop is
# useful without a viewer), says so once the timeout passes, and exports
# the screen as soon as a backend comes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 5
need xsetroot
xsim_setup
gntalloc_limit 1 16384
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
guest_config 1024 768 '"1024x768"'
sed -i 's/^\(    Driver     "xenfb"\)$/\1\n    Option     "BackendTimeout" "1"/' "$TEST_TMP/xorg.conf"
guest_x_start
xdpyinfo >/dev/null
ok $? "X runs with no backend"
wait_for 10 grep -q 'XENFB(0): \[XFB-006\] vfb 0: no backend after 1000 ms' "$(xorg_log guest)"
ok $? "after BackendTimeout the Xorg log says no backend came"
xsetroot -solid '#123456'

back_start
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' 1 20
ok $? "a backend started later connects"
back use 1
wait_screen_matches 10
ok $? "and shows what was drawn before it came"
grep -q 'XENFB(0): vfb 0: connected to /local/domain/0/backend/xenfb/1/0: 1024x768, 32 bpp, line 4096' "$(xorg_log guest)"
ok $? "the Xorg log says the screen is exported, where and how"
