#!/usr/bin/env python3
"""rfbahead: a viewer that changes its mind between updates.

    rfbahead.py HOST PORT XDRAW ROUNDS tight|zrle

The daemon may encode the newest picture for a Tight viewer before the
viewer asks for it, and must drop that update when the viewer then asks
for something else: another pixel format, other encodings, another
compression level, part of the screen (a ZRLE viewer, never encoded
ahead, goes through the same changes). Two clients of one guest:

  truth   Raw, default format: the guest's screen as it is, asked for
          until it shows the round's last picture;
  viewer  Tight (lossless) or ZRLE, which after each update first lets the guest
          draw before it asks again, with one of these changes, in turn:
            same     nothing: an incremental request for the whole screen
            16-bit   SetPixelFormat r5g6b5, then a full request
            32-bit   back to the default format, then a full request
            raw      SetEncodings Raw only, incremental
            level    SetEncodings its own again, with compression level 9,
                     incremental
            part     an incremental request for the screen down to the
                     middle of the new gradient, then for the whole screen
            full     a request for the whole screen, changed or not

Each round the guest draws three gradients at a new place, one after
the other as fast as it can (XDRAW gradient X Y W H SEED 3), while
neither client asks: the daemon takes the guest to be drawing flat out
and encodes ahead for a Tight viewer.

The viewer decodes every update strictly: only the encodings it asked
for last, its zlib streams kept (Tight's reset when a rectangle says
so), every length exact; a request for the whole screen, changed or
not (16-bit, 32-bit, full), answered with all of it. After each change
it asks again until its copy of the screen equals truth's, in its own
pixel format. Prints one line
per change, "CHANGE ok N" (N rounds) or "CHANGE failed: why", and exits
0 if every round matched.
"""
import os
import socket
import struct
import subprocess
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402
from rfbwhole import compact_len, zrle_rect  # noqa: E402

RAW, TIGHT, ZRLE, DESKTOP_SIZE = 0, 7, 16, -223
COMPRESS_9 = -256 + 9
GIVE_UP = 60  # seconds without a message: the daemon is stuck

FMT32 = dict(bpp=32, depth=24, big=0, true=1, max=(255, 255, 255), shift=(16, 8, 0))
FMT16 = dict(bpp=16, depth=16, big=0, true=1, max=(31, 63, 31), shift=(11, 5, 0))
CHANGES = ["same", "16-bit", "32-bit", "raw", "level", "part", "full"]


def pixels_of(rgb, fmt):
    """An (h, w, 3) RGB array as pixel values in fmt, converted as the
    daemon converts: round(v * max / 255)."""
    v = np.zeros(rgb.shape[:2], np.uint32)
    for i in range(3):
        c = (rgb[:, :, i].astype(np.uint32) * fmt["max"][i] + 127) // 255
        v |= c << fmt["shift"][i]
    return v


def rgb_of(v):
    """Pixel values of the default format as an (h, w, 3) RGB array."""
    return np.stack([v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF], axis=-1).astype(np.uint8)


