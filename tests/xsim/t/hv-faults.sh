#!/bin/sh
# Every fault verb of the hypervisor, seen through the real libraries:
# fault-alloc-fail, fault-map-fail, fault-evtchn-drop, fault-evtchn-delay
# (gntalloc-limit has its own test, hv-limit.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 27
xsim_setup

peer_start a 1
peer_start b 0

# fault-alloc-fail
hvctl fault-alloc-fail 1 >/dev/null
ok $? "fault-alloc-fail 1"
is "$(peer a share x 0 1 rw)" "err ENOMEM" "the next allocation fails with ENOMEM"
is "$(field 1 "$(peer a share x 0 1 rw)")" ok "the one after works"
hvctl fault-alloc-fail 2 ENOSPC >/dev/null
ok $? "fault-alloc-fail 2 ENOSPC"
is "$(peer a share y 0 1 rw)" "err ENOSPC" "the next allocation fails with ENOSPC"
is "$(peer a share y 0 1 rw)" "err ENOSPC" "and the one after"
is "$(field 1 "$(peer a share y 0 1 rw)")" ok "then allocations work again"
hvctl fault-alloc-fail 1 EBOGUS >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "an unknown errno name is refused"

# fault-map-fail
hvctl fault-map-fail 1 >/dev/null
ok $? "fault-map-fail 1"
is "$(peer b map x 1 x.refs rw)" "err EFAULT" "the next gntdev mmap fails with EFAULT"
is "$(field 1 "$(peer b map x 1 x.refs rw)")" ok "the one after works"
hvctl fault-map-fail 1 EACCES >/dev/null
is "$(peer b map y 1 y.refs rw)" "err EACCES" "fault-map-fail 1 EACCES: the next fails with EACCES"
is "$(field 1 "$(peer b map y 1 y.refs rw)")" ok "then maps work again"

# fault-evtchn-drop
p1=$(field 2 "$(peer a bind-unbound 0)")
p0=$(field 2 "$(peer b bind 1 "$p1")")
peer b wait 2000 >/dev/null
hvctl fault-evtchn-drop 0 "$p0" 2 >/dev/null
ok $? "fault-evtchn-drop 0 $p0 2"
peer a notify "$p1" >/dev/null
is "$(peer b count 200)" "ok 0" "the first event is dropped"
peer a notify "$p1" >/dev/null
is "$(peer b count 200)" "ok 0" "so is the second"
peer a notify "$p1" >/dev/null
is "$(field 2 "$(peer b wait 2000)")" "$p0" "the third arrives"
hvctl fault-evtchn-drop 0 999 1 >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a fault on a port that is not bound is refused"

# fault-evtchn-delay
hvctl fault-evtchn-delay 0 "$p0" 500 >/dev/null
ok $? "fault-evtchn-delay 0 $p0 500"
peer a notify "$p1" >/dev/null
r=$(peer b wait 5000)
is "$(field 2 "$r")" "$p0" "the event arrives"
[ "$(field 3 "$r")" -ge 300 ]
ok $? "late: after $(field 3 "$r") ms (delay 500 ms, counted from the notify)"
peer a notify "$p1" 3 >/dev/null
is "$(peer b count 1000)" "ok 1" "three notifications during the delay arrive as one event"
# a delay of a minute, then cleared: had it stayed, the next event would
# not arrive within the wait (the time is printed, not bounded: a loaded
# machine may take a while)
hvctl fault-evtchn-delay 0 "$p0" 60000 >/dev/null
hvctl fault-evtchn-delay 0 "$p0" 0 >/dev/null
ok $? "fault-evtchn-delay 0 $p0 0 clears the delay"
peer a notify "$p1" >/dev/null
r=$(peer b wait 30000)
is "$(field 2 "$r")" "$p0" "the event arrives"
[ -n "$(field 3 "$r")" ] && [ "$(field 3 "$r")" -lt 30000 ]
ok $? "not held back by the cleared delay: after $(field 3 "$r") ms"
hvctl fault-evtchn-delay 0 "$p0" 10000 >/dev/null
peer a notify "$p1" >/dev/null
is "$(peer b unbind "$p0")" ok "a port with a delayed event pending can be unbound"
want="domain=1 port=$p1 state=unbound remote=0 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" "the timer went with it; dom1's end is unbound"
