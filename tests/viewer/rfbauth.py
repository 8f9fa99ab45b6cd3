#!/usr/bin/env python3
"""rfbauth: log in to a VNC server with VeNCrypt X509Plain, as xenfb-backend
offers it, and print the outcome on one line:

    rfbauth.py HOST PORT USER PASSWORD

"ok WIDTHxHEIGHT NAME" after the server's init message, "failed REASON"
when the server refuses the login, "no-vencrypt TYPES" when it offers no
VeNCrypt, "closed" when it hangs up before the password. The certificate is not verified
(the test makes a self-signed one).
"""
import socket
import ssl
import struct
import sys


def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = socket.create_connection((host, port), timeout=10)
    try:
        recv(s, 12)
        s.sendall(b"RFB 003.008\n")
        n = recv(s, 1)[0]
        types = list(recv(s, n))
        if 19 not in types:
            print("no-vencrypt %s" % types)
            return 1
        s.sendall(bytes([19]))
        recv(s, 2)
        s.sendall(bytes([0, 2]))
        if recv(s, 1)[0] != 0:
            print("failed vencrypt version")
            return 1
        n = recv(s, 1)[0]
        subtypes = struct.unpack(">%dI" % n, recv(s, 4 * n))
        if 262 not in subtypes:
            print("failed subtypes %s" % (subtypes,))
            return 1
        s.sendall(struct.pack(">I", 262))
        if recv(s, 1)[0] != 1:
            print("failed subtype refused")
            return 1
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        t = ctx.wrap_socket(s, server_hostname=host)
        u, p = user.encode(), password.encode()
        t.sendall(struct.pack(">II", len(u), len(p)) + u + p)
        # a refusal is told apart by the connection ending before a
        # whole server init message (some servers send the result word
        # short)
        try:
            result = struct.unpack(">I", recv(t, 4))[0]
            if result != 0:
                print("failed result %d" % result)
                return 1
            t.sendall(bytes([1]))
            init = recv(t, 24)
            w, h = struct.unpack(">HH", init[:4])
            n = struct.unpack(">I", init[20:24])[0]
            if n > 1024:
                raise EOFError
            name = recv(t, n).decode(errors="replace")
        except (EOFError, OSError):
            print("failed hung up after the password")
            return 1
        print("ok %dx%d %s" % (w, h, name))
        return 0
    except (EOFError, OSError, ssl.SSLError):
        print("closed")
        return 1


sys.exit(main())
