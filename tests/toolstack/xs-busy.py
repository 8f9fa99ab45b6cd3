#!/usr/bin/env python3
"""A busy host's xenstore: as dom0, write in a loop to the nodes other
toolstacks and backends write (a block backend's directory under
/local/domain/0/backend for each guest, the first guest's data/ and a node
of dom0's own), as fast as xsimd answers, until killed. Every write lands
under /local/domain, where oxenstored's rule makes a transaction that
spans two domains conflict. Only the first guest's home is written: a
write there would make a destroyed domain's home again. Run inside a
simulation (XSIM_DIR); arguments: the guest domids. Prints "busy" once it
writes."""
import os
import socket
import struct
import sys

HDR = struct.Struct("<IIII")
WRITE = 11
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.path.join(os.environ["XSIM_DIR"], "xs-dom0.sock"))
paths = [b"/local/domain/0/backend/vbd/%s/51712/busy" % d.encode() for d in sys.argv[1:]]
paths.append(b"/local/domain/%s/data/busy" % sys.argv[1].encode())
paths.append(b"/local/domain/0/busy")


def recv_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            sys.exit(0)
        buf += chunk
    return buf


n = 0
while True:
    body = paths[n % len(paths)] + b"\0" + str(n).encode()
    s.sendall(HDR.pack(WRITE, 0, 0, len(body)) + body)
    typ, _, _, length = HDR.unpack(recv_exact(HDR.size))
    recv_exact(length)
    if n == 0:
        print("busy", flush=True)
    n += 1
