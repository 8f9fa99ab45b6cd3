#!/bin/sh
# Whole frames in every encoding: the guest's real Xorg draws an animation
# as fast as it can, every frame one colour (xdraw frames), while a VNC
# client asking for Raw, lossless Tight, Tight with JPEG or ZRLE checks every
# picture it is shown (rfbwhole.py). A picture of two colours is half one
# frame and half the next: the daemon read pages the guest was drawing
# into. With the release extension (protocol.md 2.5) the driver waits
# until the daemon has copied an update before drawing over it, and the
# daemon encodes from its copies: no picture is torn. The same animation
# drawn as whole-screen XPutImage frames (Xlib's strips of rows) must be
# shown whole too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 14
viewer_setup
serve_start
guest_up 1 1024 768 '"1024x768"'
fe=/local/domain/1/device/xenfb/0
is "$("$XSIM" run --domid 0 -- xenstore-read "$fe/request-release" 2>&1)" 1 \
    "the driver asks for the release the daemon offers"

# watch ENC HOW N: an animation of N frames drawn by `xdraw HOW`, seen
# by a client asking for ENC; sets n (pictures of one grey shown)
watch() {
    "$XDRAW" fill 0 0 1024 768 000000
    "$PY" "$top_srcdir/tests/viewer/rfbwhole.py" 127.0.0.1 "$(vnc_port 1)" "$1" 120 \
        >"$TEST_TMP/whole-$1-$2.out" 2>&1 &
    pid=$!
    wait_line "$TEST_TMP/whole-$1-$2.out" '^ready$' 1 20 || bail "the $1 client did not start"
    "$XDRAW" "$2" "$3"
    wait "$pid"
    ok $? "$1, $2: the client saw the animation to its end"
    sed 's/^/# /' "$TEST_TMP/whole-$1-$2.out" | grep -v '^# ready$' | head -n 5
    result=$(grep '^frames ' "$TEST_TMP/whole-$1-$2.out")
    n=$(echo "$result" | awk '{ print $2 }')
    is "$(echo "$result" | awk '{ print $4 }')" 0 "$1, $2: no picture mixes two frames"
}

for enc in raw tight jpeg zrle; do
    watch "$enc" frames 400
done
ok "$((${n:-0} > 0 ? 0 : 1))" "the last client was shown whole frames of the animation (zrle: ${n:-none})"

# Whole-screen images: Xlib sends each as strips of rows, which X draws
# and the driver reports one by one; the daemon shows rows across the
# screen once they make the whole screen (backend/strips.h; the rules one
# by one in tests/unit/test-strips.c)
watch raw putframes 100
ok "$((${n:-0} > 0 ? 0 : 1))" "the client was shown whole XPutImage frames (${n:-none})"

# the guest waited for the daemon's releases all along (held while the
# client was busy, then let go when it took a picture): never so long
# that the driver gave up waiting and drew over a held update
n=$(grep -c 'did not release' "$(xorg_log dom1)")
is "$n" 0 "the driver never waited in vain for a release"
