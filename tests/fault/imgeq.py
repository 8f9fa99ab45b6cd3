#!/usr/bin/env python3
"""imgeq: is a viewer's picture (PNG) exactly the guest's xwd -root?

    imgeq.py IMAGE XWD

The same verdict as tests/viewer/imgcmp.py without tolerance, in a few
milliseconds rather than seconds (the fault tests poll with it). Prints
"same" and exits 0, or the box of the differences and a few pixels, and
exits 1.
"""
import struct
import sys

from PIL import Image, ImageChops


def read_xwd(path):
    data = open(path, "rb").read()
    f = struct.unpack(">25I", data[:100])
    header_size, width, height = f[0], f[4], f[5]
    byte_order, bpp, bpl, ncolors = f[7], f[11], f[12], f[19]
    if f[1] != 7 or f[2] != 2 or bpp != 32:
        sys.exit("imgeq: %s is not a 32 bpp ZPixmap xwd file" % path)
    start = header_size + ncolors * 12
    mode = "BGRX" if byte_order == 0 else "XRGB"
    return Image.frombytes("RGB", (width, height), data[start:start + bpl * height], "raw", mode,
                           bpl)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    img = Image.open(sys.argv[1]).convert("RGB")
    xwd = read_xwd(sys.argv[2])
    if img.size != xwd.size:
        print("size differs: image %dx%d, xwd %dx%d" % (img.size + xwd.size))
        return 1
    box = ImageChops.difference(img, xwd).getbbox()
    if not box:
        print("same")
        return 0
    a, b = img.load(), xwd.load()
    bad = []
    for y in range(box[1], box[3]):
        for x in range(box[0], box[2]):
            if a[x, y] != b[x, y] and len(bad) < 5:
                bad.append("(%d,%d) image %02x%02x%02x xwd %02x%02x%02x" % ((x, y) + a[x, y] + b[x, y]))
        if len(bad) >= 5:
            break
    print("pixels differ within (%d,%d)-(%d,%d): %s" % (box + ("; ".join(bad),)))
    return 1


sys.exit(main())
