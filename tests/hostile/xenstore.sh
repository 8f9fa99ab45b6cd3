#!/bin/sh
# A hostile guest's xenstore: its state nodes flipped at random as fast as
# it can, and values as large as xenstored takes in every node the backend
# reads, against `xenfb-backend serve` while a healthy guest's viewer is
# measured (tests/hostile/lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 38
hostile_setup

# 7. States 0..9, -1, 2^32 + 1, "x" and "" on the vfb's and the vkbd's
# state nodes, in a tight loop. The daemon handles at most $LIMIT state
# changes of a device a second (backend/core/private.h), then closes it
# and ignores its state for a while. How fast the attacker writes depends
# on the machine's load, so what is asserted holds at any speed: the
# daemon connected the devices no more often than the limit allows, and
# an attacker that wrote well past the limit (four times it, on average
# over the whole attack, per device) was cut off with a log line; one
# slower than that was told about the garbage among its states.
LIMIT=100
evil_connect
attack_begin "xenstore: state flipped at random"
front 1 flipstate 3000
wait_line "$(front_out 1)" '^flipped ' 1 30
flipped=$(grep '^flipped ' "$(front_out 1)")
diag "$flipped"
rate=$(echo "$flipped" | sed -n 's/.*: \([0-9]*\) per second$/\1/p')
secs=$(awk -v a="$A_T0" -v b="$(now)" 'BEGIN { printf "%d", b - a + 1 }')
conns=$(tail -n "+$((A_LOG + 1))" "$SERVE_LOG" | grep -c 'domain 1: \(framebuffer\|keyboard and pointer\) connected')
[ "$conns" -le $((2 * LIMIT * (secs + 1))) ]
ok $? "the daemon connected the flapping devices $conns times in ${secs} s (at most $LIMIT a second each)"
if [ "${rate:-0}" -ge $((2 * 4 * LIMIT)) ]; then
    attack_end "the frontend's state changes too fast"
else
    diag "the attacker wrote ${rate:-?} states a second: not enough to be sure to trip the limit"
    attack_end "the frontend's state changes too fast\|frontend state is not a number"
fi
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
