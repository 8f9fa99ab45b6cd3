#!/bin/sh
# A hostile frontend (tests/back/xfb-evil-front) lies about every field of
# struct xenfb_page, its grants, its xenstore nodes and its ring indices,
# or floods notifications. Each lie is answered with one log line and a
# closed device, while a second, healthy guest keeps updating.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

# device | frontend options | commands once connected (";"-separated,
# "back:" goes to the backend) | the backend's log line, after "closing the
# device: " or "refusing the frontend: " or on its own
cat >"$TEST_TMP/cases" <<'CASES'
vfb|--set width=100000||width is outside 1..max-width
vfb|--set width=0||width is outside 1..max-width
vfb|--set width=-5||width is outside 1..max-width
vfb|--set height=100000||height is outside 1..max-height
vfb|--set height=-1||height is outside 1..max-height
vfb|--set depth=24||depth is not 16 or 32
vfb|--set depth=0||depth is not 16 or 32
vfb|--set line_length=100||line length is shorter than a row
vfb|--set line_length=4000000||the surface does not fit in the granted memory
vfb|--set mem_length=4096||the surface does not fit in the granted memory
vfb|--set mem_length=0||mem_length is beyond what this backend accepts
vfb|--set mem_length=4294967295||mem_length is beyond what this backend accepts
vfb|--set pd0=77777||cannot map the grant directory pages
vfb|--pd0 foreign||cannot map the grant directory pages
vfb|--set pd0high=1||a pd\[\] slot holds more than a grant reference
vfb|--fb-foreign||cannot map the framebuffer pages
vfb|--node page-gref=77777||cannot map the shared page
vfb|--node page-gref=-1||page-gref or event-channel is not a number
vfb|--node event-channel=4000||cannot bind to the frontend's port 4000
vfb|--node protocol=pdp11-abi||unknown protocol 'pdp11-abi'
vfb|--node state=77||frontend state 77 is not valid
vfb||poke fb 12 100000|out_prod is more than a ring ahead of out_cons
vfb||poke fb 0 500|in_cons is not behind in_prod
vfb||resize 800 600|bad resize to 800x600
vfb||resize 100 100 400 32 -4096|the surface does not fit in the granted memory
vfb||resize 100 100 400 32 2147483647|the surface does not fit in the granted memory
vfb||resize 100 100 -400 32|line length is shorter than a row
vfb||resize 100 100 400 8|depth is not 16 or 32
vfb||flood fb 300000|flood of event notifications
vkbd||poke kbd 12 100000|out_prod is more than a ring ahead of out_cons
vkbd||poke kbd 0 9999|in_cons is not behind in_prod
vkbd||flood kbd 300000|flood of event notifications
CASES
n=$(wc -l <"$TEST_TMP/cases")
plan $((n * 3 + 4))

xsim_setup
attach --domid 2 --max-width 640 --max-height 480 || bail "attach failed"
back_start --quiet
front_start 2 --width 320 --height 240
wait_line "$BACK_OUT" '^2 connected ' || bail "the healthy guest did not connect"

# new_match START REGEX: a line after line START of the backend's output
new_match() { tail -n "+$(($1 + 1))" "$BACK_OUT" | grep -q -e "$2"; }

i=0
while IFS='|' read -r dev opts cmds why; do
    i=$((i + 1))
    start=$(wc -l <"$BACK_OUT")
    attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
    # shellcheck disable=SC2086
    front_start 1 --width 320 --height 240 --max-width 640 --max-height 480 $opts
    if [ -n "$cmds" ]; then
        wait_for 10 new_match "$start" '^1 connected ' &&
            wait_for 10 new_match "$start" '^1 kbd connected ' || diag "case $i did not connect"
        echo "$cmds" | tr ';' '\n' | while read -r c; do
            case $c in
            back:*) back "${c#back:}" ;;
            *) front 1 "$c" && front_sync 1 ;;
            esac
        done
    fi
    wait_for 20 new_match "$start" "^log 1 error: $dev/0: .*$why" &&
        [ "$(tail -n "+$((start + 1))" "$BACK_OUT" | grep -c '^log 1 error')" -eq 1 ]
    ok $? "$dev $opts${cmds:+ then $cmds}: one log line ($why)"
    xstype=xenfb
    [ "$dev" = vkbd ] && xstype=xenkbd
    wait_for 5 eq 6 x0 xenstore-read "/local/domain/0/backend/$xstype/1/0/state"
    ok $? "  and the device is Closed"
    front 2 fill "$i" "$i" 10 10 ff00ff
    wait_for 10 new_match "$start" "^2 update $i $i 10 10\$"
    ok $? "  while the healthy guest keeps updating"
    front_kill 1
    detach --domid 1
    wait_for 10 new_match "$start" '^1 gone$' || diag "case $i: guest 1 not forgotten"
done <"$TEST_TMP/cases"

# The indices the backend owns (in_prod, out_cons) live in the guest's page
# too; the backend keeps its own copies, so scribbling on them changes
# nothing: its next event puts its in_prod back.
start=$(wc -l <"$BACK_OUT")
attach --domid 1 --max-width 640 --max-height 480 || bail "attach failed"
front_start 1 --width 320 --height 240
wait_for 10 new_match "$start" '^1 connected ' || diag "guest 1 did not connect"
front 1 poke fb 4 77777
front_sync 1
back use 1
back refresh 25
front 1 fill 7 7 3 3 ffffff
wait_line "$(front_out 1)" '^refresh 25$' &&
    wait_for 10 new_match "$start" '^1 update 7 7 3 3$' &&
    ! tail -n "+$((start + 1))" "$BACK_OUT" | grep -q '^log 1 error'
ok $? "the guest scribbling on the backend's in_prod changes nothing"
front_kill 1
detach --domid 1
wait_for 10 new_match "$start" '^1 gone$' || diag "guest 1 not forgotten"

is "$(grants_of 1)" "0" "nothing of the hostile guest stays mapped"
is "$(ports_of 1)" "0" "nothing of it stays bound"
back use 2
is "$(back_ask 'crc 0 0 320 240')" "$(front_ask 2 'crc 0 0 320 240')" \
    "the healthy guest's picture is intact"

[ "$_tap_failed" -eq 0 ] || show_logs
