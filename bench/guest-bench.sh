#!/bin/bash
# The guest's drivers end to end, on the simulated Xen: a real Xorg with
# xenfb and xenkbd in domain 1 at 1920x1080, the backend core in dom0
# (bench/xfb-bench serve, whose child process draws and which reads the
# keys itself, so both ends of a latency read one clock). A benchmark,
# not a test: it prints figures and judges nothing.
#
#   bench/guest-bench.sh [BUILDDIR [DRAWS [KEYS [SECONDS [ROUNDS]]]]]
#
# defaults: build/, 2000 draws, 2000 keys, 10 s per idle and frames run,
# 3 rounds.
#   1. draw -> backend: XFillRectangle + XSync to the damaged callback
#   2. key: xfb_back_key() to the client's KeyPress / KeyRelease
#   3. idle for SECONDS: context switches of every thread of Xorg, the
#      backend and xsimd, then the same under strace -c
#   4. whole 1920x1080 frames (XShmPutImage, XPutImage) on xenfb and on
#      Xorg's dummy driver, alternating, ROUNDS times each; and on xenfb
#      with the refresh period at 0 (the frontend sends no updates: what
#      the driver costs without the event channel)
#   5. idle on the dummy server, as the baseline for 3
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd)
DRAWS=${2:-2000}
KEYS=${3:-2000}
SECONDS_EACH=${4:-10}
ROUNDS=${5:-3}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

BENCH="$top_builddir/bench/xfb-bench"
[ -x "$BENCH" ] || bail "build bench/xfb-bench first: make -C $top_builddir bench/xfb-bench"
need strace
[ -f /usr/lib/xorg/modules/drivers/dummy_drv.so ] ||
    bail "Xorg's dummy driver is missing: apt-get install xserver-xorg-video-dummy"

W=1920
H=1080

# ---- the machine ----
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
echo "Xorg: $("$XORG_BIN" -version 2>&1 | sed -n 's/^X.Org X Server //p')," \
    "dummy driver $(dpkg-query -W -f '${Version}' xserver-xorg-video-dummy 2>/dev/null)," \
    "xenfb $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null)"

# ---- helpers ----

# every thread's context switches of PID: "VOLUNTARY NONVOLUNTARY"
ctxt() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/^voluntary_ctxt_switches/ { v += $2 } /^nonvoluntary_ctxt_switches/ { n += $2 }
             END { print v + 0, n + 0 }'
}
# user + system CPU time of PID (all threads), in clock ticks
cputicks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
TCK=$(getconf CLK_TCK)

