#!/bin/sh
# A hostile backend floods a real X server with size requests
# (protocol.md 9): thousands of them as fast as the in ring takes them,
# zero, huge, with only the type byte written, odd and tiny sizes among
# valid ones. The X server stays up, answers its clients, and ends in
# the size of the last valid request; its log holds a few rate-limited
# lines, not one per request (nor one per mode switch); a ring index far ahead stops the device
# with one line and X goes on. The backend is tests/front/xfb-fake-back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
. "$top_srcdir/tests/lib-xorg.sh"

plan 17
# the drivers of this build (as tests/guest/lib-guest.sh loads them)
xorg_modulepath() { echo "$top_builddir/xf86-video-xenfb/.libs,/usr/lib/xorg/modules"; }
count() { grep -c -e "$2" "$1"; }
has_n() { [ "$(count "$1" "$2")" -ge "$3" ]; }
wait_line() { wait_for "${4:-10}" has_n "$1" "$2" "${3:-1}"; }
need xrandr xdpyinfo
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
gntalloc_limit $GUEST 8192

start_back vfb 1024 768
send back write feature-gref 1
send back write feature-resize 1
send back state 2
sed -e 's/@MAXW@/1024/' -e 's/@MAXH@/768/' -e 's/@MODES@/"1024x768"/' -e 's/@LAYOUT@/us/' \
    "$top_srcdir/xf86-video-xenfb/examples/xorg-headless-test.conf" >"$TEST_TMP/xorg.conf"
xorg_start guest "$TEST_TMP/xorg.conf" "$XSIM" run --domid $GUEST --
XLOG=$(xorg_log guest)
send back wait-front 3 20000
expect back "front-state 3" 20 || bail "the X server did not publish its vfb"
say back front-node feature-resize-request -- "front-node feature-resize-request 1" \
    "the X server offers to take size requests"
say back connect -- connected "the backend connects"

# current W H: xrandr shows W x H as the screen and as the current mode
current() {
    xrandr >"$TEST_TMP/xrandr.out" 2>&1 &&
        grep -q "current $1 x $2," "$TEST_TMP/xrandr.out" &&
        grep -Eq "^ +$1x$2 .*\*" "$TEST_TMP/xrandr.out"
}
expect_back_out_end() { expect_re back '^out-end [0-9]+$' 10; }

send back resreq 800 600
wait_for 20 current 800 600
ok $? "a request for 800x600: xrandr shows it as current"
grep -q 'vfb 0: the backend asked for 800x600: switched to 800x600' "$XLOG"
ok $? "one line in the Xorg log says what was done"
send back read-out
expect_back_out_end && grep -q '^resize 800 600 ' "$TEST_TMP/back.out"
ok $? "the answer is an ordinary resize to 800x600"

send back resreq 1 1
wait_for 20 current 64 64
ok $? "1x1: clamped to 64x64"
send back resreq 4000 100
wait_for 20 current 1024 100
ok $? "4000x100: the width clamped to MaxWidth"

n_before=$(grep -c 'XFB-017' "$XLOG")
send back resreq-flood 5000 640 480
expect back "flooded 5000" 120
ok $? "5000 requests, hostile and valid, all taken off the ring"
wait_for 30 current 640 480
ok $? "X ends in the size of the last one, 640x480"
xdpyinfo >/dev/null 2>&1
ok $? "and answers its clients"
n=$(($(grep -c 'XFB-017' "$XLOG") - n_before))
[ "$n" -ge 1 ] && [ "$n" -le 5 ]
ok $? "the dropped requests: $n rate-limited lines in the Xorg log, not one each"
n=$(grep -c 'the backend asked for' "$XLOG")
[ "$n" -lt 100 ]
ok $? "the requests handled: $n lines in the Xorg log (10 per 10 s, the rest at verbosity 5)"

# with only the type byte, and huge, then a valid one as a barrier
send back raw 128
send back resreq 4294967295 4294967295
send back resreq 0 600
send back resreq 700 500
wait_for 20 current 700 500
ok $? "a request with only its type byte, a huge and a zero one are dropped; the next valid one is taken"

# the out ring is read: the latest answer arrives whole
send back read-out
expect_back_out_end
send back read-out
expect_back_out_end && grep -q '^resize 700 500 ' "$TEST_TMP/back.out"
ok $? "the backend reads the answer, a resize to 700x500"

# ring indices far ahead: the device stops, X does not
send back bump-in-prod 1000
wait_line "$XLOG" 'XFB-009.*the backend broke the in ring' 1 20
ok $? "a broken in ring: one line in the Xorg log"
send back resreq 900 700
xdpyinfo >/dev/null 2>&1 && current 700 500
ok $? "X is up, still 700x500, and reads nothing more from that ring"
pid=$(cat "$TEST_TMP/xorg-guest/pid")
kill -0 "$pid"
ok $? "the X server never crashed"
