#!/bin/sh
# SIGHUP reads the guests file again: a newly named running domain gets
# its devices, one no longer named loses those the daemon made (never a
# device made by hand with attach, which goes only with its domain), and
# changed options apply. A file with a bad line changes nothing: one
# line in the log says where and what, and the configuration in use
# stays.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 18
viewer_setup
domain 3 web1
domain 4 web2
attach --domid 5 --max-width 640 --max-height 480 || bail "attach failed"
guests_conf "guest web1"
serve_start --verbose --config "$GUESTS_CONF"
created 3 web1 || bail "web1 got no devices"
wait_line "$SERVE_LOG" "domain 4: guest 'web2': not named" || bail "web2 was not looked at"
wait_line "$SERVE_LOG" "domain 5: vkbd/0: found" || bail "the hand-made device was not served"

guests_conf "guest web1 max-size=1024x768 keyboard=no" "guest web2 max-size=800x600 clipboard=both"
reload
grep -q "info: SIGHUP: configuration reloaded: $GUESTS_CONF: 2 guests named" "$SERVE_LOG"
ok $? "SIGHUP: the daemon says it read the file again"
created 4 web2
ok $? "a newly named running domain gets its devices"
is "$(rd /local/domain/0/backend/xenfb/4/0/max-width)x$(rd /local/domain/0/backend/xenfb/4/0/max-height)" \
    "800x600" "with its line's max-size"
wait_line "$SERVE_LOG" "domain 3: guest 'web1': keyboard removed: keyboard=no"
ok $? "keyboard=no takes the keyboard the daemon made away"
gone /local/domain/0/backend/xenkbd/3/0 && gone /local/domain/3/device/xenkbd/0
ok $? "both of its directories"
wait_line "$SERVE_LOG" "domain 3: guest 'web1': max-size 1024x768 from its next connection"
is "$(rd /local/domain/0/backend/xenfb/3/0/max-width)" "1024" "a new max-size is written"

# policy_is WAY: web2's clipboard device says WAY
policy_is() { [ "$(rd /local/domain/0/backend/xenclip/4/0/clipboard)" = "$1" ]; }
wait_for 20 policy_is both
ok $? "clipboard=both: a clipboard device, its policy written"

guests_conf "guest web2 max-size=800x600 clipboard=to-guest"
reload
wait_line "$SERVE_LOG" "domain 3: guest 'web1': devices removed: no longer named"
ok $? "a domain no longer named loses its devices"
gone /local/domain/0/backend/xenfb/3 && gone /local/domain/3/device/xenfb/0
ok $? "backend and frontend directories both"
wait_line "$SERVE_LOG" "domain 3: vfb/0: removed" && wait_line "$SERVE_LOG" "domain 3: guest gone"
ok $? "and the daemon stops serving it"
wait_for 20 policy_is to-guest
ok $? "a changed clipboard= rewrites the policy node (a connected device follows it at once)"
wait_line "$SERVE_LOG" "domain 5: guest 'guest5': not named: no devices of ours" 3
is "$(rd /local/domain/0/backend/xenfb/5/0/created-by):$(rd /local/domain/5/device/xenfb/0/state)" \
    "attach:1" "a device made by hand with attach stays"

guests_conf "guest web2 max-size=800x600" "guest web3 devices=vfb" "guest web1"
reload
line="xenfb-backend: error: SIGHUP: $GUESTS_CONF:2: bad devices 'vfb': give devices=both, kernel or xenfb; keeping the configuration in use"
is "$(grep -c "SIGHUP: $GUESTS_CONF" "$SERVE_LOG")" "1" "a bad line: one line in the log"
grep -qxF "$line" "$SERVE_LOG"
ok $? "naming the file, the line, what is wrong and what to do"
# the configuration in use is the one before: web1 is still not named
guests_conf "guest web2 max-size=800x600" "guest web1"
reload
created 3 web1 2
ok $? "the configuration in use stayed (web1 came back only with the good file)"
is "$(rd /local/domain/0/backend/xenfb/4/0/created-by)" "serve" "and web2 kept its devices throughout"

"$XSIM" destroy 5 >/dev/null
wait_line "$SERVE_LOG" "domain 5: domain is gone: its backend directories removed"
ok $? "the hand-made device goes with its domain"
serve_stop
is "$SERVE_RC" "0" "the daemon stops cleanly"

[ "$_tap_failed" -eq 0 ] || show_serve_log 60
