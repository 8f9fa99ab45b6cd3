#!/bin/sh
# Every encoding TigerVNC's viewer can get from the daemon (Tight without
# JPEG, its default; ZRLE; Raw), pixel for pixel, with a picture of many
# colours: Tight's full-colour rectangles (zlib over 3-byte pixels) and
# ZRLE's raw tiles, which the solid colours of the other viewer tests
# never reach (they go as fills and palettes). TigerVNC's window against
# the guest's xwd -root.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/viewer/lib-viewer.sh"

plan 6
need xsetroot vncviewer Xvfb
viewer_setup
serve_start
guest_up 1 800 600 '"800x600"'
xsetroot -solid '#204060'
xvfb_start

for enc in Tight ZRLE Raw; do
    tiger_start 1 "$enc"
    wait_line "$SERVE_LOG" "domain 1: VNC viewer from .* gets $enc" 1 10
    ok $? "TigerVNC's viewer asking for $enc gets it"
    # a new picture for each viewer: it cannot have been sent before
    case $enc in Tight) at=40 ;; ZRLE) at=240 ;; Raw) at=440 ;; esac
    "$XDRAW" gradient "$at" "$at" 300 200
    wait_match viewer_matches 1
    ok $? "$enc: a picture of many colours, pixel for pixel"
    tiger_stop
done
