#!/usr/bin/env python3
"""xwdcmp: compare an xwd -root picture with a raw framebuffer dump.

    xwdcmp.py XWD RAW WIDTH HEIGHT BPP

RAW holds HEIGHT rows of WIDTH pixels, packed, as the backend reads them
(32 bpp: x8r8g8b8 little-endian; 16 bpp: r5g6b5 little-endian). Prints
"same" and exits 0, or the number of differing pixels and the first few,
and exits 1.
"""
import struct
import sys


def read_xwd(path):
    data = open(path, "rb").read()
    fields = struct.unpack(">25I", data[:100])
    (header_size, version, pixmap_format, depth, width, height, xoffset,
     byte_order, bitmap_unit, bitmap_bit_order, bitmap_pad, bits_per_pixel,
     bytes_per_line, visual_class, red_mask, green_mask, blue_mask,
     bits_per_rgb, colormap_entries, ncolors, window_width, window_height,
     window_x, window_y, window_bdrwidth) = fields
    if version != 7 or pixmap_format != 2:
        sys.exit("xwdcmp: %s is not a ZPixmap xwd file" % path)
    start = header_size + ncolors * 12
    return dict(width=width, height=height, bpp=bits_per_pixel,
                bpl=bytes_per_line, lsb=(byte_order == 0),
                pixels=data[start:start + bytes_per_line * height])


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    xwd = read_xwd(sys.argv[1])
    raw = open(sys.argv[2], "rb").read()
    width, height, bpp = (int(a) for a in sys.argv[3:6])
    if (xwd["width"], xwd["height"]) != (width, height):
        print("size differs: xwd %dx%d, framebuffer %dx%d" %
              (xwd["width"], xwd["height"], width, height))
        return 1
    cpp = bpp // 8
    if len(raw) != width * height * cpp or xwd["bpp"] != bpp:
        print("format differs: xwd %d bpp, dump %d bytes for %dx%dx%d" %
              (xwd["bpp"], len(raw), width, height, bpp))
        return 1
    mask = 0xffffff if bpp == 32 else 0xffff
    fmt = ("<" if xwd["lsb"] else ">") + ("I" if bpp == 32 else "H")
    rawfmt = "<" + ("I" if bpp == 32 else "H")
    bad = []
    nbad = 0
    for y in range(height):
        xrow = xwd["pixels"][y * xwd["bpl"]:y * xwd["bpl"] + width * cpp]
        rrow = raw[y * width * cpp:(y + 1) * width * cpp]
        if xrow == rrow:
            continue
        xs = struct.unpack(fmt[0] + fmt[1] * width, xrow)
        rs = struct.unpack(rawfmt[0] + rawfmt[1] * width, rrow)
        for x in range(width):
            if (xs[x] & mask) != (rs[x] & mask):
                nbad += 1
                if len(bad) < 5:
                    bad.append("(%d,%d) xwd %#x fb %#x" % (x, y, xs[x] & mask, rs[x] & mask))
    if nbad:
        print("%d pixels differ, first: %s" % (nbad, "; ".join(bad)))
        return 1
    print("same")
    return 0


if __name__ == "__main__":
    sys.exit(main())
