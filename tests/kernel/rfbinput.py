#!/usr/bin/env python3
"""rfbinput: a VNC client that sends input as simple clients do (RFB
KeyEvent with keysyms, PointerEvent), for the kernel console's tests.

    rfbinput.py HOST PORT ACTION...

ACTION is type:TEXT (each character's keysym, pressed and released; the
server finds the keys and the Shift they need), key:KEYSYM (hexadecimal,
pressed and released), move:X,Y or click:X,Y (button 1 pressed and
released there), wheel:up or wheel:down (button 4 or 5 pressed and
released). Prints the desktop size and name.
"""
import socket
import struct
import sys
import time


def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def key(s, sym, down):
    s.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, sym))


def pointer(s, x, y, mask):
    s.sendall(struct.pack(">BBHH", 5, mask, x, y))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=10)
    recv(s, 12)
    s.sendall(b"RFB 003.008\n")
    n = recv(s, 1)[0]
    if 1 not in recv(s, n):
        sys.exit("rfbinput: the server wants authentication")
    s.sendall(bytes([1]))
    if struct.unpack(">I", recv(s, 4))[0] != 0:
        sys.exit("rfbinput: refused")
    s.sendall(bytes([1]))
    init = recv(s, 24)
    w, h = struct.unpack(">HH", init[:4])
    name = recv(s, struct.unpack(">I", init[20:24])[0]).decode(errors="replace")
    print("%dx%d %s" % (w, h, name))
    for action in sys.argv[3:]:
        what, _, arg = action.partition(":")
        if what == "type":
            for ch in arg:
                key(s, ord(ch), True)
                key(s, ord(ch), False)
        elif what == "key":
            key(s, int(arg, 16), True)
            key(s, int(arg, 16), False)
        elif what in ("move", "click"):
            x, y = (int(v) for v in arg.split(","))
            pointer(s, x, y, 0)
            if what == "click":
                pointer(s, x, y, 1)
                pointer(s, x, y, 0)
        elif what == "wheel" and arg in ("up", "down"):
            pointer(s, 0, 0, 8 if arg == "up" else 16)
            pointer(s, 0, 0, 0)
        else:
            sys.exit("rfbinput: unknown action " + action)
    # the server reads what was sent before it sees the end
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()


main()
