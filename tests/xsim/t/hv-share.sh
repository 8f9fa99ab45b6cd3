#!/bin/sh
# Grant sharing through the real libxengnttab: dom1 shares a 1920x1080x32
# framebuffer's worth of pages (2025) with dom0, which maps them; writes
# show both ways; a read-only grant refuses a writable mapping; dom2 cannot
# map grants meant for dom0; nothing is left once both sides let go.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 24
xsim_setup

gntalloc_limit 1 4096
ok $? "dom1 raises its gntalloc limit past 2025 pages"

peer_start a 1
peer_start b 0
peer_start c 2

r=$(peer a share fb 0 2025 rw)
is "$(field 1 "$r")" ok "dom1 shares 2025 writable pages with dom0"
is "$(field 2 "$r")" 8 "the first grant reference is 8"
is "$(wc -w <"$TEST_TMP/fb.refs" | tr -d ' ')" 2025 "2025 references"
is "$(cut -d' ' -f2025 "$TEST_TMP/fb.refs")" 2032 "allocated in order: the last is 2032"
is "$(peer a fill fb 17)" ok "dom1 fills its pages"

r=$(peer b map fb 1 fb.refs rw)
is "$(field 1 "$r")" ok "dom0 maps the 2025 pages writable"
diag "mapping 2025 pages took $(field 2 "$r") us"
is "$(peer b check fb 17)" ok "dom0 reads what dom1 wrote, page by page"
is "$(peer b fill fb 99)" ok "dom0 writes every page"
is "$(peer a check fb 99)" ok "dom1 sees dom0's writes"
is "$(count_lines dump-grants '^granter=1 .* grantee=0 access=rw mapped-by=1 notify=none state=live$')" \
    2025 "dump-grants: 2025 live grants of dom1, each mapped once"

is "$(field 1 "$(peer a share ro 0 1 ro)")" ok "dom1 shares one page read-only"
is "$(peer a fill ro 5)" ok "dom1 writes it"
is "$(peer b map rw-of-ro 1 ro.refs rw)" "err EINVAL" \
    "a writable mapping of a read-only grant fails with EINVAL, as on Linux"
is "$(field 1 "$(peer b map ro 1 ro.refs ro)")" ok "a read-only mapping of it works"
is "$(peer b check ro 5)" ok "and reads dom1's data"

is "$(peer c map fb 1 fb.refs rw)" "err EINVAL" "dom2 cannot map dom1's grants to dom0"
is "$(peer c map fb 1 fb.refs ro)" "err EINVAL" "not even read-only"

# 300 pages from 300 allocations: 300 memfds, more than one SCM_RIGHTS
# message carries, in one mapping
i=0
while [ $i -lt 300 ]; do
    peer a share "p$i" 0 1 rw >/dev/null
    peer a fill "p$i" $i >/dev/null
    cat "$TEST_TMP/p$i.refs"
    i=$((i + 1))
done | tr '\n' ' ' >"$TEST_TMP/all.refs"
r=$(peer b map all 1 all.refs rw)
is "$(field 1 "$r")" ok "dom0 maps 300 pages of 300 separate allocations at once"
is "$(peer b check all 0)" ok "each page is the right one"
peer b unmap all >/dev/null
i=0
while [ $i -lt 300 ]; do
    peer a unshare "p$i" >/dev/null
    i=$((i + 1))
done

peer b unmap fb >/dev/null
peer b unmap ro >/dev/null
is "$(peer a unshare fb)" ok "dom1 unshares the framebuffer"
peer a unshare ro >/dev/null
is "$(hvctl dump-grants)" "" "no grant is left"
is "$(hvctl gntalloc-limit 1)" "limit=4096 used=0" "no page counts against dom1's limit"

echo "share x 0 1 rw" | env -u XSIM_DIR -u XSIM_DOMID \
    LD_PRELOAD="$top_builddir/tests/xsim/.libs/libxsim-preload.so" "$HV_PEER" >"$TEST_TMP/nosim"
is "$(cat "$TEST_TMP/nosim")" "err ENOENT" \
    "outside a simulation (no XSIM_DIR, XSIM_DOMID) the devices do not exist: ENOENT"
