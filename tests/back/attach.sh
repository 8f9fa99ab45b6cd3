#!/bin/sh
# xenfb-backend attach / detach: the nodes and permissions of protocol.md
# section 1, nothing written for a domain that does not exist, and one
# clear line for a wrong command line.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

need xenstore-read
plan 22
xsim_setup
"$XSIM" create 3 >/dev/null

# read a node as dom0, or as domain D
rd() { x0 xenstore-read "$1" 2>/dev/null; }
perms() { "$XSIM" ctl dump-store | grep -e "^$1 = " | sed 's/.*(\(.*\))$/\1/'; }

attach --domid 3 --max-width 800 --max-height 600
ok $? "attach succeeds"
F=/local/domain/3/device/xenfb/0
B=/local/domain/0/backend/xenfb/3/0
is "$(rd $F/backend) $(rd $F/backend-id) $(rd $F/state)" "$B 0 1" "frontend dir names the backend, state 1"
is "$(rd $B/frontend) $(rd $B/frontend-id) $(rd $B/online) $(rd $B/state)" "$F 3 1 1" \
    "backend dir names the frontend, online, state 1"
is "$(rd $B/max-width)x$(rd $B/max-height) $(rd $B/videoram)" "800x600 2" "limits in the backend dir"
is "$(perms $F)" "n3,r0" "guest owns its frontend dir, backend may read"
is "$(perms ${F%/0})" "n0,r3" "device/xenfb keeps device's permissions, as libxl leaves them"
is "$(perms $B)" "n0,r3" "backend owns its backend dir, guest may read"
is "$(perms $B/max-width)" "n0,r3" "the guest cannot change the limits"
is "$(rd /local/domain/0/backend/xenkbd/3/0/state)" "1" "vkbd attached too by default"
is "$(rd $B/created-by) $(rd /local/domain/0/backend/xenkbd/3/0/created-by)" "attach attach" \
    "both say attach made them (the daemon leaves them to their domain)"

attach --domid 3 2>"$TEST_TMP/err"
[ $? -eq 1 ] && grep -q "already attached" "$TEST_TMP/err"
ok $? "attaching twice fails with one line"

detach --domid 3
ok $? "detach succeeds"
rd $B/state >/dev/null || rd $F/state >/dev/null
[ $? -ne 0 ]
ok $? "detach removed both directories"

attach --domid 3 --vkbd --devid 1 && [ -z "$(rd /local/domain/0/backend/xenfb/3/1/state)" ] &&
    [ "$(rd /local/domain/0/backend/xenkbd/3/1/state)" = 1 ]
ok $? "--vkbd --devid 1 attaches that device only"
attach --domid 3 --vfb --devid 2
B2=/local/domain/0/backend/xenfb/3/2
is "$(rd $B2/max-width)x$(rd $B2/max-height) $(rd $B2/videoram)" "3840x2160 32" \
    "without --max-width/--max-height: 3840x2160, as the daemon's default"

# a domain that is not there (destroyed, or never created) gets nothing
x0 "$BACKEND" attach --domid 9 2>"$TEST_TMP/err"
is "$?:$(cat "$TEST_TMP/err")" \
    "1:xenfb-backend attach: domain 9: no such domain (no /local/domain/9): create it first" \
    "attach to a domain that does not exist: status 1, one line"
"$XSIM" ctl dump-store | grep -c -e '^/local/domain/9' -e 'backend/[a-z]*/9' >"$TEST_TMP/n"
is "$(cat "$TEST_TMP/n")" "0" "and nothing of domain 9 is written"
"$XSIM" destroy 3 >/dev/null
detach --domid 3
ok $? "detach of a destroyed domain removes what it left behind"

one_line() {
    "$BACKEND" "$@" 2>"$TEST_TMP/err"
    rc=$?
    [ "$rc" -eq 2 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ]
}
one_line attach
ok $? "attach without --domid: one line, status 2"
one_line attach --domid 3 --max-width 0
ok $? "a zero width: one line, status 2"
one_line frobnicate
ok $? "an unknown command: one line, status 2"
one_line serve --bogus
ok $? "serve with an unknown option: one line, status 2"
