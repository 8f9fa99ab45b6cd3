#!/bin/bash
# The comparison suite: xenfb against the usual ways of seeing a guest's
# screen from dom0, on one machine in one run, every system delivering to
# the same measuring VNC client (vncmeasure, libvncclient) and drawn by
# the same X client (xwork). A benchmark, not a test: it writes figures
# and judges nothing.
#
#   bench/compare/run.sh [--quick] [--secs N] [--systems LIST] [--modes LIST]
#                        [--workloads LIST] [--profile] [BUILDDIR]
#
#   --quick    2 s per run instead of 10 (a sanity run)
#   --secs N   N seconds per run
#   --systems LIST  only these of "xenfb xvnc x11vnc dummy" (quoted, spaces)
#   --modes LIST    only these of "1280x720 1920x1080"
#   --workloads LIST  only these of "idle clock move xterm shm60 put60 shm put"
#   --profile  then profile (perf record -g) xenfb and Xvnc at 1920x1080,
#              each encoding, into perf-*.txt (needs linux-perf)
#
# Systems (all started at once for a mode, then measured in turn, so that
# the machine's changing load falls on all of them alike):
#   xenfb   guest Xorg + xenfb on the simulated Xen -> xenfb-backend serve
#   xvnc    TigerVNC's Xvnc (tigervnc-standalone-server), its defaults
#   x11vnc  Xvfb + x11vnc (xvfb, x11vnc), x11vnc's defaults
#   dummy   Xorg + the dummy driver (xserver-xorg-video-dummy), no export:
#           the X side's ceiling
#   xenfb_nv  the xenfb guest with no viewer connected (full-screen
#           workloads only): xenfb's X side against dummy's
# Results: bench/compare/results/DATE/ (raw.txt, results.csv, results.md,
# *.png, env.txt). Needs libvncserver-dev (to build the client) and
# python3-matplotlib (plots); installs nothing.
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
QUICK=0
PROFILE=0
SECS=10
ONLY=
WORKLOADS=
MODES="1280x720 1920x1080"
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1 SECS=2 ;;
    --secs) SECS=$2; shift ;;
    --systems) ONLY=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --workloads) WORKLOADS=$2; shift ;;
    --profile) PROFILE=1 ;;
    -*) echo "usage: $0 [--quick] [--secs N] [--systems LIST] [--modes LIST] [--workloads LIST] [--profile] [BUILDDIR]" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd) || exit 1
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

HERE="$top_srcdir/bench/compare"
TOOLS="$top_builddir/bench/compare"
WARM=1

need cc pkg-config Xvnc Xvfb x11vnc xterm xdotool "$PY"
[ "$PROFILE" = 0 ] || need perf
[ -f /usr/lib/xorg/modules/drivers/dummy_drv.so ] ||
    bail "Xorg's dummy driver is missing: apt-get install xserver-xorg-video-dummy"
pkg-config --exists libvncclient || bail "libvncclient is missing: apt-get install libvncserver-dev"
"$PY" -c 'import matplotlib' 2>/dev/null || bail "matplotlib is missing: apt-get install python3-matplotlib"
[ -x "$BACKEND" ] && [ -x "$XDRAW" ] || bail "build the tree first (./run build; make -C BUILDDIR tests/guest/xdraw)"

# ---- the two programs, built here: not part of `make` ----
mkdir -p "$TOOLS"
CFLAGS_B="-std=gnu11 -O2 -Wall -Wextra -Werror"
cc $CFLAGS_B -o "$TOOLS/xwork" "$HERE/xwork.c" $(pkg-config --cflags --libs x11 xext) ||
    bail "cannot build xwork"
cc $CFLAGS_B -o "$TOOLS/vncmeasure" "$HERE/vncmeasure.c" $(pkg-config --cflags --libs libvncclient) ||
    bail "cannot build vncmeasure"
XWORK="$TOOLS/xwork"
MEASURE="$TOOLS/vncmeasure"

