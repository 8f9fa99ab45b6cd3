#!/bin/sh
# Size requests (protocol.md 9) to a hostile guest on `xenfb-backend
# serve --sdl`: its frontend offers to take them, then answers nonsense.
# A size beyond the limits closes its device; another size than asked is
# logged and the latest request waiting goes out; no answer at all keeps
# one request in flight and asks nothing more. The healthy guest's viewer
# keeps its frames throughout (tests/hostile/lib-hostile.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 15
need Xvfb xdotool
xvfb_start
DISPLAY=$VIEWER_DISPLAY hostile_setup --sdl

asked() { count "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window'; }
# the hostile guest's window; it opened with its first connection
evil_connect --node feature-resize-request=1
W1=$(vx timeout 60 xdotool search --sync --onlyvisible --name '\(domain 1\)$' | head -n 1)
[ -n "$W1" ] || { show_serve_log; bail "no SDL window for domain 1"; }

# A size beyond the device's limits as the answer: broken, closed
attack_begin "resize requests: answered beyond max-width"
n=$(asked)
vx xdotool windowsize "$W1" 500 400
wait_line "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window: 500x400' 1 20 ||
    { show_serve_log; bail "no request for 500x400"; }
front 1 resize 5000 5000
attack_end "bad resize to 5000x5000"

# Another size than asked, while the window goes on changing: the answer
# is logged, and the latest size asked meanwhile goes out after it
evil_connect --node feature-resize-request=1
attack_begin "resize requests: answered with another size"
n=$(asked)
vx xdotool windowsize "$W1" 520 410
wait_line "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window: 520x410' 1 20 ||
    { show_serve_log; bail "no request for 520x410"; }
vx xdotool windowsize "$W1" 600 450
vx xdotool windowsize "$W1" 610 460
# the daemon has taken in those sizes (X sends their ConfigureNotify to
# its window before the pointer motion made after them) before the
# guest answers
npos=$(count "$(front_out 1)" '^pos ')
vx xdotool mousemove --window "$W1" 11 13
wait_line "$(front_out 1)" '^pos ' $((npos + 1)) 20 ||
    { show_serve_log; bail "the pointer in the window never reached the guest"; }
front 1 resize 300 200
wait_line "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window: 610x460' 1 20
ok $? "  the latest size asked meanwhile goes out once the guest answered"
attack_end "the guest answered the request for 520x410 with 300x200: clamped or refused"

# No answer at all: one request in flight, the others wait, nothing more
# is sent however often the window changes
evil_connect --node feature-resize-request=1
attack_begin "resize requests: never answered"
n=$(asked)
vx xdotool windowsize "$W1" 530 420
wait_line "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window: 530x420' 1 20 ||
    { show_serve_log; bail "no request for 530x420"; }
i=0
while [ $i -lt 50 ]; do
    vx xdotool windowsize "$W1" $((400 + i)) $((300 + i))
    i=$((i + 1))
done
attack_end -
# a daemon that sent one request per window size would have logged them
# within the attack's window; this one holds them until an answer
is "$(asked)" $((n + 1)) "  50 more window sizes: no request while one is in flight"
front 1 resize 320 240
wait_line "$SERVE_LOG" 'domain 1: vfb/0: resize requested by the SDL window' $((n + 2)) 20
ok $? "  an answer at last: the size waiting goes out, one request"

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
