"""xfbpix: one picture, as both ends of the real-Xen tier describe it.

The guest has its X server's screen (xwd -root) and dom0 has what a VNC
client received; no network joins them, only xenstore, so each side
reduces its picture to text that is small enough to pass and exact
enough to compare:

    WxH SHA256                  over every pixel's blue, green, red bytes
    tile 64 COLS ROWS           then one line per row of 64x64 tiles:
    h h h ...                   the first 8 hex digits of each tile's SHA1

diff(a, b) names the tiles that differ. Both pictures arrive as 32-bit
little-endian pixels with red, green and blue at bits 16, 8 and 0 (the
X server's ZPixmap on x86, and the pixel format the VNC client asks
for); the padding byte is left out, since neither end defines it.
Only byte slicing, no loop over pixels: this runs under emulation.
"""
import hashlib
import struct

TILE = 64


def bgr(w, h, data, stride):
    """The w*h*3 bytes B, G, R of 32-bit pixels at data, rows stride bytes apart."""
    if stride != w * 4:
        data = b"".join(data[y * stride:y * stride + w * 4] for y in range(h))
    else:
        data = bytes(data[:w * h * 4])
    out = bytearray(w * h * 3)
    out[0::3] = data[0::4]
    out[1::3] = data[1::4]
    out[2::3] = data[2::4]
    return bytes(out)


def from_xwd(data):
    """(w, h, bgr bytes) of an xwd -root file (32 bpp ZPixmap, 8-bit channels)."""
    f = struct.unpack(">25I", data[:100])
    header_size, width, height = f[0], f[4], f[5]
    byte_order, bpp, bpl = f[7], f[11], f[12]
    red, green, blue = f[14], f[15], f[16]
    ncolors = f[19]
    if f[1] != 7 or f[2] != 2 or bpp != 32:
        raise ValueError("not a 32 bpp ZPixmap xwd file")
    if (red, green, blue) != (0xFF0000, 0xFF00, 0xFF):
        raise ValueError("unexpected visual masks %x %x %x" % (red, green, blue))
    pix = data[header_size + ncolors * 12:]
    if byte_order != 0:  # MSBFirst: X R G B in memory; turn each pixel around
        swapped = bytearray(len(pix))
        for i in range(4):
            swapped[i::4] = pix[3 - i::4]
        pix = bytes(swapped)
    return width, height, bgr(width, height, pix, bpl)


def describe(w, h, pix):
    """The text both sides exchange (see above)."""
    cols = (w + TILE - 1) // TILE
    rows = (h + TILE - 1) // TILE
    lines = ["%dx%d %s" % (w, h, hashlib.sha256(pix).hexdigest()),
             "tile %d %d %d" % (TILE, cols, rows)]
    for ty in range(rows):
        hs = []
        for tx in range(cols):
            x0 = tx * TILE
            tw = min(TILE, w - x0)
            t = hashlib.sha1()
            for y in range(ty * TILE, min(h, ty * TILE + TILE)):
                o = (y * w + x0) * 3
                t.update(pix[o:o + tw * 3])
            hs.append(t.hexdigest()[:8])
        lines.append(" ".join(hs))
    return "\n".join(lines) + "\n"


def tile_bytes(w, h, pix, tx, ty):
    """The bgr bytes of tile (tx, ty), row after row."""
    x0 = tx * TILE
    tw = min(TILE, w - x0)
    return b"".join(pix[(y * w + x0) * 3:(y * w + x0 + tw) * 3]
                    for y in range(ty * TILE, min(h, ty * TILE + TILE)))


def diff(a, b):
    """None when descriptions a and b are the same picture, else a list
    of lines saying how they differ; the differing tiles are in .tiles."""
    la, lb = a.strip().splitlines(), b.strip().splitlines()
    if la[:1] == lb[:1] and la[:1]:
        return None
    if not la or not lb:
        return Diff(["one side has no picture"], [])
    sa, sb = la[0].split()[0], lb[0].split()[0]
    if sa != sb:
        return Diff(["sizes differ: %s and %s" % (sa, sb)], [])
    ta = [l.split() for l in la[2:]]
    tb = [l.split() for l in lb[2:]]
    tiles = [(x, y) for y in range(min(len(ta), len(tb)))
             for x in range(min(len(ta[y]), len(tb[y]))) if ta[y][x] != tb[y][x]]
    total = sum(len(r) for r in ta)
    where = " ".join("(%d,%d)" % (x * TILE, y * TILE) for x, y in tiles[:12])
    return Diff(["%d of %d tiles of %d pixels differ, at %s%s"
                 % (len(tiles), total, TILE, where, " ..." if len(tiles) > 12 else "")], tiles)


class Diff(list):
    def __init__(self, lines, tiles):
        super().__init__(lines)
        self.tiles = tiles


def tile_diff(tx, ty, w, ta, tb, limit=5):
    """Lines naming the pixels of one tile that differ (bgr bytes ta, tb)."""
    x0 = tx * TILE
    tw = min(TILE, w - x0)
    bad = []
    n = 0
    for i in range(0, min(len(ta), len(tb)), 3):
        if ta[i:i + 3] != tb[i:i + 3]:
            n += 1
            if len(bad) < limit:
                p = i // 3
                bad.append("(%d,%d) %02x%02x%02x vs %02x%02x%02x" % (
                    x0 + p % tw, ty * TILE + p // tw, ta[i + 2], ta[i + 1], ta[i],
                    tb[i + 2], tb[i + 1], tb[i]))
    return "tile (%d,%d): %d pixels differ: %s" % (x0, ty * TILE, n, "; ".join(bad))
