#!/bin/sh
# VNC clients that misbehave while the guest animates full screen: some
# vanish in the middle of a frame (closed, or reset), one asks for frames
# and never reads a byte (clients sending junk: junk.sh). A well-behaved
# viewer next to them keeps getting frames and its picture (pixel for
# pixel once the animation stops), and the daemon's memory stays bounded
# while the stuck client sits there. Its frame rates are printed, not
# asserted: a loaded machine changes them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fault/lib-fault.sh"

plan 9
viewer_setup
# AddressSanitizer's quarantine (256 MB by default) keeps freed memory and
# would hide a bound behind its own growth: 8 MB, as in tests/hostile/
asan=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${asan:+$asan:}quarantine_size_mb=8"
serve_start
ASAN_OPTIONS=$asan
guest_up 1 1024 768 '"1024x768"'
COUNT="$top_srcdir/bench/rfbcount.py"
PORT=$(vnc_port 1)
SECS=4

watch_start 1
animate_start
fps() { sed -n 's/.* fps=\([0-9.]*\) .*/\1/p' "$1"; }
nframes() { sed -n 's/^frames=\([0-9]*\) .*/\1/p' "$1"; }
# A client that blocked the others would leave the good viewer with no
# frame at all.

"$PY" "$COUNT" 127.0.0.1 "$PORT" "$SECS" raw >"$TEST_TMP/fps0" 2>&1
fps0=$(fps "$TEST_TMP/fps0")
[ -n "$fps0" ] || bail "no frame rate to compare with: $(cat "$TEST_TMP/fps0")"
rss0=$(serve_rss)

"$PY" "$RFBBAD" stuck 127.0.0.1 "$PORT" >"$TEST_TMP/stuck.out" 2>&1 &
stuck=$!
at_exit "kill $stuck 2>/dev/null"
wait_line "$TEST_TMP/stuck.out" '^stuck' 1 20 || bail "the stuck client did not get stuck"
rfb vanish 127.0.0.1 "$PORT" 30 >"$TEST_TMP/vanish.out" 2>&1 &
van=$!
"$PY" "$COUNT" 127.0.0.1 "$PORT" "$SECS" raw >"$TEST_TMP/fps1" 2>&1 &
cnt=$!
# the daemon's memory, while it all goes on
rssmax=$rss0
while kill -0 "$cnt" 2>/dev/null; do
    r=$(serve_rss)
    [ "${r:-0}" -gt "$rssmax" ] && rssmax=$r
    sleep 0.2
done
wait "$cnt"
fps1=$(fps "$TEST_TMP/fps1")
wait "$van"
ok $? "30 clients vanished mid-frame (half of them with a reset)"
rss1=$(serve_rss)
diag "good viewer: $fps0 fps alone, ${fps1:-none} fps next to them; daemon VmRSS ${rss0} kB before, at most ${rssmax} kB during, ${rss1} kB after"
[ "$(nframes "$TEST_TMP/fps1")" -gt 0 ] 2>/dev/null
ok $? "the good viewer keeps getting frames ($fps0 fps alone -> ${fps1:-none} fps next to them)"

# the stuck client alone next to the good viewer, a while longer: no
# other client's processes compete for the CPU now, and the daemon's
# memory must not grow with the stuck client
"$PY" "$COUNT" 127.0.0.1 "$PORT" "$SECS" raw >"$TEST_TMP/fps2" 2>&1
fps2=$(fps "$TEST_TMP/fps2")
diag "good viewer next to the stuck client only: ${fps2:-none} fps ($(cat "$TEST_TMP/stuck.out"))"
[ "$(nframes "$TEST_TMP/fps2")" -gt 0 ] 2>/dev/null
ok $? "next to the stuck client alone too ($fps0 -> ${fps2:-none} fps)"
rss2=$(serve_rss)
diag "VmRSS ${rss2} kB after $((SECS + 1)) s more of the stuck client"
# bounded: once the vanishing clients are gone, the stuck client alone
# does not make it grow (a queue per frame for it would: 3 MB a frame)
[ $((rss2 - rss1)) -lt 16384 ]
ok $? "the daemon's memory stays flat with a client that never reads (+$((rss2 - rss1)) kB; +$((rssmax - rss0)) kB while the others vanished)"

animate_stop
wait_match watch_matches 10
ok $? "the viewer that stayed shows the guest's screen, pixel for pixel"
grep -q "^stuck" "$TEST_TMP/stuck.out" && kill -0 "$stuck" 2>/dev/null
ok $? "the stuck client is still there (neither side gave up)"
kill "$stuck" 2>/dev/null
wait "$stuck" 2>/dev/null
kill -0 "$SERVE_PID"
ok $? "the daemon is alive"
xsetroot -solid '#4080c0'
wait_match watch_matches 10
ok $? "and still serves: a new picture reaches the viewer that stayed"
serve_stop
is "$SERVE_RC" "0" "it stops cleanly"
[ "$_tap_failed" -eq 0 ] || { show_sanitizer; show_serve_log 30; sed 's/^/# /' "$TEST_TMP/vanish.out"; }
