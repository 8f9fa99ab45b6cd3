# Shell library for the system tests: TAP output and the simulated Xen.
# Source it as:  . "$top_srcdir/tests/lib.sh"
# The harness sets top_srcdir and top_builddir (absolute paths).

set -u
# no byte code next to the Python helpers (the source tree may be read-only)
export PYTHONDONTWRITEBYTECODE=1

: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"

XSIM="$top_builddir/tests/xsim/xsim"
TEST_NAME=$(basename "$0" .sh)
_tap_n=0
_tap_failed=0
_tap_plan=
_cleanups=

plan() { _tap_plan=$1; echo "1..$1"; }
diag() { printf '# %s\n' "$*"; }

# ok STATUS DESC: pass when STATUS (usually $?) is 0.
ok() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $_tap_n - $2"
    else
        echo "not ok $_tap_n - $2"
        _tap_failed=$((_tap_failed + 1))
    fi
    return "$1"
}

# is ACTUAL EXPECTED DESC
is() {
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '#   expected: %s\n#        got: %s\n' "$2" "$1"
        return 1
    fi
}

# bail WHY: stop the whole test as failed.
bail() { echo "Bail out! $*"; exit 1; }

# need CMD...: a missing tool is a failure, never a skip.
need() {
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || bail "missing tool: $c (install it: ./run deps)"
    done
}

# reach_caps USER PATH: the setpriv arguments that let USER reach PATH.
# None when it can; else the capability to read and search past file
# modes (CAP_DAC_READ_SEARCH), as when the tree is checked out under a
# directory of mode 700 (a home, /root, mktemp -d): the tree's programs
# then stand in for installed ones. Opening a device or a socket for
# writing is not eased by it.
reach_caps() {
    setpriv --reuid="$1" --regid=nogroup --clear-groups test -r "$2" ||
        echo "--inh-caps=+dac_read_search --ambient-caps=+dac_read_search"
}

# at_exit CMD: run CMD (a string) when the test ends, last registered first.
at_exit() { _cleanups="$1
$_cleanups"; }

_finish() {
    local rc=$?
    local IFS='
'
    for c in $_cleanups; do eval "$c" >/dev/null 2>&1 || true; done
    if [ -n "$_tap_plan" ] && [ "$_tap_n" -ne "$_tap_plan" ] && [ "$rc" -eq 0 ]; then
        echo "# planned $_tap_plan, ran $_tap_n"
        rc=1
    fi
    [ "$_tap_failed" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
    exit "$rc"
}
trap _finish EXIT
trap 'exit 130' INT TERM

# A private directory for this test, removed at the end.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/xfbtest.$TEST_NAME.XXXXXX")
at_exit "rm -rf '$TEST_TMP'"

# xsim_setup: start a private simulation and export XSIM_DIR for it. Its
# transactions commit as C xenstored would, or as oxenstored would when
# XSIM_XENSTORED=oxenstored (as the suite's second run of the xenstore
# tests has it).
xsim_setup() {
    export XSIM_DIR="$TEST_TMP/xsim"
    "$XSIM" start --xenstored "${XSIM_XENSTORED:-xenstored}" >/dev/null ||
        bail "xsim start failed: $(cat "$XSIM_DIR/xsimd.log" 2>/dev/null)"
    [ -z "${XSIM_XENSTORED:-}" ] || diag "xenstore transactions commit as $XSIM_XENSTORED would"
    at_exit "_xsim_teardown"
}

# gntalloc_limit DOMID PAGES: set a guest kernel's gntalloc page limit (1024
# at boot) the way an administrator does, through the guest's
# /sys/module/xen_gntalloc/parameters/limit; creates the domain if needed.
# The limit is per kernel: a domain destroyed and created again starts at
# 1024 again.
gntalloc_limit() {
    "$XSIM" run --domid "$1" -- sh -c "echo $2 >/sys/module/xen_gntalloc/parameters/limit" ||
        bail "cannot set the gntalloc limit of domain $1 to $2"
}

_xsim_teardown() {
    if [ "$_tap_failed" -gt 0 ] && [ -f "$XSIM_DIR/xsimd.log" ]; then
        sed 's/^/# xsimd: /' "$XSIM_DIR/xsimd.log" | tail -n 40
    fi
    "$XSIM" stop
}

# wait_for DEADLINE_SECONDS CMD...: poll CMD until it succeeds, with a
# deadline; for conditions no event announces (a process gone, a file
# written by a program we do not control).
wait_for() {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    while ! "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}