STAMP=$(date -u '+%Y-%m-%dT%H%MZ')
OUT="$HERE/results/$STAMP"
[ "$QUICK" = 1 ] && OUT="$OUT-quick"
# a run within the minute of the last: a directory of its own
[ -e "$OUT" ] && OUT="$OUT-$(date -u +%S)"
mkdir -p "$OUT"
RAW="$OUT/raw.txt"
: >"$RAW"
SHM="$TEST_TMP/marker.shm"

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
    echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "xenfb: $(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null) (branch $(cd "$top_srcdir" && git rev-parse --abbrev-ref HEAD 2>/dev/null))"
    echo "encoders: libturbojpeg $(ver libturbojpeg0), zlib $(ver zlib1g)"
    echo "Xorg (xserver-xorg-core): $(ver xserver-xorg-core)"
    echo "dummy driver (xserver-xorg-video-dummy): $(ver xserver-xorg-video-dummy)"
    echo "Xvnc (tigervnc-standalone-server): $(ver tigervnc-standalone-server)"
    echo "Xvfb (xvfb): $(ver xvfb)"
    echo "x11vnc: $(ver x11vnc)"
    echo "client: libvncclient $(ver libvncclient1)"
    echo "seconds per run: $SECS (after $WARM s of warming up)"
    echo "load before: $(uptime)"
} >"$OUT/env.txt"
cat "$OUT/env.txt"

# ---- starting the systems ----

# the process that is PID or, if PID is a wrapper, its child named NAME
proc_of() {
    local p
    if [ "$(cat /proc/"$1"/comm 2>/dev/null)" = "$2" ]; then echo "$1"; return; fi
    p=$(pgrep -P "$1" -x "$2" | head -n 1)
    echo "${p:-$1}"
}

dummy_conf() {
    sed -e "s/@MODE@/$1/" "$HERE/dummy.conf.in" >"$TEST_TMP/dummy-$1.conf"
}

# up_all W H: every system at WxH; sets DISP_*, PORT_*, PIDS_*
up_all() {
    local W=$1 H=$2 d fifo
    # xenfb: a guest per mode (domain 1, then 2), the daemon serving both
    d=$XENFB_DOM
    guest_up "$d" "$W" "$H" "\"${W}x$H\""
    DISP_xenfb=$DISPLAY
    PORT_xenfb=$(vnc_port "$d")
    local xp
    xp=$(proc_of "$(cat "$TEST_TMP/xorg-dom$d/pid")" Xorg)
    PIDS_xenfb="--pid x=$xp --pid exp=$SERVE_REAL --pid sim=$XSIMD_PID"
    # the same guest with no viewer connected (the daemon then sets the
    # refresh period to 0 and the driver sends no updates): its X side
    DISP_xenfb_nv=$DISP_xenfb PIDS_xenfb_nv=$PIDS_xenfb PORT_xenfb_nv=

    # Xvnc
    fifo="$TEST_TMP/xvnc.fifo"
    rm -f "$fifo"
    mkfifo "$fifo"
    PORT_xvnc=$((VNC_BASE + 3))
    Xvnc -displayfd 3 -geometry "${W}x$H" -depth 24 -rfbport "$PORT_xvnc" -localhost \
        -SecurityTypes None -AlwaysShared -nolisten tcp 3>"$fifo" >"$TEST_TMP/xvnc-$W.log" 2>&1 &
    XVNC_PID=$!
    at_exit "kill $XVNC_PID 2>/dev/null"
    read -r -t 30 d <"$fifo" || bail "Xvnc did not start"
    DISP_xvnc=":$d"
    PIDS_xvnc="--pid x=$XVNC_PID"

    # Xvfb + x11vnc
    fifo="$TEST_TMP/xvfb.fifo"
    rm -f "$fifo"
    mkfifo "$fifo"
    Xvfb -displayfd 3 -screen 0 "${W}x${H}x24" -nolisten tcp 3>"$fifo" >"$TEST_TMP/xvfb-$W.log" 2>&1 &
    XVFB_PID=$!
    at_exit "kill $XVFB_PID 2>/dev/null"
    read -r -t 30 d <"$fifo" || bail "Xvfb did not start"
    DISP_x11vnc=":$d"
    PORT_x11vnc=$((VNC_BASE + 4))
    x11vnc -display "$DISP_x11vnc" -rfbport "$PORT_x11vnc" -localhost -nopw -shared -forever \
        >"$TEST_TMP/x11vnc-$W.log" 2>&1 &
    X11VNC_PID=$!
    at_exit "kill $X11VNC_PID 2>/dev/null"
    wait_line "$TEST_TMP/x11vnc-$W.log" "^PORT=$PORT_x11vnc" 1 30 || bail "x11vnc did not start"
    PIDS_x11vnc="--pid x=$XVFB_PID --pid exp=$X11VNC_PID"

    # Xorg + dummy
    dummy_conf "${W}x$H"
    xorg_start "dummy$W" "$TEST_TMP/dummy-${W}x$H.conf"
    DISP_dummy=$DISPLAY
    PIDS_dummy="--pid x=$(cat "$TEST_TMP/xorg-dummy$W/pid")"
    PORT_dummy=

    for s in $SYSTEMS; do
        eval "DISPLAY=\$DISP_$s xdpyinfo" | grep -q "dimensions: *${W}x$H pixels" ||
            bail "$s is not ${W}x$H"
    done
}

