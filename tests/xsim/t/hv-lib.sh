# Helpers for the hv-* tests; source after tests/lib.sh.
#
# A peer is an hv-peer process run as a process of a simulated domain and
# driven through two fifos: one command line in, one reply line out. Peers
# live in slots a, b and c (each slot owns two descriptors: 3-4, 5-6, 7-8),
# and run in $TEST_TMP, where they write and read the NAME.refs files.

need mkfifo
HV_PEER="$top_builddir/tests/xsim/t/hv-peer"
HV_FRAMES="$top_builddir/tests/xsim/t/hv-frames"
[ -x "$HV_PEER" ] || bail "hv-peer is not built: $HV_PEER"

_peer_fds() {
    case $1 in
    a) echo "3 4" ;;
    b) echo "5 6" ;;
    c) echo "7 8" ;;
    *) bail "no peer slot '$1'" ;;
    esac
}

# peer_start SLOT DOMID [PROGRAM]: start a peer (hv-peer, or PROGRAM:
# hv-frames) in domain DOMID; its pid goes to $peer_pid_SLOT.
peer_start() {
    _prog=${3:-$HV_PEER}
    set -- "$1" "$2" $(_peer_fds "$1")
    rm -f "$TEST_TMP/$1.in" "$TEST_TMP/$1.out"
    mkfifo "$TEST_TMP/$1.in" "$TEST_TMP/$1.out" || bail "mkfifo failed"
    (cd "$TEST_TMP" && exec "$XSIM" run --domid "$2" -- "$_prog" \
        <"$1.in" >"$1.out" 2>>"$1.err") &
    eval "peer_pid_$1=\$!"
    eval "exec $3>\"\$TEST_TMP/$1.in\" $4<\"\$TEST_TMP/$1.out\""
}

# peer_send SLOT CMD...: send a command, leave its reply for peer_recv.
peer_send() {
    _s=$1
    shift
    set -- "$*" $(_peer_fds "$_s")
    echo "$1" >&"$2"
}

# peer_recv SLOT: print the reply to the oldest command not yet read.
peer_recv() {
    set -- $(_peer_fds "$1")
    read -r _line <&"$2" || _line="err EOF"
    echo "$_line"
}

# peer SLOT CMD...: run a command, print its reply.
peer() {
    peer_send "$@"
    peer_recv "$1"
}

# peer_gone SLOT: the peer was killed; reap it and free the slot.
peer_gone() {
    set -- "$1" $(_peer_fds "$1")
    eval "wait \$peer_pid_$1 2>/dev/null; exec $2>&- $3<&-"
}

# peer_stop SLOT: end a peer normally.
peer_stop() {
    peer_send "$1" exit
    peer_gone "$1"
}

# Field N (1-based) of a reply: `field 2 "ok 8 12"` prints 8.
field() {
    _n=$1
    shift
    set -- $1
    eval "echo \${$_n:-}"
}

hvctl() { "$XSIM" ctl "$@"; }

# How many lines of `xsim ctl VERB` match PATTERN (grep -E).
count_lines() {
    "$XSIM" ctl "$1" | grep -Ec -- "$2"
}

# no_lines VERB PATTERN: true when no line matches (for wait_for).
no_lines() {
    [ "$(count_lines "$1" "$2")" = 0 ]
}

# settled VERB EXPECTED: print `xsim ctl VERB` once it reads EXPECTED, or
# what it reads after 5 s. For states reached through a socket xsimd reads
# on its own time (a process's end, a port written back to unmask).
settled() {
    wait_for 5 _settled "$@" || true
    "$XSIM" ctl "$1"
}
_settled() { [ "$("$XSIM" ctl "$1")" = "$2" ]; }
