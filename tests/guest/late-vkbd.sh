#!/bin/sh
# The vkbd appears after X started (the toolstack attached only the vfb
# at first): xenkbd says so once, waits on a xenstore watch (no retry
# timer), and takes keys as soon as the device comes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 5
xsim_setup
gntalloc_limit 1 4096
attach --domid 1 --vfb --max-width 1024 --max-height 768 || bail "attach failed"
back_start
guest_config 1024 768 '"1024x768"'
guest_x_start
wait_line "$BACK_OUT" '^1 connected ' 1 20 || bail "the guest's vfb did not connect"
back use 1
log=$(xorg_log guest)
wait_for 10 grep -q 'xenkbd: \[XFB-004\] vkbd 0: no device in xenstore yet (device/xenkbd/0/backend and backend-id): waiting for it' "$log"
ok $? "X starts without the vkbd and says it waits for it"

attach --domid 1 --vkbd || bail "attach --vkbd failed"
wait_line "$BACK_OUT" '^1 kbd connected ' 1 30
ok $? "the vkbd connects once attached"
grep -q 'vkbd 0: device device/xenkbd/0 appeared, backend /local/domain/0/backend/xenkbd/1/0 (domain 0)' "$log"
ok $? "the Xorg log says it appeared, and where its backend is"
is "$(grep -c 'XFB-004' "$log")" 1 "the missing device is logged once"

events_start
back key 30 1
back key 30 0
back_sync
wait_line "$EV_OUT" '^key release 38 ' 1 10
is "$(grep '^key ' "$EV_OUT" | cut -d' ' -f1-3 | tr '\n' '|')" "key press 38|key release 38|" \
    "a key from the backend arrives (KEY_A: keycode 38)"
