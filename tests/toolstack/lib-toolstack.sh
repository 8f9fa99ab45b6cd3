# The daemon as the toolstack of its devices (backend/toolstack.h): the
# guests file, domains that come and go as libxl makes them, nodes as a
# killed daemon or QEMU leaves them. Source after tests/lib.sh and
# tests/viewer/lib-viewer.sh.
#
#   guests_conf LINE...        write the guests file, $GUESTS_CONF
#   reload                     SIGHUP the daemon; wait for its line about it
#   domain D NAME [UUID [TYPE]] domain D as libxl__domain_make leaves it:
#                              name, vm -> /vm/UUID, /libxl/D/type (pv)
#   created D NAME [N [SECS]]  wait for the Nth "devices created" of D
#   rd PATH / gone PATH        a node's value / it does not exist (as dom0)
#   store_count REGEX          xenstore paths that match
#   screen D                   start D's X server (its devices are there:
#                              created said so); wait until the daemon has
#                              its screen
#   vnc_closed D               nothing listens on D's VNC port

GUESTS_CONF="$TEST_TMP/guests.conf"

guests_conf() { printf '%s\n' "$@" >"$GUESTS_CONF"; }

rd() { x0 xenstore-read "$1" 2>/dev/null; }
gone() { ! x0 xenstore-read "$1" >/dev/null 2>&1; }
store_count() { "$XSIM" ctl dump-store | grep -c "$@"; }

reload() {
    local n
    n=$(count "$SERVE_LOG" "SIGHUP: ")
    kill -HUP "$SERVE_PID"
    wait_line "$SERVE_LOG" "SIGHUP: " $((n + 1)) || bail "the daemon said nothing of SIGHUP"
}

# domain D NAME [UUID [TYPE]]: as libxl__domain_make and libxl__build_post
# make it (name; vm -> /vm/UUID, a random UUID when none; /libxl/D/type,
# pv when none), then @introduceDomain
domain() {
    "$XSIM" create "$1" "$2" ${3:+--uuid "$3"} --type "${4:-pv}" >/dev/null ||
        bail "cannot create domain $1"
}

created() {
    wait_line "$SERVE_LOG" "domain $1: guest '$2': devices created" "${3:-1}" "${4:-20}"
}

# half_backend D TYPE CREATOR: a backend directory alone, as a daemon
# killed between the backend and the frontend leaves it (or between
# removing the frontend and the backend)
half_backend() {
    local b="/local/domain/0/backend/$2/$1/0"
    x0 xenstore-write "$b/frontend" "/local/domain/$1/device/$2/0" "$b/frontend-id" "$1" \
        "$b/online" 1 "$b/state" 1 "$b/created-by" "$3" &&
        x0 xenstore-chmod -r "$b" n0 "r$1"
}

screen() {
    local d=$1
    [ -n "$(rd "/local/domain/$d/device/xenfb/0/state")" ] || bail "domain $d has no xenfb device"
    guest_conf "$d" 1024 768 '"1024x768"'
    local n
    n=$(count "$SERVE_LOG" "domain $d: framebuffer connected")
    guest_x "$d"
    wait_line "$SERVE_LOG" "domain $d: framebuffer connected" $((n + 1)) 20 ||
        { show_serve_log; bail "the daemon did not see domain $d's framebuffer"; }
}

vnc_closed() {
    ! "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $(vnc_port "$1")), 2)" \
        2>/dev/null
}