# idle_switches NAME:PID... : the context switches each made in SECONDS_EACH
idle_switches() {
    for np in "$@"; do echo "${np%%:*} $(ctxt "${np#*:}")"; done >"$TEST_TMP/ctxt.before"
    sleep "$SECONDS_EACH"
    for np in "$@"; do echo "${np%%:*} $(ctxt "${np#*:}")"; done >"$TEST_TMP/ctxt.after"
    paste -d' ' "$TEST_TMP/ctxt.before" "$TEST_TMP/ctxt.after" |
        awk -v s="$SECONDS_EACH" '{ printf "idle %s: %d voluntary, %d involuntary context switches in %d s\n",
                                     $1, $5 - $2, $6 - $3, s }'
}

# idle_strace NAME:PID... : the system calls each made in SECONDS_EACH
idle_strace() {
    local pids=
    for np in "$@"; do
        timeout -s INT "$SECONDS_EACH" strace -f -c -o "$TEST_TMP/strace.${np%%:*}" \
            -p "${np#*:}" 2>/dev/null &
        pids="$pids $!"
    done
    wait $pids
    for np in "$@"; do
        calls=$(awk '$NF == "total" { print $4 }' \
            "$TEST_TMP/strace.${np%%:*}")
        echo "idle ${np%%:*}: ${calls:-0} system calls in $SECONDS_EACH s under strace -f -c"
        grep -vE '^(% time|-|.*total$)' "$TEST_TMP/strace.${np%%:*}" | sed 's/^/    /'
    done
}

# ---- the guest ----
xsim_setup
gntalloc_limit 1 16384
attach --domid 1 --max-width "$W" --max-height "$H" || bail "attach failed"
BACK_TOOL=$BENCH
back_start serve
guest_config "$W" "$H" "\"${W}x$H\""
guest_x_start
wait_line "$BACK_OUT" '^1 connected ' 1 30 || bail "the guest's vfb did not connect"
wait_line "$BACK_OUT" '^1 kbd connected ' 1 30 || bail "the guest's vkbd did not connect"
grep -E '^1 (connected|kbd connected) ' "$BACK_OUT"
XENFB_DISPLAY=$DISPLAY
XENFB_PID=$(cat "$TEST_TMP/xorg-guest/pid")
XSIMD_PID=$(pgrep -f -x "[^ ]*xsimd --dir $XSIM_DIR .*" | head -n 1)

back "display $XENFB_DISPLAY"
wait_line "$BACK_OUT" '^display ok$' 1 10 || bail "the backend cannot open the guest's display"

# ---- 1, 2: latencies ----
back "draw $DRAWS"
wait_line "$BACK_OUT" '^draw ' 1 600 || bail "the draw benchmark did not finish"
back "keys $KEYS"
wait_line "$BACK_OUT" '^key release ' 1 600 || bail "the key benchmark did not finish"
grep -E '^(draw|key|err|log) ' "$BACK_OUT"

# ---- 3: idle ----
sleep 1
idle_switches "Xorg-xenfb:$XENFB_PID" "backend:$BACK_PID" "xsimd:$XSIMD_PID"
idle_strace "Xorg-xenfb:$XENFB_PID" "backend:$BACK_PID"

# ---- 4: frames, xenfb against dummy ----
cat >"$TEST_TMP/dummy.conf" <<CONF
Section "ServerFlags"
    Option "AutoAddDevices" "false"
    Option "AutoAddGPU" "false"
    Option "AutoBindGPU" "false"
    Option "DontVTSwitch" "true"
    Option "AllowMouseOpenFail" "true"
    Option "PciForceNone" "true"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
EndSection
Section "Device"
    Identifier "dummy"
    Driver     "dummy"
    VideoRam   32768
EndSection
Section "Monitor"
    Identifier "monitor"
    HorizSync   5.0-1000.0
    VertRefresh 5.0-200.0
EndSection
Section "Screen"
    Identifier "screen"
    Device     "dummy"
    Monitor    "monitor"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Modes "${W}x$H"
    EndSubSection
EndSection
Section "ServerLayout"
    Identifier "layout"
    Screen     "screen"
EndSection
CONF
xorg_start dummy "$TEST_TMP/dummy.conf"
DUMMY_DISPLAY=$DISPLAY
DUMMY_PID=$(cat "$TEST_TMP/xorg-dummy/pid")
xdpyinfo -display "$DUMMY_DISPLAY" | grep -q "dimensions: *${W}x$H pixels" ||
    bail "the dummy server is not ${W}x$H"
xdpyinfo -display "$XENFB_DISPLAY" | grep -q "dimensions: *${W}x$H pixels" ||
    bail "the xenfb server is not ${W}x$H"

# frames_run NAME DISPLAY XORGPID MODE: one run, with the CPU time the
# server (and for xenfb the backend and xsimd) spent per frame; appends
# "NAME MODE FPS" to $TEST_TMP/frames
frames_run() {
    local c0 b0 s0 w0 line c b s w st
    back_stats >/dev/null
    w0=$(ctxt "$3" | cut -d' ' -f1)
    c0=$(cputicks "$3")
    b0=$(cputicks "$BACK_PID")
    s0=$(cputicks "$XSIMD_PID")
    line=$(DISPLAY=$2 "$BENCH" frames "$SECONDS_EACH" "$4") || bail "frames on $1 failed"
    c=$(($(cputicks "$3") - c0))
    b=$(($(cputicks "$BACK_PID") - b0))
    s=$(($(cputicks "$XSIMD_PID") - s0))
    w=$(($(ctxt "$3" | cut -d' ' -f1) - w0))
    st=$(back_stats)
    echo "$line" | awk -v name="$1" -v t="$TCK" -v c="$c" -v b="$b" -v s="$s" -v w="$w" -v st="$st" '{
        for (i = 5; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        n = v["frames"]
        printf "%s %s: %.1f fps (%d frames in %s s); per frame: Xorg %.2f ms CPU, %.1f sleeps",
            name, $4, v["fps"], n, v["seconds"], 1000 * c / t / n, w / n
        if (name != "dummy") {
            split(st, u, "[ =]")
            printf "; backend %.2f ms CPU, xsimd %.2f ms CPU; %.1f updates, %.1f backend wakeups",
                1000 * b / t / n, 1000 * s / t / n, u[2] / n, u[4] / n
        }
        printf "\n"
        print name, $4, v["fps"] >>"'"$TEST_TMP/frames"'"
    }'
}

# the backend's counts since the last call: "updates=U wakeups=W"
back_stats() {
    local n
    n=$(($(count "$BACK_OUT" '^stats ') + 1))
    back stats
    wait_line "$BACK_OUT" '^stats ' "$n" 10 || bail "the backend does not answer"
    grep '^stats ' "$BACK_OUT" | tail -n 1 | cut -d' ' -f2-
}

median() { sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$TEST_TMP/frames"
for mode in shm put; do
    for r in $(seq "$ROUNDS"); do
        frames_run xenfb "$XENFB_DISPLAY" "$XENFB_PID" "$mode"
        frames_run dummy "$DUMMY_DISPLAY" "$DUMMY_PID" "$mode"
        # the driver's damage tracking alone: no updates on the ring
        back refresh 0
        frames_run unwatched "$XENFB_DISPLAY" "$XENFB_PID" "$mode"
        back refresh 50
    done
    x=$(awk -v m="$mode" '$1 == "xenfb" && $2 == m { print $3 }' "$TEST_TMP/frames" | median)
    d=$(awk -v m="$mode" '$1 == "dummy" && $2 == m { print $3 }' "$TEST_TMP/frames" | median)
    u=$(awk -v m="$mode" '$1 == "unwatched" && $2 == m { print $3 }' "$TEST_TMP/frames" | median)
    echo "frames $mode, median of $ROUNDS: xenfb $x fps, dummy $d fps, ratio $(awk -v x="$x" -v d="$d" 'BEGIN { printf "%.3f", x / d }');" \
        "xenfb with refresh 0 (no updates sent) $u fps, ratio $(awk -v x="$u" -v d="$d" 'BEGIN { printf "%.3f", x / d }')"
done

# ---- 5: idle on the dummy server, the baseline ----
sleep 1
idle_switches "Xorg-dummy:$DUMMY_PID"
idle_strace "Xorg-dummy:$DUMMY_PID"

back quit
