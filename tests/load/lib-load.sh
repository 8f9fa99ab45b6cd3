# Load and soak on the simulated Xen: many VNC viewers, many guests, one
# `xenfb-backend serve`. Source after lib.sh and lib-viewer.sh; used by
# tests/load/*.sh and by bench/load/*.sh.
#
#   load_setup N              viewer_setup, with VNC ports BASE+1..BASE+N
#                             free (one per domain id up to N)
#   load_serve_start ARGS...  serve_start, VNC on a Unix socket per guest
#                             ($TEST_TMP/vnc-D.sock): the tests use it
#   real_pid PID NAME         the process NAME that `xsim run` (PID) started
#   rss_kb PID / cpu_ticks PID   VmRSS in kB / user+system clock ticks
#   watch_start D SECS INTERVAL NAME   a bench/load/rfbwatch.py viewer of
#                             domain D (its socket after load_serve_start,
#                             else its port); output in $TEST_TMP/NAME.out
#                             ($LOAD_NICE, if set, prefixes it)
#   watch_wait                wait for every viewer started
#   watch_total NAME KEY      KEY's value on NAME's "total" line
#   sampler_start PID SECS FILE   every SECS, append "T RSS_KB TICKS ..."
#                             (T in seconds since the start, one decimal)
#                             for PID (and for the PIDs in $SAMPLE_MORE)
#   sampler_stop
#   rss_halves FILE SECS      the median RSS of FILE's samples in [2, SECS/2)
#                             and in [SECS/2, end), as "A B"

RFBWATCH="$top_srcdir/bench/load/rfbwatch.py"
XANIM="$top_builddir/tests/load/xanim"
FRONT="$top_builddir/tests/front/xfb-front-tool"
TCK=$(getconf CLK_TCK)
# The load (viewers, animations, frontends) yields to the daemon under
# test: on a small machine many viewers would otherwise take the CPU from
# it, where real viewers run elsewhere.
LOAD_NICE=${LOAD_NICE-nice -n 10}
_watch_pids=

# A base port with BASE+1 .. BASE+N free on loopback
free_base_n() {
    "$PY" - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(6000, 9000 - n)
    socks = []
    try:
        for p in range(base + 1, base + n + 1):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
}

load_setup() {
    need "$PY" awk
    viewer_setup
    VNC_BASE=$(free_base_n "$1")
    [ -n "$VNC_BASE" ] || bail "no $1 free ports"
}

real_pid() {
    local p
    p=$(pgrep -P "$1" -f "$2" 2>/dev/null | head -n 1)
    echo "${p:-$1}"
}

rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/"$1"/status 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null; }

# The VNC servers on Unix sockets (load_serve_start): no port another
# program on the machine could take between choosing it and listening,
# which with a port per guest happens on a shared machine.
load_serve_start() {
    LOAD_UNIX=1
    serve_start --vnc "$TEST_TMP/vnc-%d.sock" "$@"
}

# vnc_ports_ok: no guest lost its VNC port to another program (the
# benchmarks listen on TCP ports, as real viewers would connect)
vnc_ports_ok() {
    ! grep -q 'cannot listen for VNC' "$SERVE_LOG" ||
        bail "another program took a VNC port meanwhile: run again ($(grep -m 1 'cannot listen for VNC' "$SERVE_LOG"))"
}

watch_start() {
    if [ -n "${LOAD_UNIX:-}" ]; then
        set -- "$TEST_TMP/vnc-$1.sock" - "$2" "$3" "$4"
    else
        set -- 127.0.0.1 "$(vnc_port "$1")" "$2" "$3" "$4"
    fi
    ${LOAD_NICE:-} "$PY" "$RFBWATCH" "$1" "$2" "$3" "$4" >"$TEST_TMP/$5.out" 2>&1 &
    _watch_pids="$_watch_pids $!"
    at_exit "kill $! 2>/dev/null"
}

watch_wait() {
    local p
    for p in $_watch_pids; do wait "$p" 2>/dev/null; done
    _watch_pids=
}

watch_total() {
    sed -n "s/^total .*\<$2=\([^ ]*\).*/\1/p" "$TEST_TMP/$1.out"
}

# The sampler is a background loop of the shell: it reads /proc only.
sampler_start() {
    local pid=$1 every=$2 file=$3
    : >"$file"
    (
        t0=$(date +%s.%N)
        k=0
        while kill -0 "$pid" 2>/dev/null; do
            line="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
            line="$line $(rss_kb "$pid") $(cpu_ticks "$pid")"
            for p in ${SAMPLE_MORE:-}; do line="$line $(rss_kb "$p") $(cpu_ticks "$p")"; done
            echo "$line" >>"$file"
            # on a fixed grid: the time spent sampling does not add up
            k=$((k + 1))
            sleep "$(awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$k" -v e="$every" \
                'BEGIN { d = a + n * e - b; printf "%.3f", (d > 0 ? d : 0) }')"
        done
    ) &
    _sampler=$!
    at_exit "kill $_sampler 2>/dev/null"
}

sampler_stop() {
    [ -n "${_sampler:-}" ] || return 0
    kill "$_sampler" 2>/dev/null
    wait "$_sampler" 2>/dev/null
    _sampler=
}

# Guests without an X server: tests/front/xfb-front-tool, the guest
# protocol engine alone, painting its framebuffer itself (a pattern that
# differs every frame, then an update of the whole screen). Much lighter
# than an Xorg, so many fit on two cores.
#
#   front_guest D W H FPS SECS   a frame every 1/FPS s (plus the time to
#                                paint it) for SECS; FPS may be below 1
# Returns once the daemon logs the guest's framebuffer. $LOAD_NICE, if
# set, is a command prefix for it (e.g. "nice -n 10").
front_guest() {
    local d=$1 w=$2 h=$3 n
    gntalloc_limit "$d" 65536
    attach --domid "$d" --max-width "$w" --max-height "$h" || bail "attach $d failed"
    n=$(count "$SERVE_LOG" "domain $d: framebuffer connected")
    awk -v f="$4" -v s="$5" 'BEGIN { ms = int(1000 / f); for (i = 0; i < f * s; i++)
        printf "pattern %d\nrun %d\n", i, ms; print "quit" }' >"$TEST_TMP/front-$d.cmds"
    ${LOAD_NICE:-} "$XSIM" run --domid "$d" -- "$FRONT" vfb --width "$w" --height "$h" --max-width "$w" \
        --max-height "$h" --wait-connected 30000 --stdin <"$TEST_TMP/front-$d.cmds" \
        >"$TEST_TMP/front-$d.out" 2>&1 &
    eval "FRONT_PID_$d=\$!"
    at_exit "kill $! 2>/dev/null"
    wait_line "$SERVE_LOG" "domain $d: framebuffer connected" $((n + 1)) 30 ||
        { show_serve_log; bail "the daemon did not see domain $d's framebuffer"; }
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] + 0 }'; }

rss_halves() {
    echo "$(awk -v h=$(($2 / 2)) '$1 >= 2 && $1 < h { print $2 }' "$1" | median)" \
        "$(awk -v h=$(($2 / 2)) '$1 >= h { print $2 }' "$1" | median)"
}
