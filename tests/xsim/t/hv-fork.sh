#!/bin/sh
# fork and exec, as Xorg forking xkbcomp: a child inherits the gntalloc
# descriptor (opened without O_CLOEXEC), so grants allocated on it live
# while the child does, even after the parent closed its own; the evtchn
# descriptor (O_CLOEXEC) does not survive exec. A child forked without exec
# keeps the parent's mapped pages held after the parent unmaps them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

need cat
plan 20
xsim_setup

peer_start a 1
peer_start b 0
mkfifo "$TEST_TMP/hold1" "$TEST_TMP/hold2"

# fork + exec
is "$(field 1 "$(peer a alloc h 0 4 rw)")" ok \
    "dom1 allocates 4 grants on its gntalloc descriptor (no mmap, no dealloc)"
p1=$(field 2 "$(peer a bind-unbound 0)")
is "$p1" 1 "and binds an event channel"
child=$(field 2 "$(peer a spawn hold1)")
[ -n "$child" ] && kill -0 "$child"
ok $? "dom1 forks and execs cat (pid $child)"
is "$(peer a shr-close)" ok "dom1 closes its gntalloc handle"
is "$(peer a evt-close)" ok "and its evtchn handle"
is "$(count_lines dump-grants '^granter=1 .* state=live$')" 4 \
    "the 4 grants live on: the child holds the descriptor"
is "$(settled dump-ports "")" "" "the port is gone: the child's evtchn descriptor closed at exec"
is "$(field 1 "$(peer b map h 1 h.refs rw)")" ok "dom0 can still map the grants"
is "$(peer b unmap h)" ok "and unmap them"
: >"$TEST_TMP/hold1"
is "$(peer a reap "$child")" "ok 0" "the child ends"
is "$(settled dump-grants "")" "" "its end releases the grants"
is "$(peer b map h 1 h.refs rw)" "err EINVAL" "which can no longer be mapped"

# fork without exec
is "$(field 1 "$(peer a share s 0 2 rw)")" ok "dom1 shares 2 pages"
peer a fill s 1 >/dev/null
is "$(field 1 "$(peer b map s 1 s.refs rw)")" ok "dom0 maps them"
child=$(field 2 "$(peer a fork-hold hold2)")
hvctl domains | grep '^1 ' | grep -qw "$child"
ok $? "dom1 forks a child, which xsimd knows as a process of domain 1"
is "$(peer a unshare s)" ok "dom1 unshares the pages"
is "$(count_lines dump-grants '^granter=1 .* mapped-by=1 notify=none state=live$')" 2 \
    "they stay live: the child still maps them"
: >"$TEST_TMP/hold2"
is "$(peer a reap "$child")" "ok 0" "the child ends"
is "$(settled dump-grants "granter=1 ref=8 grantee=0 access=rw mapped-by=1 notify=none state=released
granter=1 ref=9 grantee=0 access=rw mapped-by=1 notify=none state=released")" \
    "granter=1 ref=8 grantee=0 access=rw mapped-by=1 notify=none state=released
granter=1 ref=9 grantee=0 access=rw mapped-by=1 notify=none state=released" \
    "now dom1 has let go; dom0 still maps them"
peer b unmap s >/dev/null
is "$(hvctl dump-grants)" "" "nothing is left once dom0 unmaps"
