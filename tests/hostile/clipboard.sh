#!/bin/sh
# The clipboard device from a hostile guest on `xenfb-backend serve`
# (tests/hostile/xfb-evil-clip): lengths beyond 64 KiB, a writer that
# stops half way, invalid UTF-8, notifications without change, a legal
# flood of new text, and the length and text rewritten under the copy;
# meanwhile a viewer of domain 1 takes whatever cut text comes, and the
# healthy guest's viewer is measured (tests/hostile/lib-hostile.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 32
hostile_setup
EVIL_CLIP="$top_builddir/tests/hostile/xfb-evil-clip"
x0 "$BACKEND" attach --domid 1 --clipboard both || bail "attach --clipboard failed"
# a viewer of domain 1 takes the cut text the guest sends
"$PY" "$top_srcdir/tests/viewer/rfbclip.py" 127.0.0.1 "$(vnc_port 1)" 600 recv >"$TEST_TMP/clip-viewer" 2>&1 &
at_exit "kill $! 2>/dev/null"

clip_pid=
clip_connect() {
    if [ -n "$clip_pid" ]; then
        kill -9 "$clip_pid" 2>/dev/null
        wait "$clip_pid" 2>/dev/null
        exec 9>&-
    fi
    local n
    n=$(count "$SERVE_LOG" 'domain 1: clip/0: connected')
    rm -f "$TEST_TMP/clip.in"
    mkfifo "$TEST_TMP/clip.in"
    : >"$TEST_TMP/clip.out"
    nice -n 19 "$XSIM" run --domid 1 -- "$EVIL_CLIP" <"$TEST_TMP/clip.in" >"$TEST_TMP/clip.out" 2>&1 &
    clip_pid=$!
    exec 9>"$TEST_TMP/clip.in"
    wait_line "$SERVE_LOG" 'domain 1: clip/0: connected' $((n + 1)) 20 ||
        { show_serve_log; bail "the hostile clipboard did not connect"; }
}
at_exit '[ -n "$clip_pid" ] && kill -9 "$clip_pid"'
clip() { echo "$*" >&9; }

while IFS='|' read -r cmd why; do
    clip_connect
    attack_begin "clipboard: $cmd"
    clip "$cmd"
    attack_end "$why"
done <<'CASES'
len 65537|closing the device: its clipboard text claims more than 64 KiB
len 4294967295|closing the device: its clipboard text claims more than 64 KiB
text c0af|clipboard text of 2 bytes is not UTF-8: dropped
text 61eda080|clipboard text of 4 bytes is not UTF-8: dropped
flood 200000|closing the device: event channel flood without any change
churn 3000|clipboard changes faster than 20 a second
CASES

# a writer that stops half way: nothing read, nothing closed
clip_connect
attack_begin "clipboard: the count left odd"
clip odd
clip sync
wait_line "$TEST_TMP/clip.out" '^sync' 1 20
attack_end -

# the length and the text rewritten under the copy while the count
# moves: whatever the copy holds is checked, never trusted
clip_connect
attack_begin "clipboard: length and text rewritten under the copy"
clip race 3000
wait_line "$TEST_TMP/clip.out" '^raced ' 1 30
attack_end -
diag "$(grep '^raced ' "$TEST_TMP/clip.out")"

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
