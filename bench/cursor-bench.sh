#!/bin/bash
# Pointer motion over a still desktop, with the cursor drawn by X into
# the screen (Option "SWCursor": what xenfb did before the cursor
# extension) and by the viewers (the default): what reaches a VNC client
# and what it costs the guest's X server. A benchmark, not a test: it
# prints figures and judges nothing.
#
#   bash bench/cursor-bench.sh [BUILDDIR [MOVES [ROUNDS]]]
#
# defaults: build/, 2000 moves, 3 rounds. On the simulated Xen: the
# daemon (`xenfb-backend serve`), a real Xorg with xenfb at 1024x768 in
# domain 1, and tests/viewer/rfbcursor.py as the VNC client (raw pixels
# plus the cursor pseudo-encoding, one incremental request outstanding).
# Each round: the client has its first frame, `xdraw wander MOVES` moves
# the pointer (each move synced with the server), then an 8x8 marker is
# drawn; the client counts the framebuffer rectangles and pixels that
# came before the marker. Xorg's CPU time (user + system, all threads)
# is read from /proc around the moves.
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd)
MOVES=${2:-2000}
ROUNDS=${3:-3}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

RFBCURSOR="$top_srcdir/tests/viewer/rfbcursor.py"
TCK=$(getconf CLK_TCK)
cputicks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
xorg_pid() {
    for p in $(pgrep -f "$TEST_TMP/xorg-1.conf"); do
        [ "$(cat /proc/"$p"/comm 2>/dev/null)" = Xorg ] && echo "$p" && return
    done
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
echo "xenfb $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null), $MOVES moves, $ROUNDS rounds"

viewer_setup
serve_start --refresh 40
guest_up 1 1024 768 '"1024x768"'
port=$(vnc_port 1)

run() { # LABEL
    xsetroot -solid '#204080'
    xsetroot -cursor_name left_ptr
    r=0
    while [ $r -lt "$ROUNDS" ]; do
        "$PY" "$RFBCURSOR" 127.0.0.1 "$port" 120 count 1000 740 8 8 >"$TEST_TMP/count" 2>&1 &
        cpid=$!
        wait_line "$TEST_TMP/count" "^ready" 1 30 || bail "no first frame"
        xp=$(xorg_pid)
        k0=$(cputicks "$xp")
        t0=$(date +%s.%N)
        "$XDRAW" wander "$MOVES"
        t1=$(date +%s.%N)
        k1=$(cputicks "$xp")
        "$XDRAW" fill 1000 740 8 8 ffffff
        wait "$cpid"
        awk -v l="$1" -v k=$((k1 - k0)) -v tck="$TCK" -v a="$t0" -v b="$t1" -v m="$MOVES" \
            -v c="$(grep '^rects' "$TEST_TMP/count")" 'BEGIN {
                split(c, f, " ")
                printf "%s: %d framebuffer rects, %d pixels; Xorg %.0f ms CPU (%.1f us a move); %.0f moves/s\n",
                    l, f[2], f[4], 1000 * k / tck, 1e6 * k / tck / m, m / (b - a) }'
        r=$((r + 1))
    done
}

run "cursor drawn by the viewers"
sed -i 's/Option     "MaxWidth"/Option     "SWCursor" "true"\n    Option     "MaxWidth"/' \
    "$TEST_TMP/xorg-1.conf"
n=$(count "$SERVE_LOG" "domain 1: framebuffer connected")
guest_x 1
wait_line "$SERVE_LOG" "domain 1: framebuffer connected" $((n + 1)) 20 || bail "X did not come back"
run "cursor drawn by X (SWCursor)"
