#!/usr/bin/env python3
"""imgcmp: compare a VNC client's picture with an xwd -root picture.

    imgcmp.py [--tolerance N] IMAGE XWD

IMAGE is anything PIL reads (PNG from gvnccapture) or another xwd file
(a viewer's window, xwd -id); XWD may also be a picture PIL reads (a PPM
from the kernel stand-in, tests/kernel/xfb-kfront). Every pixel is
compared; with --tolerance N a pixel passes when no channel differs by
more than N (for lossy JPEG). An xwd of 16 bits per pixel (r5g6b5) is
compared on the bits it has: both pictures are cut to 5, 6 and 5 bits,
whatever a viewer filled the low bits with. Prints "same" and exits 0,
or the number of differing pixels and the first few, and exits 1.
"""
import struct
import sys

from PIL import Image, ImageChops


def read_xwd(path):
    """An xwd ZPixmap of 32, 24 or 16 bits per pixel as (RGB image, bpp);
    24 (a window whose visual packs its pixels) reads as full colour, 32."""
    data = open(path, "rb").read()
    f = struct.unpack(">25I", data[:100])
    header_size, width, height = f[0], f[4], f[5]
    byte_order, bpp, bpl, ncolors = f[7], f[11], f[12], f[19]
    if f[1] != 7 or f[2] != 2 or bpp not in (16, 24, 32):
        sys.exit("imgcmp: %s is not a 32, 24 or 16 bpp ZPixmap xwd file" % path)
    start = header_size + ncolors * 12
    pixels = data[start:start + bpl * height]
    lsb = byte_order == 0
    if bpp == 32:
        raw = "BGRX" if lsb else "XRGB"
    elif bpp == 24:
        raw, bpp = "BGR" if lsb else "RGB", 32
    else:
        if not lsb:
            sys.exit("imgcmp: %s: 16 bpp in MSB first order is not handled" % path)
        raw = "BGR;16"  # r5g6b5, little-endian
    return Image.frombuffer("RGB", (width, height), pixels, "raw", raw, bpl, 1), bpp


def cut_to_565(img):
    r, g, b = img.split()
    return Image.merge("RGB", (r.point(lambda v: v & 0xf8), g.point(lambda v: v & 0xfc),
                               b.point(lambda v: v & 0xf8)))


def differences(a, b, tol):
    w, h = a.size
    pa, pb = a.load(), b.load()
    bad, nbad = [], 0
    for y in range(h):
        for x in range(w):
            p, q = pa[x, y], pb[x, y]
            if max(abs(p[0] - q[0]), abs(p[1] - q[1]), abs(p[2] - q[2])) > tol:
                nbad += 1
                if len(bad) < 5:
                    bad.append("(%d,%d) image %02x%02x%02x xwd %02x%02x%02x" % ((x, y) + p + q))
    return nbad, bad


def main():
    args = sys.argv[1:]
    tol = 0
    if args and args[0] == "--tolerance":
        tol = int(args[1])
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    if args[1].endswith(".xwd"):
        ref, bpp = read_xwd(args[1])
    else:
        # any picture PIL reads (a PPM a guest's kernel stand-in dumped)
        ref, bpp = Image.open(args[1]).convert("RGB"), 32
    if args[0].endswith(".xwd"):
        img, ibpp = read_xwd(args[0])
        bpp = min(bpp, ibpp)
    else:
        img = Image.open(args[0]).convert("RGB")
    if img.size != ref.size:
        print("size differs: image %dx%d, xwd %dx%d" % (img.size + ref.size))
        return 1
    if bpp == 16:
        img, ref = cut_to_565(img), cut_to_565(ref)
    # whole pictures first: the usual answer, and quick at any size
    if img.tobytes() == ref.tobytes():
        print("same")
        return 0
    if tol and max(hi for lo, hi in ImageChops.difference(img, ref).getextrema()) <= tol:
        print("same")
        return 0
    nbad, bad = differences(img, ref, tol)
    if not nbad:
        print("same")
        return 0
    print("%d pixels differ: %s" % (nbad, "; ".join(bad)))
    return 1


sys.exit(main())
