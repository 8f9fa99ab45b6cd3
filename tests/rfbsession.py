"""rfbsession: the opening of an RFB 3.8 session, as the VNC clients of the
tests and benchmarks (bench/rfbcount.py, bench/load/rfbwatch.py,
tests/hostile/rfbtimes.py) all need it: no authentication, a shared
session (other viewers stay connected), 32-bit pixels with red, green
and blue at 16/8/0, the encodings asked for plus DesktopSize, and a first
full update requested.

    f, recv, w, h = rfbsession.start(sock, [0])

recv(n) reads exactly n bytes or raises EOFError; so does a server that
refuses the session or wants a password (EOFError with the reason).
A client that only sends input (tests/viewer/rfbkeys.py) stops after
the server's init, asking for no picture:

    f, recv, w, h, name = rfbsession.handshake(sock)

Reading the server's messages, one at a time:

    n = rfbsession.update_header(recv)   # None: a bell or cut text, read
"""
import struct

DESKTOP_SIZE = -223


def handshake(s):
    f = s.makefile("rb", buffering=1 << 20)

    def recv(n):
        b = f.read(n)
        if len(b) != n:
            raise EOFError("connection closed")
        return b

    recv(12)
    s.sendall(b"RFB 003.008\n")
    n = recv(1)[0]
    if n == 0:
        raise EOFError("refused: " + recv(struct.unpack(">I", recv(4))[0]).decode(errors="replace"))
    if 1 not in recv(n):
        raise EOFError("the server wants authentication")
    s.sendall(bytes([1]))
    if struct.unpack(">I", recv(4))[0] != 0:
        raise EOFError("security handshake failed")
    s.sendall(bytes([1]))
    init = recv(24)
    w, h = struct.unpack(">HH", init[:4])
    name = recv(struct.unpack(">I", init[20:24])[0]).decode(errors="replace")
    return f, recv, w, h, name


def start(s, encodings):
    f, recv, w, h, _ = handshake(s)
    s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
    encs = list(encodings) + [DESKTOP_SIZE]
    s.sendall(struct.pack(">BxH%di" % len(encs), 2, len(encs), *encs))
    s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
    return f, recv, w, h


def update_header(recv):
    """The next server message: a framebuffer update's header (its number
    of rectangles returned, the rectangles left to the caller), or a bell
    or cut text, read whole (None). Anything else raises ValueError."""
    t = recv(1)[0]
    if t == 2:
        return None
    if t == 3:
        recv(3)
        recv(struct.unpack(">I", recv(4))[0])
        return None
    if t != 0:
        raise ValueError("unexpected message %d" % t)
    recv(1)
    return struct.unpack(">H", recv(2))[0]
