#!/bin/sh
# Sixteen VNC viewers on one guest during a full-screen animation (the
# short version of bench/load/soak.sh): a real Xorg with xenfb in domain
# 1 at 1024x768 redrawing its whole screen 25 times a second, the daemon
# in dom0, and sixteen viewers (bench/load/rfbwatch.py, raw encoding)
# that keep an update request outstanding. Every viewer must receive
# updates in every $INTERVAL s interval (the give-up limit), none may get
# far less than the others, and the daemon's memory must not grow once
# all are connected. Rates are not asserted: the machine may be loaded.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/load/lib-load.sh"

VIEWERS=16
SECS=20
INTERVAL=10
plan 9
load_setup 1
# --verbose: the daemon's debug lines too
load_serve_start --verbose
guest_up 1 1024 768 '"1024x768"'
SERVE=$(real_pid "$SERVE_PID" "xenfb-backend serve")
XORG=$(real_pid "$(cat "$TEST_TMP/xorg-dom1/pid")" Xorg)
RSS_IDLE=$(rss_kb "$SERVE")

$LOAD_NICE "$XANIM" 25 $((SECS + 40)) >"$TEST_TMP/anim.out" 2>&1 &
ANIM=$!
at_exit "kill $ANIM 2>/dev/null"

n=$(count "$SERVE_LOG" "domain 1: VNC viewer connected from")
REFRESH_OFF=$(count "$SERVE_LOG" "domain 1: refresh period 0 ms")
for i in $(seq 1 $VIEWERS); do watch_start 1 "$SECS" "$INTERVAL" "v$i"; done
wait_line "$SERVE_LOG" "domain 1: VNC viewer connected from" $((n + VIEWERS)) 30
ok $? "the daemon logs $VIEWERS viewers connected"
all_connected() {
    for i in $(seq 1 $VIEWERS); do grep -q '^connected \|^total ' "$TEST_TMP/v$i.out" || return 1; done
}
wait_for 40 all_connected
n=$(grep -l '^connected ' "$TEST_TMP"/v*.out | wc -l)
is "$n" "$VIEWERS" "every viewer got its first update"

SAMPLE_MORE=$XORG sampler_start "$SERVE" 1 "$TEST_TMP/samples"
watch_wait
sampler_stop

bad=
for i in $(seq 1 $VIEWERS); do
    [ "$(watch_total "v$i" status)" = OK ] || bad="$bad $i"
done
for v in $bad; do sed "s/^/# viewer $v: /" "$TEST_TMP/v$v.out"; done
[ -z "$bad" ]
ok $? "every viewer ran to the end${bad:+ (not viewers:$bad)}"

# every interval of every viewer had updates: nobody stalled for long
zero=$(cat "$TEST_TMP"/v*.out | grep -c '^at=.* frames=0 ')
is "$zero" 0 "no viewer went an interval of $INTERVAL s without an update"
maxgap=$(for i in $(seq 1 $VIEWERS); do watch_total "v$i" max_gap; done | sort -g | tail -n 1)
diag "the longest wait for an update over all viewers: ${maxgap} s (a figure: a loaded machine stretches it)"

# fairness: the slowest viewer gets at least a third of the median's frames
for i in $(seq 1 $VIEWERS); do watch_total "v$i" frames; done | sort -n >"$TEST_TMP/frames"
min=$(head -n 1 "$TEST_TMP/frames")
med=$(sed -n "$((VIEWERS / 2))p" "$TEST_TMP/frames")
max=$(tail -n 1 "$TEST_TMP/frames")
diag "frames per viewer in $SECS s: min $min, median $med, max $max"
[ "${min:-0}" -gt 0 ] && [ $((min * 3)) -ge "$med" ]
ok $? "the slowest viewer gets at least a third of the median ($min vs $med)"

# memory: each viewer may have one 3 MB frame in flight (its encoded
# update, or the picture it is encoded from), so single samples swing by tens of MB with how fast the viewers
# read; a leak shows as a rising median instead. The second half's median
# must stay within 10% (+8 MB) of the first half's (after 2 s: the
# viewers' first frames).
rss_halves "$TEST_TMP/samples" "$SECS" >"$TEST_TMP/rss"
read -r rss0 rss1 <"$TEST_TMP/rss"
diag "daemon VmRSS every second: $(awk '{ printf "%s ", $2 }' "$TEST_TMP/samples")kB"
[ "$rss0" -gt 0 ] && [ "$rss1" -le $((rss0 + rss0 / 10 + 8192)) ]
ok $? "the daemon's RSS stays flat: median $rss0 kB in the first half, $rss1 kB in the second"
awk -v k="$TCK" 'NR == 1 { t = $1; a = $3; x = $5 } END {
    s = $1 - t; if (s > 0) printf "# CPU over %d s: daemon %.0f%%, Xorg %.0f%% of a core\n",
        s, 100 * ($3 - a) / k / s, 100 * ($5 - x) / k / s }' "$TEST_TMP/samples"

kill -0 "$SERVE" 2>/dev/null
ok $? "the daemon is still running"
wait_line "$SERVE_LOG" "domain 1: VNC viewer from .* left" "$VIEWERS" 20
ok $? "it logs all $VIEWERS viewers leaving"
# and the server lets go of each, after which the guest is told that
# nobody watches
wait_line "$SERVE_LOG" "domain 1: refresh period 0 ms" $((REFRESH_OFF + 1)) 20
ok $? "and the guest is told nobody watches" || {
    for t in /proc/"$SERVE"/task/*; do diag "thread ${t##*/}: $(cat "$t/wchan" 2>/dev/null) $(cut -d' ' -f3 "$t/stat")"; done
    grep 'left$\|refresh period' "$SERVE_LOG" | sed 's/^/# /'
}
diag "daemon VmRSS once they left: $(rss_kb "$SERVE") kB (before any viewer: $RSS_IDLE kB)"
