#!/usr/bin/env bash
# The demo: a guest's X desktop on the simulated Xen, exported by the
# xenfb driver and shown by xenfb-backend in a browser and to any VNC
# client (or in an SDL window). Started by `./run demo`.
#
#   demo/demo.sh BUILDDIR [--size WxH] [--sdl] [--vnc-base PORT] [--web-port PORT]
#
# WxH is a mode from X's standard list (1024x768, 1280x800, 1280x1024,
# 1920x1080, ...). The guest's VNC port is the base (5900) + 1; the web
# viewer listens on 6080. Ctrl-C (or SIGTERM) stops everything it started.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: demo/demo.sh BUILDDIR [--size WxH] [--sdl] [--vnc-base PORT] [--web-port PORT]}" && pwd)
shift
size=1280x800
sdl=
vnc_base=5900
web_port=6080
port_arg() {
    case "${2:-}" in
        [1-9]*) [ "$2" -le 65000 ] 2>/dev/null && return 0 ;;
    esac
    echo "demo: $1 needs a port number, e.g. $1 7000" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size=${2:?--size needs WxH}; shift ;;
        --sdl) sdl=--sdl ;;
        --vnc-base) port_arg "$1" "${2:-}"; vnc_base=$2; shift ;;
        --web-port) port_arg "$1" "${2:-}"; web_port=$2; shift ;;
        *) echo "demo: unknown option '$1' (try --size WxH, --sdl, --vnc-base PORT, --web-port PORT)" >&2; exit 2 ;;
    esac
    shift
done
case "$size" in
    [0-9]*x[0-9]*) w=${size%x*} h=${size#*x} ;;
    *) echo "demo: --size wants WIDTHxHEIGHT, e.g. 1280x800" >&2; exit 2 ;;
esac
if [ -n "$sdl" ] && [ -z "${DISPLAY:-}" ]; then
    echo "demo: --sdl opens a window: run it from an X session (DISPLAY is not set)" >&2
    exit 2
fi
for tool in twm xterm xclock xsetroot; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is missing: ./run deps installs it" >&2; exit 1; }
done

viewer_display=${DISPLAY:-}
XSIM="$build/tests/xsim/xsim"
BACKEND="$build/backend/xenfb-backend"
dir=$(mktemp -d "${TMPDIR:-/tmp}/xenfb-demo.XXXXXX")
export XSIM_DIR="$dir/xsim"
pids=()

cleanup() {
    trap - EXIT INT TERM
    # the guest's clients, then the backend, which stops its websockify
    # and removes what it wrote; then xsim stop ends whatever else runs in
    # the simulation (the guest's X server) and removes its sockets
    for p in "${pids[@]:2}"; do kill "$p" 2>/dev/null || true; done
    for p in ${x_pid:-} ${serve_pid:-}; do
        kill "$p" 2>/dev/null || true
        { wait "$p"; } 2>/dev/null || true
    done
    "$XSIM" stop >/dev/null 2>&1 || true
    { wait; } 2>/dev/null || true
    rm -rf "$dir"
    echo "demo: stopped; nothing left running."
}
trap cleanup EXIT
trap 'exit 0' INT TERM

"$XSIM" start >/dev/null
"$XSIM" create 1 demo-guest >/dev/null
# the guest kernel's gntalloc limit (1024 pages) is below most desktops:
# raise it as docs/guest.md says
"$XSIM" run --domid 1 -- sh -c 'echo 16384 >/sys/module/xen_gntalloc/parameters/limit'
"$XSIM" run --domid 0 -- "$BACKEND" attach --domid 1 --max-width "$w" --max-height "$h"

# dom0: the backend with VNC (guest 1 on port 5901) and the web viewer
"$XSIM" run --domid 0 -- "$BACKEND" serve --foreground --vnc "127.0.0.1:$vnc_base" \
    --web "127.0.0.1:$web_port" $sdl >"$dir/backend.log" 2>&1 &
serve_pid=$!
pids+=($!)

# the guest: a real Xorg with xenfb and xenkbd, as domain 1
mkdir -p "$dir/conf.d"
: >"$dir/conf.d/00-empty.conf"
sed -e "s/@MAXW@/$w/" -e "s/@MAXH@/$h/" -e "s/@MODES@/\"$size\"/" -e "s/@LAYOUT@/us/" \
    "$top/xf86-video-xenfb/examples/xorg-headless-test.conf" >"$dir/xorg.conf"
mkfifo "$dir/display"
"$XSIM" run --domid 1 -- /usr/lib/xorg/Xorg -config "$dir/xorg.conf" -configdir "$dir/conf.d" \
    -modulepath "$build/xf86-video-xenfb/.libs,/usr/lib/xorg/modules" -logfile "$dir/Xorg.log" \
    -noreset -nolisten tcp -displayfd 3 3>"$dir/display" >/dev/null 2>&1 &
x_pid=$!
pids+=($!)
if ! read -r -t 30 d <"$dir/display"; then
    echo "demo: the guest's X server did not start; its log:" >&2
    grep -E '\(EE\)' "$dir/Xorg.log" >&2 || true
    exit 1
fi
export DISPLAY=":$d"
xsetroot -solid '#2f4f6f'
twm >/dev/null 2>&1 &
pids+=($!)
xterm -geometry 80x24+40+40 -T "xenfb demo: a terminal in the guest" >/dev/null 2>&1 &
pids+=($!)
xclock -geometry 160x160-40+40 -update 1 >/dev/null 2>&1 &
pids+=($!)

# the backend logs the web page once it sees the guest
for _ in $(seq 100); do
    url=$(sed -n 's/.*web viewer: \(http[^ ]*\).*/\1/p' "$dir/backend.log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "demo: the backend did not come up; its log:" >&2
    cat "$dir/backend.log" >&2
    exit 1
fi
cat <<MSG

  xenfb demo: guest domain 1 runs an X desktop at $size (twm, xterm, xclock)
  on the simulated Xen; dom0's xenfb-backend shows it:

    browser:  $url
    VNC:      127.0.0.1:$((vnc_base + 1))    (e.g. vncviewer 127.0.0.1::$((vnc_base + 1)))
${sdl:+    window:   an SDL window on display $viewer_display}
  The guest's X display is :$d (more programs: DISPLAY=:$d xeyes &)
  Logs: $dir/backend.log, $dir/Xorg.log
  Stop: Ctrl-C

MSG
wait "${pids[0]}"
