# xl destroy: Xen frees the domain entirely (a grant still mapped in dom0
# would keep it as a dying domain), the daemon unmaps every page of it,
# and nothing of it is left in xenstore. attach made the backend
# directories, which libxl does not know: docs/dom0.md says detach
# removes them after the guest is gone.

# gnt_kib: KiB of /dev/xen/gntdev mappings in the daemon
gnt_kib() {
    local range rest kib=0 s e
    while read -r range rest; do
        case "$rest" in
            */dev/xen/gntdev*) s=${range%-*} e=${range#*-}; kib=$((kib + (16#$e - 16#$s) / 1024)) ;;
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

# mapped_kib D: KiB of domain D's framebuffer the daemon said it mapped
# (its last "vfb/0: connected: ..., N pages"), 0 if none
mapped_kib() {
    local n
    n=$(grep -h -F "domain $1: vfb/0: connected:" "$LOGDIR"/serve-*.log 2>/dev/null | tail -n 1 |
        sed -n 's/.*, \([0-9]*\) pages$/\1/p')
    echo $(( ${n:-0} * 4 ))
}

# destroy_check NAME: destroy NAME and see everything of it go
destroy_check() {
    local name=$1 d fb before after left
    d=$(domid "$name") || { ok 1 "destroy: $name is running"; return 1; }
    fb=$(mapped_kib "$d")
    before=$(gnt_kib)
    xl destroy "$name" >"$RUN/destroy.out" 2>&1
    ok $? "destroy: xl destroy $name (domain $d)" || diag_file "$RUN/destroy.out"
    wait_log 60 "domain $d: guest gone"
    ok $? "destroy: the daemon lets go of domain $d (its log: guest gone)" || diag_file "$SERVE_LOG"
    wait_for 60 sh -c "! xl list | awk -v d=$d 'NR > 1 && \$2 == d { f = 1 } END { exit !f }'"
    ok $? "destroy: Xen frees domain $d entirely (no dying domain: no grant of it mapped in dom0)" ||
        xl list | sed 's/^/#   /' | while read -r l; do tap "$l"; done
    after=$(gnt_kib)
    [ $((before - after)) -ge "$fb" ]
    ok $? "destroy: the daemon unmapped domain $d's framebuffer, $fb KiB ($before KiB of grant mappings before, $after after)"
    xl dmesg -c >/dev/null
    xl debug-keys g
    xl dmesg | grep -A 3 -E "grant-table for remote d$d\b" | tail -n 8 >"$RUN/gnttab.out"
    [ ! -s "$RUN/gnttab.out" ]
    ok $? "destroy: Xen's grant table dump (debug key g) has no entry for domain $d" ||
        diag_file "$RUN/gnttab.out" 8
    left=$(leftovers "$d" | tr '\n' ' ')
    diag "destroy: xenstore nodes of domain $d left after xl destroy: ${left:-none}"
    [ -z "$(leftovers "$d" | grep -v -E "^/local/domain/0/backend/(vfb|vkbd)/$d$")" ]
    ok $? "destroy: nothing of domain $d is left in xenstore but the backend directories attach made"
    # once: the same holds for every guest
    if [ -z "${DESTROY_TODO_DONE:-}" ]; then
        todo "$([ -z "$left" ]; echo $?)" "nothing removes the backend directories attach made but detach" \
            "destroy: xl destroy alone leaves no node of domain $d in xenstore"
        DESTROY_TODO_DONE=1
    fi
    if [ -n "$left" ]; then
        xenfb-backend detach --domid "$d" >"$RUN/detach.out" 2>&1 || diag_file "$RUN/detach.out"
        is "$(leftovers "$d" | tr '\n' ' ')" "" "destroy: after xenfb-backend detach --domid $d, nothing of it is left"
    fi
}

t=$(now)
for n in big pvh hvm pv; do
    domid "$n" >/dev/null && destroy_check "$n"
done
# guests that never came up (their attach stays behind)
for d in $(for ty in vfb vkbd; do xenstore-list "/local/domain/0/backend/$ty" 2>/dev/null; done | sort -u); do
    diag "destroy: detaching domain $d, which never got this far"
    xenfb-backend detach --domid "$d" >/dev/null 2>&1
done
is "$(gnt_kib)" 0 "destroy: with every guest gone, the daemon maps no grant at all"
is "$(for t in vfb vkbd; do xenstore-list "/local/domain/0/backend/$t" 2>/dev/null; done | tr '\n' ' ')" "" \
    "destroy: no vfb or vkbd backend directory is left in xenstore"
phase "destroy" "$(secs "$t")"
