#!/usr/bin/env python3
"""rfbtimes: a VNC client that stamps every frame it receives.

    rfbtimes.py HOST PORT

Asks for the whole screen in raw encoding, keeps one incremental update
request outstanding (as viewers do) and prints, for every
FramebufferUpdate, one line:
    TIME RRGGBB
TIME in seconds since the epoch (as `date +%s.%N`), RRGGBB the first
pixel of its first rectangle ("-" when it carried none). Runs until the
server closes the connection or it is killed.
"""
import socket
import struct
import sys
import time


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=30)
    s.settimeout(None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb", buffering=1 << 20)

    def recv(n):
        b = f.read(n)
        if len(b) != n:
            raise EOFError
        return b

    recv(12)
    s.sendall(b"RFB 003.008\n")
    n = recv(1)[0]
    if n == 0:
        sys.exit("rfbtimes: refused: " + recv(struct.unpack(">I", recv(4))[0]).decode())
    if 1 not in recv(n):
        sys.exit("rfbtimes: the server wants authentication")
    s.sendall(bytes([1]))
    if struct.unpack(">I", recv(4))[0] != 0:
        sys.exit("rfbtimes: security handshake failed")
    s.sendall(bytes([1]))  # shared: other viewers stay connected
    init = recv(24)
    w, h = struct.unpack(">HH", init[:4])
    recv(struct.unpack(">I", init[20:24])[0])
    # 32 bpp, depth 24, little endian, true colour, r/g/b at 16/8/0
    s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
    s.sendall(struct.pack(">BxHii", 2, 2, 0, -223))  # raw, DesktopSize
    s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
    while True:
        t, = struct.unpack(">B", recv(1))
        if t == 0:
            recv(1)
            nr, = struct.unpack(">H", recv(2))
            first = "-"
            for _ in range(nr):
                x, y, rw, rh, e = struct.unpack(">HHHHi", recv(12))
                if e == 0:
                    px = recv(rw * rh * 4)
                    if first == "-" and px:
                        first = "%06x" % (struct.unpack("<I", px[:4])[0] & 0xffffff)
                elif e == -223:
                    w, h = rw, rh
                else:
                    sys.exit("rfbtimes: unexpected encoding %d" % e)
            print("%.6f %s" % (time.time(), first), flush=True)
            s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
        elif t == 2:
            pass
        elif t == 3:
            recv(3)
            recv(struct.unpack(">I", recv(4))[0])
        else:
            sys.exit("rfbtimes: unexpected message %d" % t)


try:
    main()
except (EOFError, ConnectionError, KeyboardInterrupt):
    pass
