#!/bin/sh
# A hostile guest kernel on the standard vfb, whose pages the daemon maps
# by frame number (backend/core/foreign.c): frame numbers of another
# domain, numbers no machine has, huge memory and a videoram node of its
# own, page-ref changing while the daemon connects, and the double fetch
# race on the page's geometry, pd[] and the frame directory, while a
# healthy guest's viewer is measured (tests/hostile/lib-hostile.sh has
# the bounds). The attacker is tests/kernel/xfb-kfront with lies.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"
. "$top_srcdir/tests/kernel/lib-kernel.sh"

plan 47
hostile_setup
# domain 1 is now a guest kernel with the standard vfb and vkbd
detach --domid 1 || bail "detach failed"

# a frame of domain 2's memory, and the first number past any machine's
OTHER=$(printf '%d' "$("$XSIM" ctl dump-frames | sed -n 's/^domain=2 first=\(0x[0-9a-f]*\) .*/\1/p')")
[ "$OTHER" -gt 0 ] || bail "no frame of domain 2"
HUGE=1099511627776

# kernel_boot ARGS: a new kernel in domain 1 (Linux binds a device only
# at Initialising, and never reconnects once closed): fresh devices,
# then the stand-in with ARGS
kernel_boot() {
    kfront_kill 1
    detach --domid 1 >/dev/null 2>&1
    attach --domid 1 --kernel --max-width 640 --max-height 480 || bail "attach --kernel failed"
    kfront_start 1 --no-echo "$@"
}

# 1. Frame numbers that are not the guest's, or beyond any machine's, in
# each place the daemon reads one; memory beyond its limits.
while IFS='|' read -r opts why; do
    attack_begin "frames: $opts"
    # shellcheck disable=SC2086
    kernel_boot $opts
    attack_end "$why"
done <<CASES
--lie page-ref=$OTHER|the shared page: frame $OTHER (entry 0) is not the guest's: Invalid argument
--lie page-ref=0|the shared page: frame 0 (entry 0) is not the guest's
--lie page-ref=$HUGE|page-ref or event-channel is not a number (or beyond any frame)
--lie pd0=$OTHER|the directory: frame $OTHER (entry 0) is not the guest's
--lie pd0=$HUGE|pd\[0\] is $HUGE, beyond any machine's frames
--lie dir0=$OTHER|the framebuffer: frame $OTHER (entry 0) is not the guest's
--lie dir0=18446744073709551615|directory entry 0 is 18446744073709551615, beyond any machine's frames
--lie videoram=4096 --lie mem_length=4294967295|mem_length is beyond what this backend accepts
--lie width=32768 --lie height=32768 --lie line_length=131072|width is outside 1..max-width
CASES
wait_for 10 eq 0 frames_held 1
ok $? "  no mapping of the refused guest's memory is held"

# 2. page-ref changed to another domain's frame just after Initialised:
# whichever the daemon reads, it maps the guest's own page or refuses
attack_begin "page-ref changed to another domain's frame mid-connect"
kernel_boot --lie page-ref-after=$OTHER
attack_end "kernel vfb/0: connected: \|frame $OTHER (entry 0) is not the guest's"

# 3. The double fetch race: a second thread flips the geometry, pd[0],
# the directory's first entry and the out ring while the kernel
# reconnects each time the device is closed; a viewer of the hostile
# guest makes the daemon read what it mapped.
kernel_boot --lie reconnect
wait_line "$SERVE_LOG" "domain 1: kernel console framebuffer connected" 1 20 ||
    bail "the hostile kernel's vfb did not connect"
viewer_start 1 "$TEST_TMP/frames-1"
attack_begin "double fetch race on the geometry, pd[0] and the frame directory"
kfront 1 race 4000 "$OTHER"
wait_line "$(kfront_out 1)" '^raced ' 1 30
attack_end 'refusing the frontend: \|closing the device: '
diag "$(grep '^raced ' "$(kfront_out 1)")"
sed -n 's/.*domain 1: kernel vfb\/0: connected: \([0-9]*\)x\([0-9]*\), \([0-9]*\) bits, stride \([0-9]*\), \([0-9]*\) pages.*/\1 \2 \3 \4 \5/p' \
    "$SERVE_LOG" | awk '
    { n++ }
    $1 < 1 || $1 > 640 || $2 < 1 || $2 > 480 || $3 != 32 || $4 < $1 * 4 || $4 * $2 > $5 * 4096 {
        print "bad mode:", $0; bad = 1 }
    END { print n, "modes"; exit bad }' >"$TEST_TMP/modes"
ok $? "every mode the daemon took during the race fits the limits and the memory ($(cat "$TEST_TMP/modes"))"
kfront_kill 1
detach --domid 1
wait_for 10 eq 0 frames_held 1
ok $? "the guest's devices removed: no mapping of its memory is held"

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
