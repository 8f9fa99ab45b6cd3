# shellcheck shell=bash
# The dom0 side of the real-Xen tier: TAP to the host, domains, the
# guests' agents, pictures. Sourced by run-tests and the scenarios.
#
# TAP lines go to fd 3 without numbers ("ok - ...", "not ok - ...",
# "# ..."); the host numbers them and counts them with the rest.

set -u
PATH=/opt/xfb:/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH PYTHONDONTWRITEBYTECODE=1
LOGDIR=/var/log/xfb
RUN=/run/xfb
KVER=$(cat /opt/xfb/kernel-version)
mkdir -p "$LOGDIR" "$RUN"

# Every fork costs about 0.1 s of CPU in a PV dom0 under TCG, and the
# guests share the same two CPUs: the helpers below fork little, wait on
# xenstore watches rather than poll, and poll files once a second.

now() { local u _; read -r u _ </proc/uptime; echo "$u"; }
# secs T0: whole seconds since T0 (a value of now)
secs() {
    local u _
    read -r u _ </proc/uptime
    echo $(( (${u%.*} * 100 + 10#${u#*.} - ${1%.*} * 100 - 10#${1#*.} + 50) / 100 ))
}

# tap LINE: one line to the host (fd 3, opened once: the port is
# exclusive) and to our own log
tap() { printf '%s\n' "$*" >&3; printf '%s\n' "$*"; }
diag() { tap "# $*"; }
# diag_file FILE [N]: the last N (20) lines of FILE as diagnostics
diag_file() {
    local l
    tail -n "${2:-20}" "$1" 2>/dev/null | while IFS= read -r l; do tap "#   $l"; done
}
phase() { diag "phase $1: $2 s"; }

# ok STATUS DESC
ok() {
    if [ "$1" -eq 0 ]; then
        tap "ok - $2"
    else
        tap "not ok - $2"
    fi
    return "$1"
}

# is ACTUAL EXPECTED DESC
is() {
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        diag "  expected: $2"
        diag "       got: $1"
        return 1
    fi
}

# todo STATUS WHY DESC: a check of what does not work yet. It prints
# "not ok ... # TODO WHY" while it fails (the harness names it and counts
# it as neither passed nor failed) and "ok ... # TODO" once it passes
# (counted as failed, to say the TODO mark should go).
todo() {
    if [ "$1" -eq 0 ]; then
        tap "ok - $3 # TODO $2"
    else
        tap "not ok - $3 # TODO $2"
    fi
}

# bail WHY: stop everything as failed
bail() {
    tap "Bail out! $*"
    exit 1
}

# wait_for SECONDS CMD...: poll CMD once a second until it succeeds, or
# give up (for conditions no watch announces: a log line, a process)
wait_for() {
    local end=$((SECONDS + $1))
    shift
    while ! "$@"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 1
    done
    return 0
}

# wait_node SECONDS PATH: until PATH exists in xenstore, woken by a watch
wait_node() {
    local end=$((SECONDS + $1))
    while ! xenstore-exists "$2"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        # a watch fires once when set, then when PATH is written; one
        # written in between is found by the check after 10 s at most
        timeout 10 xenstore-watch -n 2 "$2" >/dev/null 2>&1
    done
    return 0
}

# ---- domains ----

domid() { xl domid "$1" 2>/dev/null; }

# guest_cfg NAME TYPE XSPEC EXTRA...: an xl config for a test guest, as
# a user would write it for xenfb: no vfb or vkb line, no device of
# xenfb's at all (the daemon makes them, guests.conf names the guest).
# dom0's kernel, with its built-in xen-fbfront and xen-kbdfront left in;
# the guests' small initramfs; the shared root read-only (xvd*: PV only,
# so an HVM guest gets no emulated IDE disk, which could not be
# read-only). XSPEC (MAXW,MAXH,MODE...) is the X server the guest's init
# starts at boot (xfb.x=; none when empty). An HVM guest keeps libxl's defaults: QEMU's
# emulated VGA with its own VNC server (on a display of its own, away
# from xenfb's 5900+domid) and QEMU's vkbd. Only PV guests restart on
# reboot (the reboot scenario): Xen turns an HVM or PVH guest's triple
# fault into a reboot, which is to be seen, not hidden
guest_cfg() {
    local name=$1 type=$2 xspec=$3
    shift 3
    # an HVM guest's first four disks are emulated (IDE) as well as PV,
    # and QEMU cannot make those read-only (libxl refuses): the fifth is
    # PV only
    local vdev=xvda
    [ "$type" = hvm ] && vdev=xvde
    cat >"$RUN/$name.cfg" <<CFG
name = "$name"
type = "$type"
kernel = "/boot/vmlinuz-$KVER"
ramdisk = "/opt/xfb/initrd-domU"
extra = "root=/dev/$vdev console=hvc0 init=/opt/xfb/init${xspec:+ xfb.x=$xspec} $*"
memory = 384
vcpus = 1
disk = [ 'phy:/dev/vdb,$vdev,r,script=/opt/xfb/block' ]
vif = [ ]
on_reboot = "$([ "$type" = pv ] && echo restart || echo preserve)"
on_crash = "preserve"
CFG
    # hardware-virtualised guests stay on one CPU: under QEMU's emulated
    # SVM, those that moved between CPUs took triple faults now and then
    # (tests/xen/README.md)
    [ "$type" != pv ] && echo 'cpus = "1"' >>"$RUN/$name.cfg"
    [ "$type" = hvm ] && cat >>"$RUN/$name.cfg" <<CFG
vnc = 1
vnclisten = "127.0.0.1"
vncdisplay = $QEMU_VNC_DISPLAY
sdl = 0
serial = "pty"
CFG
    return 0
}
# QEMU's VNC display for the HVM guest (port 5900 + it)
QEMU_VNC_DISPLAY=50

# dom_state D: the state letters xl list shows for domain D ("-b----"),
# or "gone"
dom_state() { xl list 2>/dev/null | awk -v d="$1" 'NR > 1 && $2 == d { s = $5 } END { print s ? s : "gone" }'; }

# wait_agent D SECONDS: until domain D's agent is up; fails early, saying
# why, when the domain crashed, shut down (a triple fault under HVM is a
# reboot) or went away
wait_agent() {
    local d=$1 end=$((SECONDS + $2)) st
    while ! wait_node 30 "/local/domain/$d/data/xfb/ready"; do
        st=$(dom_state "$d")
        case "$st" in
            gone | *c* | *s*)
                echo "domain $d stopped before its agent answered (xl list: $st);" \
                    "Xen says: $(xl dmesg | grep -a -E "\bd${d}v" | tail -n 2 | tr '\n' ' ')"
                return 1
                ;;
        esac
        [ "$SECONDS" -ge "$end" ] && { echo "its agent did not answer within $2 s of xl create"; return 1; }
    done
    return 0
}

# [AFTER=NAME] [TRIES=N] bringup NAME TYPE XSPEC KERNEL-ARGS...: a plain
# xl create (guests.conf names the guest: the daemon makes its devices),
# meant to run in the background, then wait for the guest's agent.
# Leaves $RUN/NAME.cfg, NAME.status ("ok" or why not), NAME.domid,
# NAME.times (seconds: create, boot) and NAME.notes (what went wrong
# before). With TRIES=2 a guest that stops before its agent is up (before
# anything of xenfb ran in it) is destroyed and created again once: PVH
# and HVM guests run on QEMU's emulation of SVM, where a guest now and
# then takes a triple fault in its kernel's boot.
bringup() {
    local name=$1 type=$2 xspec=$3
    shift 3
    guest_cfg "$name" "$type" "$xspec" "$@"
    # one xl create at a time, in the order given (AFTER=NAME)
    [ -n "${AFTER:-}" ] && wait_for 1500 test -e "$RUN/$AFTER.created"
    create_guest "$name"
}

# [TRIES=N] create_guest NAME: bringup's xl create of $RUN/NAME.cfg and
# its wait for the agent
create_guest() {
    local name=$1 t0 t1 d rc why try=1
    : >"$RUN/$name.notes"
    rm -f "$RUN/$name.status"
    while :; do
        t0=$(now)
        xl create "$RUN/$name.cfg" >"$LOGDIR/$name.create.log" 2>&1
        rc=$?
        touch "$RUN/$name.created"
        if [ "$rc" -ne 0 ]; then
            echo "xl create failed: $(tail -n 3 "$LOGDIR/$name.create.log" | tr '\n' ' ')" >"$RUN/$name.status"
            return 1
        fi
        t1=$(now)
        d=$(domid "$name")
        echo "$d" >"$RUN/$name.domid"
        why=$(wait_agent "$d" 1200) && break
        if [ "$try" -ge "${TRIES:-1}" ] || ! xl list "$name" >/dev/null 2>&1 ||
            [ -z "$(dom_state "$d" | tr -d -- '-rbp')" ]; then
            echo "$why" >"$RUN/$name.status"
            return 1
        fi
        echo "try $try: $why" >>"$RUN/$name.notes"
        xl destroy "$name" >/dev/null 2>&1
        try=$((try + 1))
    done
    echo "$(awk -v a="$t0" -v b="$t1" -v c="$(now)" 'BEGIN { printf "%d %d", b - a + 0.5, c - b + 0.5 }')" \
        >"$RUN/$name.times"
    echo ok >"$RUN/$name.status"
}

# emulation_stop D: domain D was stopped by a triple fault (Xen turns an
# HVM or PVH guest's triple fault into a shutdown or a crash); Xen's
# words on stdout. Under QEMU's emulated SVM a hardware-virtualised
# guest takes one now and then, in code of its kernel that xenfb does
# not reach (seen: an x2APIC EOI write on an interrupt stack)
emulation_stop() {
    local d=$1 st line
    st=$(dom_state "$d")
    case "$st" in *c* | *s*) ;; *) return 1 ;; esac
    line=$(xl dmesg | grep -a -A6 -E "\bd${d}v[0-9]+ Triple fault" | sed 's/^(XEN) //')
    [ -n "$line" ] || return 1
    printf '%s, RIP %s\n' "$(printf '%s\n' "$line" | grep -a 'Triple fault' | tail -n 1)" \
        "$(printf '%s\n' "$line" | sed -n 's/^RIP: *//p' | tail -n 1)"
}

