#!/bin/sh
# libxl's `vkb = ["backend-type=linux"]` puts a userspace vkbd backend
# under backend/vinput: the core serves it as a vkbd, one of the guest
# kernel's devices (the daemon gives the kernel's xen-kbdfront one too).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

need xenstore-write xenstore-chmod
plan 4
xsim_setup
"$XSIM" create 1 >/dev/null
F=/local/domain/1/device/vkbd/0
B=/local/domain/0/backend/vinput/1/0
x0 xenstore-write $F/backend $B $F/backend-id 0 $F/state 1 \
    $B/frontend $F $B/frontend-id 1 $B/online 1 $B/state 1 &&
    x0 xenstore-chmod -r $F n1 r0 && x0 xenstore-chmod -r $B n0 r1
ok $? "vinput device nodes written as libxl writes them"

back_start
front_start 1 --no-fb --kbd-type vkbd
wait_line "$BACK_OUT" '^1 kernel kbd connected 1 1$'
ok $? "the vinput device connects"
wait_line "$BACK_OUT" '^log 1 info: vinput/0: connected'
ok $? "and is logged under its own name"
back key 103 1
wait_line "$(front_out 1)" '^key 103 1$'
ok $? "keys reach the frontend"

[ "$_tap_failed" -eq 0 ] || show_logs
