#!/usr/bin/env python3
"""Transactions racing other writers over xsimd's xenstore sockets, as
clients of two guests and dom0 would: for xs-rules.sh, which runs it under
each commit rule and compares. Prints one line per scenario step:
"NAME: RESULT", RESULT being what the commit (or a read) answered.

XSIM_DIR is set; no argument.
"""
import os
import socket
import struct

DIR = os.environ["XSIM_DIR"]
READ, TRANSACTION_START, TRANSACTION_END, WRITE, ERROR = 2, 6, 7, 11, 16
HDR = struct.Struct("<IIII")


class Conn:
    def __init__(self, domid):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(os.path.join(DIR, "xs-dom%d.sock" % domid))

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def call(self, typ, payload, tx=0):
        self.s.sendall(HDR.pack(typ, 0, tx, len(payload)) + payload)
        t, _, _, n = HDR.unpack(self.recv_exact(HDR.size))
        body = self.recv_exact(n)
        return body.rstrip(b"\0").decode() if t == ERROR else body

    def read(self, path, tx=0):
        r = self.call(READ, path.encode() + b"\0", tx)
        return r if isinstance(r, str) else r.decode()

    def write(self, path, value, tx=0):
        r = self.call(WRITE, path.encode() + b"\0" + value.encode(), tx)
        return r if isinstance(r, str) else r.rstrip(b"\0").decode()

    def begin(self):
        return int(self.call(TRANSACTION_START, b"\0").rstrip(b"\0"))

    def end(self, tx):
        r = self.call(TRANSACTION_END, b"T\0", tx)
        return r if isinstance(r, str) else r.rstrip(b"\0").decode()


g1, g2, d0 = Conn(1), Conn(2), Conn(0)
g1.write("data/x", "1")


def say(name, result):
    print("%s: %s" % (name, result), flush=True)


# a guest reads its node and writes another while a second guest writes
t = g1.begin()
g1.read("data/x", t)
g2.write("data/z", "1")
g1.write("data/y", "v", t)
say("disjoint", g1.end(t))

# the value it read changes
t = g1.begin()
g1.read("data/x", t)
g1.write("data/y", "w", t)
d0.write("/local/domain/1/data/x", "2")
say("read changed", g1.end(t))

# it only reads, and what it read changes
t = g1.begin()
g1.read("data/x", t)
d0.write("/local/domain/1/data/x", "3")
say("read-only", g1.end(t))

# it writes a node dom0 writes too
t = g1.begin()
g1.write("data/x", "guest", t)
d0.write("/local/domain/1/data/x", "dom0")
say("blind write", g1.end(t))
say("blind write, then", g1.read("data/x"))

# it creates a node while dom0 creates a sibling
t = g1.begin()
g1.write("data/new1", "1", t)
d0.write("/local/domain/1/data/new2", "1")
say("sibling", g1.end(t))