down_all() {
    xorg_stop "dom$XENFB_DOM"
    XENFB_DOM=$((XENFB_DOM + 1))
    kill "$XVNC_PID" "$X11VNC_PID" 2>/dev/null
    wait "$XVNC_PID" "$X11VNC_PID" 2>/dev/null
    kill "$XVFB_PID" 2>/dev/null
    wait "$XVFB_PID" 2>/dev/null
    xorg_stop "dummy$W"
}

# ---- one measurement ----

# What each encoding name asks for (vncmeasure's options): what real
# viewers request (README.md, "Encodings").
enc_args() {
    case $1 in
    raw | zrle | tight) echo "--enc $1" ;;
    jpeg8) echo "--enc tight --quality 8" ;; # TigerVNC's viewer
    jpeg6) echo "--enc tight --quality 6" ;; # noVNC
    *) bail "unknown encoding $1" ;;
    esac
}

# run SYSTEM MODE WORKLOAD ENC: one line of figures into $RAW
run() {
    local sys=$1 mode=$2 wl=$3 enc=$4 disp port pids xw xt= line
    case " ${WORKLOADS:-$wl} " in *" $wl "*) ;; *) return ;; esac
    eval "disp=\$DISP_$sys port=\$PORT_$sys pids=\$PIDS_$sys"
    rm -f "$SHM"
    if [ "$wl" = xterm ]; then
        # a real xterm scrolling text as fast as it can; the marker beside it
        DISPLAY=$disp xterm -T cmpxterm -fn fixed -geometry 120x40+20+20 \
            -e sh -c 'while :; do cat /usr/share/common-licenses/GPL-3; done' >/dev/null 2>&1 &
        xt=$!
        DISPLAY=$disp timeout 20 xdotool search --sync --onlyvisible --name cmpxterm >/dev/null ||
            bail "no xterm on $sys"
    fi
    local xmode=$wl
    [ "$wl" = xterm ] && xmode=marker
    DISPLAY=$disp "$XWORK" "$xmode" $((WARM + SECS + 30)) "$SHM" >"$TEST_TMP/xwork.out" 2>&1 &
    xw=$!
    # its setup (background, cursor) done
    wait_line "$TEST_TMP/xwork.out" '^ready$' 1 20 || bail "xwork did not start on $sys"
    local perf= pf=
    if [ -n "${PROFILE_TO:-}" ]; then
        # every process of the system, sampled while the client counts
        pf="$OUT/perf-$sys-$mode-$wl-$enc"
        perf record -q -F 499 -g -o "$pf.data" -p "$(echo "$pids" | grep -o '=[0-9]*' | tr -d = | paste -sd,)" \
            -- sleep $((WARM + SECS)) >/dev/null 2>&1 &
        perf=$!
    fi
    if [ -n "$port" ]; then
        # shellcheck disable=SC2046
        line=$("$MEASURE" --connect "127.0.0.1:$port" $(enc_args "$enc") --warm "$WARM" --secs "$SECS" \
            --shm "$SHM" $pids) || line="error=1"
    else
        line=$("$MEASURE" --warm "$WARM" --secs "$SECS" --shm "$SHM" $pids) || line="error=1"
    fi
    kill "$xw" 2>/dev/null
    wait "$xw" 2>/dev/null
    if [ -n "$perf" ]; then
        wait "$perf"
        {
            echo "# $sys $mode $wl $enc, under perf (figures not in the results): $line"
            perf report -i "$pf.data" --stdio --no-children --sort comm,dso,sym --percent-limit 0.7 \
                -g none 2>/dev/null | grep -v '^$'
        } >"$pf.txt"
        rm -f "$pf.data"
        echo "profile: $pf.txt"
        return
    fi
    if [ -n "$xt" ]; then
        kill "$xt" 2>/dev/null
        wait "$xt" 2>/dev/null
    fi
    echo "system=$sys mode=$mode workload=$wl enc=$enc load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$RAW"
}

