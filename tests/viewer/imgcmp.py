#!/usr/bin/env python3
"""imgcmp: compare a VNC client's picture with an xwd -root picture.

    imgcmp.py [--tolerance N] IMAGE XWD

IMAGE is anything PIL reads (PNG from gvnccapture) or another xwd file
(a viewer's window, xwd -id); XWD may also be a picture PIL reads (a PPM
from the kernel stand-in, tests/kernel/xfb-kfront). Every pixel is
compared; with --tolerance N a pixel passes when no channel differs by
more than N (for lossy JPEG). Prints "same" and exits 0, or the number of
differing pixels and the first few, and exits 1.
"""
import struct
import sys

from PIL import Image


def read_xwd(path):
    data = open(path, "rb").read()
    f = struct.unpack(">25I", data[:100])
    header_size, width, height = f[0], f[4], f[5]
    byte_order, bpp, bpl, ncolors = f[7], f[11], f[12], f[19]
    if f[1] != 7 or f[2] != 2 or bpp != 32:
        sys.exit("imgcmp: %s is not a 32 bpp ZPixmap xwd file" % path)
    start = header_size + ncolors * 12
    fmt = ("<" if byte_order == 0 else ">") + "I" * width
    rows = []
    for y in range(height):
        row = struct.unpack(fmt, data[start + y * bpl:start + y * bpl + width * 4])
        rows.append([((p >> 16) & 255, (p >> 8) & 255, p & 255) for p in row])
    return width, height, rows


def main():
    args = sys.argv[1:]
    tol = 0
    if args and args[0] == "--tolerance":
        tol = int(args[1])
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    if args[1].endswith(".xwd"):
        w, h, rows = read_xwd(args[1])
    else:
        # any picture PIL reads (a PPM a guest's kernel stand-in dumped)
        ref = Image.open(args[1]).convert("RGB")
        (w, h), rp = ref.size, ref.load()
        rows = [[rp[x, y] for x in range(w)] for y in range(h)]
    if args[0].endswith(".xwd"):
        iw, ih, irows = read_xwd(args[0])
        size = (iw, ih)
        px = {(x, y): irows[y][x] for y in range(ih) for x in range(iw)}
    else:
        img = Image.open(args[0]).convert("RGB")
        size = img.size
        px = img.load()
    if size != (w, h):
        print("size differs: image %dx%d, xwd %dx%d" % (size + (w, h)))
        return 1
    bad = []
    nbad = 0
    for y in range(h):
        row = rows[y]
        for x in range(w):
            a, b = px[x, y], row[x]
            if max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[2] - b[2])) > tol:
                nbad += 1
                if len(bad) < 5:
                    bad.append("(%d,%d) image %02x%02x%02x xwd %02x%02x%02x" % ((x, y) + a + b))
    if nbad:
        print("%d pixels differ: %s" % (nbad, "; ".join(bad)))
        return 1
    print("same")
    return 0


sys.exit(main())
