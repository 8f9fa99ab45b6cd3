#!/bin/bash
# `xenfb-backend serve` end to end on the simulated Xen: a real Xorg with
# xenfb in domain 1 playing a full-screen animation (bench/xfb-bench
# frames: whole-screen XShmPutImage frames, each different), the daemon in
# dom0, and a VNC client (bench/rfbcount.py) that keeps one update
# request outstanding and counts the frames it gets. A benchmark, not a
# test: it prints figures and judges nothing.
#
#   bench/serve-bench.sh [BUILDDIR [SECONDS [GUESTS]]]
#
# defaults: build/, 10 s per run, 3 guests for the memory figure.
#   1. frames per second and the daemon's CPU per frame at 1280x720 and
#      1920x1080, raw and ZRLE
#   2. the daemon's RSS with 1 guest and with GUESTS guests (all drawing
#      and watched)
#   3. idle: guests attached, a viewer connected, nothing changing: the
#      daemon's context switches (all threads, /proc/PID/task/*/status)
#      and its system calls (strace -c -f -p PID) over SECONDS
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd)
SECS=${2:-10}
GUESTS=${3:-3}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

BENCH=${XFB_BENCH:-$top_builddir/bench/xfb-bench}
COUNT="$top_srcdir/bench/rfbcount.py"
[ -x "$BENCH" ] || bail "build bench/xfb-bench first (or set XFB_BENCH)"
need strace

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
echo "xenfb $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null)"

cputicks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
TCK=$(getconf CLK_TCK)
ctxt() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/^voluntary_ctxt_switches/ { v += $2 } /^nonvoluntary_ctxt_switches/ { n += $2 }
             END { print v + n }'
}
# the daemon itself, not the `xsim run` in front of it
serve_pid() {
    local p
    p=$(pgrep -P "$SERVE_PID" -f 'xenfb-backend serve' | head -n 1)
    echo "${p:-$SERVE_PID}"
}

viewer_setup
serve_start
sleep 0.5
PID=$(serve_pid)
[ -n "$PID" ] && [ -d /proc/"$PID" ] || bail "no daemon"
echo "daemon pid $PID, RSS with no guest: $(awk '/^VmRSS/ { print $2, $3 }' /proc/"$PID"/status)"

# ---- 1. frames ----
d=1
for mode in 1280x720 1920x1080; do
    W=${mode%x*} H=${mode#*x}
    guest_up "$d" "$W" "$H" "\"$mode\""
    for enc in raw zrle; do
        "$BENCH" frames $((SECS + 3)) shm >"$TEST_TMP/anim.out" 2>&1 &
        anim=$!
        sleep 0.5
        t0=$(cputicks "$PID")
        "$PY" "$COUNT" 127.0.0.1 "$(vnc_port "$d")" "$SECS" "$enc" >"$TEST_TMP/count.out" 2>&1
        t1=$(cputicks "$PID")
        wait "$anim"
        fr=$(sed -n 's/.*frames=\([0-9]*\).*/\1/p' "$TEST_TMP/count.out")
        echo "$mode $enc: client $(cat "$TEST_TMP/count.out")"
        echo "$mode $enc: guest drew $(cat "$TEST_TMP/anim.out")"
        awk -v t=$((t1 - t0)) -v k="$TCK" -v f="${fr:-0}" -v s="$SECS" 'BEGIN {
            cpu = t / k; printf "%s: daemon CPU %.2f s in ~%d s (%.0f%% of one core), %.2f ms per frame delivered\n",
            "'"$mode $enc"'", cpu, s + 1, 100 * cpu / (s + 1), f ? 1000 * cpu / f : 0 }'
    done
    xorg_stop "dom$d"
    d=$((d + 1))
done

# ---- 2. memory per guest ----
for g in $(seq 10 $((9 + GUESTS))); do
    guest_up "$g" 1280 720 '"1280x720"'
    "$BENCH" frames 3 shm >/dev/null 2>&1
    "$PY" "$COUNT" 127.0.0.1 "$(vnc_port "$g")" 1 raw >/dev/null 2>&1
    echo "guests served: $((g - 9)), daemon $(grep -E '^(VmRSS|RssAnon|RssFile|RssShmem)' /proc/"$PID"/status | tr -s ' \t' ' ' | tr '\n' ' ')"
done

# ---- 3. idle ----
"$PY" "$COUNT" 127.0.0.1 "$(vnc_port 10)" $((2 * SECS + 2)) idle >"$TEST_TMP/idle.out" 2>&1 &
idle=$!
wait_line "$TEST_TMP/idle.out" '^ready$' 1 10
sleep 1
c0=$(ctxt "$PID")
t0=$(cputicks "$PID")
sleep "$SECS"
c1=$(ctxt "$PID")
t1=$(cputicks "$PID")
echo "idle, $GUESTS guests attached, a viewer connected: $((c1 - c0)) context switches (all threads) in $SECS s, CPU ticks $((t1 - t0))"
timeout -s INT "$SECS" strace -c -f -p "$PID" -o "$TEST_TMP/strace.out" >/dev/null 2>&1
wait "$idle"
echo "client: $(tail -n 1 "$TEST_TMP/idle.out")"
echo "strace -c -f over the next $SECS s:"
sed 's/^/    /' "$TEST_TMP/strace.out"
