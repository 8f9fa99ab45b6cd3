#!/bin/sh
# Nobody watching (refresh period 0): drawing sends nothing. A viewer
# comes back (non-zero period): exactly one full update, and the pixels
# the backend maps are current.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 5
guest_start 1024 768 '"1024x768"'

back refresh 0
back_sync
mark
"$XDRAW" fill 10 10 100 100 00ff00
"$XDRAW" fill 500 500 20 20 ff0000
# the fills are done (XSync); anything they would send is sent by the next
# pass of the server's main loop, which the round trip below outlasts
"$XDRAW" size >/dev/null
back_sync
is "$(updates_since_mark | wc -l)" "0" "period 0: drawing sends no update"

mark
back refresh 50
wait_line "$BACK_OUT" '^1 update 0 0 1024 768$'
ok $? "period 50 after 0: a full update arrives"
back_sync
is "$(updates_since_mark | wc -l)" "1" "exactly one"
screen_matches
ok $? "and the backend's pixels are current"

mark
"$XDRAW" fill 30 40 5 6 0000ff
wait_line "$BACK_OUT" '^1 update 30 40 5 6$'
ok $? "updates flow again"
