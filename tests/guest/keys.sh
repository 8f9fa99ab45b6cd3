#!/bin/sh
# Every key of a 105-key keyboard, sent by the backend as a Linux key code,
# reaches an X client in the guest as the keysym the guest's layout gives
# it, under layouts us and de: the backend needs no keymap. A burst of
# 10,000 key events arrives whole and in order.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 9
set -- $PC105_KEYS
is "$#" "105" "the test covers 105 keys"

XKB_EXPECT="$top_builddir/tests/guest/xkb-expect"
check_layout() {
    layout=$1
    guest_config 1024 768 '"1024x768"' "$layout"
    xorg_stop guest
    guest_x_start
    wait_line "$BACK_OUT" '^1 kbd connected' 2 20
    events_start
    for k in $PC105_KEYS; do
        back key "$k" 1
        back key "$k" 0
    done
    back_sync
    n=$(echo $PC105_KEYS | wc -w)
    wait_line "$EV_OUT" '^key release' "$n" 20
    ok $? "$layout: all $n key releases arrived"
    "$XKB_EXPECT" "$layout" $PC105_KEYS | while read -r kc sym; do
        echo "key press $kc $sym"
        echo "key release $kc $sym"
    done >"$TEST_TMP/expect.$layout"
    grep '^key ' "$EV_OUT" >"$TEST_TMP/got.$layout"
    diff "$TEST_TMP/expect.$layout" "$TEST_TMP/got.$layout" >"$TEST_TMP/diff.$layout"
    ok $? "$layout: every key gives the layout's keysym, in order"
    sed 's/^/# /' "$TEST_TMP/diff.$layout" | head -n 10
    exec 6>&-
    kill "$EV_PID" 2>/dev/null
}

guest_start 1024 768 '"1024x768"'
check_layout us
grep -q '^key press 29 y$' "$TEST_TMP/got.us"
ok $? "us: the key Linux calls KEY_Y (21) is y"
check_layout de
grep -q '^key press 29 z$' "$TEST_TMP/got.de"
ok $? "de: the same physical key is z"

# 10,000 events in one burst: 5,000 presses and releases of KEY_A..KEY_L
events_start
i=0
while [ $i -lt 5000 ]; do
    k=$((30 + i % 9))
    echo "key $k 1"
    echo "key $k 0"
    i=$((i + 1))
done >"$TEST_TMP/burst.cmds"
cat "$TEST_TMP/burst.cmds" >&7
back_sync
wait_line "$EV_OUT" '^key release' 5000 60
ok $? "10,000 key events: all arrived"
grep '^key ' "$EV_OUT" | awk '{ print $3 - 8, ($2 == "press" ? 1 : 0) }' >"$TEST_TMP/burst.got"
sed 's/^key //' "$TEST_TMP/burst.cmds" >"$TEST_TMP/burst.want"
cmp -s "$TEST_TMP/burst.want" "$TEST_TMP/burst.got"
ok $? "and in the order sent"
