# Hostile guests against `xenfb-backend serve`, the real daemon: one
# healthy guest (domain 2, tests/back/xfb-evil-front telling the truth)
# animates its 320x240 screen at $HEALTHY_FPS frames per second while a
# VNC client (tests/hostile/rfbtimes.py) stamps every frame it receives;
# domain 1 attacks. Source after lib.sh.
#
#   hostile_setup [ARGS...]    daemon (ARGS added to its own), healthy
#                              guest, its viewer, baseline
#   evil_start ARGS...         (re)start domain 1's frontend with ARGS
#   evil_connect ARGS...       the same, and wait until it connected
#   attack_begin NAME          start measuring
#   attack_end REGEX [SECS]    after the attack: four checks (the daemon
#                              is up, its RSS bounded, the healthy viewer
#                              still getting frames, and a log line
#                              "domain 1: ...REGEX" within SECS; REGEX "-":
#                              legal traffic, no error logged)
#
# The bounds, per attack window (at least $WINDOW_MIN seconds):
#   RSS: the daemon's VmRSS grows by at most $RSS_BOUND_KB kB (32 MiB
#   when it runs under AddressSanitizer, whose quarantine, 8 MiB here,
#   keeps freed memory; LeakSanitizer checks for leaks at its exit);
#   frames: the healthy viewer receives $MIN_FRAMES new frames after the
#   attack began, while the attacker goes on (a daemon stuck on the
#   attacker gives none; 30 s is only the give-up limit).
# The daemon's CPU and the healthy viewer's frame rate in each window are
# figures (show_figures), not checks: a loaded machine changes both.

. "$top_srcdir/tests/viewer/lib-viewer.sh"

HEALTHY_FPS=${HEALTHY_FPS:-25}
RSS_BOUND_KB=${RSS_BOUND_KB:-4096}
MIN_FRAMES=${MIN_FRAMES:-25}
WINDOW_MIN=${WINDOW_MIN:-2}
TIMES="$TEST_TMP/frames-2"
TCK=$(getconf CLK_TCK)
FIGURES="$TEST_TMP/figures"

now() { date +%s.%N; }
ticks() { awk '{ print $14 + $15 }' "/proc/${1:-$SERVE_PID}/stat"; }
# wakeups: times the daemon's main thread went to sleep and woke again
wakeups() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$SERVE_PID/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVE_PID/status"; }
# frames T0 T1: frames the healthy viewer received between T0 and T1
frames() { awk -v a="$1" -v b="$2" '$1 >= a && $1 < b { n++ } END { print n + 0 }' "$TIMES"; }
# frames_since T N: the healthy viewer has received N frames since T
frames_since() { [ "$(frames "$1" 9999999999)" -ge "$2" ]; }
# since START REGEX: a line of the daemon's log after line START matches
since() { tail -n "+$(($1 + 1))" "$SERVE_LOG" | grep -q -e "$2"; }
elapsed_ge() { awk -v a="$1" -v b="$(now)" -v m="$2" 'BEGIN { exit !(b - a >= m) }'; }

# viewer_start D FILE: a viewer of domain D stamping its frames in FILE;
# the hostile guest's at the lowest priority, as the attacker (it stands
# for a client somewhere else that makes the daemon read those pixels)
viewer_start() {
    local prio=0
    [ "$1" = 1 ] && prio=19
    nice -n "$prio" "$PY" "$top_srcdir/tests/hostile/rfbtimes.py" 127.0.0.1 "$(vnc_port "$1")" >"$2" 2>&1 &
    eval "VIEWER_PID_$1=\$!"
    at_exit "kill \$VIEWER_PID_$1 2>/dev/null; wait \$VIEWER_PID_$1 2>/dev/null"
}

# evil_start ARGS: (re)start domain 1's frontend, as front_start does
# (lib-back.sh) but at the lowest priority: a guest's vCPUs are not
# dom0's, while here the attacker's busy loops share two cores with the
# daemon, xsimd (the hypervisor) and the healthy guest. It still goes as
# fast as the idle CPU lets it.
evil_start() {
    if [ -n "${FRONT_PID_1:-}" ]; then
        front_kill 1
        FRONT_PID_1=
    fi
    rm -f "$TEST_TMP/front-1.in"
    mkfifo "$TEST_TMP/front-1.in"
    : >"$TEST_TMP/front-1.out"
    nice -n 19 "$XSIM" run --domid 1 -- "$FRONT_TOOL" --width 320 --height 240 \
        --max-width 640 --max-height 480 "$@" <"$TEST_TMP/front-1.in" >>"$TEST_TMP/front-1.out" 2>&1 &
    FRONT_PID_1=$!
    exec 8>"$TEST_TMP/front-1.in"
}

# evil_connect ARGS: evil_start, then wait until both devices connected
evil_connect() {
    local n k
    n=$(count "$SERVE_LOG" 'domain 1: framebuffer connected')
    k=$(count "$SERVE_LOG" 'domain 1: keyboard and pointer connected')
    evil_start "$@"
    wait_line "$SERVE_LOG" 'domain 1: framebuffer connected' $((n + 1)) 20 &&
        wait_line "$SERVE_LOG" 'domain 1: keyboard and pointer connected' $((k + 1)) 20 ||
        { show_serve_log; bail "the hostile guest did not connect"; }
}

