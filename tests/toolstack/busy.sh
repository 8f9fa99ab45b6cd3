#!/bin/sh
# A busy host: while another writer rewrites nodes all over /local/domain
# as fast as xenstored answers (block backends' directories, a guest's
# data/), eight named domains appear at once, one goes, and a hand-made
# device is attached. Every one gets its devices; the daemon's transactions, each
# inside one domain's subtree and tried again from its timer after a
# conflict, get through under C xenstored's rule and oxenstored's
# (XSIM_XENSTORED=oxenstored) alike.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 5
viewer_setup
guests_conf "guest *"
serve_start --config "$GUESTS_CONF"
wait_line "$SERVE_LOG" "configuration: $GUESTS_CONF: 1 guest named" || bail "no start"
for d in 1 2 3 4 5 6 7 8 9; do
    "$XSIM" create "$d" "busy$d" >/dev/null || bail "cannot create domain $d"
done
"$PY" "$top_srcdir/tests/toolstack/xs-busy.py" 1 2 3 4 5 6 7 8 9 >"$TEST_TMP/busy.out" 2>&1 &
BUSY=$!
at_exit "kill $BUSY 2>/dev/null"
wait_line "$TEST_TMP/busy.out" '^busy$' || bail "the busy writer did not start"

for d in 1 2 3 4 5 6 7 8; do
    created "$d" "busy$d" 1 60 || diag "domain $d: no devices"
done
is "$(count "$SERVE_LOG" "guest 'busy[1-8]': devices created")" "8" \
    "eight domains appearing on a busy host all get their devices"
n=0
for d in 1 2 3 4 5 6 7 8; do
    [ "$(rd "/local/domain/$d/device/xenkbd/0/backend")" = "/local/domain/0/backend/xenkbd/$d/0" ] &&
        n=$((n + 1))
done
is "$n" "8" "frontend and backend directories both, for each"
"$XSIM" destroy 4 >/dev/null
wait_line "$SERVE_LOG" "domain 4: guest 'busy4' is gone: its backend directories removed" 1 60
ok $? "one destroyed meanwhile loses its backend directories"
x0 "$BACKEND" attach --domid 9 --devid 1
ok $? "attach gets through too"
kill "$BUSY"
wait "$BUSY" 2>/dev/null
serve_stop
is "$SERVE_RC" "0" "the daemon stops cleanly"

[ "$_tap_failed" -eq 0 ] || show_serve_log 40
