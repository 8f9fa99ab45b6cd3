#!/usr/bin/python3
"""xfbvnc: the VNC client of the real-Xen tier, in dom0 (python3 only).

    xfbvnc.py shot PORT SAVE [GUESTDESC]
                                  one full picture (Raw encoding): keeps
                                  its bgr bytes in SAVE and its
                                  description (xfbpix.describe) in
                                  SAVE.desc; prints it, or with GUESTDESC
                                  compares (as compare does)
    xfbvnc.py compare VNCDESC GUESTDESC
                                  "same", or how the two descriptions
                                  differ and "tile TX TY" for each
                                  differing tile (exit 1)
    xfbvnc.py pixel SAVE X Y      the colour of pixel X,Y in SAVE (RRGGBB)
    xfbvnc.py tilediff SAVE TX TY B64
                                  the pixels of tile (TX, TY) that differ
                                  between SAVE and the guest's (base64)
    xfbvnc.py pointer PORT X Y [BUTTONS]
                                  move the pointer to X,Y, then press and
                                  release each button (1 left, 2 middle,
                                  3 right) there

Port on 127.0.0.1. Exits 1 with a message when the server goes away.
"""
import socket
import struct
import sys
import time

sys.path.insert(0, "/opt/xfb")
import rfbsession  # noqa: E402
import xfbpix  # noqa: E402

RAW, DESKTOP_SIZE = 0, -223


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    return s, rfbsession.start(s, [RAW])


def skip_message(recv, t):
    if t == 2:  # bell
        return
    if t == 3:  # server cut text
        recv(3)
        recv(struct.unpack(">I", recv(4))[0])
        return
    raise EOFError("unexpected server message %d" % t)


def shot(port, save, guest=None):
    s, (f, recv, w, h) = connect(port)
    fb = bytearray(w * h * 4)
    seen = bytearray(w * h)
    while seen.count(0):
        t = recv(1)[0]
        if t != 0:
            skip_message(recv, t)
            continue
        recv(1)
        for _ in range(struct.unpack(">H", recv(2))[0]):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
            if enc == DESKTOP_SIZE:
                w, h = rw, rh
                fb = bytearray(w * h * 4)
                seen = bytearray(w * h)
                s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
                continue
            if enc != RAW:
                raise EOFError("encoding %d not asked for" % enc)
            data = recv(rw * rh * 4)
            if x + rw > w or y + rh > h:
                raise EOFError("rectangle %dx%d+%d+%d outside %dx%d" % (rw, rh, x, y, w, h))
            for r in range(rh):
                o = (y + r) * w + x
                fb[o * 4:(o + rw) * 4] = data[r * rw * 4:(r + 1) * rw * 4]
                seen[o:o + rw] = b"\1" * rw
    s.close()
    pix = xfbpix.bgr(w, h, fb, w * 4)
    with open(save, "wb") as out:
        out.write(struct.pack("<II", w, h) + pix)
    desc = xfbpix.describe(w, h, pix)
    with open(save + ".desc", "w") as out:
        out.write(desc)
    if guest is None:
        sys.stdout.write(desc)
        return 0
    return compare(save + ".desc", guest)


def pixel(save, x, y):
    data = open(save, "rb").read()
    w, h = struct.unpack("<II", data[:8])
    if not (0 <= x < w and 0 <= y < h):
        sys.exit("xfbvnc: %d,%d is outside %dx%d" % (x, y, w, h))
    b, g, r = data[8 + (y * w + x) * 3:11 + (y * w + x) * 3]
    print("%02x%02x%02x" % (r, g, b))


def compare(a, b):
    d = xfbpix.diff(open(a).read(), open(b).read())
    if d is None:
        print("same")
        return 0
    print("\n".join(d))
    for tx, ty in d.tiles:
        print("tile %d %d" % (tx, ty))
    return 1


def tilediff(save, tx, ty, b64):
    import base64
    data = open(save, "rb").read()
    w, h = struct.unpack("<II", data[:8])
    mine = xfbpix.tile_bytes(w, h, data[8:], tx, ty)
    print(xfbpix.tile_diff(tx, ty, w, mine, base64.b64decode(b64)))


def pointer(port, x, y, buttons):
    s, _ = connect(port)

    def ev(mask):
        s.sendall(struct.pack(">BBHH", 5, mask, x, y))
        time.sleep(0.05)

    ev(0)
    for b in buttons:
        ev(1 << (b - 1))
        ev(0)
    time.sleep(0.3)
    s.close()


def main():
    a = sys.argv[1:]
    try:
        if a[:1] == ["shot"] and len(a) in (3, 4):
            sys.exit(shot(int(a[1]), a[2], *a[3:]))
        elif a[:1] == ["pixel"] and len(a) == 4:
            pixel(a[1], int(a[2]), int(a[3]))
        elif a[:1] == ["compare"] and len(a) == 3:
            sys.exit(compare(a[1], a[2]))
        elif a[:1] == ["tilediff"] and len(a) == 5:
            tilediff(a[1], int(a[2]), int(a[3]), a[4])
        elif a[:1] == ["pointer"] and len(a) >= 4:
            pointer(int(a[1]), int(a[2]), int(a[3]), [int(b) for b in a[4:]])
        else:
            sys.exit(__doc__)
    except (OSError, EOFError) as e:
        sys.exit("xfbvnc: %s" % e)


main()
