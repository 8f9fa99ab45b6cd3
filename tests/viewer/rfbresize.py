#!/usr/bin/env python3
"""rfbresize: a VNC client that asks the server for a size (SetDesktopSize,
rfbproto 7.5.10), as TigerVNC's "resize remote session" and noVNC's
"remote resizing" do.

    rfbresize.py HOST PORT W H SECONDS [--no-screens]

Opens a session asking for Raw, DesktopSize and ExtendedDesktopSize,
keeps an update request outstanding and prints each size it is told:
    ext WxH reason R status S screens N    (ExtendedDesktopSize)
    size WxH                               (DesktopSize)
After the first ExtendedDesktopSize it sends SetDesktopSize W H with one
screen (--no-screens: with none, an invalid layout). It stops after the
answer to its request (reason 1) when that is a refusal, else once the
new size came, as the server's own ExtendedDesktopSize (reason 0) after
the answer or as a DesktopSize (printed "size WxH"; another size than
asked: the guest clamped it), or after SECONDS: "timeout".
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402

RAW, DESKTOP_SIZE, EXT_DESKTOP_SIZE = 0, -223, -308


def main():
    host, port, want_w, want_h, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), float(sys.argv[5])
    no_screens = "--no-screens" in sys.argv
    s = socket.create_connection((host, port), timeout=secs)
    f, recv, w, h = rfbsession.start(s, [RAW, DESKTOP_SIZE, EXT_DESKTOP_SIZE])
    deadline = time.monotonic() + secs
    asked = answered = False
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            nr = rfbsession.update_header(recv)
        except (socket.timeout, OSError):
            break
        except ValueError as e:
            sys.exit("rfbresize: %s" % e)
        if nr is None:
            continue
        done = False
        for _ in range(nr):
            x, y, rw, rh, e = struct.unpack(">HHHHi", recv(12))
            if e == RAW:
                recv(rw * rh * 4)
            elif e == DESKTOP_SIZE:
                w, h = rw, rh
                print("size %dx%d" % (rw, rh), flush=True)
                done = answered and (rw, rh) != (0, 0)
            elif e == EXT_DESKTOP_SIZE:
                n = recv(4)[0]
                recv(16 * n)
                print("ext %dx%d reason %d status %d screens %d" % (rw, rh, x, y, n), flush=True)
                if x == 0:
                    w, h = rw, rh
                if x == 0 and answered:
                    # the server's own change, after the answer: the size
                    print("size %dx%d" % (rw, rh), flush=True)
                    done = True
                if x == 1:
                    answered = True
                    done = y != 0
                if not asked:
                    asked = True
                    screens = 0 if no_screens else 1
                    msg = struct.pack(">BxHHBx", 251, want_w, want_h, screens)
                    if screens:
                        msg += struct.pack(">IHHHHI", 0, 0, 0, want_w, want_h, 0)
                    s.sendall(msg)
            else:
                sys.exit("rfbresize: unexpected encoding %d" % e)
        if done:
            return 0
        s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("timeout", flush=True)
    return 1


sys.exit(main())
