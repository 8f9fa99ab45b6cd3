# Helpers for the backend core's integration tests. Source after
# tests/lib.sh and call xsim_setup first.
#
# The core runs as tests/back/xfb-back-tool in dom0 (commands on fd 7,
# output in $BACK_OUT); each guest D runs tests/back/xfb-evil-front
# (commands on fd 7+D, output in $TEST_TMP/front-D.out). Every process
# goes through `xsim run`, so `xsim stop` ends them all.

BACK_TOOL="$top_builddir/tests/back/xfb-back-tool"
FRONT_TOOL="$top_builddir/tests/back/xfb-evil-front"
BACKEND="$top_builddir/backend/xenfb-backend"
BACK_OUT="$TEST_TMP/back.out"
: >"$BACK_OUT"

x0() { "$XSIM" run --domid 0 -- "$@"; }
# attach ARGS: as the command, for a domain that exists (as after `xl
# create -p`): the domain of --domid is created first if need be
attach() {
    _ad=$(printf '%s\n' "$@" | sed -n '/^--domid$/{n;p;q}')
    [ -z "$_ad" ] || "$XSIM" run --domid "$_ad" -- true || return 1
    x0 "$BACKEND" attach "$@"
}
detach() { x0 "$BACKEND" detach "$@"; }

# libxl_console D: domain D's first console as libxl makes it for a PV or
# PVH domain (xenconsoled's frontend directory, dom0's, read-only to the
# guest), where the daemon tells `xl vncviewer` its VNC address
libxl_console() {
    "$XSIM" run --domid "$1" -- true &&
        x0 xenstore-write "/local/domain/$1/console/backend-id" 0 \
            "/local/domain/$1/console/type" xenconsoled \
            "/local/domain/$1/console/output" pty &&
        x0 xenstore-chmod "/local/domain/$1/console" n0 "r$1"
}

# has_n FILE REGEX N: at least N lines of FILE match
has_n() { [ "$(count "$1" "$2")" -ge "$3" ]; }
# count FILE REGEX: how many lines match (0 when FILE does not exist yet)
count() { [ -f "$1" ] || { echo 0; return; }; grep -c -e "$2" "$1"; }
# wait_line FILE REGEX [N [SECONDS]]: until N lines match (default 1, 10 s)
wait_line() { wait_for "${4:-10}" has_n "$1" "$2" "${3:-1}"; }

back_start() {
    rm -f "$TEST_TMP/back.in"
    mkfifo "$TEST_TMP/back.in"
    "$XSIM" run --domid 0 -- "$BACK_TOOL" "$@" <"$TEST_TMP/back.in" >>"$BACK_OUT" 2>&1 &
    BACK_PID=$!
    exec 7>"$TEST_TMP/back.in"
}

back_kill() {
    kill -9 "$BACK_PID" 2>/dev/null
    wait "$BACK_PID" 2>/dev/null
    exec 7>&-
}

back() { echo "$*" >&7; }

# Counted from the output, not in a variable: back_ask runs in $(...).
back_sync() {
    _n=$(($(count "$BACK_OUT" '^sync$') + 1))
    back sync
    wait_line "$BACK_OUT" '^sync$' "$_n"
}

# back_ask CMD: the value after " = " in the answer to CMD
back_ask() {
    back "$1"
    back_sync
    grep -e "^${1%% *} " "$BACK_OUT" | tail -n 1 | sed 's/.* = //'
}

# front_start D [ARGS]: a frontend in domain D
front_start() {
    _d=$1
    shift
    rm -f "$TEST_TMP/front-$_d.in"
    mkfifo "$TEST_TMP/front-$_d.in"
    : >"$TEST_TMP/front-$_d.out"
    "$XSIM" run --domid "$_d" -- "$FRONT_TOOL" "$@" <"$TEST_TMP/front-$_d.in" \
        >>"$TEST_TMP/front-$_d.out" 2>&1 &
    eval "FRONT_PID_$_d=\$!"
    eval "exec $((7 + _d))>\"\$TEST_TMP/front-$_d.in\""
}

front_out() { echo "$TEST_TMP/front-$1.out"; }

front() {
    _d=$1
    shift
    echo "$*" >&$((7 + _d))
}

front_kill() {
    eval "_p=\$FRONT_PID_$1"
    kill -9 "$_p" 2>/dev/null
    wait "$_p" 2>/dev/null
    eval "exec $((7 + $1))>&-"
}

front_sync() {
    _n=$(($(count "$(front_out "$1")" '^sync$') + 1))
    front "$1" sync
    wait_line "$(front_out "$1")" '^sync$' "$_n"
}

front_ask() {
    front "$1" "$2"
    front_sync "$1"
    grep -e "^${2%% *} " "$(front_out "$1")" | tail -n 1 | sed 's/.* = //'
}

# The simulated machine holds no grant mapping and no bound port of
# domain D's devices any more.
grants_of() { "$XSIM" ctl dump-grants | grep -c "granter=$1 .*mapped-by=[1-9]"; }
ports_of() { "$XSIM" ctl dump-ports | grep -c "domain=0 .*remote=$1:"; }

show_logs() {
    sed 's/^/# back: /' "$BACK_OUT" | tail -n 30
    for f in "$TEST_TMP"/front-*.out; do
        [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" | tail -n 15
    done
}

# eq EXPECTED CMD...: CMD prints EXPECTED. For wait_for, which runs it
# anew each time (unlike `wait_for N test "$(CMD)" = X`, which expands
# $(CMD) once, before the first try).
eq() {
    _want=$1
    shift
    [ "$("$@")" = "$_want" ]
}
