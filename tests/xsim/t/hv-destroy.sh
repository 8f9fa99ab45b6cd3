#!/bin/sh
# Destroying a domain: its processes die, its event channels close (remote
# ends become unbound), its grants take no new map while existing mappings
# stay valid; nothing of it is left once dom0 lets go; the domain can be
# created again and bind to the same port.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 16
xsim_setup

peer_start a 1
peer_start b 0

p1=$(field 2 "$(peer a bind-unbound 0)")
p0=$(field 2 "$(peer b bind 1 "$p1")")
peer b wait 2000 >/dev/null
is "$(field 1 "$(peer a share fb 0 4 rw)")" ok "dom1 shares 4 pages"
is "$(peer a fill fb 3)" ok "and fills them"
is "$(field 1 "$(peer b map fb 1 fb.refs rw)")" ok "dom0 maps them"

"$XSIM" destroy 1
ok $? "xsim destroy 1"
peer_gone a
kill -0 "$peer_pid_a" 2>/dev/null
[ $? -ne 0 ]
ok $? "dom1's process was killed"

is "$(peer b check fb 3)" ok "dom0's existing mapping still reads dom1's data"
is "$(peer b fill fb 8)" ok "and can still be written"
is "$(peer b map again 1 fb.refs rw)" "err EINVAL" "a new map of dom1's grants is refused"
want="domain=0 port=$p0 state=unbound remote=1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" "dom1's ports are closed; dom0's end is unbound"
is "$(count_lines dump-grants '^granter=1 .* mapped-by=1 notify=none state=dead$')" 4 \
    "dump-grants: the 4 grants live on only as dom0's mapping"
is "$(peer b notify "$p0")" ok "a notification to the dead domain is dropped"

is "$(peer b unmap fb)" ok "dom0 unmaps"
is "$(settled dump-grants "")" "" "no grant of dom1 is left"
is "$(count_lines dump-ports '^domain=1 ')" 0 "no port of dom1 is left"

peer_start a 1
p1=$(field 2 "$(peer a bind 0 "$p0")")
is "$p1" 1 "a new domain 1 binds to dom0's port again"
peer a notify "$p1" >/dev/null
is "$(field 2 "$(peer b wait 2000)")" "$p0" "and dom0 hears from it"