# once_more_on_emulation_stop NAME FUNC ARGS...: run FUNC (the checks of
# guest NAME), holding back its TAP lines; when guest NAME was stopped by
# the emulator meanwhile (emulation_stop), say so, keep those lines only
# as diagnostics, create the guest again from its config and run FUNC a
# second time, whose verdicts count whatever happens. Anything else that
# went wrong counts as it is
once_more_on_emulation_stop() {
    local name=$1 d why held=$RUN/$1.held
    shift
    "$@" 3>"$held"
    d=$(cat "$RUN/$name.domid" 2>/dev/null)
    if [ -n "$d" ] && why=$(emulation_stop "$d"); then
        diag "$name: domain $d stopped by the emulator ($why); its checks so far, held back:"
        sed 's/^/#   /' "$held" >&3
        diag "$name: created again, once, and checked again"
        xl destroy "$name" >/dev/null 2>&1
        TRIES=2 create_guest "$name"
        "$@"
    else
        cat "$held" >&3
    fi
}

# guest_ready NAME DESC: wait for NAME's bringup, say how it went; sets D
guest_ready() {
    local name=$1 n=0
    D=
    # a word every 5 minutes, so the host knows dom0 is alive
    until [ -s "$RUN/$name.status" ] || [ $n -ge 6 ]; do
        wait_for 300 test -s "$RUN/$name.status" ||
            diag "still waiting for $name (xl list: $(dom_state "$(cat "$RUN/$name.domid" 2>/dev/null)"))"
        n=$((n + 1))
    done
    [ -s "$RUN/$name.notes" ] && diag_file "$RUN/$name.notes"
    if [ "$(cat "$RUN/$name.status" 2>/dev/null)" != ok ]; then
        ok 1 "$2"
        diag "$(cat "$RUN/$name.status" 2>/dev/null || echo "no word after 1800 s")"
        diag_file "$LOGDIR/console/guest-$name.log" 15
        return 1
    fi
    D=$(cat "$RUN/$name.domid")
    ok 0 "$2"
    set -- $(cat "$RUN/$name.times")
    phase "domU $name (domain $D): xl create" "$1"
    phase "domU $name (domain $D): xl create's return to its agent answering" "$2"
}

