#!/bin/sh
# Sixteen guests on one daemon, each with a VNC viewer (the short version
# of bench/load/guests.sh): guests 1 and 2 are real Xorg servers with
# xenfb, 3..16 are tests/front/xfb-front-tool (the guest engine without
# X, light enough for sixteen on two cores). Odd guests redraw their
# whole 1024x768 screen 20 times a second, even ones once every 5 s.
# Nothing may starve: every viewer keeps getting updates, the slowest
# busy guest gets a fair share of the median's, and the quiet guests'
# few changes reach their viewers while the busy ones flood the daemon.
# Rates are not asserted: the machine may be loaded.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/load/lib-load.sh"

GUESTS=16
XORGS=2
SECS=20
INTERVAL=10
FPS=20
plan 9
rate() { if [ $(($1 % 2)) = 1 ]; then echo "$FPS"; else echo 0.2; fi; }
load_setup "$GUESTS"
load_serve_start
for d in $(seq 1 "$GUESTS"); do
    if [ "$d" -le "$XORGS" ]; then
        guest_up "$d" 1024 768 '"1024x768"'
        $LOAD_NICE "$XANIM" "$(rate "$d")" $((SECS + 60)) >"$TEST_TMP/anim-$d.out" 2>&1 &
        at_exit "kill $! 2>/dev/null"
    else
        front_guest "$d" 1024 768 "$(rate "$d")" $((SECS + 60))
    fi
done
is "$(count "$SERVE_LOG" 'framebuffer connected')" "$GUESTS" "the daemon serves $GUESTS framebuffers"
SERVE=$(real_pid "$SERVE_PID" "xenfb-backend serve")

for d in $(seq 1 "$GUESTS"); do watch_start "$d" "$SECS" "$INTERVAL" "v$d"; done
all_connected() {
    for d in $(seq 1 "$GUESTS"); do grep -q '^connected \|^total ' "$TEST_TMP/v$d.out" || return 1; done
}
wait_for 40 all_connected
n=$(grep -l '^connected ' "$TEST_TMP"/v*.out | wc -l)
is "$n" "$GUESTS" "every viewer got its first update"
sampler_start "$SERVE" 1 "$TEST_TMP/samples"
watch_wait
sampler_stop

bad=
for d in $(seq 1 "$GUESTS"); do
    [ "$(watch_total "v$d" status)" = OK ] || bad="$bad $d"
done
for v in $bad; do
    sed "s/^/# viewer $v: /" "$TEST_TMP/v$v.out"
    grep "domain $v:" "$SERVE_LOG" | sed "s/^/# serve: /"
done
[ -z "$bad" ]
ok $? "every viewer ran to the end${bad:+ (not guests:$bad)}"

busy=$(seq 1 2 "$GUESTS")
quiet=$(seq 2 2 "$GUESTS")
zero=$(for d in $busy; do grep '^at=.* frames=0 ' "$TEST_TMP/v$d.out"; done | grep -c .)
is "$zero" 0 "no busy guest's viewer went an interval of $INTERVAL s without an update"
maxgap=$(for d in $busy; do watch_total "v$d" max_gap; done | sort -g | tail -n 1)
diag "the longest wait for an update of a busy guest: ${maxgap} s (a figure: a loaded machine stretches it)"

for d in $busy; do echo "$(watch_total "v$d" frames) $d"; done | sort -n >"$TEST_TMP/frames"
n=$(wc -l <"$TEST_TMP/frames")
min=$(head -n 1 "$TEST_TMP/frames" | cut -d' ' -f1)
med=$(sed -n "$(((n + 1) / 2))p" "$TEST_TMP/frames" | cut -d' ' -f1)
diag "busy guests, frames in $SECS s (frames guest): $(tr '\n' ' ' <"$TEST_TMP/frames")"
[ "${min:-0}" -gt 0 ] && [ $((min * 3)) -ge "$med" ]
ok $? "the slowest busy guest gets at least a third of the median's frames ($min vs $med)"

# a change every 5 s: at least 2 of the 3 or 4 in the run must arrive
few=
for d in $quiet; do
    f=$(watch_total "v$d" frames)
    [ "${f:-0}" -ge 2 ] || few="$few $d:${f:-0}"
done
diag "quiet guests, frames in $SECS s: $(for d in $quiet; do printf '%s ' "$(watch_total "v$d" frames)"; done)"
[ -z "$few" ]
ok $? "every quiet guest's changes reach its viewer${few:+ (not:$few)}"

# memory: each viewer may have one 3 MB frame in flight (neatvnc's output
# queue), so single samples swing by tens of MB with how fast the viewers
# read; a leak shows as a rising median instead. The second half's median
# must stay within 10% (+8 MB) of the first half's (after 2 s: the
# viewers' first frames).
rss_halves "$TEST_TMP/samples" "$SECS" >"$TEST_TMP/rss"
read -r rss0 rss1 <"$TEST_TMP/rss"
diag "daemon VmRSS every second: $(awk '{ printf "%s ", $2 }' "$TEST_TMP/samples")kB"
awk 'NR == 1 { t = $1; a = $3 } END { s = $1 - t; if (s > 0)
    printf "# daemon CPU over %d s: %.0f%% of a core\n", s, 100 * ($3 - a) / '"$TCK"' / s }' "$TEST_TMP/samples"
[ "$rss0" -gt 0 ] && [ "$rss1" -le $((rss0 + rss0 / 10 + 8192)) ]
ok $? "the daemon's RSS stays flat: median $rss0 kB in the first half, $rss1 kB in the second"

kill -0 "$SERVE" 2>/dev/null
ok $? "the daemon is still running"
is "$(grep -c -i 'error\|warning' "$SERVE_LOG")" 0 "and it logged no error or warning"
