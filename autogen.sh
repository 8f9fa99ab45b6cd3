#!/bin/sh
# Generate configure and the Makefile.in files; then run configure with the
# given arguments unless NOCONFIGURE is set (as the Xorg drivers' scripts do).
set -e
srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.
(cd "$srcdir" && autoreconf --force --install --verbose)
if [ -z "$NOCONFIGURE" ]; then
    exec "$srcdir/configure" "$@"
fi