# ---- the guests' agents (domU/agent) ----

# g D CMD [SECONDS]: run CMD (sh) in domain D; its output on stdout, its
# exit status ours (124 when the agent does not answer in time, 125
# when the command cannot be sent). The command numbers are per domain,
# in a file, since g runs in subshells ($(g ...)) too.
g() {
    local d=$1 cmd=$2 limit=${3:-120}
    local base=/local/domain/$d/data/xfb n=0 out rc
    [ -f "$RUN/seq.$d" ] && read -r n <"$RUN/seq.$d"
    n=$((n + 1))
    echo "$n" >"$RUN/seq.$d"
    printf '%s dom%s %s> %s\n' "$(now)" "$d" "$n" "$cmd" >>"$LOGDIR/agent.log"
    xenstore-write -R "$base/cmd/$n" "$cmd" || return 125
    local end=$((SECONDS + limit)) st
    while ! wait_node 20 "$base/rc/$n"; do
        # a domain that stopped (Xen turns an HVM or PVH guest's triple
        # fault into a shutdown) answers nothing: say so at once
        st=$(dom_state "$d")
        case "$st" in
            gone | *c* | *s*)
                printf '%s dom%s %s: domain stopped (%s)\n' "$(now)" "$d" "$n" "$st" >>"$LOGDIR/agent.log"
                echo "domain $d stopped (xl list: $st); Xen says:" \
                    "$(xl dmesg | grep -a -E "\bd${d}v" | tail -n 2 | tr '\n' ' ')"
                return 124
                ;;
        esac
        if [ "$SECONDS" -ge "$end" ]; then
            printf '%s dom%s %s: no answer in %s s\n' "$(now)" "$d" "$n" "$limit" >>"$LOGDIR/agent.log"
            echo "the agent of domain $d did not answer within $limit s: $cmd"
            return 124
        fi
    done
    # the agent writes the output chunks and the status in one transaction
    out=$(xenstore-read "$base/rc/$n" $(xenstore-list "$base/out/$n" 2>/dev/null | sort -n |
        sed "s|^|$base/out/$n/|"))
    rc=${out%%$'\n'*}
    out=$(printf '%s' "${out#"$rc"}" | tr -d '\n' | base64 -d)
    printf '%s\n%s dom%s %s: exit %s\n' "$out" "$(now)" "$d" "$n" "$rc" >>"$LOGDIR/agent.log"
    xenstore-rm "$base/cmd/$n" "$base/rc/$n" "$base/out/$n" 2>/dev/null
    [ -n "$out" ] && printf '%s\n' "$out"
    return "$rc"
}

