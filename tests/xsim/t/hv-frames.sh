#!/bin/sh
# A guest kernel's frames and dom0's foreign mapping of them, through the
# real libxenforeignmemory: dom1's kernel (hv-frames with /dev/xsim/kmem)
# allocates pages with scattered frame numbers; dom0 maps them read-only
# (a write faults, mprotect is refused) or writable, each frame failing
# alone as privcmd fails it: another domain's frame, a number nobody owns,
# a domain that does not exist; a guest cannot map at all. The mappings
# are not inherited at fork, outlive the guest, and are all gone when
# dom0 lets go. The kernel grants a frame as gnttab_grant_foreign_access
# does, and gntdev maps that grant.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 30
xsim_setup

peer_start a 1 "$HV_FRAMES"
peer_start b 0 "$HV_FRAMES"
peer_start c 0

first=$(field 2 "$(peer a alloc fb 512)")
[ -n "$first" ] && [ "$first" -gt 0 ]
ok $? "dom1's kernel allocates 512 pages (first frame $first)"
is "$(peer a fill fb 7)" ok "and fills them"
awk '{ for (i = 2; i <= NF; i++) if ($i != $(i - 1) + 1) n++ } END { exit !(n > 256) }' \
    "$TEST_TMP/fb.frames"
ok $? "their frame numbers are scattered, as vmalloc's are"

is "$(peer b map fb 1 fb.frames ro)" ok "dom0 maps the 512 frames read-only"
is "$(peer b check fb 7)" ok "and reads what dom1 wrote, page by page"
is "$(peer a fill fb 9)" ok "dom1 writes again"
is "$(peer b check fb 9)" ok "dom0 sees it: the same memory"
is "$(peer b fork-poke fb 0 1)" "ok 139" "a write through the read-only mapping faults"
is "$(peer b mprotect-rw fb)" "err EACCES" "and mprotect cannot make it writable"
is "$(peer a check fb 9)" ok "dom1's pages are unchanged"

is "$(peer b map rw 1 fb.frames rw)" ok "dom0 maps them writable too (dom0 may, as on Xen)"
is "$(peer b poke rw 5 200)" ok "and writes a byte"
is "$(peer a peek fb 5)" "ok 200" "which dom1 sees"
peer a fill fb 9 >/dev/null

echo "map fb 1 fb.frames ro" | (cd "$TEST_TMP" && "$XSIM" run --domid 2 -- "$HV_FRAMES") \
    >"$TEST_TMP/dom2.out"
is "$(cat "$TEST_TMP/dom2.out")" "err EPERM 0" "a guest cannot map another guest's frames: EPERM"
other=$(echo "alloc other 1" | (cd "$TEST_TMP" && "$XSIM" run --domid 2 -- "$HV_FRAMES"))
is "$(peer b mapf x 1 ro "$first" "$(field 2 "$other")")" "err EINVAL 1" \
    "a frame of domain 2 given as domain 1's fails alone: EINVAL"
is "$(peer b mapf y 1 ro 0)" "err EINVAL 0" "frame 0 (nobody's here): EINVAL"
is "$(peer b mapf y2 1 ro 18446744073709551615)" "err EINVAL 0" "frame 2^64-1: EINVAL"
is "$(peer b mapf z 7 ro "$first")" "err ESRCH 0" "a domain that does not exist: ESRCH"
bad=$(printf '%s 1\n' "$(cat "$TEST_TMP/fb.frames")")
echo "$bad" >"$TEST_TMP/bad.frames"
is "$(peer b mapnull n 1 bad.frames)" "err EINVAL" \
    "without an err array the library fails the whole map (EINVAL)"

is "$(hvctl dump-frames | grep '^domain=1 ' | sed 's/.* used=//')" "512 foreign-maps=5" \
    "dump-frames: dom1 uses 512 pages, dom0 holds 5 mappings of them"
is "$(peer b fork-peek fb 0)" "ok 139" "a forked child has none of them (VM_DONTCOPY)"

ref=$(field 2 "$(peer a grant fb 3 0 ro)")
echo "$ref" >"$TEST_TMP/g.refs"
is "$(field 1 "$(peer c map g 1 g.refs ro)")" ok "dom1's kernel grants a frame read-only; gntdev maps it"
is "$(peer c check g 12)" ok "and reads that page ((9 + 3) & 255)"
is "$(peer c map g2 1 g.refs rw)" "err EINVAL" "not writable"
is "$(peer a endgrant "$ref")" ok "the kernel ends the grant"
is "$(count_lines dump-grants "^granter=1 ref=$ref .* state=released")" 1 \
    "the grant waits for the grantee's unmap (deferred, as in Linux)"
peer c unmap g >/dev/null

"$XSIM" destroy 1
peer_gone a
is "$(peer b check fb 9)" ok "after dom1 is destroyed dom0's mappings still read its pages"
is "$(peer b mapf again 1 ro "$first")" "err ESRCH 0" "a new map of them: ESRCH"
for m in fb rw x y y2 z; do peer b unmap "$m" >/dev/null; done
wait_for 5 no_lines dump-frames '^domain=1 '
ok $? "once dom0 unmaps, nothing of dom1's memory is left"

echo "alloc x 1" | (cd "$TEST_TMP" && "$XSIM" run --domid 0 -- "$HV_FRAMES") >"$TEST_TMP/dom0.out"
is "$(cat "$TEST_TMP/dom0.out")" "err ENOENT" "dom0 has no /dev/xsim/kmem"
