#!/bin/sh
# A guests file or --guest with something wrong stops serve before it
# starts: one line on stderr naming the file and line (or the --guest),
# what is wrong and what to do, exit status 2, as for a wrong command
# line. (SIGHUP with a bad file: reload.sh.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/back/lib-back.sh"

plan 10
F="$TEST_TMP/guests.conf"

# start_fails WANT ARGS...: serve exits 2 printing exactly WANT
start_fails() {
    local want=$1
    shift
    "$BACKEND" serve --foreground "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
    local rc=$?
    [ "$rc" -eq 2 ] && [ "$(cat "$TEST_TMP/err")" = "$want" ] && [ ! -s "$TEST_TMP/out" ] && return 0
    printf '# status %s, stderr:\n' "$rc"
    sed 's/^/#   /' "$TEST_TMP/err"
    return 1
}

printf 'guest web1\n\n# the mail server\nguest mail display=sdl\n' >"$F"
start_fails "xenfb-backend serve: $F:4: unknown option 'display=sdl' (this xenfb-backend knows max-size=WxH, keyboard=yes|no and devices=both|kernel|xenfb): remove it, or install the version it was written for" \
    --config "$F"
ok $? "an unknown option (a later version's): status 2, one line with file and line"

printf 'guest web1 max-size=1920x\n' >"$F"
start_fails "xenfb-backend serve: $F:1: bad max-size '1920x': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)" \
    --config "$F"
ok $? "a bad max-size"

printf 'guest web1\nguest db1\nguest web1 keyboard=no\n' >"$F"
start_fails "xenfb-backend serve: $F:3: guest 'web1' is already named on line 1: name each guest once" \
    --config "$F"
ok $? "a guest named twice"

printf 'domain web1\n' >"$F"
start_fails "xenfb-backend serve: $F:1: unknown word 'domain': a line is: guest NAME|UUID|* [max-size=WxH] [keyboard=yes|no] [devices=both|kernel|xenfb]" \
    --config "$F"
ok $? "a line that is not a guest line"

start_fails "xenfb-backend serve: $TEST_TMP/none.conf: No such file or directory" \
    --config "$TEST_TMP/none.conf"
ok $? "a --config file that does not exist"

mkdir "$TEST_TMP/dir.conf"
start_fails "xenfb-backend serve: $TEST_TMP/dir.conf: Is a directory" --config "$TEST_TMP/dir.conf"
ok $? "a directory for a file"

start_fails "xenfb-backend serve: --guest 'web1 keyboard=maybe': bad keyboard 'maybe': give keyboard=yes or keyboard=no" \
    --guest web1 --guest 'web1 keyboard=maybe'
ok $? "a bad --guest"

printf 'guest web1\n' >"$F"
start_fails "xenfb-backend serve: $F:1: guest 'web1' is already named by --guest: name each guest once" \
    --guest web1 --config "$F"
ok $? "a guest named by --guest and the file"

"$BACKEND" --help | grep -q -- "--config FILE (default .*/xenfb/guests.conf)"
ok $? "--help names the default guests file"

# nothing of it started: no simulation was even needed, and a good file
# goes on to the next check (opening Xen, which fails here)
printf 'guest web1 max-size=800x600 keyboard=no\nguest *\n' >"$F"
XENSTORED_PATH="$TEST_TMP/no-xenstored" "$BACKEND" serve --foreground --config "$F" \
    >/dev/null 2>"$TEST_TMP/err"
is "$?" "1" "a good file passes: the daemon goes on (and fails later, without Xen: status 1)"
