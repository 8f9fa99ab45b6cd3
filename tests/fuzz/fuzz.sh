#!/bin/sh
# Coverage-guided fuzzing of the harnesses in tests/fuzz/ with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (clang). Builds them in
# a build directory of their own (configured with clang on first use),
# runs each for SECONDS, and prints TAP: one line per harness (no crash,
# no leak, no timeout, no sanitizer report), then "N passed, N failed".
#
#   tests/fuzz/fuzz.sh [--time SECONDS] [--builddir DIR] [HARNESS...]
#
# HARNESS is back, front, xsimd or rfb (default: all four). SECONDS defaults
# to 60 per harness. The build directory defaults to build-fuzz/ in the
# source tree. Installs nothing; needs clang and libclang-rt-14-dev (the
# libFuzzer and sanitizer runtimes), and what ./configure needs.
#
# What a run leaves in DIR/tests/fuzz/: NAME.log (libFuzzer's output),
# work/NAME/ (the inputs it found interesting, a starting point for the
# next run) and NAME-crash-* / NAME-leak-* / NAME-timeout-* (inputs that
# failed, to be fixed and then added to tests/fuzz/regress/NAME/).
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
time=60
builddir=
harnesses=
while [ $# -gt 0 ]; do
    case $1 in
    --time) time=${2:?--time needs SECONDS}; shift 2 ;;
    --time=*) time=${1#--time=}; shift ;;
    --builddir) builddir=${2:?--builddir needs DIR}; shift 2 ;;
    --builddir=*) builddir=${1#--builddir=}; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    back|front|xsimd|rfb) harnesses="$harnesses $1"; shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $time in
''|*[!0-9]*) echo "fuzz.sh: --time takes a number of seconds" >&2; exit 2 ;;
esac
[ -n "$harnesses" ] || harnesses="back front xsimd rfb"
[ -n "$builddir" ] || builddir=$srcdir/build-fuzz
mkdir -p "$builddir" && builddir=$(cd "$builddir" && pwd)

count=0
for h in $harnesses; do count=$((count + 1)); done
echo "1..$count"
passed=0
failed=0
n=0
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
bail() {
    echo "Bail out! $*"
    failed=$count
    finish
}

command -v clang >/dev/null 2>&1 || bail "clang is missing (package clang)"

# A separate build: everything compiled with coverage instrumentation and
# the sanitizers; only the fuzz programs link libFuzzer.
if [ ! -f "$builddir/Makefile" ]; then
    if [ ! -x "$srcdir/configure" ]; then
        (cd "$srcdir" && NOCONFIGURE=1 ./autogen.sh) >"$builddir/autogen.log" 2>&1 ||
            bail "autogen.sh failed: see $builddir/autogen.log"
    fi
    (cd "$builddir" &&
        "$srcdir/configure" CC=clang CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" \
            --enable-sanitizers) >"$builddir/configure.log" 2>&1 ||
        bail "configure with clang failed: see $builddir/configure.log"
fi
out=$builddir/tests/fuzz
mkdir -p "$out"
targets=
for h in $harnesses; do targets="$targets tests/fuzz/fuzz-$h"; done
# shellcheck disable=SC2086
make -C "$builddir" -j2 FUZZ_LDFLAGS=-fsanitize=fuzzer $targets >"$out/build.log" 2>&1 ||
    bail "building the harnesses failed: see $out/build.log"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:verify_asan_link_order=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for h in $harnesses; do
    n=$((n + 1))
    work=$out/work/$h
    mkdir -p "$work"
    log=$out/$h.log
    set -- "$work" "$srcdir/tests/fuzz/corpus/$h"
    for d in regress grown; do
        [ -d "$srcdir/tests/fuzz/$d/$h" ] && set -- "$@" "$srcdir/tests/fuzz/$d/$h"
    done
    # the first directory receives what the run finds; the committed
    # seeds, regression inputs and grown corpus are only read
    "$out/fuzz-$h" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$out/$h-" \
        "$@" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok $n - $h: ${execs:-?} runs, ${rate:-?} exec/s, $cov"
    else
        failed=$((failed + 1))
        echo "not ok $n - $h: libFuzzer exited with $rc (see $log)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' \
            "$log" | head -n 5 | sed 's/^/# /'
    fi
done
finish
