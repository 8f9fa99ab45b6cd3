#!/bin/sh
# Regenerate man/xenfb-protocol.7 from docs/protocol.md (needs pandoc).
# The page is committed, so building needs neither this nor pandoc; run it
# after changing docs/protocol.md.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
{
    printf '%% XENFB-PROTOCOL(7) xenfb | xenfb\n%% \n%% %s\n\n' "$(date -u +%Y-%m-%d)"
    sed '1s/^# .*/# NAME\n\nxenfb-protocol - the Xen vfb and vkbd protocol with the xenfb grant extension\n\n# DESCRIPTION/' \
        "$top/docs/protocol.md" | sed 's/^## \([0-9]*\. \)\{0,1\}/# /'
} | pandoc -s -t man -o "$top/man/xenfb-protocol.7"
