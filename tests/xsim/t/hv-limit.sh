#!/bin/sh
# gntalloc's system-wide page limit: 1024 by default, ENOSPC past it, the
# pages count again once unshared (even while the grantee still maps
# them, as Linux's gntalloc does), and the limit can be changed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 16
xsim_setup

is "$(hvctl gntalloc-limit)" "limit=1024 used=0" "the default limit is 1024 pages"
peer_start a 1
peer_start b 0

is "$(field 1 "$(peer a share big 0 1024 rw)")" ok "dom1 shares 1024 pages"
is "$(hvctl gntalloc-limit)" "limit=1024 used=1024" "they all count"
is "$(peer a share one 0 1 rw)" "err ENOSPC" "one more page fails with ENOSPC"
is "$(peer a share four 0 4 rw)" "err ENOSPC" "and so do four"

is "$(field 1 "$(peer b map big 1 big.refs ro)")" ok "dom0 maps the 1024 pages"
is "$(peer a unshare big)" ok "dom1 unshares them"
is "$(hvctl gntalloc-limit)" "limit=1024 used=0" \
    "the pages no longer count, though dom0 still maps them"
is "$(count_lines dump-grants 'state=released$')" 1024 \
    "dump-grants shows them released, still mapped"
is "$(field 1 "$(peer a share one 0 1 rw)")" ok "so one page can be shared again"
is "$(peer b unmap big)" ok "dom0 unmaps"
is "$(count_lines dump-grants 'state=released$')" 0 "released grants are gone once unmapped"

hvctl gntalloc-limit 10 >/dev/null
is "$(hvctl gntalloc-limit)" "limit=10 used=1" "the limit is lowered to 10"
is "$(peer a share ten 0 10 rw)" "err ENOSPC" "ten more pages do not fit next to the one"
is "$(field 1 "$(peer a share nine 0 9 rw)")" ok "nine do"
hvctl gntalloc-limit 2000000 >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a limit above 1048576 is refused"
