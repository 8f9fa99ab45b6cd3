#!/usr/bin/env python3
"""rfbwhole: a VNC viewer that checks every picture it is shown is whole.

    rfbwhole.py HOST PORT raw|tight|jpeg|zrle SECONDS

For an animation whose every frame is one colour (`xdraw frames`: grey
0x404040 and 0xc0c0c0 in turn, then red): connects asking for Raw, for
lossless Tight, for Tight with JPEG at quality level 8 (what TigerVNC's
viewer asks for) or for ZRLE, keeps its own copy of the screen and one incremental
update request outstanding, as viewers do, and after each
FramebufferUpdate looks at the whole copy. Once a grey picture has been
shown, every later picture must be one colour too (within what JPEG
changes); one that is not mixes two frames: torn.

Prints "ready" once the first update has arrived, and at the first red
picture one line "frames N torn T" (N pictures of one grey, T torn) and
exits 0; "timeout" or "closed" (exit 1) otherwise.
"""
import os
import socket
import struct
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402

RAW, TIGHT, ZRLE, DESKTOP_SIZE = 0, 7, 16, -223
JPEG_QUALITY_8 = -32 + 8


def compact_len(recv):
    n, shift = 0, 0
    for _ in range(3):
        b = recv(1)[0]
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return n


def tight_rect(recv, streams, w, h):
    """One Tight rectangle as an (h, w, 3) RGB array."""
    c = recv(1)[0]
    for i in range(4):
        if c & (1 << i):
            streams[i] = zlib.decompressobj()
    kind = c >> 4
    if kind == 0x8:  # fill
        return np.broadcast_to(np.frombuffer(recv(3), np.uint8), (h, w, 3))
    if kind == 0x9:  # JPEG
        from io import BytesIO

        from PIL import Image

        img = Image.open(BytesIO(recv(compact_len(recv)))).convert("RGB")
        return np.asarray(img, np.uint8).reshape(h, w, 3)
    if kind & 0x8:
        raise ValueError("Tight compression type %d" % kind)
    stream = kind & 3
    filt = recv(1)[0] if kind & 4 else 0
    palette = None
    if filt == 1:
        n = recv(1)[0] + 1
        palette = np.frombuffer(recv(3 * n), np.uint8).reshape(n, 3)
        size = (w + 7) // 8 * h if n == 2 else w * h
    elif filt == 0:
        size = w * h * 3
    else:
        raise ValueError("Tight filter %d" % filt)
    if size < 12:
        data = recv(size)
    else:
        data = streams[stream].decompress(recv(compact_len(recv)))
        if len(data) != size:
            raise ValueError("Tight data of %d bytes, %d expected" % (len(data), size))
    if palette is None:
        return np.frombuffer(data, np.uint8).reshape(h, w, 3)
    if len(palette) == 2:
        bits = np.unpackbits(np.frombuffer(data, np.uint8).reshape(h, -1), axis=1)[:, :w]
        return palette[bits]
    return palette[np.frombuffer(data, np.uint8).reshape(h, w)]


def bgr_cpixels(data, k):
    """k CPIXELs of our little-endian 32-bit format (blue, green, red) as
    a (k, 3) RGB array."""
    return np.frombuffer(data, np.uint8).reshape(k, 3)[:, ::-1]


