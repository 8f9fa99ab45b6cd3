#!/bin/sh
# The pointer lands on the exact pixel the backend names, corners
# included, before and after an xrandr change; each button and both wheels
# arrive; keys and buttons held when the backend dies are released.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/guest/lib-guest.sh"

plan 13
need xrandr
guest_start 1024 768 '"1024x768" "800x600"'
wait_line "$BACK_OUT" '^1 kbd connected 1 1$' 1 20
ok $? "the vkbd connected with an absolute, raw pointer"
events_start

# points: the four corners, the middle, and a spread in between
points() {
    w=$1 h=$2
    echo "0 0"
    echo "$((w - 1)) 0"
    echo "0 $((h - 1))"
    echo "$((w - 1)) $((h - 1))"
    echo "$((w / 2)) $((h / 2))"
    awk -v w="$w" -v h="$h" 'BEGIN { for (i = 1; i < 40; i++) print int(i * 97 % w), int(i * 61 % h) }'
}

check_points() {
    w=$1 h=$2
    points "$w" "$h" >"$TEST_TMP/points.$w"
    : >"$EV_OUT"
    while read -r x y; do
        back pos "$x" "$y"
    done <"$TEST_TMP/points.$w"
    back_sync
    n=$(wc -l <"$TEST_TMP/points.$w")
    wait_line "$EV_OUT" '^motion ' "$n" 10
    grep '^motion ' "$EV_OUT" | cut -d' ' -f2,3 >"$TEST_TMP/got.$w"
    diff "$TEST_TMP/points.$w" "$TEST_TMP/got.$w" >"$TEST_TMP/diff.$w"
    ok $? "${w}x$h: $n positions, corners included, land on the exact pixel"
    sed 's/^/# /' "$TEST_TMP/diff.$w" | head -n 6
}

check_points 1024 768
xrandr --output XENFB-0 --mode 800x600
wait_line "$BACK_OUT" '^1 resize 800 600 ' || bail "no resize"
exec 6>&-
kill "$EV_PID" 2>/dev/null
events_start
check_points 800 600

# buttons: Linux BTN_* to X 1, 2, 3, 8, 9
: >"$EV_OUT"
back pos 10 10
for b in 272 274 273 275 276; do
    back key "$b" 1
    back key "$b" 0
done
back_sync
wait_line "$EV_OUT" '^button release' 5 10
grep '^button ' "$EV_OUT" | cut -d' ' -f2,3 | tr '\n' ' ' >"$TEST_TMP/buttons"
is "$(cat "$TEST_TMP/buttons")" \
    "press 1 release 1 press 2 release 2 press 3 release 3 press 8 release 8 press 9 release 9 " \
    "left, middle, right, side, extra are X buttons 1, 2, 3, 8, 9"
grep -q '^button press 1 10 10$' "$EV_OUT"
ok $? "the click lands where the pointer is"

# wheel: smooth scrolling for XI2 clients, buttons 4 and 5 for the others
: >"$EV_OUT"
back wheel 1
back wheel -2
back_sync
wait_line "$EV_OUT" '^button release 5' 2 10
is "$(grep -c '^button press 4' "$EV_OUT") $(grep -c '^button press 5' "$EV_OUT")" "1 2" \
    "legacy clients: one click up is button 4, two down are two of button 5"
is "$(grep '^scroll ' "$EV_OUT" | tr '\n' ' ')" "scroll -120 0 scroll 240 0 " \
    "XI2 clients: smooth-scroll deltas of -120 and +240 on the vertical axis"

# horizontal wheel (the feature-hwheel extension): buttons 7 and 6
: >"$EV_OUT"
back hwheel 1
back hwheel -1
back_sync
wait_line "$EV_OUT" '^button release 6' 1 10
is "$(grep '^button press' "$EV_OUT" | cut -d' ' -f3 | tr '\n' ' ')" "7 6 " \
    "legacy clients: right is button 7, left is button 6"
is "$(grep '^scroll ' "$EV_OUT" | tr '\n' ' ')" "scroll 0 120 scroll 0 -120 " \
    "XI2 clients: smooth-scroll deltas of +120 and -120 on the horizontal axis"

# held when the backend dies: released in the guest
: >"$EV_OUT"
back key 30 1
back key 272 1
back_sync
wait_line "$EV_OUT" '^button press 1' 1 10 && wait_line "$EV_OUT" '^key press 38' 1 10
ok $? "A and the left button are down"
back_kill
wait_line "$EV_OUT" '^key release 38 ' 1 10
ok $? "the backend died: A is released in the guest"
wait_line "$EV_OUT" '^button release 1 ' 1 10
ok $? "and so is the left button"
grep -q 'vkbd 0: backend gone; keys and buttons released' "$(xorg_log guest)"
ok $? "the Xorg log says why"
