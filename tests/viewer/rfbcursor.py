#!/usr/bin/env python3
"""rfbcursor: a VNC viewer that asks for the cursor pseudo-encoding and
says what the server sent: the cursor, the pixels, the updates.

    rfbcursor.py HOST PORT SECONDS shape X Y R [--no-cursor] [--want WxH]
                 [--want-not WxH] [--want-mixed]
    rfbcursor.py HOST PORT SECONDS count MX MY MW MH [--no-cursor]
    rfbcursor.py HOST PORT SECONDS composite X1 Y1 X2 Y2 R RRGGBB

shape: raw encoding plus Cursor (-239) (without it with --no-cursor);
waits for the first full frame and, unless --no-cursor, for a cursor of
some size (of that size, 0x0 included, with --want, of another with --want-not: the
guest's change may reach the server after we connect), and with
--want-mixed until the square holds more than one colour; prints
    cursor W H HX HY OPAQUE SOURCE
(OPAQUE: pixels of the mask set; SOURCE: RRGGBB of the first opaque
pixel) and
    area uniform RRGGBB | area mixed N
for the square of side 2R+1 around X, Y in the frame.

count: prints "ready" once the first full frame is in, then reads every
update, one incremental request outstanding, until a rectangle touches
the marker MX MY MW MH that the test draws last; prints
    rects N pixels P cursors C
for what came before the marker and did not touch it. With --no-cursor
it does not ask for the cursor and moves the pointer before each request
(a viewer that moves its pointer while nothing changes must still get
the next change).

composite: raw encoding without Cursor, as viewers that cannot draw a
cursor; puts the pointer at X1, Y1 and waits until the square of side
2R+1 around it holds the colour RRGGBB (the cursor drawn into its
pixels by the server): prints "drawn at X1 Y1"; then moves the pointer to
X2, Y2 and waits until the colour is there and gone from the first
square: prints "moved to X2 Y2".

Exits 1 with "timeout" after SECONDS, "closed" when the server hangs up.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402

CURSOR = -239


def touches(x, y, w, h, m):
    mx, my, mw, mh = m
    return x < mx + mw and mx < x + w and y < my + mh and my < y + h


def square_has(fb, w, h, cx, cy, r, colour):
    for yy in range(max(0, cy - r), min(h, cy + r + 1)):
        for xx in range(max(0, cx - r), min(w, cx + r + 1)):
            o = (yy * w + xx) * 4
            if struct.unpack("<I", fb[o:o + 4])[0] & 0xffffff == colour:
                return True
    return False


def composite(host, port, secs, pos, colour):
    x1, y1, x2, y2, r = pos
    s = socket.create_connection((host, port), timeout=secs)
    f, recv, w, h = rfbsession.start(s, [0])
    fb = bytearray(w * h * 4)
    end = time.monotonic() + secs
    s.sendall(struct.pack(">BBHH", 5, 0, x1, y1))
    stage = 0
    while time.monotonic() < end:
        try:
            n = rfbsession.update_header(recv)
        except (EOFError, OSError, ValueError):
            print("closed", flush=True)
            return 1
        if n is None:
            continue
        for _ in range(n):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
            if enc != 0:
                print("closed unexpected encoding %d" % enc, flush=True)
                return 1
            data = recv(rw * rh * 4)
            for row in range(rh):
                o = ((y + row) * w + x) * 4
                fb[o:o + rw * 4] = data[row * rw * 4:(row + 1) * rw * 4]
        if stage == 0 and square_has(fb, w, h, x1, y1, r, colour):
            print("drawn at %d %d" % (x1, y1), flush=True)
            s.sendall(struct.pack(">BBHH", 5, 0, x2, y2))
            stage = 1
        elif stage == 1 and square_has(fb, w, h, x2, y2, r, colour) and \
                not square_has(fb, w, h, x1, y1, r, colour):
            print("moved to %d %d" % (x2, y2), flush=True)
            return 0
        s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("timeout", flush=True)
    return 1


def main():
    host, port, secs, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    args = [a for a in sys.argv[5:] if not a.startswith("--")]
    want_cursor = mode == "shape" and "--no-cursor" not in sys.argv
    opt = dict(zip(sys.argv[5:], sys.argv[6:]))
    want = opt.get("--want")
    want_not = opt.get("--want-not")
    args = [a for a in args if a not in (want, want_not)]
    want_mixed = "--want-mixed" in sys.argv
    if mode == "composite":
        return composite(host, port, secs, [int(a) for a in args[:5]], int(args[5], 16))
    s = socket.create_connection((host, port), timeout=secs)
    moving = mode == "count" and "--no-cursor" in sys.argv
    f, recv, w, h = rfbsession.start(s, [0] + ([CURSOR] if want_cursor or
                                               (mode == "count" and not moving) else []))
    fb = bytearray(w * h * 4)
    end = time.monotonic() + secs
    full = False
    cursor = None
    marker = tuple(int(a) for a in args[:4]) if mode == "count" else None
    rects = pixels = cursors = 0
    printed_ready = False
    while time.monotonic() < end:
        try:
            n = rfbsession.update_header(recv)
        except (EOFError, OSError):
            print("closed", flush=True)
            return 1
        except ValueError as e:
            print("closed %s" % e, flush=True)
            return 1
        if n is None:
            continue
        hit = False
        for _ in range(n):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
            if enc == rfbsession.DESKTOP_SIZE:
                w, h = rw, rh
                fb = bytearray(w * h * 4)
                full = False
            elif enc == CURSOR:
                px = recv(rw * rh * 4)
                mask = recv((rw + 7) // 8 * rh)
                cursors += 1
                opaque, src = 0, None
                for yy in range(rh):
                    for xx in range(rw):
                        if mask[yy * ((rw + 7) // 8) + xx // 8] & (0x80 >> (xx % 8)):
                            opaque += 1
                            if src is None:
                                v = struct.unpack("<I", px[(yy * rw + xx) * 4:][:4])[0]
                                src = v & 0xffffff
                cursor = (rw, rh, x, y, opaque, src or 0)
            elif enc == 0:
                data = recv(rw * rh * 4)
                for row in range(rh):
                    o = ((y + row) * w + x) * 4
                    fb[o:o + rw * 4] = data[row * rw * 4:(row + 1) * rw * 4]
                if (x, y, rw, rh) == (0, 0, w, h):
                    full = True
                if marker and full:
                    if printed_ready and touches(x, y, rw, rh, marker):
                        hit = True
                    elif printed_ready:
                        rects += 1
                        pixels += rw * rh
            else:
                print("closed unexpected encoding %d" % enc, flush=True)
                return 1
        size = "%dx%d" % cursor[:2] if cursor else None
        cursor_ok = not want_cursor or (cursor and (size == want if want else cursor[0]) and
                                        (not want_not or size != want_not))
        if mode == "shape" and full and cursor_ok:
            cx, cy, r = int(args[0]), int(args[1]), int(args[2])
            colours = set()
            for yy in range(max(0, cy - r), min(h, cy + r + 1)):
                for xx in range(max(0, cx - r), min(w, cx + r + 1)):
                    o = (yy * w + xx) * 4
                    colours.add(struct.unpack("<I", fb[o:o + 4])[0] & 0xffffff)
            if want_mixed and len(colours) < 2:
                s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
                continue
            if cursor:
                print("cursor %d %d %d %d %d %06x" % cursor, flush=True)
            if len(colours) == 1:
                print("area uniform %06x" % colours.pop(), flush=True)
            else:
                print("area mixed %d" % len(colours), flush=True)
            return 0
        if mode == "count":
            if hit:
                print("rects %d pixels %d cursors %d" % (rects, pixels, cursors), flush=True)
                return 0
            if full and not printed_ready:
                printed_ready = True
                print("ready", flush=True)
        if moving and printed_ready:
            s.sendall(struct.pack(">BBHH", 5, 0, 10 + rects % 2, 10))
        s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("timeout", flush=True)
    return 1


sys.exit(main())