agent_ready() { xenstore-exists "/local/domain/$1/data/xfb/ready"; }

# ---- X in the guests (domU/xstart) ----

# xstart D MAXW MAXH MODE...: (re)start domain D's X server; says how
# long it took, or why it did not start
xstart() {
    local d=$1
    shift
    g "$d" "xstart $*" 400
}

# xinit D SECONDS: wait for the X server domain D's init started at boot
# (xfb.x=, domU/init); its status ours, its words (how long it took, or
# why it did not start) on stdout
xinit() {
    local d=$1 rc
    if ! wait_node "$2" "/local/domain/$d/data/xfb/xstart"; then
        echo "no word from the X server the guest's init starts within $2 s" \
            "(domain $d, xl list: $(dom_state "$d"));" \
            "Xen says: $(xl dmesg | grep -a -E "\bd${d}v" | tail -n 2 | tr '\n' ' ')"
        g "$d" "cat /run/xstart.out; tail -n 5 /var/log/Xorg.0.log" 60
        tail -n 8 "$LOGDIR/console/guest-$(xl domname "$d" 2>/dev/null).log" 2>/dev/null
        return 124
    fi
    rc=$(xenstore-read "/local/domain/$d/data/xfb/xstart")
    g "$d" "cat /run/xstart.out"
    return "$rc"
}

