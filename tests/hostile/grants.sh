#!/bin/sh
# Grants that lie (pages granted to another domain, or read-only where
# the backend must write) and grants revoked mid-session, from a hostile
# guest on `xenfb-backend serve`, while a healthy guest's viewer is
# measured (tests/hostile/lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 30
hostile_setup

# 3. Pages granted to domain 99 instead of the backend, or read-only
while IFS='|' read -r opts why; do
    attack_begin "grants: $opts"
    # shellcheck disable=SC2086
    evil_start $opts
    attack_end "$why"
done <<'CASES'
--fb-foreign|cannot map the framebuffer pages
--pd0 foreign|cannot map the grant directory pages
--page-foreign|cannot map the shared page
--page-ro|cannot map the shared page
CASES

# 4. Revoked mid-session, while the daemon has the pages mapped and a
# viewer of the hostile guest makes it read them. Ending a grant that is
# mapped leaves the mapping to the backend (as on Xen, where the page
# cannot be taken back until the mapper lets go): the daemon keeps
# reading what it mapped until the guest goes.
evil_connect
viewer_start 1 "$TEST_TMP/frames-1"
front 1 animate 50
attack_begin "revoke: the framebuffer's grants, then keep sending updates, then exit"
front 1 revoke fb
front 1 animate 0
for i in 1 2 3 4 5; do front 1 update 0 0 320 240; done
front_sync 1
front_kill 1
FRONT_PID_1=
attack_end "frontend is gone"
wait_for 10 test "$(grants_of 1)" = 0
ok $? "  nothing of the hostile guest stays mapped"

evil_connect
front 1 animate 50
attack_begin "revoke: the shared page"
front 1 revoke page
attack_end "frontend is gone"

evil_connect
front 1 animate 50
attack_begin "exit (killed) with everything mapped"
front_kill 1
FRONT_PID_1=
attack_end "frontend is gone"
wait_for 10 test "$(grants_of 1)" = 0
ok $? "  nothing of the hostile guest stays mapped"

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
