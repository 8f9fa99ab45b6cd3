#!/bin/sh
# A guest with only its kernel's frontends (xfb-kfront standing in for
# xen-fbfront and xen-kbdfront, no xenfb at all), named in guests.conf
# with devices=kernel: the daemon makes its vfb and vkbd, the kernel binds
# them, and its console reaches a VNC client pixel for pixel (written by
# the console at once, by mapped writes after the deferred-io period, in
# a new mode after fbset); keys typed, a click and the wheel in the viewer
# reach the kernel's vkbd; a restarted daemon takes the console over;
# when the guest goes, nothing of its memory stays mapped.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"
. "$top_srcdir/tests/toolstack/lib-toolstack.sh"
. "$top_srcdir/tests/kernel/lib-kernel.sh"

plan 21
viewer_setup
guests_conf "guest con max-size=1024x768 devices=kernel"
serve_start --verbose --refresh 40 --config "$GUESTS_CONF"
domain 1 con
created 1 con || bail "domain 1 got no devices"
grep -q "domain 1: guest 'con': devices created (max-size 1024x768, keyboard, no xenfb; kernel vfb 0 and vkbd 0)" \
    "$SERVE_LOG"
ok $? "one line says which devices the kernel got"
is "$(rd /local/domain/1/device/vfb/0/backend) $(rd /local/domain/0/backend/vfb-xenfb/1/0/created-by)" \
    "/local/domain/0/backend/vfb-xenfb/1/0 serve" "its vfb: device/vfb/0, served from backend/vfb-xenfb"
is "$(rd /local/domain/1/device/vkbd/0/backend) $(rd /local/domain/0/backend/vinput/1/0/width)" \
    "/local/domain/0/backend/vinput/1/0 32767" "its vkbd: device/vkbd/0, from backend/vinput, axes 32767"
gone /local/domain/1/device/xenfb && gone /local/domain/0/backend/xenfb/1
ok $? "devices=kernel: no xenfb device"

kfront_start 1
kconsole 1
ok 0 "the daemon maps the kernel's framebuffer by frame number and shows its console"
wait_line "$(kfront_out 1)" '^vkbd 0 probed abs 32767 32767$'
ok $? "xen-kbdfront asks for the absolute pointer, on 32767x32767 axes"
is "$("$XSIM" ctl kernel-devices 1 | sort | tr '\n' ' ')" "1 vfb-0 vfb 1 vkbd-0 vkbd " \
    "the guest's sysfs shows both drivers bound"

kfront 1 print "Debian GNU/Linux 12 con hvc0"
kfront 1 print ""
kfront 1 print "con login: "
wait_match console_matches 1
ok $? "the console at a VNC client equals the kernel's framebuffer, every pixel"

: >"$(kfront_out 1)"
rfbinput 1 type:root key:ff0d
wait_line "$(kfront_out 1)" '^key 28 0$'
is "$(grep '^key ' "$(kfront_out 1)" | tr '\n' ' ')" \
    "key 19 1 key 19 0 key 24 1 key 24 0 key 24 1 key 24 0 key 20 1 key 20 0 key 28 1 key 28 0 " \
    "keys typed in the viewer reach the kernel's vkbd"
wait_match console_matches 1
ok $? "and the name its getty echoes shows at the viewer"

rfbinput 1 click:400,300
wait_line "$(kfront_out 1)" '^key 272 0$'
want="pos $(((400 * 32767 + 399) / 799)) $(((300 * 32767 + 299) / 599))"
is "$(grep '^pos ' "$(kfront_out 1)" | tail -n 1)" "$want" \
    "a click at (400,300) of 800x600 lands at the same place of the 32767x32767 axes"

: >"$(kfront_out 1)"
rfbinput 1 wheel:up wheel:down
wait_line "$(kfront_out 1)" '^wheel -1$'
is "$(grep '^wheel ' "$(kfront_out 1)" | tr '\n' ' ')" "wheel 1 wheel -1 " \
    "the wheel up, then down: REL_WHEEL 1, then -1 (xen-kbdfront's rel_z is the other way)"

: >"$(kfront_out 1)"
kfront 1 fill 100 100 200 120 ff8000
wait_line "$(kfront_out 1)" '^vfb 0 update 0 [0-9]* 800 [0-9]*$'
ok $? "a write to the mapped framebuffer: a full-width update after the deferred-io period"
wait_match console_matches 1
ok $? "and the viewer has the pixels"

# dom0's daemon restarted: xen-fbfront never connects again, so the new
# daemon must take its pages and port as the kernel left them at 4. (In
# its first mode: the page keeps the mode xen-fbfront started in, and a
# resize is only an event, so a daemon restarted after fbset would map
# the first mode's area.)
serve_stop
kfront 1 print "written while dom0's daemon was away"
serve_start --verbose --refresh 40 --config "$GUESTS_CONF"
wait_line "$SERVE_LOG" "domain 1: kernel console framebuffer connected: 800x600" 2 20
ok $? "a restarted daemon maps the console again"
wait_match console_matches 1
ok $? "with what was written meanwhile, pixel for pixel"
: >"$(kfront_out 1)"
rfbinput 1 type:z
wait_line "$(kfront_out 1)" '^key 44 0$'
ok $? "and its keys reach the kernel's vkbd"

kfront 1 mode 640 480
wait_line "$SERVE_LOG" 'domain 1: kernel console resized to 640x480'
ok $? "fbset to 640x480: the daemon takes the resize"
wait_match console_matches 1
ok $? "the viewer has the new mode, pixel for pixel"
"$PY" -c "from PIL import Image; print('%dx%d' % Image.open('$TEST_TMP/cap.png').size)" \
    >"$TEST_TMP/size"
is "$(cat "$TEST_TMP/size")" "640x480" "as a desktop resize: the picture is 640x480"

"$XSIM" destroy 1 >/dev/null
wait_line "$SERVE_LOG" "domain 1: guest gone"
wait_for 10 no_frames 1
ok $? "once the guest is gone, nothing of its memory stays mapped"

[ "$_tap_failed" -eq 0 ] || { show_serve_log 40; sed 's/^/# kfront: /' "$(kfront_out 1)" | tail -n 20; }
