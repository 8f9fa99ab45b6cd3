#!/bin/sh
# The guides stay true of the tree: their links resolve, the [XFB-nnn] ids
# and xenfb-backend options they cite exist, and what they show of
# `xenfb-agent check` (a whole run, and the pages each mode needs) is what
# the built tool prints on the simulated Xen, and its xorg.conf starts X
# in the mode it asks for.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

GUIDES="docs/guest.md docs/dom0.md docs/troubleshooting.md docs/comparison.md docs/robustness.md"
AGENT="$top_builddir/xenfb-agent/xenfb-agent"

plan 13
cd "$top_srcdir" || bail "no source tree"

# links: every relative target of [text](target) exists
for f in README.md $GUIDES; do
    bad=
    for t in $(grep -o '](\([^)#]*\)' "$f" | sed 's/^](//'); do
        case "$t" in http*|mailto:*) continue ;; esac
        [ -e "$(dirname "$f")/$t" ] || bad="$bad $t"
    done
    is "$bad" "" "$f: every relative link resolves"
done

# ids: every [XFB-nnn] the guides cite is one the library defines
bad=
for id in $(cat $GUIDES | grep -o 'XFB-[0-9][0-9][0-9]' | sort -u); do
    grep -q "\[$id\]" xenfb-agent/include/xenfb/front.h || bad="$bad $id"
done
is "$bad" "" "every [XFB-nnn] cited is defined in xenfb/front.h"

# options: every --option on an xenfb-backend command line is in its usage
bad=
for o in $(cat $GUIDES | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
    grep -E 'xenfb-backend (attach|detach|serve)' |
    grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    sed -n '/usage_text\[\] =/,/;$/p' backend/main.c | grep -qE -- "$o([^a-z-]|\$)" ||
        bad="$bad $o"
done
is "$bad" "" "every xenfb-backend option cited is in its usage text"

# guests.conf: the file dom0.md shows, and the example the package ships,
# read without error (serve then goes on, to fail opening Xen: status 1,
# where a bad line is status 2)
awk '/^## 2\. Which guests/ { f = 1 } f && /^```$/ { n++; if (n == 2) exit; next } f && n == 1' \
    docs/dom0.md >"$TEST_TMP/guests.conf"
for conf in "$TEST_TMP/guests.conf" backend/guests.conf; do
    XENSTORED_PATH="$TEST_TMP/none" "$top_builddir/backend/xenfb-backend" serve --foreground \
        --config "$conf" >/dev/null 2>"$TEST_TMP/conf.err"
    rc=$?
    [ "$rc" -eq 1 ] && [ -s "$conf" ] && ! grep -q 'guests.conf' "$TEST_TMP/conf.err"
    ok $? "$conf is a guests file serve reads" ||
        { echo "# status $rc"; sed 's/^/# /' "$TEST_TMP/conf.err"; }
done

need xenstore-read
xsim_setup
gntalloc_limit 5 16384
"$XSIM" create 5 guest >/dev/null
attach --domid 5 --max-width 1920 --max-height 1080 || bail "attach failed"

# the pages column of guest.md's gntalloc table
bad=
for row in $(sed -n 's/^| \([0-9]*x[0-9]*\) | [0-9]* | [0-9]* | \([0-9]*\) |.*/\1:\2/p' docs/guest.md); do
    mode=${row%%:*} pages=${row##*:}
    out=$("$XSIM" run --domid 5 -- "$AGENT" check --width "${mode%x*}" --height "${mode#*x}" |
        grep '^ok: gntalloc:')
    [ "$out" = "ok: gntalloc: $mode at 32 bits takes $pages grant pages ($((pages - 1)) for vfb 0, 1 for vkbd 0): available, under a limit of 16384" ] ||
        bad="$bad $mode($out)"
done
[ -n "$row" ] || bad="no table rows found"
is "$bad" "" "guest.md's page counts are what xenfb-agent check computes"

# the whole `xenfb-agent check` run shown in guest.md, with a backend up
"$XSIM" run --domid 0 -- "$BACKEND" serve --foreground >"$TEST_TMP/serve.log" 2>&1 &
serve_pid=$!
at_exit "kill $serve_pid"
wait_line "$TEST_TMP/serve.log" "domain 5: vkbd/0: found" 1 20 || bail "the backend did not start"
agent_ready() {
    "$XSIM" run --domid 5 -- "$AGENT" check --width 1920 --height 1080 >"$TEST_TMP/check.out"
}
# the backend writes its features, then its state: wait for all of them
wait_for 10 agent_ready
sed -n '/^# xenfb-agent check --width 1920 --height 1080$/,/^all is well$/p' docs/guest.md |
    tail -n +2 >"$TEST_TMP/doc.out"
diff "$TEST_TMP/doc.out" "$TEST_TMP/check.out" >"$TEST_TMP/diff.out"
ok $? "guest.md shows what xenfb-agent check prints" || sed 's/^/# /' "$TEST_TMP/diff.out"

# guest.md's xorg.conf, as it stands: X starts in its first mode
awk '/^Put this in/ { f = 1 } f && /^```$/ { n++; if (n == 2) exit; next } f && n == 1' \
    docs/guest.md >"$TEST_TMP/xorg.conf"
xorg_start guest "$TEST_TMP/xorg.conf" "$XSIM" run --domid 5 --
wait_line "$TEST_TMP/serve.log" "domain 5: framebuffer connected: 1920x1080, 32 bits" 1 20
ok $? "guest.md's xorg.conf starts X at 1920x1080, exported" ||
    grep -E '\(EE\) XENFB|"1920x1080" \(' "$(xorg_log guest)" | head -n 5 | sed 's/^/# /'
