#!/bin/bash
# Many guests on one `xenfb-backend serve`, each with one VNC viewer, on
# the simulated Xen. Every guest is 1024x768; the odd-numbered ones
# animate their whole screen FPS times a second, the even ones are nearly
# still (one whole-screen change every 5 s). The first XORG guests are real Xorg
# servers with xenfb (animated by tests/load/xanim); the others are
# tests/front/xfb-front-tool, the guest protocol engine without an X
# server (it paints its framebuffer itself), so that many guests fit on a
# small machine. Prints, per guest, the frames its viewer received, and
# the daemon's CPU and RSS over the run. A benchmark: it judges nothing
# (tests/load/guests.sh is the short version that asserts).
#
#   bench/load/guests.sh [--builddir DIR] [--guests N] [--seconds N]
#                        [--xorg N] [--fps N] [--encoding raw|zrle] [--nice N]
#
# Defaults: build/, 32 guests, 60 s, 32 real Xorg servers, 25 fps, raw,
# the load at nice 10.
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$top_srcdir/build GUESTS=32 SECS=60 XORGS=32 FPS=25 ENC=raw NICENESS=10
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILD=$2 ;;
    --guests) GUESTS=$2 ;;
    --seconds) SECS=$2 ;;
    --xorg) XORGS=$2 ;;
    --fps) FPS=$2 ;;
    --encoding) ENC=$2 ;;
    --nice) NICENESS=$2 ;;
    *) echo "usage: guests.sh [--builddir DIR] [--guests N] [--seconds N] [--xorg N] [--fps N] [--encoding raw|zrle] [--nice N]" >&2
       exit 2 ;;
    esac
    shift 2
done
top_builddir=$(cd "$BUILD" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/load/lib-load.sh"
[ -x "$XANIM" ] || bail "build the animation first: make -C $BUILD tests/load/xanim"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "neatvnc $(dpkg-query -W -f '${Version}' libneatvnc0 2>/dev/null), xenfb $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null)"
echo "run: $GUESTS guests at 1024x768 ($XORGS real Xorg), odd ones animating at $FPS fps, even ones at 0.2 fps, one $ENC viewer each, $SECS s, load at nice $NICENESS"

# The load (animations, frontends, viewers) runs at nice $NICENESS, below
# the daemon under measurement (lib-load.sh); --nice 0 turns that off.
LOAD_NICE="nice -n $NICENESS"
rate() { if [ $(($1 % 2)) = 1 ]; then echo "$FPS"; else echo 0.2; fi; }
load_setup "$GUESTS"
serve_start
t0=$(date +%s)
for d in $(seq 1 "$GUESTS"); do
    if [ "$d" -le "$XORGS" ]; then
        guest_up "$d" 1024 768 '"1024x768"'
        $LOAD_NICE "$XANIM" "$(rate "$d")" $((SECS + 30 * GUESTS)) >"$TEST_TMP/anim-$d.out" 2>&1 &
        at_exit "kill $! 2>/dev/null"
    else
        front_guest "$d" 1024 768 "$(rate "$d")" $((SECS + 30 * GUESTS))
    fi
done
vnc_ports_ok
SERVE=$(real_pid "$SERVE_PID" "xenfb-backend serve")
XSIMD=$(cat "$XSIM_DIR/xsimd.pid")
echo "$GUESTS guests up in $(($(date +%s) - t0)) s; daemon RSS $(rss_kb "$SERVE") kB before any viewer"

for d in $(seq 1 "$GUESTS"); do
    $LOAD_NICE "$PY" "$RFBWATCH" 127.0.0.1 "$(vnc_port "$d")" "$SECS" 10 "$ENC" >"$TEST_TMP/v$d.out" 2>&1 &
    _watch_pids="$_watch_pids $!"
done
all_connected() {
    for d in $(seq 1 "$GUESTS"); do grep -q '^connected \|^total ' "$TEST_TMP/v$d.out" || return 1; done
}
wait_for 60 all_connected || echo "not every viewer connected within 60 s"
SAMPLE_MORE=$XSIMD sampler_start "$SERVE" 5 "$TEST_TMP/samples"
watch_wait
sampler_stop

echo
echo "Per guest (fps: updates received per second by its viewer over $SECS s;"
echo "longest wait: the longest time between two updates, or since the last one):"
echo
echo "| guest | kind | frames | fps | MB received | longest wait (s) | status |"
echo "|---|---|---|---|---|---|---|"
for d in $(seq 1 "$GUESTS"); do
    k=$([ "$d" -le "$XORGS" ] && echo Xorg || echo front)
    k="$k $([ $((d % 2)) = 1 ] && echo animated || echo "still (0.2 fps)")"
    echo "| $d | $k | $(watch_total "v$d" frames) | $(watch_total "v$d" fps) | $(watch_total "v$d" mbytes) | $(watch_total "v$d" max_gap) | $(watch_total "v$d" status) |"
done
echo
for kind in 1 0; do
    for d in $(seq 1 "$GUESTS"); do
        [ $((d % 2)) = $kind ] && watch_total "v$d" frames
    done | sort -n | awk -v k="$kind" '{ a[NR] = $1 } END { if (NR) {
        m = a[int((NR + 1) / 2)]
        printf "%s guests, frames in the run: min %s, median %s, max %s; min/median %.2f\n",
            k ? "animated" : "still", a[1], m, a[NR], (m > 0 ? a[1] / m : 0) } }'
done
awk -v k="$TCK" 'NR == 1 { t = $1; a = $3; x = $5; r0 = $2 } { if ($2 > rm) rm = $2 } END {
    s = $1 - t; if (s > 0) printf "over %.0f s: daemon CPU %.0f%% of a core, xsimd %.0f%%; daemon VmRSS %.1f MB at the start, %.1f MB at the end, %.1f MB at most\n",
        s, 100 * ($3 - a) / k / s, 100 * ($5 - x) / k / s, r0 / 1024, $2 / 1024, rm / 1024 }' "$TEST_TMP/samples"
echo "daemon VmRSS every 5 s (MB): $(awk '{ printf "%.1f ", $2 / 1024 }' "$TEST_TMP/samples")"
echo "system load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "daemon log: $(count "$SERVE_LOG" 'framebuffer connected') framebuffers connected, $(count "$SERVE_LOG" 'VNC viewer connected') viewers connected, $(count "$SERVE_LOG" 'VNC viewer from .* left') left, $(grep -ci 'error\|warning' "$SERVE_LOG") errors or warnings"
grep -i 'error\|warning' "$SERVE_LOG" | head -n 5
