#!/usr/bin/env python3
"""rfbwatch: a VNC viewer that reports, interval by interval, what it gets.

    rfbwatch.py HOST PORT SECONDS [INTERVAL [raw|zrle]]
    rfbwatch.py /SOCKET - SECONDS [INTERVAL [raw|zrle]]

Asks for the whole screen, then keeps one incremental update request
outstanding, as viewers do, and reads every FramebufferUpdate without
decoding it (the same client as bench/rfbcount.py, for long runs). Prints

    connected W H                    once the first update has arrived
    at=T frames=N mbytes=M           every INTERVAL seconds (default 10):
                                     the updates of that interval alone
    total frames=N seconds=S fps=F mbytes=M max_gap=G first=F0 status=OK

at the end, after SECONDS counted from the first update. max_gap is the
longest wait, in seconds, between two updates (a stall shows there even
when the totals look fine); status is OK, or why the connection ended
early (then the counts are those up to that moment). The interval lines
come from a timer thread, so a viewer that gets nothing still prints
them, with frames=0.
"""
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
import rfbsession  # noqa: E402


class Counts:
    def __init__(self):
        self.frames = 0
        self.nbytes = 0
        self.last = None
        self.max_gap = 0.0
        self.status = "OK"
        self.connected = threading.Event()


def read_updates(s, c):
    f, recv, w, h = rfbsession.start(s, [0] if c.enc == "raw" else [16, 0])
    while True:
        t = recv(1)[0]
        if t == 0:
            recv(1)
            nr, = struct.unpack(">H", recv(2))
            got = 0
            for _ in range(nr):
                x, y, rw, rh, e = struct.unpack(">HHHHi", recv(12))
                if e == 0:
                    recv(rw * rh * 4)
                    got += rw * rh * 4
                elif e == 16:
                    ln, = struct.unpack(">I", recv(4))
                    recv(ln)
                    got += ln
                elif e == -223:
                    w, h = rw, rh
                else:
                    raise EOFError("unexpected encoding %d" % e)
            now = time.monotonic()
            first = c.last is None
            if not first:
                c.max_gap = max(c.max_gap, now - c.last)
            c.last = now
            c.frames += 1
            c.nbytes += got
            if first:  # only now: the timer thread reads the fields above
                c.w, c.h = w, h
                c.connected.set()
            s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
        elif t == 2:
            pass
        elif t == 3:
            recv(3)
            recv(struct.unpack(">I", recv(4))[0])
        else:
            raise EOFError("unexpected message %d" % t)


def reader(s, c):
    try:
        read_updates(s, c)
    except Exception as e:  # any end is reported by the timer thread
        c.status = "error:" + str(e).replace(" ", "_")
        c.connected.set()


def main():
    host, seconds = sys.argv[1], float(sys.argv[3])
    port = 0 if host.startswith("/") else int(sys.argv[2])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    c = Counts()
    c.enc = sys.argv[5] if len(sys.argv) > 5 else "raw"
    try:
        if host.startswith("/"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(30)
            s.connect(host)
        else:
            s = socket.create_connection((host, port), timeout=30)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as e:
        print("total frames=0 seconds=0 fps=0 mbytes=0 max_gap=0 first=0 status=error:connect_%s"
              % e.errno, flush=True)
        return 1
    s.settimeout(None)
    threading.Thread(target=reader, args=(s, c), daemon=True).start()
    t_open = time.monotonic()
    if not c.connected.wait(30) or c.status != "OK":
        print("total frames=0 seconds=0 fps=0 mbytes=0 max_gap=0 first=0 status=%s"
              % (c.status if c.status != "OK" else "error:no_first_update"), flush=True)
        return 1
    t0 = c.last
    print("connected %d %d" % (c.w, c.h), flush=True)
    first = c.frames
    pf, pb = c.frames, c.nbytes
    k = 1
    while True:
        end = min(t0 + k * interval, t0 + seconds)
        time.sleep(max(0.0, end - time.monotonic()))
        fr, nb = c.frames, c.nbytes
        print("at=%.0f frames=%d mbytes=%.1f" % (end - t0, fr - pf, (nb - pb) / 1e6), flush=True)
        pf, pb = fr, nb
        if end >= t0 + seconds or c.status != "OK":
            break
        k += 1
    el = time.monotonic() - t0
    # the wait since the last update counts as a gap too: a stall at the end
    gap = max(c.max_gap, time.monotonic() - c.last)
    print("total frames=%d seconds=%.1f fps=%.1f mbytes=%.1f max_gap=%.2f first=%.2f status=%s" %
          (c.frames - first, el, (c.frames - first) / el, c.nbytes / 1e6, gap, t0 - t_open,
           c.status), flush=True)
    # leave now, whatever the reader thread is doing: the server sees the
    # end of the connection at once, not when the interpreter exits
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return 0 if c.status == "OK" else 1


sys.exit(main())