def zrle_rect(recv, stream, w, h, cpixels=bgr_cpixels, cpixel_bytes=3):
    """One ZRLE rectangle as an (h, w, ...) array of what cpixels(data, k)
    makes of k CPIXELs of cpixel_bytes each: by default (h, w, 3) RGB."""
    (n,) = struct.unpack(">I", recv(4))
    data = stream.decompress(recv(n))
    pos = 0

    def take(k):
        nonlocal pos
        b = data[pos:pos + k]
        if len(b) != k:
            raise ValueError("ZRLE data ends early")
        pos += k
        return b

    def px(k):
        return cpixels(take(cpixel_bytes * k), k)

    def run_length():
        n = 1
        while True:
            b = take(1)[0]
            n += b
            if b != 255:
                return n

    out = None
    for ty in range(0, h, 64):
        for tx in range(0, w, 64):
            tw, th = min(64, w - tx), min(64, h - ty)
            sub = take(1)[0]
            if sub == 0:
                a = px(tw * th)
                tile = a.reshape((th, tw) + a.shape[1:])
            elif sub == 1:
                one = px(1)[0]
                tile = np.broadcast_to(one, (th, tw) + np.shape(one))
            elif 2 <= sub <= 16:
                pal = px(sub)
                bits = 1 if sub == 2 else 2 if sub <= 4 else 4
                row = (tw * bits + 7) // 8
                packed = np.frombuffer(take(row * th), np.uint8).reshape(th, row)
                idx = np.unpackbits(packed, axis=1).reshape(th, row * 8 // bits, bits)
                idx = idx.dot(1 << np.arange(bits - 1, -1, -1))[:, :tw]
                tile = pal[idx]
            elif sub == 128 or sub >= 130:
                pal = px(sub - 128) if sub >= 130 else None
                flat = None
                i = 0
                while i < tw * th:
                    if pal is None:
                        p, k = px(1)[0], run_length()
                    else:
                        b = take(1)[0]
                        p, k = pal[b & 0x7F], run_length() if b & 0x80 else 1
                    if flat is None:
                        flat = np.zeros((tw * th,) + np.shape(p), np.asarray(p).dtype)
                    flat[i:i + k] = p
                    i += k
                tile = flat.reshape((th, tw) + flat.shape[1:])
            else:
                raise ValueError("ZRLE subencoding %d" % sub)
            if out is None:
                out = np.zeros((h, w) + tile.shape[2:], tile.dtype)
            out[ty:ty + th, tx:tx + tw] = tile
    if pos != len(data):
        raise ValueError("ZRLE data of %d bytes, %d read" % (len(data), pos))
    return out


def main():
    host, port, enc, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    encs = {"raw": [RAW], "tight": [TIGHT], "jpeg": [TIGHT, JPEG_QUALITY_8], "zrle": [ZRLE]}[enc]
    tol = 40 if enc == "jpeg" else 0
    s = socket.create_connection((host, port), timeout=secs)
    f, recv, w, h = rfbsession.start(s, encs)
    fb = np.zeros((h, w, 3), np.uint8)
    streams = [zlib.decompressobj() for _ in range(4)]
    zstream = zlib.decompressobj()
    end = time.monotonic() + secs
    ready = started = False
    frames = torn = 0
    while time.monotonic() < end:
        try:
            t = recv(1)[0]
            if t in (2, 3):  # bell, cut text
                if t == 3:
                    recv(3)
                    recv(struct.unpack(">I", recv(4))[0])
                continue
            if t != 0:
                print("closed unexpected message %d" % t, flush=True)
                return 1
            recv(1)
            (n,) = struct.unpack(">H", recv(2))
            for _ in range(n):
                x, y, rw, rh, e = struct.unpack(">HHHHi", recv(12))
                if e == DESKTOP_SIZE:
                    w, h = rw, rh
                    fb = np.zeros((h, w, 3), np.uint8)
                elif e == RAW:
                    px = np.frombuffer(recv(rw * rh * 4), np.uint8).reshape(rh, rw, 4)
                    fb[y:y + rh, x:x + rw] = px[:, :, 2::-1]
                elif e == TIGHT:
                    fb[y:y + rh, x:x + rw] = tight_rect(recv, streams, rw, rh)
                elif e == ZRLE:
                    fb[y:y + rh, x:x + rw] = zrle_rect(recv, zstream, rw, rh)
                else:
                    print("closed unexpected encoding %d" % e, flush=True)
                    return 1
        except (EOFError, OSError, ValueError) as err:
            print("closed %s" % err, flush=True)
            return 1
        s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
        if not ready:
            print("ready", flush=True)
            ready = True
        lo = fb.min(axis=(0, 1)).astype(int)
        hi = fb.max(axis=(0, 1)).astype(int)
        whole = int((hi - lo).max()) <= tol
        mid = (lo + hi) // 2
        red = whole and mid[0] > 0xC0 and mid[1] < 0x40 and mid[2] < 0x40
        grey = whole and abs(mid[0] - mid[1]) <= tol and abs(mid[1] - mid[2]) <= tol
        if started and red:
            print("frames %d torn %d" % (frames, torn), flush=True)
            return 0
        if grey:
            started = True
            frames += 1
        elif started:
            torn += 1
            print("torn: colours from %s to %s" % (lo.tolist(), hi.tolist()), flush=True)
    print("timeout", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
