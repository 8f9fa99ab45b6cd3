#!/usr/bin/env python3
"""rfbframes: a VNC viewer that says what each update leaves on its screen.

    rfbframes.py HOST PORT WIDTH HEIGHT SECONDS

Connects (raw encoding, DesktopSize), keeps its own copy of the screen and
one incremental update request outstanding, as viewers do, and prints one
line per FramebufferUpdate once "ready" was printed:

    frame T WxH black|picture

T is the time in ms since "ready", black when every pixel of the copy is
0. It ends with "reached" (exit 0) at the first picture of WIDTH x HEIGHT
that is not black, or "timeout" (exit 1) after SECONDS, or "closed"
(exit 1) when the server hangs up. "ready" comes once the first full
update has arrived.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402


def main():
    host, port, want_w, want_h, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), float(sys.argv[5])
    s = socket.create_connection((host, port), timeout=secs)
    f, recv, w, h = rfbsession.start(s, [0])
    fb = bytearray(w * h * 4)
    end = time.monotonic() + secs
    t0 = None
    while time.monotonic() < end:
        try:
            t = recv(1)[0]
        except (EOFError, OSError):
            print("closed", flush=True)
            return 1
        if t != 0:
            if t == 2:  # bell
                continue
            if t == 3:  # server cut text
                recv(3)
                recv(struct.unpack(">I", recv(4))[0])
                continue
            print("closed unexpected message %d" % t, flush=True)
            return 1
        recv(1)
        n, = struct.unpack(">H", recv(2))
        for _ in range(n):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
            if enc == rfbsession.DESKTOP_SIZE:
                w, h = rw, rh
                fb = bytearray(w * h * 4)
            elif enc == 0:
                data = recv(rw * rh * 4)
                for row in range(rh):
                    o = ((y + row) * w + x) * 4
                    fb[o:o + rw * 4] = data[row * rw * 4:(row + 1) * rw * 4]
            else:
                print("closed unexpected encoding %d" % enc, flush=True)
                return 1
        now = time.monotonic()
        if t0 is None:
            t0 = now
            print("ready", flush=True)
        black = not any(fb)
        print("frame %d %dx%d %s" % ((now - t0) * 1000, w, h, "black" if black else "picture"),
              flush=True)
        if (w, h) == (want_w, want_h) and not black:
            print("reached", flush=True)
            return 0
        s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("timeout", flush=True)
    return 1


sys.exit(main())
