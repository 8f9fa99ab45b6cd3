#!/bin/sh
# A peer restarts: when dom1's process is killed, dom0's end of the event
# channel becomes unbound for dom1 again, a new dom1 process binds to the
# same port and events flow as before.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 12
xsim_setup

peer_start a 0
peer_start b 1

p0=$(field 2 "$(peer a bind-unbound 1)")
is "$p0" 1 "dom0 offers port 1 to dom1"
p1=$(field 2 "$(peer b bind 0 "$p0")")
is "$p1" 1 "dom1 binds its port 1 to it"
peer b wait 2000 >/dev/null
peer_send a serve "$p0" 10
is "$(field 1 "$(peer b ping "$p1" 10)")" ok "events flow both ways"
is "$(peer_recv a)" ok "dom0 saw them all"

kill -9 "$peer_pid_b"
peer_gone b
want="domain=0 port=$p0 state=unbound remote=1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" \
    "dom1's process is killed: dom0's port is unbound for dom1 again"
is "$(peer a notify "$p0")" ok "a notification to the missing peer is dropped, not an error"

peer_start b 1
p1=$(field 2 "$(peer b bind 0 "$p0")")
is "$p1" 1 "a new dom1 process binds to the same port"
is "$(field 2 "$(peer b wait 2000)")" "$p1" "it gets the bind event, not the dropped one"
is "$(peer b count 200)" "ok 0" "and nothing else"
peer_send a serve "$p0" 100
is "$(field 1 "$(peer b ping "$p1" 100)")" ok "events flow again"
is "$(peer_recv a)" ok "in both directions"
want="domain=0 port=1 state=interdomain remote=1:1 masked=0 pending=0
domain=1 port=1 state=interdomain remote=0:1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" "one channel, both ends connected"
