#!/bin/sh
# A hostile guest's xenstore: its state nodes flipped at random as fast as
# it can, and values as large as xenstored takes in every node the backend
# reads, against `xenfb-backend serve` while a healthy guest's viewer is
# measured (tests/hostile/lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 46
hostile_setup

# 7. States 0..9, -1, 2^32 + 1, "x" and "" on the vfb's and the vkbd's
# state nodes, in a tight loop.
evil_connect
attack_begin "xenstore: state flipped at random"
front 1 flipstate 3000
wait_line "$(front_out 1)" '^flipped ' 1 30
attack_end "the frontend's state changes too fast"
diag "$(grep '^flipped ' "$(front_out 1)")"
# Its state watch is ignored for a second or two now: an honest frontend
# starting at once is still answered, when that time is over.
n=$(count "$SERVE_LOG" 'domain 1: framebuffer connected')
evil_start
wait_line "$SERVE_LOG" 'domain 1: framebuffer connected' $((n + 1)) 10
ok $? "a frontend that starts right after the flapping still connects"

# 8. The largest value an unprivileged guest may write (2048 bytes, the
# value quota of xenstored and of xsimd) in each node the backend reads.
big9=$(printf '%2048s' '' | tr ' ' 9)
bigx=$(printf '%2048s' '' | tr ' ' x)
while IFS='|' read -r opt node val why; do
    attack_begin "xenstore: 2048 bytes in $node ($opt)"
    evil_start "$opt" "$node=$val"
    attack_end "$why"
done <<CASES
--node|page-gref|$big9|page-gref or event-channel is not a number
--node|event-channel|$big9|page-gref or event-channel is not a number
--node|protocol|$bigx|unknown protocol 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\$
--node|state|$big9|frontend state is not a number
--kbd-node|page-gref|$big9|page-gref or event-channel is missing or not a number
--kbd-node|event-channel|$bigx|page-gref or event-channel is missing or not a number
--kbd-node|request-abs-pointer|$big9|vkbd/0: connected: relative pointer, raw
--kbd-node|state|$bigx|frontend state is not a number
CASES

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
