#!/bin/sh
# The listener rules: loopback by default; any other address refuses to
# start without TLS and a password (one clear line, status 1) unless
# --insecure-no-auth, which warns. With TLS and a password (VeNCrypt
# X509Plain, spoken by tests/viewer/rfbauth.py: neither gvnccapture nor
# vncsnapshot can log in to it non-interactively), a wrong password is
# refused and logged, and repeated failures lock every login out for a
# while, right password or not.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 16
need openssl timeout
viewer_setup

run_serve() { timeout 10 "$XSIM" run --domid 0 -- "$BACKEND" serve --foreground "$@"; }

run_serve --vnc "0.0.0.0:$VNC_BASE" >"$TEST_TMP/out" 2>&1
is "$?" "1" "a non-loopback --vnc without TLS or password exits with status 1"
is "$(wc -l <"$TEST_TMP/out")" "1" "with one line"
grep -q "refusing to listen on 0.0.0.0 without TLS and a password" "$TEST_TMP/out"
ok $? "which says why: $(cat "$TEST_TMP/out")"

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
    -keyout "$TEST_TMP/key.pem" -out "$TEST_TMP/cert.pem" >/dev/null 2>&1 || bail "openssl failed"
echo "s3cret-pw" >"$TEST_TMP/pw"
chmod 600 "$TEST_TMP/pw"

run_serve --vnc "0.0.0.0:$VNC_BASE" --tls-cert "$TEST_TMP/cert.pem" >"$TEST_TMP/out" 2>&1
is "$?" "1" "TLS without a password is refused too"
run_serve --web "0.0.0.0:$((VNC_BASE + 10))" >"$TEST_TMP/out" 2>&1
is "$?" "1" "a non-loopback web viewer is refused"
grep -q "refusing the web viewer on 0.0.0.0" "$TEST_TMP/out"
ok $? "with its reason"

"$XSIM" create 1 authguest >/dev/null
attach --domid 1 --max-width 1024 --max-height 768 || bail "attach failed"
serve_start --vnc "0.0.0.0:$VNC_BASE" --tls-cert "$TEST_TMP/cert.pem" --tls-key "$TEST_TMP/key.pem" \
    --password-file "$TEST_TMP/pw"
wait_line "$SERVE_LOG" "domain 1: VNC on 0.0.0.0:$(vnc_port 1) (TLS + password)" 1 10
ok $? "with TLS and a password it listens: $(grep 'VNC on' "$SERVE_LOG")"
port=$(vnc_port 1)
rfb() { "$PY" "$top_srcdir/tests/viewer/rfbauth.py" 127.0.0.1 "$port" "$@"; }

is "$(rfb admin s3cret-pw)" "ok 640x480 authguest" \
    "the right password logs in (the guest's name; black until its X starts)"
out=$(rfb admin wrong)
is "${out%% *}" "failed" "a wrong password is refused"
grep -q "domain 1: VNC login as 'admin' from 127.0.0.1:[0-9]*: wrong password, disconnected" "$SERVE_LOG"
ok $? "and logged"
is "$(rfb admin s3cret-pw)" "ok 640x480 authguest" "one failure does not lock the right password out"
rfb admin wrong1 >/dev/null
rfb admin wrong2 >/dev/null
rfb admin wrong3 >/dev/null
grep -q "3 wrong passwords: refusing every login for 30 s" "$SERVE_LOG"
ok $? "three failures in a row lock the listener"
out=$(rfb admin s3cret-pw)
is "${out%% *}" "failed" "while locked even the right password is refused"
grep -q "too many wrong passwords, locked for" "$SERVE_LOG"
ok $? "and that is logged"

serve_stop
: >"$SERVE_LOG"
serve_start --vnc "0.0.0.0:$VNC_BASE" --insecure-no-auth
wait_line "$SERVE_LOG" "domain 1: VNC on 0.0.0.0:$(vnc_port 1)" 1 10
ok $? "--insecure-no-auth starts on a non-loopback address"
grep -q "warning: listening on 0.0.0.0 with no authentication" "$SERVE_LOG"
ok $? "with a warning"
