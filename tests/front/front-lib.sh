# Shell functions for the frontend's system tests, sourced after tests/lib.sh:
# run xfb-fake-back (backend domain) and xfb-front-tool (guest) as
# coprocesses fed through FIFOs, and wait for the lines they print.
#
#   proc_start NAME FD DOMID CMD...  run CMD in domain DOMID; its stdin is
#                                    written through descriptor FD (3..9)
#   send NAME WORDS...               one command line to NAME
#   expect NAME 'exact line' [SECONDS]
#                                    wait for that line among those NAME
#                                    printed since the last match
#   expect_re NAME REGEX [SECONDS]   the same with an awk regular expression;
#                                    the line is left in $LINE
#   say NAME WORDS... -- 'exact reply' DESC
#                                    send, expect the reply, and count a TAP check
#   proc_stop NAME                   send quit, close its stdin, wait for it
#   proc_log NAME                    everything NAME printed

# A coprocess that died must fail the checks that talk to it, not kill
# the test with SIGPIPE.
trap '' PIPE
need mkfifo awk sed

FRONT_TOOL="$top_builddir/tests/front/xfb-front-tool"
FAKE_BACK="$top_builddir/tests/front/xfb-fake-back"
GUEST=5
LINE=

proc_start() {
    local name=$1 fd=$2 dom=$3
    shift 3
    rm -f "$TEST_TMP/$name.in"
    mkfifo "$TEST_TMP/$name.in"
    : >"$TEST_TMP/$name.out"
    "$XSIM" run --domid "$dom" -- "$@" <"$TEST_TMP/$name.in" >"$TEST_TMP/$name.out" \
        2>"$TEST_TMP/$name.err" &
    eval "_pid_$name=$!; _fd_$name=$fd; _seen_$name=0"
    eval "exec $fd>\"\$TEST_TMP/$name.in\""
    at_exit "proc_kill $name"
}

proc_kill() {
    local pid
    eval "pid=\${_pid_$1:-}"
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    eval "_pid_$1="
    return 0
}

proc_stop() {
    local pid fd
    eval "pid=\${_pid_$1:-}; fd=\${_fd_$1}"
    [ -n "$pid" ] || return 0
    send "$1" quit
    eval "exec $fd>&-"
    wait "$pid" 2>/dev/null
    eval "_pid_$1="
}

send() {
    local name=$1 fd
    shift
    eval "fd=\$_fd_$name"
    eval "printf '%s\n' \"\$*\" >&$fd"
}

proc_log() {
    cat "$TEST_TMP/$1.out"
}

# _find NAME MODE PATTERN: line number of the first match after the last one
_find() {
    local seen
    eval "seen=\$_seen_$1"
    awk -v from="$seen" -v mode="$2" -v pat="$3" \
        'NR > from && ((mode == "eq" && $0 == pat) || (mode == "re" && $0 ~ pat)) { print NR; exit }' \
        "$TEST_TMP/$1.out"
}

_expect() {
    local name=$1 mode=$2 pat=$3 secs=${4:-10} n deadline
    deadline=$(($(date +%s) + secs))
    while :; do
        n=$(_find "$name" "$mode" "$pat")
        if [ -n "$n" ]; then
            eval "_seen_$name=$n"
            LINE=$(sed -n "${n}p" "$TEST_TMP/$name.out")
            return 0
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            diag "$name: no line '$pat' in ${secs}s; it printed:"
            sed "s/^/#   $name: /" "$TEST_TMP/$name.out" | tail -n 25
            sed "s/^/#   $name stderr: /" "$TEST_TMP/$name.err" | tail -n 5
            return 1
        fi
        sleep 0.02
    done
}

expect() { _expect "$1" eq "$2" "${3:-10}"; }
expect_re() { _expect "$1" re "$2" "${3:-10}"; }

say() {
    local name=$1 cmd= reply desc
    shift
    while [ "$1" != "--" ]; do
        cmd="$cmd${cmd:+ }$1"
        shift
    done
    reply=$2
    desc=$3
    send "$name" "$cmd"
    expect "$name" "$reply"
    ok $? "$desc"
}

# start_back vfb|vkbd [MAXW MAXH]: the fake backend in dom0, device 0 of
# the guest attached (both directories created, both states 1).
start_back() {
    proc_start back 7 0 "$FAKE_BACK" "$1" --front "$GUEST"
    send back attach ${2:-} ${3:-}
    expect back attached || bail "fake backend did not attach"
}

# grants_of DOMID / ports_of DOMID: what the hypervisor still holds for it
grants_of() { "$XSIM" ctl dump-grants | grep "^granter=$1 " || true; }
ports_of() { "$XSIM" ctl dump-ports | grep "^domain=$1 " || true; }
