#!/usr/bin/env python3
"""rfbcount: a VNC client that counts the frames it receives.

    rfbcount.py HOST PORT SECONDS [raw|zrle|idle]

Asks for the whole screen, then keeps one incremental update request
outstanding (as viewers do) and reads every FramebufferUpdate without
decoding it (raw: w*h*4 bytes; ZRLE: a length-prefixed zlib stream).
After one second of warming up, counts for SECONDS and prints
    frames=N seconds=S fps=F mbytes=M rects=R full=K
where a frame is one FramebufferUpdate and full counts those covering the
whole screen. idle: after the first frame, keeps a request outstanding
and counts the updates that arrive in SECONDS (printed as idle_frames=N),
for a screen that does not change.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import rfbsession  # noqa: E402


def skip_update(recv):
    recv(1)
    nr, = struct.unpack(">H", recv(2))
    for _ in range(nr):
        x, y, rw, rh, e = struct.unpack(">HHHHi", recv(12))
        if e == 0:
            recv(rw * rh * 4)


def idle(s, f, recv, w, h, seconds):
    import select
    if recv(1)[0] != 0:
        sys.exit("rfbcount: expected a frame")
    skip_update(recv)
    s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("ready", flush=True)
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if r:
            if recv(1)[0] == 0:
                skip_update(recv)
                n += 1
                s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
    print("idle_frames=%d seconds=%.1f" % (n, seconds))


def main():
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    enc = sys.argv[4] if len(sys.argv) > 4 else "raw"
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f, recv, w, h = rfbsession.start(s, [0] if enc == "raw" else [16, 0])
    if enc == "idle":
        return idle(s, f, recv, w, h, seconds)
    start = time.monotonic() + 1.0
    end = start + seconds
    frames = rects = full = nbytes = 0
    counting = False
    while True:
        t, = struct.unpack(">B", recv(1))
        if t == 0:
            recv(1)
            nr, = struct.unpack(">H", recv(2))
            got = 0
            whole = False
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
                    sys.exit("rfbcount: unexpected encoding %d" % e)
                whole = whole or (rw, rh) == (w, h)
            now = time.monotonic()
            if now >= start and not counting:
                counting = True
                frames = rects = full = nbytes = 0
                t0 = now
            if counting:
                frames += 1
                rects += nr
                full += whole
                nbytes += got
                if now >= end:
                    break
            s.sendall(struct.pack(">BBHHHH", 3, 1, 0, 0, w, h))
        elif t == 2:
            pass
        elif t == 3:
            recv(3)
            recv(struct.unpack(">I", recv(4))[0])
        else:
            sys.exit("rfbcount: unexpected message %d" % t)
    el = now - t0
    print("frames=%d seconds=%.2f fps=%.1f mbytes=%.1f rects=%d full=%d" %
          (frames, el, frames / el, nbytes / 1e6, rects, full))


main()
