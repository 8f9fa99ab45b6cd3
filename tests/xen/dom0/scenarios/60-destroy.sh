# xl destroy: Xen frees the domain entirely (a grant still mapped in dom0
# would keep it as a dying domain), the daemon unmaps every page of it
# and closes its event channels, and nothing of it is left in xenstore:
# libxl removes the domain's own nodes, the daemon the backend
# directories it made.

# gnt_kib [DEV]: KiB of /dev/xen/DEV (gntdev: grants) mappings in the
# daemon; privcmd: the guest kernel's framebuffer, mapped by frame number
gnt_kib() {
    local range rest kib=0 s e
    while read -r range rest; do
        case "$rest" in
            */dev/xen/${1:-gntdev}*) s=${range%-*} e=${range#*-}; kib=$((kib + (16#$e - 16#$s) / 1024)) ;;
        esac
    done <"/proc/$SERVE_PID/maps"
    echo "$kib"
}
# leftovers D: xenstore paths of domain D
leftovers() {
    xenstore-ls -f 2>/dev/null | sed -n "s/ = .*//p" |
        grep -E "^(/local/domain/$1|/local/domain/0/backend/[a-z0-9]+/$1|/libxl/$1)(/|$)" |
        sed -E "s@^(/local/domain/0/backend/[a-z0-9]+/$1)/.*@\\1@; s@^(/local/domain/$1|/libxl/$1)/.*@\\1@" | sort -u
}
no_leftovers() { [ -z "$(leftovers "$1")" ]; }

# mapped_kib D: KiB of domain D's framebuffer the daemon said it mapped
# (its last "vfb/0: connected: ..., N pages"), 0 if none
mapped_kib() {
    local n
    n=$(grep -h -F "domain $1: vfb/0: connected:" "$LOGDIR"/serve-*.log 2>/dev/null | tail -n 1 |
        sed -n 's/.*, \([0-9]*\) pages$/\1/p')
    echo $(( ${n:-0} * 4 ))
}
evtchn_at_most() { [ "$(evtchn_n)" -le "$1" ]; }

# channels D: how many of domain D's devices the running daemon said
# connected: each holds one event channel in dom0 until the domain goes
# (a guest that stopped half-way has fewer than two)
channels() {
    grep -E -o "domain $1: (kernel )?[a-z]+/[0-9]+: connected" "$SERVE_LOG" 2>/dev/null | sort -u | wc -l
}

# destroy_check NAME: destroy NAME and see everything of it go
destroy_check() {
    local name=$1 d fb before after ev ch
    d=$(domid "$name") || { ok 1 "destroy: $name is running"; return 1; }
    fb=$(mapped_kib "$d")
    ch=$(channels "$d")
    before=$(gnt_kib)
    ev=$(evtchn_n)
    xl destroy "$name" >"$RUN/destroy.out" 2>&1
    ok $? "destroy: xl destroy $name (domain $d)" || diag_file "$RUN/destroy.out"
    wait_log 120 "domain $d: guest '$name' is gone: its backend directories removed"
    ok $? "destroy: the daemon removes domain $d's backend directories (its log: guest '$name' is gone)" ||
        diag_file "$SERVE_LOG"
    wait_for 120 sh -c "! xl list | awk -v d=$d 'NR > 1 && \$2 == d { f = 1 } END { exit !f }'"
    ok $? "destroy: Xen frees domain $d entirely (no dying domain: no grant of it mapped in dom0)" ||
        xl list | sed 's/^/#   /' | while read -r l; do tap "$l"; done
    after=$(gnt_kib)
    if [ "$fb" -gt 0 ]; then
        [ $((before - after)) -ge "$fb" ]
        ok $? "destroy: the daemon unmapped domain $d's framebuffer, $fb KiB ($before KiB of grant mappings before, $after after)"
    else
        diag "destroy: domain $d had no framebuffer of xenfb's mapped"
    fi
    # the framebuffer's channel and the keyboard's, as far as they connected
    [ "$ch" -ge 1 ] && [ "$ev" -ge "$ch" ] && wait_for 60 evtchn_at_most $((ev - ch))
    ok $? "destroy: the daemon closed the event channels of domain $d's $ch connected devices (bound in dom0: $ev before, $(evtchn_n) after)"
    xl dmesg -c >/dev/null
    xl debug-keys g
    xl dmesg | grep -A 3 -E "grant-table for remote d$d\b" | tail -n 8 >"$RUN/gnttab.out"
    [ ! -s "$RUN/gnttab.out" ]
    ok $? "destroy: Xen's grant table dump (debug key g) has no entry for domain $d" ||
        diag_file "$RUN/gnttab.out" 8
    wait_for 60 no_leftovers "$d"
    ok $? "destroy: xl destroy alone leaves no node of domain $d in xenstore (no frontend, no backend directory)" ||
        diag "left: $(leftovers "$d" | tr '\n' ' ')"
}

t=$(now)
for n in big pvh hvm kcon pv; do
    domid "$n" >/dev/null && destroy_check "$n"
done
is "$(gnt_kib)" 0 "destroy: with every guest gone, the daemon maps no grant at all"
is "$(gnt_kib privcmd)" 0 "destroy: nor any guest's memory by frame number (privcmd)"
is "$(evtchn_n)" 0 "destroy: and has no event channel bound"
is "$(for ty in xenfb xenkbd vfb vkbd; do xenstore-list "/local/domain/0/backend/$ty" 2>/dev/null; done | tr '\n' ' ')" "" \
    "destroy: no xenfb, xenkbd, vfb or vkbd backend directory is left in xenstore"
phase "destroy" "$(secs "$t")"
