#!/bin/sh
# gntalloc's page limit, per guest kernel as in Linux: 1024 by default,
# ENOSPC past it, the pages count again once unshared (even while the
# grantee still maps them); each domain's kernel has its own, set through
# its /sys/module/xen_gntalloc/parameters/limit or `xsim ctl gntalloc-limit
# DOMID N`; the module can be unloaded (no device, no sysfs directory) and
# loaded again; a domain created again boots with the default.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 32
xsim_setup
L=/sys/module/xen_gntalloc/parameters/limit
x1() { "$XSIM" run --domid 1 -- "$@"; }
"$XSIM" create 1 >/dev/null && "$XSIM" create 2 >/dev/null || bail "cannot create the domains"

is "$(hvctl gntalloc-limit)" "0 limit=1024 used=0
1 limit=1024 used=0
2 limit=1024 used=0" "every kernel boots with gntalloc loaded, limit 1024 pages"
is "$(x1 cat $L)" "1024" "a guest reads its limit in $L"
peer_start a 1
peer_start b 0
peer_start c 2

is "$(field 1 "$(peer a share big 0 1024 rw)")" ok "dom1 shares 1024 pages"
is "$(hvctl gntalloc-limit 1)" "limit=1024 used=1024" "they all count against dom1's limit"
is "$(peer a share one 0 1 rw)" "err ENOSPC" "one more page fails with ENOSPC"
is "$(peer a share four 0 4 rw)" "err ENOSPC" "and so do four"
is "$(field 1 "$(peer c share big2 0 1024 rw)")" ok \
    "dom2's kernel has a limit of its own: it shares 1024 pages too"

is "$(field 1 "$(peer b map big 1 big.refs ro)")" ok "dom0 maps dom1's 1024 pages"
is "$(peer a unshare big)" ok "dom1 unshares them"
is "$(hvctl gntalloc-limit 1)" "limit=1024 used=0" \
    "the pages no longer count, though dom0 still maps them"
is "$(count_lines dump-grants '^granter=1 .*state=released$')" 1024 \
    "dump-grants shows them released, still mapped"
is "$(field 1 "$(peer a share one 0 1 rw)")" ok "so one page can be shared again"
is "$(peer b unmap big)" ok "dom0 unmaps"
is "$(count_lines dump-grants 'state=released$')" 0 "released grants are gone once unmapped"

# the module parameter, from inside the guest
x1 sh -c "echo 10 >$L"
ok $? "the guest writes 10 to $L"
is "$(x1 cat $L)" "10" "and reads it back"
is "$(hvctl gntalloc-limit 1)" "limit=10 used=1" "dom1's limit is 10"
is "$(hvctl gntalloc-limit 2)" "limit=1024 used=1024" "dom2's is untouched"
is "$(peer a share ten 0 10 rw)" "err ENOSPC" "ten more pages do not fit next to the one"
is "$(field 1 "$(peer a share nine 0 9 rw)")" ok "nine do"
x1 sh -c "echo ten >$L" 2>/dev/null
[ $? -ne 0 ] && [ "$(x1 cat $L)" = 10 ]
ok $? "a value that is not a number is refused, the limit stays"
hvctl gntalloc-limit 1 2048 && [ "$(x1 cat $L)" = 2048 ]
ok $? "xsim ctl gntalloc-limit 1 2048 sets it, the guest reads 2048"
hvctl gntalloc-limit 1 2000000 >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a limit above 1048576 is refused"

# unloading and loading the module
out=$(hvctl rmmod 1 xen_gntalloc 2>&1)
[ $? -ne 0 ] && [ "$out" = "xsim: xen_gntalloc is in use in domain 1" ]
ok $? "rmmod is refused while dom1 holds pages"
peer a unshare one >/dev/null && peer a unshare nine >/dev/null && peer a shr-close >/dev/null
hvctl rmmod 1 xen_gntalloc
ok $? "once they are gone and the device closed, rmmod unloads it"
x1 test -e /sys/module/xen_gntalloc
[ $? -ne 0 ]
ok $? "no /sys/module/xen_gntalloc in the guest then"
is "$(peer a share x 0 1 rw)" "err ENOENT" "and no /dev/xen/gntalloc: ENOENT"
is "$(hvctl gntalloc-limit)" "0 limit=1024 used=0
1 not-loaded
2 limit=1024 used=1024" "gntalloc-limit shows it not loaded"
hvctl modprobe 1 xen_gntalloc limit=4096 && [ "$(x1 cat $L)" = 4096 ]
ok $? "modprobe 1 xen_gntalloc limit=4096 loads it with that limit"
is "$(field 1 "$(peer a share y 0 2000 rw)")" ok "dom1 shares 2000 pages"

# a new life of a domain, a new kernel
"$XSIM" destroy 2 && peer_gone c && "$XSIM" create 2 >/dev/null
ok $? "domain 2 is destroyed (its pages die with it) and created again"
is "$(hvctl gntalloc-limit 2)" "limit=1024 used=0" "its new kernel starts at the default"
