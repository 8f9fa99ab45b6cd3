#!/bin/sh
# GNTDEV_GRANT_COPY through xengnttab_grant_copy: copies to and from a
# grant, with Xen's per-segment statuses for a read-only grant, a grant to
# another domain and a reference that does not exist.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

plan 10
xsim_setup

peer_start a 1
peer_start b 0
peer_start c 2

rw=$(field 2 "$(peer a share rw 0 1 rw)")
ro=$(field 2 "$(peer a share ro 0 1 ro)")
peer a poke ro 7 33 >/dev/null

is "$(peer b gcopy-to 1 "$rw" 100 50 171)" "ok 0" "dom0 copies 50 bytes into dom1's grant"
is "$(peer a peek rw 149)" "ok 171" "dom1 sees the last of them"
is "$(peer a peek rw 150)" "ok 0" "and nothing past them"
peer a poke rw 3000 99 >/dev/null
is "$(peer b gcopy-from 1 "$rw" 3000 1)" "ok 0 99" "dom0 copies a byte out of dom1's grant"
is "$(peer b gcopy-from 1 "$ro" 7 1)" "ok 0 33" "reading a read-only grant works"
is "$(peer b gcopy-to 1 "$ro" 0 1 5)" "ok -8" \
    "writing it: GNTST_permission_denied"
is "$(peer a peek ro 0)" "ok 0" "and the page is untouched"
is "$(field 2 "$(peer c gcopy-from 1 "$rw" 0 1)")" -8 "dom2 copying dom0's grant: GNTST_permission_denied"
is "$(field 2 "$(peer b gcopy-from 1 4000 0 1)")" -4 "a reference that does not exist: GNTST_bad_gntref"
is "$(peer b gcopy-to 1 "$rw" 4000 200 1)" "err EINVAL" \
    "a segment crossing the end of the page: EINVAL for the whole call"
