#!/bin/sh
# Re-grants of a hotplug vfb (xfb_front_regrant): a mode larger than the
# memory gets new memory through a reconnection (Closing; once the
# backend let go, over again); a smaller mode gives memory back; what the
# backend's limits or gntalloc's refuse fails cleanly, mode and picture
# kept. The grant pages are counted where the hypervisor holds them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/front/front-lib.sh"
plan 31
xsim_setup
"$XSIM" create $GUEST guest >/dev/null || bail "cannot create the guest domain"
gntalloc_limit $GUEST 8192
pages() { grants_of $GUEST | wc -l; }

start_back vfb 1280 1024
send back write feature-gref 1
send back write feature-resize 1
proc_start front 8 $GUEST "$FRONT_TOOL" vfb --hotplug --width 640 --height 480 --stdin
expect front opened
send back state 2
say back wait-front 3 -- "front-state 3" "published"
say back connect -- connected "connected at 640x480"
expect front "ev-state 4 1"
# 640x480x4 = 300 pages, one directory page, the shared page
is "$(pages)" 302 "302 pages granted for 640x480"

# larger: new memory, a reconnection
say front regrant 1024 768 4096 32 -- "regrant ok" "a larger mode: re-granted"
say back wait-front 5 -- "front-state 5" "the frontend goes Closing for the backend to let go"
send back unmap
expect back unmapped
send back state 6
say back wait-front 1 -- "front-state 1" "once the backend is Closed, it starts over"
send back state 2
say back wait-front 3 -- "front-state 3" "and publishes the new memory"
say back connect -- connected "the backend connects again"
say back geometry -- "geometry 1024 768 4096 32 3145728" "the new mode and memory are in the page"
send front pattern 5
expect front "pattern ok"
say back check-pattern 5 -- "pattern ok" "the backend sees what is drawn into the new memory"
is "$(pages)" 770 "the old memory went back: 770 pages for 1024x768"

# smaller: memory given back
say front regrant 800 600 3200 32 -- "regrant ok" "a smaller mode: re-granted"
say back wait-front 5 -- "front-state 5" "Closing again"
send back unmap
send back state 6
say back wait-front 1 -- "front-state 1" "over again"
send back state 2
say back wait-front 3 -- "front-state 3" "published"
say back connect -- connected "connected"
is "$(pages)" 471 "471 pages for 800x600: the rest is given back"

# beyond the backend's limits (1280x1024): refused, nothing moves
send front regrant 1600 1200 6400 32
expect front "log error [XFB-015] vfb 0: mode 1600x1200 (7500 KiB of framebuffer) is beyond the backend's limits, 1280x1024 (max-width and max-height in /local/domain/0/backend/xenfb/$GUEST/0): use a smaller mode, or have dom0 attach the device with a larger --max-width/--max-height"
ok $? "a mode beyond the backend's limits: one line naming them and where they come from"
expect front "regrant error E2BIG"
ok $? "and the re-grant is refused"
say front state -- "state 4 connected 1" "still connected in the old mode"

# gntalloc holds the new memory but not both: the old goes first
send front pattern 6
expect front "pattern ok"
gntalloc_limit $GUEST 1000
say front regrant 1024 768 4096 32 -- "regrant ok" "1024x768 under a limit of 1000 pages: the old memory let go first"
say back wait-front 5 -- "front-state 5" "Closing"
send back unmap
send back state 6
send back wait-front 1
expect back "front-state 1"
send back state 2
say back wait-front 3 -- "front-state 3" "published"
say back connect -- connected "connected"
is "$(pages)" 770 "770 pages"

# gntalloc holds neither: refused, the picture kept at a new address
send front pattern 7
expect front "pattern ok"
send front regrant 1280 1024 5120 32
expect front "log error [XFB-003] gntalloc limit reached: vfb 0 needs 1283 grant pages (limit 1000); raise xen_gntalloc's limit: modprobe xen-gntalloc limit=2048, or echo 2048 > /sys/module/xen_gntalloc/parameters/limit"
ok $? "1280x1024 under the limit: [XFB-003] says what to raise"
expect front "regrant error ENOSPC"
ok $? "and the re-grant is refused"
say back wait-front 5 -- "front-state 5" "the memory was granted again: the backend must map it anew"
send back unmap
send back state 6
send back wait-front 1
expect back "front-state 1"
send back state 2
say back wait-front 3 -- "front-state 3" "published"
say back connect -- connected "connected"
say back check-pattern 7 -- "pattern ok" "the old mode's picture is intact"

proc_stop front
proc_stop back
