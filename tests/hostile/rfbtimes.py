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
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=30)
    s.settimeout(None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        f, recv, w, h = rfbsession.start(s, [0])
    except EOFError as e:
        sys.exit("rfbtimes: %s" % e)
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
