#!/usr/bin/env python3
"""xwdcrop: a window's picture as its X screen shows it.

    xwdcrop.py ROOT.xwd X Y WIDTH HEIGHT OUT.png

Cuts the rectangle out of an xwd -root of 32 or 24 bits per pixel and
writes it as PNG, for imgcmp.py. What the screen shows is what a user
sees, whichever way the window's client drew it (a GL or a shared-memory
window, whose own xwd -id may not hold its pixels).
"""
import struct
import sys

from PIL import Image


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    path, out = sys.argv[1], sys.argv[6]
    x, y, w, h = (int(v) for v in sys.argv[2:6])
    data = open(path, "rb").read()
    f = struct.unpack(">25I", data[:100])
    header_size, width, height = f[0], f[4], f[5]
    byte_order, bpp, bpl, ncolors = f[7], f[11], f[12], f[19]
    if f[1] != 7 or f[2] != 2 or bpp not in (24, 32):
        sys.exit("xwdcrop: %s is not a 32 or 24 bpp ZPixmap xwd file" % path)
    lsb = byte_order == 0
    raw = {32: "BGRX" if lsb else "XRGB", 24: "BGR" if lsb else "RGB"}[bpp]
    start = header_size + ncolors * 12
    img = Image.frombuffer("RGB", (width, height), data[start:start + bpl * height], "raw", raw,
                           bpl, 1)
    if x < 0 or y < 0 or x + w > width or y + h > height:
        sys.exit("xwdcrop: %dx%d+%d+%d is not inside the %dx%d screen" % (w, h, x, y, width, height))
    img.crop((x, y, x + w, y + h)).save(out)
    return 0


sys.exit(main())
