#!/bin/sh
# xenfb-guest-setup in a simulated guest, whose kernel shows its gntalloc
# limit in /sys/module/xen_gntalloc/parameters/limit as Linux does: the
# script raises a lower limit, leaves a higher one, says nothing when
# there is nothing to do, and does nothing without the module.
. "$top_srcdir/tests/lib.sh"

plan 7
xsim_setup
SETUP="$top_builddir/xenfb-agent/system/xenfb-guest-setup"
[ -x "$SETUP" ] || bail "xenfb-guest-setup is not built: $SETUP"
want=$(sed -n 's/^want=//p' "$SETUP")
setup() { "$XSIM" run --domid "$1" -- "$SETUP" 2>&1; }
"$XSIM" create 1 >/dev/null && "$XSIM" create 2 >/dev/null && "$XSIM" create 3 >/dev/null ||
    bail "cannot create the guests"

is "$(setup 1)" "xenfb-guest-setup: gntalloc's page limit raised from 1024 to $want" \
    "a guest at the default: the script raises the limit and says so"
is "$("$XSIM" ctl gntalloc-limit 1)" "limit=$want used=0" "the guest kernel's limit is $want"
is "$("$XSIM" ctl gntalloc-limit 2)" "limit=1024 used=0" "another guest's kernel is untouched"
is "$(setup 1)" "" "run again, it has nothing to do and says nothing"

gntalloc_limit 2 $((want * 2))
is "$(setup 2)" "" "a guest with a higher limit: nothing said"
is "$("$XSIM" ctl gntalloc-limit 2)" "limit=$((want * 2)) used=0" "and its limit is left alone"

"$XSIM" ctl rmmod 3 xen_gntalloc >/dev/null || bail "cannot unload gntalloc in domain 3"
is "$(setup 3; echo "exit=$?")" "exit=0" "without the module: nothing to do, exit 0"
