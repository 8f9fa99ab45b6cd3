#!/bin/sh
# The version script exports exactly the functions front.h declares, and
# the built library exports exactly those.
. "$top_srcdir/tests/lib.sh"
need nm awk sed sort
plan 2
header="$top_srcdir/xenfb-agent/include/xenfb/front.h"
map="$top_srcdir/xenfb-agent/lib/libxenfbfront.map"
from_header=$(grep -o '\bxfb_front_[a-z_]*(' "$header" | tr -d '(' | sort -u)
from_map=$(sed -n 's/^ *\(xfb_front_[a-z_]*\);$/\1/p' "$map" | sort -u)
is "$from_map" "$from_header" "libxenfbfront.map lists the functions of front.h"
lib="$top_builddir/xenfb-agent/.libs/libxenfbfront.so"
from_lib=$(nm -D --defined-only "$lib" 2>/dev/null | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u)
is "$from_lib" "$from_header" "libxenfbfront.so exports the functions of front.h, nothing else"
