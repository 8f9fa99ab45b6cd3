#!/bin/bash
# Soak: many VNC viewers on one guest during a full-screen animation, for
# minutes. A real Xorg with xenfb in domain 1 (1024x768) redraws its whole
# screen FPS times a second (tests/load/xanim); `xenfb-backend serve` in
# dom0; VIEWERS viewers (bench/load/rfbwatch.py, raw encoding) each keep
# an update request outstanding. Every 10 s: each viewer's frame count,
# the daemon's VmRSS and the CPU of the daemon, Xorg and xsimd. A
# benchmark: it prints figures and judges nothing (tests/load/viewers.sh
# is the short version that asserts).
#
#   bench/load/soak.sh [--builddir DIR] [--minutes N] [--viewers N]
#                      [--fps N] [--interval S] [--encoding raw|zrle] [--nice N]
#
# Defaults: build/, 10 minutes, 16 viewers, 25 fps, 10 s, raw, the
# animation and the viewers at nice 10 (below the daemon: lib-load.sh).
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$top_srcdir/build MINUTES=10 VIEWERS=16 FPS=25 INTERVAL=10 ENC=raw NICENESS=10
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) BUILD=$2 ;;
    --minutes) MINUTES=$2 ;;
    --viewers) VIEWERS=$2 ;;
    --fps) FPS=$2 ;;
    --interval) INTERVAL=$2 ;;
    --encoding) ENC=$2 ;;
    --nice) NICENESS=$2 ;;
    *) echo "usage: soak.sh [--builddir DIR] [--minutes N] [--viewers N] [--fps N] [--interval S] [--encoding raw|zrle] [--nice N]" >&2
       exit 2 ;;
    esac
    shift 2
done
top_builddir=$(cd "$BUILD" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/load/lib-load.sh"
LOAD_NICE="nice -n $NICENESS"
[ -x "$XANIM" ] || bail "build the animation first: make -C $BUILD tests/load/xanim"
SECS=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "neatvnc $(dpkg-query -W -f '${Version}' libneatvnc0 2>/dev/null), xenfb $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null)"
echo "run: $VIEWERS viewers ($ENC), guest 1024x768 at $FPS fps, $MINUTES min, samples every $INTERVAL s, load at nice $NICENESS"

load_setup 1
serve_start
guest_up 1 1024 768 '"1024x768"'
SERVE=$(real_pid "$SERVE_PID" "xenfb-backend serve")
XORG=$(real_pid "$(cat "$TEST_TMP/xorg-dom1/pid")" Xorg)
XSIMD=$(cat "$XSIM_DIR/xsimd.pid")
vnc_ports_ok
echo "daemon RSS before any viewer: $(rss_kb "$SERVE") kB"

$LOAD_NICE "$XANIM" "$FPS" $((SECS + 120)) >"$TEST_TMP/anim.out" 2>&1 &
ANIM=$!
at_exit "kill $ANIM 2>/dev/null"
for i in $(seq 1 "$VIEWERS"); do
    $LOAD_NICE "$PY" "$RFBWATCH" 127.0.0.1 "$(vnc_port 1)" "$SECS" "$INTERVAL" "$ENC" >"$TEST_TMP/v$i.out" 2>&1 &
    _watch_pids="$_watch_pids $!"
done
all_connected() {
    for i in $(seq 1 "$VIEWERS"); do grep -q '^connected \|^total ' "$TEST_TMP/v$i.out" || return 1; done
}
wait_for 60 all_connected || echo "not every viewer connected within 60 s"
SAMPLE_MORE="$XORG $XSIMD" sampler_start "$SERVE" "$INTERVAL" "$TEST_TMP/samples"
watch_wait
sampler_stop
kill -TERM "$ANIM"
wait "$ANIM"
echo "guest drew: $(cat "$TEST_TMP/anim.out")"

echo
echo "Every $INTERVAL s: daemon VmRSS, CPU (% of one core) of the daemon, Xorg and xsimd"
echo "over the interval, and frames received by the slowest / median / fastest viewer"
echo "(the viewers' intervals start at their first update, within a second of each other)."
echo
echo "| t (s) | daemon RSS (MB) | daemon CPU | Xorg CPU | xsimd CPU | frames min / median / max |"
echo "|---|---|---|---|---|---|"
k=0
while read -r t rss st xrss xt srss stt; do
    k=$((k + 1))
    fr=$(for i in $(seq 1 "$VIEWERS"); do sed -n "/^at=/p" "$TEST_TMP/v$i.out" | sed -n "${k}s/.* frames=\([0-9]*\).*/\1/p"; done | sort -n)
    n=$(echo "$fr" | grep -c .)
    if [ -n "${pt:-}" ]; then
        awk -v t="$t" -v r="$rss" -v pt="$pt" -v a=$((st - pst)) -v b=$((xt - pxt)) -v c=$((stt - pstt)) -v k="$TCK" \
            -v mn="$(echo "$fr" | head -n 1)" -v md="$(echo "$fr" | sed -n "$(((n + 1) / 2))p")" -v mx="$(echo "$fr" | tail -n 1)" \
            'BEGIN { d = t - pt; printf "| %.0f | %.1f | %.0f%% | %.0f%% | %.0f%% | %s / %s / %s |\n", t, r / 1024,
                     100 * a / k / d, 100 * b / k / d, 100 * c / k / d, mn, md, mx }'
    else
        k=0
        awk -v t="$t" -v r="$rss" 'BEGIN { printf "| %.0f | %.1f | | | | (start) |\n", t, r / 1024 }'
    fi
    pt=$t pst=$st pxt=$xt pstt=$stt
done <"$TEST_TMP/samples"

echo
echo "Per viewer:"
echo
echo "| viewer | frames | fps | MB received | longest wait between updates (s) | status |"
echo "|---|---|---|---|---|---|"
for i in $(seq 1 "$VIEWERS"); do
    echo "| $i | $(watch_total "v$i" frames) | $(watch_total "v$i" fps) | $(watch_total "v$i" mbytes) | $(watch_total "v$i" max_gap) | $(watch_total "v$i" status) |"
done
echo
echo "frames per viewer: min / median / max = $(for i in $(seq 1 "$VIEWERS"); do watch_total "v$i" frames; done | sort -n |
    awk '{ a[NR] = $1 } END { print a[1] " / " a[int((NR + 1) / 2)] " / " a[NR] }')"
echo "viewers that went an interval without an update: $(cat "$TEST_TMP"/v*.out | grep -c '^at=.* frames=0 ')"
echo "daemon log: $(count "$SERVE_LOG" 'VNC viewer connected') viewers connected, $(count "$SERVE_LOG" 'VNC viewer from .* left') left, $(grep -ci 'error\|warning' "$SERVE_LOG") errors or warnings"
grep -i 'error\|warning' "$SERVE_LOG" | head -n 5
