#!/bin/sh
# Regenerate man/xenfb-protocol.7 from docs/protocol.md (needs pandoc).
# The page is committed, so building needs neither this nor pandoc; run it
# after changing docs/protocol.md.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
command -v pandoc >/dev/null ||
    { echo "gen-xenfb-protocol.sh: needs pandoc (apt-get install pandoc)" >&2; exit 1; }
out="$top/man/xenfb-protocol.7"
{
    printf '%% XENFB-PROTOCOL(7) xenfb | xenfb\n%% \n%% %s\n\n' "$(date -u +%Y-%m-%d)"
    sed '1s/^# .*/# NAME\n\nxenfb-protocol - the Xen vfb and vkbd protocol with the xenfb grant extension\n\n# DESCRIPTION/' \
        "$top/docs/protocol.md" | sed 's/^## \([0-9]*\. \)\{0,1\}/# /'
} | pandoc -s -t man |
    # code in bold, as man pages show it (pandoc's \f[V] is groff-only);
    # pandoc sizes tables for 70 columns, but man's text is 71 wide less
    # the gaps between columns: scale them so groff need not overflow (and
    # the one table pandoc leaves unsized is the table of paths), and
    # ragged right: narrow table columns cannot be justified; and a table
    # starts where 20 lines are left on the page, else on the next one
    # (groff cannot break a row's text block across pages: a table that
    # starts near the foot of one warns, wherever edits move it)
    sed -e 's/\\f\[VB\{0,1\}\]/\\f[B]/g' -e 's/^l l l\.$/lw(44n) lw(7n) lw(13n)./' -e 's/^\.hy$/.hy\n.na/' \
        -e 's/^\.TS$/.ne 20\n.TS/' |
    # and no paragraph break right after a heading (mandoc -T lint)
    awk '!(/^\.PP$/ && prev ~ /^\.S[HS] /) { print } { prev = $0 }' |
    awk '/^lw\(/ { out = ""; n = split($0, w, " ")
                   for (i = 1; i <= n; i++) {
                       split(w[i], p, /[()n]/)
                       out = out (i > 1 ? " " : "") sprintf("lw(%dn)", p[2] * 64 / 70)
                   }
                   print out "."; next } { print }' >"$out.new"
# a pipeline's status is its last command's: pandoc failing leaves a page
# without its text, which is not put in place
grep -q '^\.SH DESCRIPTION' "$out.new" || { rm -f "$out.new"; echo "gen-xenfb-protocol.sh: pandoc failed" >&2; exit 1; }
mv "$out.new" "$out"