class Viewer:
    """A client's copy of the screen, as pixel values in its format."""

    def __init__(self, s, recv, w, h, encodings):
        self.s, self.recv = s, recv
        self.w, self.h = w, h
        self.fmt = FMT32
        self.encodings = encodings
        self.fb = np.zeros((h, w), np.uint32)
        self.streams = [zlib.decompressobj() for _ in range(4)]
        self.zstream = zlib.decompressobj()  # ZRLE's, never reset

    def set_format(self, fmt):
        self.fmt = fmt
        m = fmt["max"]
        self.s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, fmt["bpp"], fmt["depth"], fmt["big"],
                                   fmt["true"], m[0], m[1], m[2], *fmt["shift"]))
        self.fb[:] = 0

    def set_encodings(self, encs):
        self.encodings = [e for e in encs if e >= 0]
        encs = list(encs) + [DESKTOP_SIZE]
        self.s.sendall(struct.pack(">BxH%di" % len(encs), 2, len(encs), *encs))

    def request(self, incremental=True, y=0, h=None):
        self.s.sendall(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, y, self.w,
                                   self.h if h is None else h))

    def pixels(self, data, w, h):
        """Raw pixels of the format, little-endian, as values."""
        dt = "<u4" if self.fmt["bpp"] == 32 else "<u2"
        return np.frombuffer(data, dt).reshape(h, w).astype(np.uint32)

    def tpixels(self, data, n):
        """n TPIXELs: 3 bytes R, G, B for 8 bits a colour in 32 bits,
        else the pixel as it is."""
        if self.fmt["bpp"] == 32:
            a = np.frombuffer(data, np.uint8).reshape(n, 3).astype(np.uint32)
            return a[:, 0] << 16 | a[:, 1] << 8 | a[:, 2]
        return self.pixels(data, n, 1).reshape(n)

    def tight(self, w, h):
        recv = self.recv
        c = recv(1)[0]
        for i in range(4):
            if c & (1 << i):
                self.streams[i] = zlib.decompressobj()
        kind = c >> 4
        tb = 3 if self.fmt["bpp"] == 32 else 2
        if kind == 0x8:
            return np.full((h, w), self.tpixels(recv(tb), 1)[0], np.uint32)
        if kind & 0x8:
            raise ValueError("Tight compression type %d (no JPEG was asked for)" % kind)
        filt = recv(1)[0] if kind & 4 else 0
        palette = None
        if filt == 1:
            n = recv(1)[0] + 1
            palette = self.tpixels(recv(tb * n), n)
            size = (w + 7) // 8 * h if n == 2 else w * h
        elif filt == 0:
            size = w * h * tb
        else:
            raise ValueError("Tight filter %d" % filt)
        if size < 12:
            data = recv(size)
        else:
            data = self.streams[kind & 3].decompress(recv(compact_len(recv)))
            if len(data) != size:
                raise ValueError("Tight data of %d bytes, %d expected" % (len(data), size))
        if palette is None:
            return self.tpixels(data, w * h).reshape(h, w)
        if len(palette) == 2:
            bits = np.unpackbits(np.frombuffer(data, np.uint8).reshape(h, -1), axis=1)[:, :w]
            return palette[bits]
        return palette[np.frombuffer(data, np.uint8).reshape(h, w)]

    def cpixels(self, data, n):
        """n ZRLE CPIXELs: the pixel's 3 low bytes for 24 bits in 32,
        else the pixel as it is."""
        if self.fmt["bpp"] == 32:
            a = np.frombuffer(data, np.uint8).reshape(n, 3).astype(np.uint32)
            return a[:, 0] | a[:, 1] << 8 | a[:, 2] << 16
        return self.pixels(data, n, 1).reshape(n)

    def zrle(self, w, h):
        cb = 3 if self.fmt["bpp"] == 32 else 2
        return zrle_rect(self.recv, self.zstream, w, h, self.cpixels, cb)

    def update(self):
        """The next update; whether it covered the whole screen."""
        n = rfbsession.update_header(self.recv)
        if n is None:
            return False
        covered = np.zeros((self.h, self.w), bool)
        for _ in range(n):
            x, y, w, h, e = struct.unpack(">HHHHi", self.recv(12))
            if e not in self.encodings:
                raise ValueError("a rectangle in encoding %d, asked for %s" % (e, self.encodings))
            if x + w > self.w or y + h > self.h:
                raise ValueError("a rectangle past the screen")
            if e == RAW:
                self.fb[y:y + h, x:x + w] = self.pixels(
                    self.recv(w * h * self.fmt["bpp"] // 8), w, h)
            elif e == ZRLE:
                self.fb[y:y + h, x:x + w] = self.zrle(w, h)
            else:
                self.fb[y:y + h, x:x + w] = self.tight(w, h)
            covered[y:y + h, x:x + w] = True
        return bool(covered.all())


def gradient(w, h, seed):
    """xdraw's: each round's its own, so that a zlib stream out of step
    cannot decode one round's pixels from the last's."""
    x = np.arange(w, dtype=np.uint32)[None, :]
    y = np.arange(h, dtype=np.uint32)[:, None]
    g = np.zeros((h, w, 3), np.uint8)
    g[:, :, 0] = (x * 5 + seed) & 0xFF
    g[:, :, 1] = y * 3 & 0xFF
    g[:, :, 2] = (x ^ y) & 0xFF
    return g


def connect(host, port, encs):
    s = socket.create_connection((host, port), timeout=GIVE_UP)
    return Viewer(s, *rfbsession.start(s, encs)[1:], encs)


def main():
    host, port, xdraw, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    enc = {"tight": TIGHT, "zrle": ZRLE}[sys.argv[5]]
    truth = connect(host, port, [RAW])
    viewer = connect(host, port, [enc])
    gw, gh = 240, 160
    results = {c: 0 for c in CHANGES}

    def same_as_truth():
        return np.array_equal(viewer.fb, pixels_of(rgb_of(truth.fb), viewer.fmt))

    try:
        truth.update()  # the first, whole pictures
        viewer.update()
        for k in range(rounds * len(CHANGES)):
            change = CHANGES[k % len(CHANGES)]
            at = 8 + 37 * k % (min(truth.w - gw, truth.h - gh) - 8)
            seed = 17 * k % 256
            want = pixels_of(gradient(gw, gh, seed + 2), FMT32)
            subprocess.run(
                [xdraw, "gradient", str(at), str(at), str(gw), str(gh), str(seed), "3"], check=True)
            while not np.array_equal(truth.fb[at:at + gh, at:at + gw], want):
                truth.request()
                truth.update()
            whole = change in ("16-bit", "32-bit", "full")
            if change == "16-bit":
                viewer.set_format(FMT16)
            elif change == "32-bit":
                viewer.set_format(FMT32)
            if whole:
                viewer.request(incremental=False)
            elif change == "raw":
                viewer.set_encodings([RAW])
                viewer.request()
            elif change == "level":
                viewer.set_encodings([enc, COMPRESS_9])
                viewer.request()
            elif change == "part":
                # down to the middle of the new gradient: some of its
                # damage, not all
                viewer.request(h=at + gh // 2)
                viewer.update()
                viewer.request()
            else:
                viewer.request()
            if not viewer.update() and whole:
                raise ValueError("a request for the whole screen answered with part of it")
            while not same_as_truth():
                viewer.request()
                viewer.update()
            results[change] += 1
    except (EOFError, OSError, ValueError, IndexError, struct.error, zlib.error,
            subprocess.CalledProcessError) as err:
        print("%s failed: %s" % (change, err), flush=True)
        return 1
    for c in CHANGES:
        print("%s ok %d" % (c, results[c]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
