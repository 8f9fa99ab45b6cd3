#!/usr/bin/env python3
"""rfbkeys: a VNC client that sends keysyms only (RFB KeyEvent, no QEMU
extended key events), as simple clients do:

    rfbkeys.py HOST PORT TEXT

types TEXT (ASCII: keysym = code point), then Return and Ctrl+D, each as
a press and a release, without any modifier key: the server has to find
the keys and the Shift they need. Prints the desktop size and name.
"""
import socket
import struct
import sys
import time

RETURN, CTRL_L, LOWER_D = 0xFF0D, 0xFFE3, 0x64


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


def tap(s, sym):
    key(s, sym, True)
    key(s, sym, False)
    time.sleep(0.02)


def main():
    host, port, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.create_connection((host, port), timeout=10)
    recv(s, 12)
    s.sendall(b"RFB 003.008\n")
    n = recv(s, 1)[0]
    if 1 not in recv(s, n):
        sys.exit("rfbkeys: the server wants authentication")
    s.sendall(bytes([1]))
    if struct.unpack(">I", recv(s, 4))[0] != 0:
        sys.exit("rfbkeys: refused")
    s.sendall(bytes([1]))
    init = recv(s, 24)
    w, h = struct.unpack(">HH", init[:4])
    name = recv(s, struct.unpack(">I", init[20:24])[0]).decode(errors="replace")
    print("%dx%d %s" % (w, h, name))
    for ch in text:
        tap(s, ord(ch))
    tap(s, RETURN)
    key(s, CTRL_L, True)
    tap(s, LOWER_D)
    key(s, CTRL_L, False)
    time.sleep(0.3)
    s.close()


main()
