#!/bin/sh
# The cursor extension from a hostile guest on `xenfb-backend serve`:
# images beyond 64x64, a hotspot outside the image, garbage visibility,
# a writer that never finishes, and an image rewritten under the
# backend's copy while notifications flood in, while a healthy guest's
# viewer is measured (tests/hostile/lib-hostile.sh has the bounds).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hostile/lib-hostile.sh"

plan 28
hostile_setup

while IFS='|' read -r cmd why; do
    evil_connect --cursor
    # a viewer of the hostile guest: the cursor goes out to it
    attack_begin "cursor: $cmd"
    front 1 "$cmd"
    attack_end "$why"
done <<'CASES'
cursor 65 64 0 0 1|bad cursor: the image is not 1..64 pixels each way
cursor 4294967295 4294967295 0 0 1|bad cursor: the image is not 1..64 pixels each way
cursor 16 16 16 0 1|bad cursor: the hotspot is outside the image
cursor 16 16 3 4294967295 1|bad cursor: the hotspot is outside the image
cursor 16 16 0 0 7|bad cursor: visible is neither 0 nor 1
CASES

# A writer that stops half-way leaves the count odd: nothing to read,
# nothing to close, and nothing waits for it.
evil_connect --cursor
attack_begin "cursor: the count left odd"
front 1 cursor 16 16 8 8 1
front 1 cursorodd
front_sync 1
attack_end -

# The image and header rewritten as fast as a thread can, legally,
# under the count, while the main thread notifies each change it sees:
# the backend copies under the count, retries, and keeps to its budget.
evil_connect --cursor
viewer_start 1 "$TEST_TMP/frames-1"
attack_begin "cursor: rewritten under the copy, notifications flooding"
front 1 cursorrace 3000
wait_line "$(front_out 1)" '^cursorraced ' 1 30
attack_end -
diag "$(grep '^cursorraced ' "$(front_out 1)")"

show_figures
[ "$_tap_failed" -eq 0 ] || show_serve_log 40