# ---- the daemon ----

SERVE_PID=
SERVE_LOG=
GUESTS_CONF=/etc/xenfb/guests.conf
serve_start() {
    SERVE_LOG=$LOGDIR/serve-$1.log
    # as the packaged unit runs it, with the guests' file named
    xenfb-backend serve --foreground --user _xenfb --config "$GUESTS_CONF" >"$SERVE_LOG" 2>&1 &
    SERVE_PID=$!
}

# count FILE PATTERN: lines of FILE that contain PATTERN (fixed string)
count() { grep -c -F -- "$2" "$1" 2>/dev/null || true; }
has_line() { grep -q -F -- "$2" "$1" 2>/dev/null; }

# ever_logged PATTERN: a daemon's log says PATTERN, the one running now
# or one before it (20-restart kills and restarts it)
ever_logged() { cat "$LOGDIR"/serve-*.log 2>/dev/null | grep -q -F -- "$1"; }

# wait_log SECONDS PATTERN: the daemon's log says PATTERN
wait_log() { wait_for "$1" has_line "$SERVE_LOG" "$2"; }
# wait_log_n SECONDS N PATTERN: the daemon's log says PATTERN N times
log_n() { [ "$(count "$SERVE_LOG" "$2")" -ge "$1" ]; }
wait_log_n() { wait_for "$1" log_n "$2" "$3"; }

# evtchn_n: event channels the daemon has bound (dom0's kernel names each
# "evtchn:COMMAND" in /proc/interrupts)
evtchn_n() { grep -c -F 'evtchn:xenfb-backend' /proc/interrupts; }

# ---- pictures: the guest's xwd -root against what VNC shows ----

vnc_port() { echo $((5900 + $1)); }

# same_picture D: one comparison; its verdict in $RUN/cmp.out, the VNC
# picture in $RUN/vnc.save (and its description in vnc.save.desc). The
# guest's side is its X screen, or with SHOT=fb0 its kernel's
# framebuffer console
same_picture() {
    local d=$1
    if ! g "$d" "xfbshot ${SHOT:-}" >"$RUN/guest.desc" 2>&1; then
        { echo "xfbshot failed in the guest:"; cat "$RUN/guest.desc"; } >"$RUN/cmp.out"
        return 1
    fi
    xfbvnc.py shot "$(vnc_port "$d")" "$RUN/vnc.save" "$RUN/guest.desc" >"$RUN/cmp.out" 2>&1
}

# pictures_match D [SECONDS]: poll (rendering ends with no event to wait
# for) until the guest's screen and the VNC picture are the same; else
# say how they differ, down to the pixels of two differing tiles
pictures_match() {
    local d=$1
    if wait_for "${2:-180}" same_picture "$d"; then
        diag "$(head -n 1 "$RUN/vnc.save.desc" | cut -c1-40)...: the same in the guest and in VNC"
        return 0
    fi
    diag_file "$RUN/cmp.out" 5
    local tx ty
    sed -n 's/^tile \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$RUN/cmp.out" | head -n 2 |
        while read -r tx ty; do
            b64=$(g "$d" "xfbshot $tx $ty") &&
                diag "$(xfbvnc.py tilediff "$RUN/vnc.save" "$tx" "$ty" "$b64") (VNC vs guest)"
        done
    return 1
}

# geometry D: the size of domain D's screen as VNC shows it
vnc_size() { head -n 1 "$RUN/vnc.save.desc" | cut -d' ' -f1; }
# vnc_pixel X Y: the colour (RRGGBB) of a pixel of that picture
vnc_pixel() { xfbvnc.py pixel "$RUN/vnc.save" "$1" "$2"; }
