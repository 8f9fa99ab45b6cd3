#!/bin/sh
# A domain the guests file names gets its screen with no attach: the
# daemon makes its devices as it appears, and a real Xorg in it reaches a
# VNC client pixel for pixel. A reboot (the domain destroyed, a new one
# of the same name with a new domid) gets it back; so does a domain named
# by UUID (at start, and as it appears), one that only `*` names, and an
# incoming migration ("NAME--incoming", renamed NAME once it has arrived). A domain nobody
# names gets nothing.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 18
need xsetroot
viewer_setup
U4=5e0b7c6a-1d2e-4f00-8a9b-0123456789ab
# named by UUID, and running before the daemon starts
domain 4 db1 "$U4"
guests_conf "# dom0's list" "guest web1 max-size=1280x1024" "guest $U4 keyboard=no"
serve_start --verbose --config "$GUESTS_CONF"
created 4 db1
ok $? "a domain named by UUID, running at start, gets its devices"
is "$(rd /local/domain/0/backend/xenfb/4/0/created-by):$(rd /local/domain/4/device/xenkbd/0/state)" \
    "serve:" "made by the daemon, without a keyboard (keyboard=no)"

domain 3 web1
created 3 web1
ok $? "a named domain gets its devices as it appears: no attach"
B=/local/domain/0/backend/xenfb/3/0
is "$(rd $B/max-width)x$(rd $B/max-height) $(rd $B/created-by)" "1280x1024 serve" \
    "with the max-size of its line, made by the daemon"
grep -q "domain 3: guest 'web1': devices created (max-size 1280x1024, keyboard; kernel vfb 0 and vkbd 0), as $GUESTS_CONF line 2 says" \
    "$SERVE_LOG"
ok $? "one line says so, naming the file and line"
screen 3
xsetroot -solid '#336699'
"$XDRAW" fill 100 100 200 150 ffcc00
wait_match capture_matches 3
ok $? "its X screen reaches a VNC client, pixel for pixel"

# reboot: xl destroys the domain and builds a new one from its config
"$XSIM" destroy 3 >/dev/null
wait_line "$SERVE_LOG" "domain 3: guest 'web1' is gone: its backend directories removed"
ok $? "the domain gone, the daemon removes its backend directories"
is "$(store_count -e 'backend/xen[a-z]*/3' -e 'backend/vfb-xenfb/3' -e 'backend/vinput/3')" "0" \
    "nothing of domain 3 is left in the store"
domain 7 web1
created 7 web1
ok $? "the rebooted domain (a new domid) gets its devices again"
screen 7
xsetroot -solid '#993366'
"$XDRAW" fill 300 200 160 90 00ff80
wait_match capture_matches 7
ok $? "and its screen is back, pixel for pixel"

# nobody names it
domain 8 mail
wait_line "$SERVE_LOG" "domain 8: guest 'mail': not named: no devices of ours"
is "$(store_count 'backend/xen[a-z]*/8')" "0" "a domain nobody names gets nothing"

# named by UUID, appearing while the daemon runs, as an incoming
# migration does: named at once, whatever its name
U5=9c1d0e2f-3a4b-4c5d-8e6f-a0b1c2d3e4f5
guests_conf "guest web1 max-size=1280x1024" "guest $U4 keyboard=no" "guest $U5"
reload
domain 5 db2--incoming "$U5"
created 5 db2--incoming
ok $? "a domain named by UUID gets its devices as it appears, under any name"

# an incoming migration: named by its name only once it has arrived
domain 9 web2--incoming
wait_line "$SERVE_LOG" "domain 9: guest 'web2--incoming': not named"
guests_conf "guest web1 max-size=1280x1024" "guest $U4 keyboard=no" "guest $U5" "guest web2"
reload
x0 xenstore-write /local/domain/9/name web2
created 9 web2
ok $? "renamed to a name the file gives (a migration arriving), it gets its devices"

# "*": every domain the other lines do not name
guests_conf "guest web1 max-size=1280x1024" "guest * max-size=1024x768"
reload
created 8 mail
ok $? "with '*', the domain no line named gets its devices"
is "$(rd /local/domain/0/backend/xenfb/8/0/max-width)" "1024" "with the options of the '*' line"
wait_line "$SERVE_LOG" "domain 9: guest 'web2': max-size 1024x768 from its next connection"
is "$(rd /local/domain/0/backend/xenfb/9/0/max-width)" "1024" \
    "web2 keeps its devices under '*', with the '*' line's max-size"
screen 8
xsetroot -solid '#208020'
wait_match capture_matches 8
ok $? "and the '*' domain's screen arrives, pixel for pixel"

# a device model's stub domain: libxl writes its target just after
# introducing it, and '*' does not name it
domain 6 mail-dm
created 6 mail-dm || diag "the stub domain got no devices before its target"
x0 xenstore-write /local/domain/6/target 8
wait_line "$SERVE_LOG" "domain 6: guest 'mail-dm': devices removed: no longer named"
ok $? "'*' does not name a stub domain: once its target is written, its devices go"

[ "$_tap_failed" -eq 0 ] || show_serve_log 60
