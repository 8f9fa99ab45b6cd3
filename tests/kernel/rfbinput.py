#!/usr/bin/env python3
"""rfbinput: a VNC client that sends input as simple clients do (RFB
KeyEvent with keysyms, PointerEvent), for the kernel console's tests.

    rfbinput.py HOST PORT ACTION...

ACTION is type:TEXT (each character's keysym, pressed and released; the
server finds the keys and the Shift they need), key:KEYSYM (hexadecimal,
pressed and released), move:X,Y or click:X,Y (button 1 pressed and
released there), wheel:up or wheel:down (button 4 or 5 pressed and
released). Prints the desktop size.
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402


def key(s, sym, down):
    s.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, sym))


def pointer(s, x, y, mask):
    s.sendall(struct.pack(">BBHH", 5, mask, x, y))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=10)
    try:
        _, _, w, h = rfbsession.start(s, [0])
    except EOFError as e:
        sys.exit("rfbinput: %s" % e)
    print("%dx%d" % (w, h))
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
