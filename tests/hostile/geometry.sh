#!/bin/sh
# Geometry that changes while the backend reads it (the double fetch race,
# as in XSA-155) and huge framebuffers, from a hostile guest on `xenfb-backend
# serve`, while a healthy guest's viewer is measured (tests/hostile/
# lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 25
hostile_setup

# A mode the daemon took for domain 1 ("W H DEPTH STRIDE PAGES", pages
# 0 for a resize: the memory of the connect) is one it may read.
modes_ok() {
    sed -n -e 's/.*domain 1: vfb\/0: connected: \([0-9]*\)x\([0-9]*\), \([0-9]*\) bits, stride \([0-9]*\), \([0-9]*\) pages$/\1 \2 \3 \4 \5/p' \
        -e 's/.*domain 1: vfb\/0: resized to \([0-9]*\)x\([0-9]*\), \([0-9]*\) bits, stride \([0-9]*\)$/\1 \2 \3 \4 0/p' \
        "$SERVE_LOG" | awk '
        $5 > 0 { pages = $5 }
        { n++ }
        $1 < 1 || $1 > 640 || $2 < 1 || $2 > 480 || ($3 != 16 && $3 != 32) ||
        $4 < $1 * $3 / 8 || $4 * $2 > pages * 4096 { print "bad mode:", $0; bad = 1 }
        END { print n, "modes"; exit bad }'
}

# 1. The race: a second thread flips width, height, line_length, depth,
# mem_length, pd[0] and every out-ring slot (updates with wild
# rectangles, resizes past the memory) between the truth and lies, while
# the first keeps the ring full and reconnects whenever the device is
# closed. A viewer of the hostile guest makes the daemon read its pixels.
evil_connect
viewer_start 1 "$TEST_TMP/frames-1"
wait_line "$TEST_TMP/frames-1" . 1 10 || diag "no frame of the hostile guest"
attack_begin "double fetch race on the geometry, pd[] and the ring"
front 1 race 4000
wait_line "$(front_out 1)" '^raced ' 1 30
attack_end 'refusing the frontend: \|closing the device: '
diag "$(grep '^raced ' "$(front_out 1)")"
diag "the daemon's answers: $(tail -n "+$((A_LOG + 1))" "$SERVE_LOG" | grep -c 'error: domain 1: '
) errors, $(tail -n "+$((A_LOG + 1))" "$SERVE_LOG" | grep -c 'domain 1: vfb/0: connected') connects"
out=$(modes_ok)
ok $? "every mode the daemon took during the race fits the limits and the memory ($out)"
[ -z "$out" ] || diag "$out"

# 2. Huge framebuffers: claimed, granted, and resized to.
while IFS='|' read -r opts cmd why; do
    if [ -n "$cmd" ]; then
        evil_connect
        attack_begin "huge: $cmd"
        front 1 "$cmd"
    else
        attack_begin "huge: $opts"
        # shellcheck disable=SC2086
        evil_start $opts
    fi
    attack_end "$why"
done <<'CASES'
--set mem_length=0xffffffff||mem_length is beyond what this backend accepts
--set width=32768 --set height=32768 --set line_length=131072||width is outside 1..max-width
--max-width 2048 --max-height 2048||mem_length is beyond what this backend accepts
|resize 32768 32768|bad resize to 32768x32768
|resize 640 480 2560 32 -2147483648|bad resize to 640x480
CASES

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