# ---- the run ----
viewer_setup
serve_start
# `xsim run` execs the daemon
wait_for 20 sh -c "[ \"\$(cat /proc/$SERVE_PID/comm)\" = xenfb-backend ] || pgrep -P $SERVE_PID -x xenfb-backend" >/dev/null ||
    bail "the daemon did not start"
SERVE_REAL=$(proc_of "$SERVE_PID" xenfb-backend)
XSIMD_PID=$(pgrep -f -x "[^ ]*xsimd --dir $XSIM_DIR .*" | head -n 1)
[ -n "$XSIMD_PID" ] || bail "no xsimd"
XENFB_DOM=1
SYSTEMS=${ONLY:-xenfb xvnc x11vnc dummy}
has() { case " $SYSTEMS " in *" $1 "*) return 0 ;; esac; return 1; }

for mode in $MODES; do
    W=${mode%x*} H=${mode#*x}
    up_all "$W" "$H"
    if [ "$mode" = 1280x720 ]; then
        # idle: the screen still, a client connected with a request outstanding
        for s in $SYSTEMS; do run "$s" "$mode" idle raw; done
        for wl in clock move xterm; do
            for s in $SYSTEMS; do run "$s" "$mode" "$wl" raw; done
        done
    fi
    # an animation at a display's rate, in the encodings viewers use
    for enc in raw tight jpeg8 zrle; do
        for s in $SYSTEMS; do run "$s" "$mode" shm60 "$enc"; done
    done
    for s in $SYSTEMS; do run "$s" "$mode" put60 raw; done
    # flat out: raw, lossless Tight, Tight + JPEG at TigerVNC's viewer's
    # quality (8) and noVNC's (6), ZRLE; XPutImage raw and JPEG
    for wl in shm put; do
        encs="raw tight jpeg8 jpeg6 zrle"
        [ "$wl" = put ] && encs="raw jpeg8"
        for enc in $encs; do
            for s in $SYSTEMS xenfb_nv; do
                # no client, no encoding: one run per workload
                case $s in dummy | xenfb_nv) [ "$enc" = raw ] || continue ;; esac
                [ "$s" = xenfb_nv ] && ! has xenfb && continue
                run "$s" "$mode" "$wl" "$enc"
            done
        done
    done
    if [ "$PROFILE" = 1 ] && [ "$mode" = 1920x1080 ]; then
        # where the time goes: each process of the system, not in the figures
        PROFILE_TO=1
        for enc in raw tight jpeg8 zrle; do
            has xenfb && run xenfb "$mode" shm "$enc"
            has xvnc && run xvnc "$mode" shm "$enc"
        done
        has xenfb && run xenfb "$mode" put raw
        PROFILE_TO=
    fi
    down_all
done

echo "load after: $(uptime)" >>"$OUT/env.txt"
"$PY" "$HERE/report.py" "$OUT" || bail "report.py failed"
echo "results in $OUT"
