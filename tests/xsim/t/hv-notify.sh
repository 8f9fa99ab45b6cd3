#!/bin/sh
# Unmap notifications: gntalloc's (the granter lets go: the byte is
# cleared in the page the grantee still maps, and the event is sent), on
# unshare and on kill -9 of the granter; and gntdev's (the grantee lets
# go: the byte is cleared in the granter's page, the event is sent).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 24
xsim_setup

peer_start a 1
peer_start b 0

# an event channel between them: dom1 offers, dom0 binds
p1=$(field 2 "$(peer a bind-unbound 0)")
is "$p1" 1 "dom1 gets port 1 for dom0"
p0=$(field 2 "$(peer b bind 1 "$p1")")
is "$p0" 1 "dom0 binds its port 1 to it"
is "$(field 2 "$(peer b wait 2000)")" "$p0" "binding raises one event on the new port, as Xen does"

# gntalloc notify on unshare
is "$(field 1 "$(peer a share-notify n 0 rw 100 "$p1")")" ok \
    "dom1 shares a page, notify: clear byte 100, event on port $p1"
peer a poke n 100 7 >/dev/null
is "$(field 1 "$(peer b map n 1 n.refs rw)")" ok "dom0 maps it"
is "$(peer b peek n 100)" "ok 7" "dom0 sees byte 100 set"
is "$(count_lines dump-grants "notify=clear@100,event@$p1 state=live")" 1 \
    "dump-grants shows the notification"
is "$(peer a unshare n)" ok "dom1 unshares the page"
is "$(field 2 "$(peer b wait 2000)")" "$p0" "dom0 gets the event"
is "$(peer b peek n 100)" "ok 0" "and byte 100 is cleared in its mapping"
is "$(peer b unmap n)" ok "dom0 unmaps"

# gntdev notify: dom0 maps with a notification, then unmaps
is "$(field 1 "$(peer a share g 0 1 rw)")" ok "dom1 shares another page"
is "$(field 1 "$(peer b map-notify g 1 g.refs rw 200 "$p0")")" ok \
    "dom0 maps it, notify: clear byte 200, event on port $p0"
peer b poke g 200 9 >/dev/null
is "$(peer a peek g 200)" "ok 9" "dom1 sees byte 200 set"
is "$(peer b unmap g)" ok "dom0 unmaps"
is "$(field 2 "$(peer a wait 2000)")" "$p1" "dom1 gets the event"
is "$(peer a peek g 200)" "ok 0" "and byte 200 is cleared in its page"
peer a unshare g >/dev/null

# gntalloc notify when the granter is killed
is "$(field 1 "$(peer a share-notify k 0 rw 300 "$p1")")" ok \
    "dom1 shares a third page with a notification"
peer a poke k 300 5 >/dev/null
is "$(field 1 "$(peer b map k 1 k.refs rw)")" ok "dom0 maps it"
is "$(peer b peek k 300)" "ok 5" "dom0 sees byte 300 set"
kill -9 "$peer_pid_a"
peer_gone a
is "$(field 2 "$(peer b wait 5000)")" "$p0" "dom1's process is killed: dom0 gets the event"
is "$(peer b peek k 300)" "ok 0" "and byte 300 is cleared in its mapping"
want="domain=0 port=$p0 state=unbound remote=1 masked=0 pending=0"
is "$(settled dump-ports "$want")" "$want" \
    "the port is closed once the notification is sent: dom0's end is unbound again"
is "$(peer b unmap k)" ok "dom0 unmaps"
