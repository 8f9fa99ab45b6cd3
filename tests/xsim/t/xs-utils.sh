#!/bin/sh
# Debian's unmodified xenstore-* tools against xsimd, as dom0 and as a guest:
# values, listings, permissions (EACCES, EPERM), relative paths, watches.
. "$top_srcdir/tests/lib.sh"

need xenstore-write xenstore-read xenstore-ls xenstore-list xenstore-exists \
    xenstore-chmod xenstore-rm xenstore-watch timeout
plan 36
xsim_setup

x0() { "$XSIM" run --domid 0 -- "$@"; }
x1() { "$XSIM" run --domid 1 -- "$@"; }
nl='
'

# watch_registered PATH: a connection of xsimd watches PATH (dump-store).
watch_registered() {
    "$XSIM" ctl dump-store | grep -q "^  watch \"$1\" "
}

"$XSIM" create 1 >/dev/null
ok $? "create domain 1"

# ---- dom0 ----
x0 xenstore-write /test/a hello /test/b 1 /test/c 2
ok $? "dom0 writes three nodes"
is "$(x0 xenstore-read /test/a /test/b)" "hello${nl}1" "dom0 reads them back"
x0 xenstore-exists /test/a
ok $? "xenstore-exists finds /test/a"
x0 xenstore-exists /test/none
[ $? -ne 0 ]
ok $? "xenstore-exists does not find /test/none"
is "$(x0 xenstore-list /test)" "a${nl}b${nl}c" "xenstore-list lists in creation order"
is "$(x0 xenstore-ls -f -p /test)" \
    "/test/a = \"hello\"   (n0)${nl}/test/b = \"1\"   (n0)${nl}/test/c = \"2\"   (n0)" \
    "xenstore-ls -f -p shows values and owners"
x0 xenstore-chmod /test/a n0 r1
ok $? "dom0 lets domain 1 read /test/a"
is "$(x0 xenstore-ls -f -p /test | grep '^/test/a ')" '/test/a = "hello"   (n0,r1)' \
    "the new permissions show"

# ---- domain 1 on dom0's nodes ----
is "$(x1 xenstore-read /test/a)" "hello" "the guest reads /test/a (r1)"
is "$(x1 xenstore-write /test/a bye 2>&1)" "xenstore-write: could not write path /test/a" \
    "the guest may not write it"
is "$(x1 xenstore-ls /test/b 2>&1)" "xenstore-ls: xs_directory (/test/b): Permission denied" \
    "a node without an entry for the guest is EACCES"
is "$(x1 xenstore-ls /test/none 2>&1)" \
    "xenstore-ls: xs_directory (/test/none): Permission denied" \
    "a missing node under an unreadable one is EACCES too"
is "$(x1 xenstore-chmod /test/a n1 2>&1)" \
    "xenstore-chmod: Error occurred setting permissions on '/test/a': Permission denied" \
    "only the owner sets permissions (EACCES)"
x1 xenstore-rm /test/a 2>/dev/null
[ $? -ne 0 ]
ok $? "the guest may not remove /test/a"
is "$(x1 xenstore-write /local/domain/1/foo x 2>&1)" \
    "xenstore-write: could not write path /local/domain/1/foo" \
    "the guest's home itself is read-only to it (n0,r1)"

# ---- domain 1 in its own tree, relative paths ----
x1 xenstore-write data/rel v
ok $? "the guest writes data/rel"
is "$(x0 xenstore-read /local/domain/1/data/rel)" "v" "it is /local/domain/1/data/rel"
is "$(x1 xenstore-read data/rel)" "v" "the guest reads it back relative"
is "$(x1 xenstore-ls -f -p data)" 'data/rel = "v"   (n1)' "the guest owns what it created"
is "$(x1 xenstore-ls data/none 2>&1)" \
    "xenstore-ls: xs_directory (data/none): No such file or directory" \
    "a missing node in a readable directory is ENOENT"
is "$(x1 xenstore-chmod data/rel n0 2>&1)" \
    "xenstore-chmod: Error occurred setting permissions on 'data/rel': Operation not permitted" \
    "a guest may not give its node away (EPERM)"
x1 xenstore-chmod data/rel n1 r0 r2
ok $? "the guest sets its own node's permissions"
is "$(x0 xenstore-ls -f -p /local/domain/1/data)" \
    '/local/domain/1/data/rel = "v"   (n1,r0,r2)' "dom0 sees them"
is "$(x1 xenstore-list data)" "rel" "xenstore-list, relative"
x1 xenstore-rm data/rel
ok $? "the guest removes its node"
x1 xenstore-exists data/rel
[ $? -ne 0 ]
ok $? "and it is gone"

# ---- rm ----
x0 xenstore-rm /test/c
ok $? "dom0 removes /test/c"
x0 xenstore-rm /test/none
ok $? "removing a missing node whose parent exists is fine"
x0 xenstore-rm /none/x 2>/dev/null
[ $? -ne 0 ]
ok $? "removing below a missing parent fails (ENOENT)"

# ---- a listing over one message: libxenstore falls back to DIRECTORY_PART ----
long=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn
args=
for i in $(seq 100 199); do args="$args /big/$i-$long 1"; done
# shellcheck disable=SC2086
x0 xenstore-write $args
ok $? "dom0 writes 100 nodes with long names"
is "$(x0 xenstore-list /big | sed -n '1p;100p;$=')" "100-$long${nl}199-$long${nl}100" \
    "xenstore-list gets all 100 names of a 6900-byte listing"

# ---- watches ----
timeout 20 "$XSIM" run --domid 0 -- xenstore-watch -n 2 /test/w >"$TEST_TMP/w0" 2>&1 &
w0=$!
timeout 20 "$XSIM" run --domid 1 -- xenstore-watch -n 3 data/w >"$TEST_TMP/w1" 2>&1 &
w1=$!
wait_for 10 watch_registered /test/w && wait_for 10 watch_registered data/w
ok $? "both watches are registered"
x0 xenstore-write /test/w/x 1
x0 xenstore-write /local/domain/1/data/w/y 2
x1 xenstore-rm data/w
wait $w0
w0rc=$?
wait $w1
w1rc=$?
is "$w0rc:$(cat "$TEST_TMP/w0")" "0:/test/w${nl}/test/w/x" \
    "xenstore-watch -n 2 sees the initial event, then the write below"
is "$w1rc:$(cat "$TEST_TMP/w1")" "0:data/w${nl}data/w/y${nl}data/w" \
    "a guest's relative watch gets relative events, the rm included"
no_watches() { ! "$XSIM" ctl dump-store | grep -q '^  watch '; }
wait_for 10 no_watches
ok $? "the watchers' watches went with them"
