#!/bin/sh
# The backend maps a guest's framebuffer read-only (docs/protocol.md): a
# write through the core's own mapping faults and never reaches the
# guest, the mapping cannot be made writable, and the grants themselves
# refuse a writable mapping. tests/hostile/xfb-ro-check runs the core.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

RO_CHECK="$top_builddir/tests/hostile/xfb-ro-check"
plan 5
xsim_setup
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
front_start 1 --width 320 --height 240
mkfifo "$TEST_TMP/ro.in"
# a sanitizer's SEGV handler would report the fault the child expects
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0" \
    x0 "$RO_CHECK" 1 <"$TEST_TMP/ro.in" >"$TEST_TMP/ro.out" 2>&1 &
ro=$!
exec 6>"$TEST_TMP/ro.in"
wait_line "$TEST_TMP/ro.out" '^connected$' 1 20 || bail "the core did not connect: $(cat "$TEST_TMP/ro.out")"
front 1 fill 0 0 320 240 336699
front_sync 1
before=$(front_ask 1 'crc 0 0 320 240')
echo go >&6
wait_line "$TEST_TMP/ro.out" '^map-rw: ' 1 30
exec 6>&-
wait "$ro"
sed 's/^/# /' "$TEST_TMP/ro.out"
is "$(sed -n 's/^write: //p' "$TEST_TMP/ro.out")" "faulted" \
    "a write through the core's mapping of the framebuffer faults"
is "$(front_ask 1 'crc 0 0 320 240')" "$before" "  and the guest's pixels are unchanged"
is "$(sed -n 's/^mprotect: //p' "$TEST_TMP/ro.out")" "Permission denied" \
    "the core's mapping cannot be made writable"
is "$(sed -n 's/^map-rw: //p' "$TEST_TMP/ro.out")" "refused" \
    "a writable mapping of a framebuffer grant is refused"
wait_for 10 test "$(grants_of 1)" = 0
ok $? "nothing stays mapped once the core is closed"
