#!/bin/sh
# `xsim start --xenstored xenstored|oxenstored`: the same transactions,
# racing the same writers over xsimd's sockets, commit as C xenstored or as
# oxenstored 4.17 would; xs-stats tells the rule and how commits went.
. "$top_srcdir/tests/lib.sh"

need python3
plan 9
# this test picks the rule itself, whatever XSIM_XENSTORED says
unset XSIM_XENSTORED

run_rule() {
    XSIM_DIR="$TEST_TMP/$1" "$XSIM" start --xenstored "$1" >/dev/null || bail "xsim start --xenstored $1"
    at_exit "XSIM_DIR='$TEST_TMP/$1' '$XSIM' stop"
    XSIM_DIR="$TEST_TMP/$1" "$XSIM" create 1 >/dev/null && XSIM_DIR="$TEST_TMP/$1" "$XSIM" create 2 >/dev/null ||
        bail "cannot create the guests"
    XSIM_DIR="$TEST_TMP/$1" python3 "$top_srcdir/tests/xsim/t/xs-rules.py" >"$TEST_TMP/$1.out" 2>&1
    sed 's/^/# '"$1"': /' "$TEST_TMP/$1.out"
    XSIM_DIR="$TEST_TMP/$1" "$XSIM" ctl xs-stats >"$TEST_TMP/$1.stats"
}

run_rule xenstored
run_rule oxenstored

is "$(cat "$TEST_TMP/xenstored.stats")" "rule=xenstored commits=1 coalesced=0 replayed=0 conflicts=4" \
    "C xenstored: one commit, four conflicts"
is "$(cat "$TEST_TMP/xenstored.out")" "disjoint: OK
read changed: EAGAIN
read-only: EAGAIN
blind write: EAGAIN
blind write, then: dom0
sibling: EAGAIN" "C xenstored: a conflict wherever a node the transaction looked at changed"

is "$(cat "$TEST_TMP/oxenstored.stats")" "rule=oxenstored commits=4 coalesced=1 replayed=2 conflicts=1" \
    "oxenstored: four commits (one coalesced, two replayed), one conflict"
out=$(cat "$TEST_TMP/oxenstored.out")
is "$(echo "$out" | sed -n 1p)" "disjoint: OK" "oxenstored: disjoint paths coalesce"
is "$(echo "$out" | sed -n 2p)" "read changed: EAGAIN" "a value read that changed is a conflict under both"
is "$(echo "$out" | sed -n 3p)" "read-only: OK" "a transaction that changes nothing always commits"
is "$(echo "$out" | sed -n 4p)" "blind write: OK" "a blind write replays and commits"
is "$(echo "$out" | sed -n 5p)" "blind write, then: guest" "and its value wins"
is "$(echo "$out" | sed -n 6p)" "sibling: OK" "a sibling created meanwhile is no conflict once replayed"
