#!/bin/sh
# Grants as Linux 6.1 and Xen handle them where a simpler model would be
# kinder or harsher:
# - a granter letting go of a page a grantee still maps does not end the
#   grant (grant-table.c defers it): the grantee keeps it, may map it
#   again, its ref is not reused; the page no longer counts against
#   gntalloc's limit; the grant ends once the last map goes;
# - a partial munmap of gntalloc memory releases nothing until the whole
#   mapping is gone;
# - gntdev mappings of a PV kernel are VM_DONTCOPY: a forked child has
#   nothing there, and the parent's unmap ends them at once; a PVH
#   kernel's are inherited.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 24
xsim_setup
"$XSIM" create 1 >/dev/null && "$XSIM" create 2 --type pvh >/dev/null ||
    bail "cannot create the domains"
peer_start a 1
peer_start b 0
peer_start c 2
mkfifo "$TEST_TMP/hold"
grant() { hvctl dump-grants | grep "^granter=1 ref=$1 "; }

# ---- 1. released while mapped ----
r=$(field 2 "$(peer a share p 0 1 rw)")
is "$r" 8 "dom1 shares a page (ref 8)"
peer a poke p 0 42 >/dev/null
is "$(field 1 "$(peer b map m1 1 p.refs rw)")" ok "dom0 maps it"
is "$(peer a unshare p)" ok "dom1 unshares it"
is "$(hvctl gntalloc-limit 1)" "limit=1024 used=0" "it no longer counts against dom1's limit"
is "$(grant 8)" "granter=1 ref=8 grantee=0 access=rw mapped-by=1 notify=none state=released" \
    "the grant is released, still mapped"
is "$(peer b peek m1 0)" "ok 42" "dom0 still reads the page"
is "$(field 1 "$(peer b map m2 1 p.refs rw)")" ok \
    "and may map it again: foreign access has not ended"
is "$(peer b peek m2 0)" "ok 42" "the same page"
is "$(field 2 "$(peer a share q 0 1 rw)")" 9 "a new grant of dom1 gets ref 9: ref 8 is still taken"
is "$(peer b unmap m1)" ok "dom0 unmaps the first mapping"
is "$(field 1 "$(peer b map m3 1 p.refs rw)")" ok "while one remains, mapping it still works"
peer b unmap m2 >/dev/null && peer b unmap m3 >/dev/null
is "$(grant 8)" "" "once nothing maps it, the grant is gone"
is "$(peer b map m4 1 p.refs rw)" "err EINVAL" "and can no longer be mapped"
peer a unshare q >/dev/null

# ---- 2. a partial munmap of gntalloc memory ----
is "$(field 1 "$(peer a share s 0 4 rw)")" ok "dom1 shares 4 pages (one mmap)"
peer b map sm 1 s.refs rw >/dev/null || bail "dom0 cannot map them"
is "$(peer a munmap s 0 2)" ok "dom1 unmaps the first two pages of the mapping"
is "$(count_lines dump-grants '^granter=1 .* state=live$')" 4 \
    "all four grants stay held: part of the mapping remains"
is "$(hvctl gntalloc-limit 1)" "limit=1024 used=4" "all four still count"
is "$(peer a munmap s 2 2)" ok "dom1 unmaps the other two"
is "$(count_lines dump-grants '^granter=1 .* state=released$')" 4 \
    "now all four are released (dom0 still maps them)"
peer b unmap sm >/dev/null

# ---- 3. fork and gntdev mappings ----
peer a share f 0 1 rw >/dev/null && peer a fill f 7 >/dev/null &&
    peer a share g 2 1 rw >/dev/null && peer a fill g 9 >/dev/null || bail "cannot share"
peer b map fm 1 f.refs ro >/dev/null && peer c map gm 1 g.refs ro >/dev/null || bail "cannot map"
is "$(peer b fork-peek fm 0)" "ok 139" \
    "a child of a PV dom0 process has nothing mapped where its parent maps a grant (SIGSEGV)"
is "$(peer b peek fm 0)" "ok 7" "the parent still reads it"
is "$(peer c fork-peek gm 0)" "ok 0" "a child of a PVH domain's process inherits the mapping"
child=$(field 2 "$(peer b fork-hold hold)")
peer b unmap fm >/dev/null
is "$(count_lines dump-grants '^granter=1 .*grantee=0 .*mapped-by=0 ')" 1 \
    "dom0 forks a child, unmaps: the mapping ends at once, the child held nothing"
: >"$TEST_TMP/hold"
is "$(peer b reap "$child")" "ok 0" "the child ends"
