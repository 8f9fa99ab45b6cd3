#!/bin/sh
# The simulation's own speed, through the real libraries: sharing and
# mapping a 1920x1080x32 framebuffer (2025 pages), and event-channel round
# trips between two domains. A benchmark, not a test: it prints figures.
#
#   bench/xsim-bench.sh [BUILDDIR]      (default: build/, after ./run build)
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "${1:-$top_srcdir/build}" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xsim/t/hv-lib.sh"

xsim_setup
gntalloc_limit 1 16384

peer_start a 1
peer_start b 0

for i in 1 2 3 4 5; do
    share=$(field 3 "$(peer a share fb$i 0 2025 rw)")
    map=$(field 2 "$(peer b map fb$i 1 fb$i.refs rw)")
    echo "share 2025 pages: $share us; map them: $map us"
done

p1=$(field 2 "$(peer a bind-unbound 0)")
p0=$(field 2 "$(peer b bind 1 "$p1")")
peer b wait 2000 >/dev/null
peer_send b serve "$p0" 10000
r=$(peer a ping "$p1" 10000)
[ "$(peer_recv b)" = ok ] || echo "warning: the serving side did not finish cleanly"
echo "event-channel round trip over 10000 trips: median $(field 3 "$r") us, 99th percentile $(field 4 "$r") us"
