#!/bin/sh
# Xen's own xenstore conformance test, test-xenstore from Debian's
# xen-utils-4.17, against xsimd as dom0. The package is downloaded and
# unpacked into tests/cache/ (never installed: its scripts would start Xen
# services). test-xenstore reaches xsimd through XENSTORED_PATH.
. "$top_srcdir/tests/lib.sh"

need apt-get dpkg-deb
plan 8

cache="$top_builddir/tests/cache/xen-utils-4.17"
bin="$cache/usr/lib/xen-4.17/bin/test-xenstore"

fetch() {
    tmp="$cache.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp" || return 1
    # as root apt warns that its _apt user cannot write here: harmless
    (cd "$tmp" && apt-get download xen-utils-4.17) >"$tmp.log" 2>&1 ||
        {
            # a machine that never ran apt-get update knows no packages
            [ "$(id -u)" -eq 0 ] && apt-get update -qq >>"$tmp.log" 2>&1 &&
                (cd "$tmp" && apt-get download xen-utils-4.17) >>"$tmp.log" 2>&1
        } || {
            sed 's/^/# /' "$tmp.log"
            return 1
        }
    dpkg-deb -x "$tmp"/xen-utils-4.17_*.deb "$tmp/root" || return 1
    rm -rf "$cache"
    mv "$tmp/root" "$cache" && rm -rf "$tmp" "$tmp.log"
}

[ -x "$bin" ] || fetch
[ -x "$bin" ]
ok $? "test-xenstore from xen-utils-4.17 is in tests/cache" || bail "cannot get xen-utils-4.17"

xsim_setup
x0() { "$XSIM" run --domid 0 -- "$@"; }

is "$(x0 "$bin" --list-tests | wc -l | tr -d ' ')" "12" "test-xenstore knows 12 tests"

# Each passing test prints "name: N ns"; a failure "name: failed (...)".
x0 "$bin" >"$TEST_TMP/out" 2>&1
rc=$?
sed 's/^/# /' "$TEST_TMP/out"
is "$rc" "0" "test-xenstore passes"
is "$(grep -c ': [0-9][0-9]* ns$' "$TEST_TMP/out")" "12" "all 12 tests ran and passed"
is "$(grep -c 'failed' "$TEST_TMP/out")" "0" "no test failed"

x0 "$bin" --iterations 20 >"$TEST_TMP/out" 2>&1
is "$?:$(grep -c ': avg: ' "$TEST_TMP/out")" "0:12" "20 iterations of each pass"

# Its transactions retry on EAGAIN: an injected conflict costs a retry only.
"$XSIM" ctl fault-commit-eagain 3 >/dev/null
x0 "$bin" --test "ta rmw" >"$TEST_TMP/out" 2>&1
is "$?:$(grep -c '^ta rmw *: [0-9]* ns$' "$TEST_TMP/out")" "0:1" \
    "read-modify-write survives three forced EAGAIN commits"

# It cleans up after itself: nothing is left of its xenstore-test tree.
"$XSIM" ctl dump-store >"$TEST_TMP/dump"
grep -q xenstore-test "$TEST_TMP/dump"
[ $? -ne 0 ]
ok $? "no xenstore-test node is left behind"
