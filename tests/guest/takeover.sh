#!/bin/sh
# Another writer rewrites the nodes of the device X uses (as a Linux
# kernel frontend that loads late does with event-channel and state):
# xenfb lets go of the device with one line instead of mixing two
# frontends' pages on one backend, X keeps running in its own memory, and
# the device made anew is taken again.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 7
need xsetroot xenstore-write
guest_start 1024 768 '"1024x768"'
log=$(xorg_log guest)
xsetroot -solid '#345678'

"$XSIM" run --domid 1 -- xenstore-write device/xenfb/0/event-channel 99 device/xenfb/0/state 3 ||
    bail "cannot write as the guest"
wait_for 10 grep -q 'XENFB(0): \[XFB-016\] vfb 0: another writer changed device/xenfb/0 (state [0-9-]*, ours 4; event-channel 99, ours [0-9]*): a kernel frontend or a tool drives this device too; xenfb lets go of it until the device is made anew' "$log"
ok $? "a foreign event-channel: one line says what changed and what xenfb does"
wait_line "$BACK_OUT" '^1 disconnected$' 1 20
ok $? "the backend sees the frontend go"
grep -q 'XENFB(0): vfb 0: X goes on in its own memory (1024x768) until the device is back' "$log"
ok $? "X goes on in its own memory"
is "$("$XSIM" run --domid 0 -- xenstore-read /local/domain/1/device/xenfb/0/event-channel)" 99 \
    "xenfb writes nothing over the other writer's nodes"
"$XDRAW" fill 100 100 300 200 ff0000
is "$("$XDRAW" size)" "1024x768" "X keeps drawing"

# the toolstack makes the device anew: taken again
detach --domid 1 && attach --domid 1 --max-width 1024 --max-height 768 || bail "re-attach failed"
wait_line "$BACK_OUT" '^1 connected 1024 768 4096 32$' 2 20
ok $? "the device made anew is taken again"
back use 1
wait_screen_matches 10
ok $? "with what was drawn meanwhile, pixel for pixel"
