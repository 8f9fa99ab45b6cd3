#!/bin/sh
# Every man page of the tree (installed or not: xsim(1) too) is clean for
# mandoc's linter and for groff with all warnings, and whatis can read its
# NAME line.
. "$top_srcdir/tests/lib.sh"

need mandoc groff lexgrog
pages=$(ls "$top_srcdir"/man/*.[1-8])
plan $(($(echo "$pages" | wc -l) * 3))
for page in $pages; do
    name=$(basename "$page")
    out=$(mandoc -T lint -W warning "$page" 2>&1)
    is "$out" "" "$name: mandoc -T lint finds nothing"
    out=$(LC_ALL=C.UTF-8 groff -man -t -Tutf8 -ww -z "$page" 2>&1)
    is "$out" "" "$name: groff -ww warns of nothing"
    lexgrog "$page" >/dev/null 2>&1
    ok $? "$name: lexgrog reads its NAME section"
done
