#!/usr/bin/env python3
"""rfbclip: RFB cut text, as a VNC viewer's clipboard carries it.

    rfbclip.py HOST PORT TIMEOUT recv [EXPECT_HEX]
        print "ready" once the session is up, then "cut HEX" for every
        ServerCutText; exit 0 at the first equal to EXPECT_HEX (without
        it: when TIMEOUT seconds pass), 1 at the timeout
    rfbclip.py HOST PORT TIMEOUT send HEX
        send one ClientCutText with these bytes (Latin-1, as RFB has it),
        then print "sent"
    rfbclip.py HOST PORT TIMEOUT recv-ext EXPECT_HEX
    rfbclip.py HOST PORT TIMEOUT send-ext HEX
    rfbclip.py HOST PORT TIMEOUT send-ext bomb|broken
        the same with the extended clipboard (rfbproto: the pseudo-
        encoding 0xc0a1e5ce, caps, then notify, request and provide, the
        text UTF-8 with CRLF line ends and a NUL, deflated): recv-ext
        prints "ready" after the server's caps, answers its notify with a
        request and prints "cut HEX" for each text provided (as UTF-8,
        CRLF made LF, no NUL), "latin1 HEX" for plain cut text; send-ext
        notifies, provides the UTF-8 bytes HEX (LF sent as CRLF) when the
        server asks, and prints "sent"; "bomb" provides 64 MB of text
        deflated to some 64 KB, "broken" a stream that is not zlib

Raw encoding only, one full update asked for: what else arrives is read
and skipped.
"""
import os
import socket
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402


EXT_CLIP = -1063131698  # 0xc0a1e5ce
TEXT, CAPS, REQUEST, PEEK, NOTIFY, PROVIDE = 1, 1 << 24, 1 << 25, 1 << 26, 1 << 27, 1 << 28


def ext_cut(s, flags, data=b""):
    s.sendall(struct.pack(">Bxxxi", 6, -(4 + len(data))) + struct.pack(">I", flags) + data)


def skip_update(recv):
    recv(1)
    (n,) = struct.unpack(">H", recv(2))
    for _ in range(n):
        x, y, rw, rh, enc = struct.unpack(">HHHHi", recv(12))
        if enc == 0:
            recv(rw * rh * 4)
        elif enc != rfbsession.DESKTOP_SIZE:
            raise ValueError("unexpected encoding %d" % enc)


def extended(s, recv, timeout, mode, arg):
    end = time.monotonic() + timeout
    want = bytes.fromhex(arg) if arg not in ("bomb", "broken") else b""
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            t = recv(1)[0]
        except (socket.timeout, TimeoutError):
            break
        if t == 0:
            skip_update(recv)
            continue
        if t != 3:
            print("unexpected message %d" % t, flush=True)
            return 2
        recv(3)
        (n,) = struct.unpack(">i", recv(4))
        if n >= 0:
            print("latin1", recv(n).hex(), flush=True)
            continue
        data = recv(-n)
        (flags,) = struct.unpack(">I", data[:4])
        action = flags & 0xff000000
        if action & CAPS:  # with the actions it takes
            # ours: text, and every action
            ext_cut(s, CAPS | REQUEST | PEEK | NOTIFY | PROVIDE | TEXT, struct.pack(">I", 0))
            if mode == "send-ext":
                ext_cut(s, NOTIFY | TEXT)
            else:
                print("ready", flush=True)
        elif action == NOTIFY and flags & TEXT and mode == "recv-ext":
            ext_cut(s, REQUEST | TEXT)
        elif action == REQUEST and flags & TEXT and mode == "send-ext":
            text = want.replace(b"\n", b"\r\n") + b"\0"
            data = zlib.compress(struct.pack(">I", len(text)) + text)
            if arg == "bomb":
                n = 64 << 20
                z = zlib.compressobj(9)
                data = z.compress(struct.pack(">I", n)) + z.compress(b"a" * n) + z.flush()
            elif arg == "broken":
                data = b"not zlib at all" * 4
            ext_cut(s, PROVIDE | TEXT, data)
            print("sent", flush=True)
            s.shutdown(socket.SHUT_WR)
            return 0
        elif action == PROVIDE and flags & TEXT:
            raw = zlib.decompress(data[4:])
            (size,) = struct.unpack(">I", raw[:4])
            text = raw[4:4 + size]
            if not text.endswith(b"\0"):
                print("provide without its NUL", flush=True)
                return 2
            text = text[:-1].replace(b"\r\n", b"\n")
            print("cut", text.hex(), flush=True)
            if text == want:
                return 0
    print("timeout", flush=True)
    return 1


def main():
    host, port, timeout, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    arg = sys.argv[5] if len(sys.argv) > 5 else None
    s = socket.create_connection((host, port), timeout=timeout)
    if mode in ("recv-ext", "send-ext"):
        f, recv, w, h = rfbsession.start(s, [0, EXT_CLIP])
        return extended(s, recv, timeout, mode, arg)
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
            try:
                skip_update(recv)
            except ValueError as e:
                print(e, flush=True)
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
