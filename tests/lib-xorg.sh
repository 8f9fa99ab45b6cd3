# Running a real, headless Xorg in the system tests. Source after lib.sh.
#
#   xorg_start NAME CONFIG [PREFIX...]  start Xorg with CONFIG (a file) and
#                                       export DISPLAY; PREFIX is a command
#                                       to run it under (e.g. $XSIM run
#                                       --domid 1 --); logs in $TEST_TMP
#   xorg_stop NAME                      stop it (SIGTERM, waits)
#
# XORG_NORESET= (empty) starts it without -noreset: the server then
# regenerates (CloseScreen, ScreenInit) whenever its last client leaves.
#
# The server picks a free display itself (-displayfd), so tests run in
# parallel. Modules come from the build tree first (-modulepath).

XORG_BIN=${XORG_BIN:-/usr/lib/xorg/Xorg}

xorg_modulepath() {
    echo "$top_builddir/xf86-video-xenfb/modules,/usr/lib/xorg/modules"
}

xorg_start() {
    local name=$1 config=$2
    shift 2
    need "$XORG_BIN" xdpyinfo
    local dir="$TEST_TMP/xorg-$name"
    mkdir -p "$dir/conf.d"
    : >"$dir/conf.d/00-empty.conf" # an empty -configdir is refused
    rm -f "$dir/display"
    mkfifo "$dir/display.fifo"
    "$@" "$XORG_BIN" -config "$config" -configdir "$dir/conf.d" \
        -modulepath "$(xorg_modulepath)" -logfile "$dir/Xorg.log" \
        ${XORG_NORESET--noreset} -nolisten tcp -displayfd 3 \
        3>"$dir/display.fifo" >"$dir/Xorg.out" 2>&1 &
    echo $! >"$dir/pid"
    at_exit "xorg_stop '$name'"
    # the server writes its display number once it accepts clients; read
    # it with a deadline so a server that dies is noticed
    local d
    if ! read -r -t 30 d <"$dir/display.fifo"; then
        sed 's/^/# Xorg: /' "$dir/Xorg.log" 2>/dev/null | grep -E '\(EE\)|\(WW\)' | head -n 20
        bail "Xorg ($name) did not start"
    fi
    echo "$d" >"$dir/display"
    export DISPLAY=":$d"
}

xorg_log() { echo "$TEST_TMP/xorg-$1/Xorg.log"; }

xorg_stop() {
    local dir="$TEST_TMP/xorg-$1" pid
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    rm -f "$dir/pid"
    kill "$pid" 2>/dev/null || return 0
    wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
}
