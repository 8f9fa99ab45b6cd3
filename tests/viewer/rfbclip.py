#!/usr/bin/env python3
"""rfbclip: RFB cut text, as a VNC viewer's clipboard carries it.

    rfbclip.py HOST PORT TIMEOUT recv [EXPECT_HEX]
        print "ready" once the session is up, then "cut HEX" for every
        ServerCutText; exit 0 at the first equal to EXPECT_HEX (without
        it: when TIMEOUT seconds pass), 1 at the timeout
    rfbclip.py HOST PORT TIMEOUT send HEX
        send one ClientCutText with these bytes (Latin-1, as RFB has it),
        then print "sent"

Raw encoding only, one full update asked for: what else arrives is read
and skipped.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402


def main():
    host, port, timeout, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    arg = sys.argv[5] if len(sys.argv) > 5 else None
    s = socket.create_connection((host, port), timeout=timeout)
    f, recv, w, h = rfbsession.start(s, [0])
    if mode == "send":
        data = bytes.fromhex(arg)
        s.sendall(struct.pack(">BxxxI", 6, len(data)) + data)
        print("sent", flush=True)
        # the server reads it before it sees us go
        s.shutdown(socket.SHUT_WR)
        try:
            while f.read(4096):
                pass
        except OSError:
            pass
        return 0
    print("ready", flush=True)
    want = bytes.fromhex(arg) if arg is not None else None
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return 0 if want is None else 1
        s.settimeout(left)
        try:
            t = recv(1)[0]
        except (socket.timeout, TimeoutError):
            return 0 if want is None else 1
        if t == 0:
            recv(1)
            (n,) = struct.unpack(">H", recv(2))
            for _ in range(n):
                x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
                if enc == 0:
                    recv(rw * rh * 4)
                elif enc != rfbsession.DESKTOP_SIZE:
                    print("unexpected encoding %d" % enc, flush=True)
                    return 2
        elif t == 1:
            recv(3)
            (n,) = struct.unpack(">H", recv(2))
            recv(6 * n)
        elif t == 2:
            pass
        elif t == 3:
            recv(3)
            (n,) = struct.unpack(">I", recv(4))
            data = recv(n)
            print("cut", data.hex(), flush=True)
            if want is not None and data == want:
                return 0
        else:
            print("unexpected message %d" % t, flush=True)
            return 2


if __name__ == "__main__":
    sys.exit(main())
