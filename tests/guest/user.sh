#!/bin/sh
# X as an ordinary user (GDM, startx without the setuid wrapper): without
# access to xenstore and the Xen devices it stops with one [XFB-002] line
# naming what it may not open and the fix; with the access the group
# xenfb of the opt-in udev rule gives, it runs and exports its screen as
# root's X does. On the simulated Xen the domain's xenstore socket and
# hv.sock stand for /dev/xen/xenbus and the devices.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 4
need setpriv getent xsetroot
getent passwd nobody >/dev/null || bail "no user nobody"
xsim_setup
gntalloc_limit 1 16384
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
back_start
guest_config 1024 768 '"1024x768"'
chmod 711 "$TEST_TMP" "$XSIM_DIR"
caps=$(reach_caps nobody "$top_builddir")
mkdir -p "$TEST_TMP/xorg-guest" "$TEST_TMP/xorg-denied"
chmod 777 "$TEST_TMP/xorg-guest" "$TEST_TMP/xorg-denied"
chmod 644 "$TEST_TMP/xorg.conf"

as_user() {
    env $("$XSIM" env --domid 1 | sed -n "s/^export \([A-Z_]*\)='\(.*\)'$/\1=\2/p") \
        setpriv --reuid=nobody --regid=nogroup --clear-groups $caps "$@"
}

# no access: X stops, and says why
mkdir -p "$TEST_TMP/xorg-denied/conf.d" && : >"$TEST_TMP/xorg-denied/conf.d/00-empty.conf"
as_user "$XORG_BIN" -config "$TEST_TMP/xorg.conf" -configdir "$TEST_TMP/xorg-denied/conf.d" \
    -modulepath "$(xorg_modulepath)" -logfile "$TEST_TMP/xorg-denied/Xorg.log" -noreset \
    -nolisten tcp -displayfd 3 3>/dev/null >"$TEST_TMP/xorg-denied/out" 2>&1 </dev/null &
denied=$!
at_exit "kill $denied 2>/dev/null"
wait_for 30 sh -c "! kill -0 $denied 2>/dev/null"
ok $? "without access, X as an ordinary user stops"
grep -q "XENFB(0): \[XFB-002\] xenstore (/dev/xen/xenbus): Permission denied: this process (user nobody) may not open it: run X as root, or add the user to the group xenfb (adduser nobody xenfb)" \
    "$TEST_TMP/xorg-denied/Xorg.log"
ok $? "and its log names xenstore, the user and the fix"

# the access the udev rule's group gives
chmod 666 "$XSIM_DIR/xs-dom1.sock" "$XSIM_DIR/hv.sock"
xorg_start guest "$TEST_TMP/xorg.conf" as_user
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' 1 20
ok $? "with access, X as an ordinary user connects"
back use 1
"$XDRAW" cursor-blank && "$XDRAW" warp 0 0
xsetroot -solid '#4080c0'
wait_screen_matches 10
ok $? "and exports its screen pixel for pixel"
