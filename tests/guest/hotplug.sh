#!/bin/sh
# X starts without its devices and picks them up when they appear (a
# xenstore watch, no polling); when they are removed (dom0's daemon
# detaches them, the backend domain restarts) X keeps running in its own
# memory, and connects again when they come back. What was drawn in
# between reaches the backend pixel for pixel; keys work each time.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 19
need xsetroot
xsim_setup
gntalloc_limit 1 16384
log=$(xorg_log guest)
granted() { "$XSIM" ctl dump-grants | grep -c "^granter=1 "; }
BE=/local/domain/0/backend/xenfb/1/0

guest_config 1024 768 '"1024x768"'
guest_x_start
xdpyinfo >/dev/null
ok $? "X starts with no device at all"
grep -q 'XENFB(0): \[XFB-004\] vfb 0: no device in xenstore yet (device/xenfb/0/backend and backend-id): waiting for it' "$log"
ok $? "the Xorg log says the vfb is awaited"
grep -q "XENFB(0): vfb 0: 1024x768, 32 bpp, line 4096: in the server's own memory until the device is there" "$log"
ok $? "and that the screen is in the server's own memory meanwhile"
is "$(granted)" 0 "nothing is granted"
xsetroot -solid '#123456'
"$XDRAW" fill 100 100 200 150 ff8000

# the devices appear: the picture moves into granted memory and connects
back_start
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' 1 20
ok $? "the device appears: X connects at 1024x768"
back use 1
wait_screen_matches 10
ok $? "what was drawn before it came is on the backend, pixel for pixel"
grep -q "XENFB(0): vfb 0: device device/xenfb/0 appeared, backend $BE (domain 0), 1024x768, 32 bpp, 3072 KiB granted" "$log"
ok $? "one line names the device, its backend and the geometry"
wait_line "$BACK_OUT" '^1 kbd connected ' 1 20
events_start
back key 30 1
back key 30 0
back_sync
wait_line "$EV_OUT" '^key release 38 ' 1 10
ok $? "keys arrive"

# removed: X goes on in its own memory, everything granted is released
detach --domid 1 || bail "detach failed"
wait_line "$BACK_OUT" '^1 disconnected$' 1 20
wait_for 10 grep -q "XENFB(0): vfb 0: device device/xenfb/0 removed (backend $BE, 1024x768, 32 bpp, 3072 KiB granted): released; waiting for it to come back" "$log"
ok $? "the device is removed: one line says so"
wait_for 10 grep -q 'XENFB(0): vfb 0: X goes on in its own memory (1024x768) until the device is back' "$log"
ok $? "X goes on in its own memory"
wait_for 10 grep -q 'xenkbd: vkbd 0: device gone; keys and buttons released' "$log"
ok $? "the keyboard lets go of its keys"
no_grants() { [ "$(granted)" = 0 ]; }
wait_for 10 no_grants
ok $? "nothing is left granted"
xsetroot -solid '#654321'
"$XDRAW" fill 300 200 128 64 00ff7f
is "$("$XDRAW" size)" "1024x768" "X keeps running and drawing"

# back: the picture drawn meanwhile reaches the new backend
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' 2 20
ok $? "the device comes back: X connects again"
back use 1
wait_screen_matches 10
ok $? "what was drawn while it was gone is there, pixel for pixel"
wait_line "$BACK_OUT" '^1 kbd connected ' 2 20
: >"$EV_OUT"
back key 48 1
back key 48 0
back_sync
wait_line "$EV_OUT" '^key release 56 ' 1 10
ok $? "keys arrive again (KEY_B: keycode 56)"

# made anew at once (a daemon that restarts removes and creates)
n=$(count "$BACK_OUT" '^1 connected ')
detach --domid 1 && attach --domid 1 --max-width 1024 --max-height 768 || bail "re-attach failed"
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' $((n + 1)) 20
ok $? "detached and attached again at once: connected again"
back use 1
"$XDRAW" fill 10 10 50 50 ffffff
wait_screen_matches 10
ok $? "pixel for pixel"
is "$(granted)" 776 "one set of pages granted, not two: 768 of framebuffer, a directory, two shared pages, the cursor's five"
