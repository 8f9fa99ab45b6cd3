#!/usr/bin/env python3
"""rfbkeys: a VNC client that sends keysyms only (RFB KeyEvent, no QEMU
extended key events), as simple clients do:

    rfbkeys.py HOST PORT TEXT

types TEXT (ASCII: keysym = code point), then Return and Ctrl+D, each as
a press and a release, without any modifier key: the server has to find
the keys and the Shift they need. Prints the desktop size and name.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402

RETURN, CTRL_L, LOWER_D = 0xFF0D, 0xFFE3, 0x64


def key(s, sym, down):
    s.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, sym))


def tap(s, sym):
    key(s, sym, True)
    key(s, sym, False)
    time.sleep(0.02)


def main():
    host, port, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.create_connection((host, port), timeout=10)
    try:
        _, _, w, h, name = rfbsession.handshake(s)
    except EOFError as e:
        sys.exit("rfbkeys: %s" % e)
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
