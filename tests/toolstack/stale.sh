#!/bin/sh
# Backend directories that outlived their domain (the daemon was not
# running when it went, or was killed): at start the daemon removes those
# of xenfb and xenkbd, whoever made them, and of the kernel's devices it
# made, writes nothing under the dead domain's /local/domain/D and opens
# no listener for it. libxl's own (backend/vinput) are libxl's to remove.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"

plan 9
viewer_setup
# domain 9 is gone; what it left: a device by attach, one by the daemon,
# one from before created-by, and libxl's vinput
half_backend 9 xenfb attach
half_backend 9 xenkbd serve
x0 xenstore-write /local/domain/0/backend/xenfb/9/1/frontend /local/domain/9/device/xenfb/1 \
    /local/domain/0/backend/xenfb/9/1/state 4
x0 xenstore-write /local/domain/0/backend/vinput/9/0/frontend /local/domain/9/device/vkbd/0 \
    /local/domain/0/backend/vinput/9/0/state 4
"$XSIM" ctl dump-store | grep -q '^/local/domain/9' && bail "domain 9 should not exist"
# a live domain with a device made by hand, served all along
attach --domid 4 --max-width 640 --max-height 480 || bail "attach failed"

serve_start --verbose
wait_line "$SERVE_LOG" "domain 9: domain is gone: its backend directories removed"
ok $? "at start, the backend directories of a domain that is gone are removed, with one line"
is "$(store_count 'backend/xen[a-z]*/9')" "0" "xenfb's and xenkbd's, whoever made them"
is "$(rd /local/domain/0/backend/vinput/9/0/state)" "4" "libxl's vinput directory is left to libxl"
# the core has read the backend directories: it served domain 4's
wait_line "$SERVE_LOG" "domain 4: vkbd/0: found"
is "$(store_count '^/local/domain/9')" "0" "nothing is written under /local/domain/9"
is "$(grep -c 'domain 9' "$SERVE_LOG")" "1" "domain 9 gets no other line: no guest, no viewer"
vnc_closed 9
ok $? "no VNC listener for domain 9"
wait_for 10 eq 2 rd /local/domain/0/backend/xenfb/4/0/state
ok $? "the live domain's hand-made device is served"
is "$(rd /local/domain/0/backend/xenfb/4/0/created-by)" "attach" "and kept"
serve_stop
is "$SERVE_RC" "0" "the daemon stops cleanly"

[ "$_tap_failed" -eq 0 ] || show_serve_log 40