hostile_setup() {
    viewer_setup
    local asan=${ASAN_OPTIONS:-}
    export ASAN_OPTIONS="${asan:+$asan:}quarantine_size_mb=8"
    serve_start "$@"
    ASAN_OPTIONS=$asan
    at_exit 'for d in 1 2; do eval "p=\${FRONT_PID_$d:-}"; [ -n "$p" ] && kill -9 "$p"; done'
    # the hostile guest may share more than a kernel's default 1024 pages
    gntalloc_limit 1 32768
    attach --domid 2 --max-width 320 --max-height 240 || bail "attach failed"
    front_start 2 --width 320 --height 240
    wait_line "$SERVE_LOG" 'domain 2: framebuffer connected' 1 20 ||
        { show_serve_log; bail "the healthy guest did not connect"; }
    if grep -q libasan "/proc/$SERVE_PID/maps" 2>/dev/null; then
        RSS_BOUND_KB=32768
        diag "the daemon runs under AddressSanitizer: RSS bound $RSS_BOUND_KB kB"
    fi
    front 2 animate "$HEALTHY_FPS"
    viewer_start 2 "$TIMES"
    wait_line "$TIMES" . 10 20 || { show_serve_log; bail "the healthy guest's viewer gets no frames"; }
    attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
    # the baseline, with the hostile guest attached but not yet running
    local t0 k0 t1 k1
    t0=$(now)
    k0=$(ticks)
    wait_for 10 elapsed_ge "$t0" 3
    t1=$(now)
    k1=$(ticks)
    BASE_FPS=$(awk -v n="$(frames "$t0" "$t1")" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
    BASE_CPU=$(awk -v t=$((k1 - k0)) -v k="$TCK" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * t / k / (b - a) }')
    diag "baseline: the healthy viewer gets $BASE_FPS frames/s, the daemon uses $BASE_CPU % of a core"
    echo "baseline fps=$BASE_FPS cpu=$BASE_CPU% rss=$(rss_kb)kB" >>"$FIGURES"
}

attack_begin() {
    A_NAME=$1
    A_T0=$(now)
    A_TICKS=$(ticks)
    A_RSS=$(rss_kb)
    A_WAKE=$(wakeups)
    A_XTICKS=$(ticks "$(cat "$XSIM_DIR/xsimd.pid")")
    A_LOG=$(wc -l <"$SERVE_LOG")
}

# attack_end REGEX [SECONDS]: wait (up to SECONDS, default 20) for the
# daemon's line about domain 1, and for the window to last WINDOW_MIN
attack_end() {
    local logged
    if [ "$1" = - ]; then
        # legal traffic: nothing to log, nothing closed
        ! since "$A_LOG" "error: domain 1: "
        logged=$?
    else
        wait_for "${2:-20}" since "$A_LOG" "domain 1: .*$1"
        logged=$?
    fi
    wait_for 10 elapsed_ge "$A_T0" "$WINDOW_MIN"
    local t1 k1 r1 w1 alive=1 progress
    t1=$(now)
    kill -0 "$SERVE_PID" 2>/dev/null && wait_for 30 frames_since "$A_T0" "$MIN_FRAMES"
    progress=$?
    if kill -0 "$SERVE_PID" 2>/dev/null; then
        alive=0
        k1=$(ticks)
        r1=$(rss_kb)
        w1=$(wakeups)
    else
        k1=$A_TICKS
        r1=$A_RSS
        w1=$A_WAKE
    fi
    local secs cpu fps n
    secs=$(awk -v a="$A_T0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    cpu=$(awk -v t=$((k1 - A_TICKS)) -v k="$TCK" -v s="$secs" 'BEGIN { printf "%.1f", 100 * t / k / s }')
    n=$(frames "$A_T0" "$t1")
    fps=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
    ok $alive "$A_NAME: the daemon is still running"
    [ $((r1 - A_RSS)) -le "$RSS_BOUND_KB" ]
    ok $? "  its RSS grew by $((r1 - A_RSS)) kB (bound $RSS_BOUND_KB kB; now $r1 kB)"
    ok $progress "  the healthy guest's viewer still gets frames ($(frames "$A_T0" "$(now)") since the attack began; $fps/s in the window, $BASE_FPS/s before; the daemon used $cpu % of a core)"
    if [ "$1" = - ]; then
        ok $logged "  legal traffic: the daemon logged no error about domain 1"
    else
        ok $logged "  the daemon logged a line naming domain 1: $1"
    fi
    [ $logged -eq 0 ] && [ "$1" != - ] && tail -n "+$((A_LOG + 1))" "$SERVE_LOG" | grep -m 1 -e "domain 1: .*$1" | sed 's/^/#   /'
    local wps xcpu
    wps=$(awk -v w=$((w1 - A_WAKE)) -v s="$secs" 'BEGIN { printf "%.0f", w / s }')
    xcpu=$(awk -v t=$(($(ticks "$(cat "$XSIM_DIR/xsimd.pid")") - A_XTICKS)) -v k="$TCK" -v s="$secs" \
        'BEGIN { printf "%.1f", 100 * t / k / s }')
    echo "$A_NAME|$secs s|cpu $cpu %|rss +$((r1 - A_RSS)) kB|fps $fps (base $BASE_FPS)|$wps wakeups/s|xsimd cpu $xcpu %" >>"$FIGURES"
}

# The figures of every window, as diagnostics at the end.
show_figures() { sed 's/^/# figure: /' "$FIGURES"; }
