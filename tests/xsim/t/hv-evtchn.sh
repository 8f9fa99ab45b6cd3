#!/bin/sh
# Event channels through the real libxenevtchn: 1000 round trips between
# two domains with every event received; notifications collapse while a
# port is masked; Linux's errors for ports a handle does not own and
# Xen's for binds that do not match.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 20
xsim_setup

peer_start a 1
peer_start b 0
peer_start c 2

p1=$(field 2 "$(peer a bind-unbound 0)")
p0=$(field 2 "$(peer b bind 1 "$p1")")
is "$p0" 1 "dom0 binds to dom1's unbound port"
is "$(field 2 "$(peer b wait 2000)")" "$p0" "and gets the event Xen raises on binding"
want="domain=0 port=1 state=interdomain remote=1:1 masked=0 pending=0
domain=1 port=1 state=interdomain remote=0:1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" "dump-ports shows both ends connected"

# 1000 round trips: dom0 serves, dom1 pings and checks every answer
peer_send b serve "$p0" 1000
r=$(peer a ping "$p1" 1000)
is "$(field 1 "$r") $(field 2 "$r")" "ok 1000" "dom1 gets an answer to each of 1000 notifications"
diag "round trip: median $(field 3 "$r") us, 99th percentile $(field 4 "$r") us"
is "$(peer_recv b)" ok "dom0 got each of the 1000 notifications"
is "$(peer a count 200)" "ok 0" "no event is left over on dom1's side"
is "$(peer b count 200)" "ok 0" "nor on dom0's"

# masked: notifications collapse into one
is "$(peer a notify "$p1")" ok "dom1 notifies"
is "$(field 2 "$(peer b take 2000)")" "$p0" "dom0 takes the event and leaves the port masked"
is "$(peer a notify "$p1" 5)" ok "dom1 notifies five more times"
want="domain=0 port=1 state=interdomain remote=1:1 masked=1 pending=1
domain=1 port=1 state=interdomain remote=0:1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" "dom0's port is masked with one event pending"
is "$(peer b count 200)" "ok 0" "nothing is delivered while masked"
is "$(peer b unmask "$p0")" ok "dom0 unmasks"
is "$(peer b count 200)" "ok 1" "the five notifications arrive as one event"

# errors
is "$(peer b notify 7)" "err ENOTCONN" "notify of a port the handle does not own: ENOTCONN"
is "$(peer b unbind 7)" "err ENOTCONN" "unbind of one: ENOTCONN"
is "$(peer c bind 1 "$p1")" "err EINVAL" "dom2 cannot bind a port that is already connected"
p1b=$(field 2 "$(peer a bind-unbound 0)")
is "$(peer c bind 1 "$p1b")" "err EINVAL" "nor an unbound one offered to dom0"
is "$(peer c bind 9 1)" "err ESRCH" "binding to a domain that does not exist: ESRCH"

is "$(peer a unbind "$p1")" ok "dom1 unbinds its end"
