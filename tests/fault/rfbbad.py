#!/usr/bin/env python3
"""rfbbad: VNC clients, well- and ill-behaved, for the fault tests.

    rfbbad.py shot HOST PORT FILE     one full raw frame as a PNG, asking
                                      for a shared session (unlike
                                      gvnccapture, others stay connected);
                                      FILE.t: when it arrived (epoch ms)
    rfbbad.py vanish HOST PORT N      N times: ask for a full frame, read
                                      part of it, then reset the connection
    rfbbad.py garbage HOST PORT N [STAGES]
                                      N connections sending junk at every
                                      stage (digits, default 01234): 0 the
                                      version, 1 the security type, 2 and
                                      3 a broken pixel format, 4 messages
                                      of unknown types after the handshake
    rfbbad.py desync HOST PORT        announces 40 encodings, Raw the last
                                      of 39 unknown ones, then asks for a
                                      full frame: prints "raw WxH" when it
                                      gets it in Raw (what neatvnc alone
                                      would read out of step)
    rfbbad.py bigcut HOST PORT        sends cut text over the server's
                                      limit (10 MB + 1), then asks for a
                                      full frame: prints "frame WxH"
    rfbbad.py bigrect HOST PORT       asks for a full update of 4096x4096
                                      pixels, far past the screen: prints
                                      the rectangles' extent "WxH"
    rfbbad.py stuck HOST PORT         asks for frames and never reads one;
                                      prints "stuck" once its socket is
                                      full, then waits until killed
    rfbbad.py keys HOST PORT TEXT     types TEXT as keysyms (press/release)
    rfbbad.py watch HOST PORT FILE    a viewer that stays: keeps one
                                      incremental request outstanding,
                                      applies every update to its own copy
                                      of the screen, prints "ready" after
                                      the first frame and writes its copy
                                      to FILE (PNG, atomically) on SIGUSR1;
                                      prints "frames=N" on SIGTERM

Exit status 0 when the client did what it says; the server's behaviour is
judged by the caller.
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rfbsession  # noqa: E402

RAW, DESKTOP_SIZE = 0, -223


def recv(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("server closed the connection")
        b += c
    return b


def handshake(host, port, shared=True, timeout=20):
    s = socket.create_connection((host, port), timeout=timeout)
    recv(s, 12)
    s.sendall(b"RFB 003.008\n")
    n = recv(s, 1)[0]
    if 1 not in recv(s, n):
        sys.exit("rfbbad: the server wants authentication")
    s.sendall(bytes([1]))
    if struct.unpack(">I", recv(s, 4))[0] != 0:
        sys.exit("rfbbad: refused")
    s.sendall(bytes([1 if shared else 0]))
    init = recv(s, 24)
    w, h = struct.unpack(">HH", init[:4])
    recv(s, struct.unpack(">I", init[20:24])[0])
    # 32 bpp, depth 24, little endian, true colour, r/g/b at 16/8/0
    s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
    s.sendall(struct.pack(">BxHii", 2, 2, RAW, DESKTOP_SIZE))
    return s, w, h


def request(s, w, h, incremental):
    s.sendall(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, 0, w, h))


def shot(host, port, path):
    from PIL import Image

    s, w, h = handshake(host, port)
    request(s, w, h, False)
    img = None
    while img is None:
        nr = update_rects(s)
        full = None
        for _ in range(nr):
            x, y, rw, rh, e = struct.unpack(">HHHHi", recv(s, 12))
            if e == RAW:
                data = recv(s, rw * rh * 4)
                if (x, y, rw, rh) == (0, 0, w, h):
                    full = data
            elif e == DESKTOP_SIZE:
                w, h = rw, rh
            else:
                sys.exit("rfbbad: unexpected encoding %d" % e)
        if full is not None:
            got_ms = int(time.time() * 1000)
            img = Image.frombytes("RGB", (w, h), full, "raw", "BGRX")
        else:
            request(s, w, h, False)
    s.close()
    img.save(path)
    with open(path + ".t", "w") as f:
        f.write("%d\n" % got_ms)  # when the frame arrived, in ms since the epoch


def reset(s):
    # close with RST, as a client that crashes or loses its network
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def vanish(host, port, n):
    for i in range(n):
        s, w, h = handshake(host, port)
        request(s, w, h, False)
        recv(s, 16 + random.randrange(1, 64 * 1024))  # mid-frame
        reset(s) if i % 2 else s.close()


def garbage(host, port, n, stages):
    rnd = random.Random(1)
    for i in range(n):
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600)))
        stage = int(stages[i % len(stages)])
        try:
            if stage == 4:
                # a valid session, then messages of unknown or broken types
                s, w, h = handshake(host, port)
                s.sendall(bytes([rnd.choice([7, 9, 99, 250, 255])]) + junk)
                s.sendall(struct.pack(">BxHi", 2, 60000, 0))  # 60000 encodings announced, 1 sent
            else:
                s = socket.create_connection((host, port), timeout=10)
                recv(s, 12)
                if stage == 0:
                    s.sendall(junk)  # instead of the version
                else:
                    s.sendall(b"RFB 003.008\n")
                    nt = recv(s, 1)[0]
                    recv(s, nt)
                    if stage == 1:
                        s.sendall(bytes([rnd.choice([0, 2, 19, 255])]) + junk)  # bad security type
                    else:
                        s.sendall(bytes([1]))
                        recv(s, 4)
                        s.sendall(bytes([1]))
                        init = recv(s, 24)
                        recv(s, struct.unpack(">I", init[20:24])[0])
                        if stage == 2:
                            # a pixel format of 0 bits per pixel, then junk
                            s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 0, 0, 0, 1, 0, 0, 0,
                                                  0, 0, 0) + junk)
                        else:
                            # 13 bits per pixel, shifts past the pixel, then junk
                            s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 13, 99, 1, 1, 65535,
                                                  65535, 65535, 200, 200, 200) + junk)
            until_closed(s)
            reset(s)
        except (OSError, EOFError):
            pass  # the server is entitled to hang up on us


def until_closed(s, limit=5):
    # the server's answer to junk is to hang up: wait for that, so that
    # it has read the junk before we go (junk that reads as a message
    # still incomplete gets no answer: give up after limit seconds)
    s.settimeout(limit)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass


def update_rects(s):
    # the number of rectangles of the next framebuffer update (its
    # header read), skipping bells and cut text the server sends first
    while True:
        try:
            n = rfbsession.update_header(lambda k: recv(s, k))
        except ValueError as e:
            sys.exit("rfbbad: %s" % e)
        if n is not None:
            return n


def first_rect(s):
    update_rects(s)
    return struct.unpack(">HHHHi", recv(s, 12))


def desync(host, port):
    s, w, h = handshake(host, port)
    encs = [1000 + i for i in range(39)] + [RAW]
    s.sendall(struct.pack(">BxH", 2, len(encs)) + b"".join(struct.pack(">i", e) for e in encs))
    request(s, w, h, False)
    x, y, rw, rh, e = first_rect(s)
    print("%s %dx%d" % ("raw" if e == RAW else "encoding %d" % e, rw, rh))
    s.close()


def bigcut(host, port):
    s, w, h = handshake(host, port)
    n = 10000001
    s.sendall(struct.pack(">BxxxI", 6, n))
    chunk = b"x" * 65536
    left = n
    while left:
        left -= s.send(chunk[:min(left, len(chunk))])
    request(s, w, h, False)
    x, y, rw, rh, e = first_rect(s)
    print("frame %dx%d" % (rw, rh))
    s.close()


def bigrect(host, port):
    s, w, h = handshake(host, port)
    request(s, 4096, 4096, False)
    nr = update_rects(s)
    x1 = y1 = 65535
    x2 = y2 = 0
    for _ in range(nr):
        x, y, rw, rh, e = struct.unpack(">HHHHi", recv(s, 12))
        if e == RAW:
            recv(s, rw * rh * 4)
        elif e != DESKTOP_SIZE:
            sys.exit("rfbbad: unexpected encoding %d" % e)
        x1, y1, x2, y2 = min(x1, x), min(y1, y), max(x2, x + rw), max(y2, y + rh)
    print("%dx%d" % (x2 - x1, y2 - y1))
    s.close()


def stuck(host, port):
    s, w, h = handshake(host, port)
    s.setblocking(False)
    sent = 0
    # keep asking (full frames, then incremental) until our own socket
    # buffer is full because the server stops reading us, or it is
    # plainly queueing: then sit there holding it all, never reading
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            s.send(struct.pack(">BBHHHH", 3, 1 if sent % 2 else 0, 0, 0, w, h))
            sent += 1
        except BlockingIOError:
            break
        if sent % 1000 == 0:
            time.sleep(0.01)
    print("stuck requests=%d" % sent, flush=True)
    # until the test kills it; a test that died first must not leave it
    time.sleep(600)


def keys(host, port, text):
    s, w, h = handshake(host, port)
    for ch in text:
        for down in (1, 0):
            s.sendall(struct.pack(">BBxxI", 4, down, ord(ch)))
        time.sleep(0.02)
    time.sleep(0.2)
    s.close()


def watch(host, port, path):
    import os
    import select
    import signal

    from PIL import Image

    want = []
    done = []
    signal.signal(signal.SIGUSR1, lambda *a: want.append(1))
    signal.signal(signal.SIGTERM, lambda *a: done.append(1))
    s, w, h = handshake(host, port)
    fb = bytearray(w * h * 4)
    request(s, w, h, False)
    frames = 0
    while not done:
        if want:
            want.clear()
            Image.frombytes("RGB", (w, h), bytes(fb), "raw", "BGRX").save(path + ".tmp", "PNG")
            os.rename(path + ".tmp", path)
        try:
            r, _, _ = select.select([s], [], [], 0.05)
        except InterruptedError:
            continue
        if not r:
            continue
        try:
            nr = rfbsession.update_header(lambda k: recv(s, k))
        except ValueError as e:
            sys.exit("rfbbad: %s" % e)
        if nr is None:
            continue
        for _ in range(nr):
            x, y, rw, rh, e = struct.unpack(">HHHHi", recv(s, 12))
            if e == RAW:
                data = recv(s, rw * rh * 4)
                for row in range(rh):
                    o = ((y + row) * w + x) * 4
                    fb[o:o + rw * 4] = data[row * rw * 4:(row + 1) * rw * 4]
            elif e == DESKTOP_SIZE:
                w, h = rw, rh
                fb = bytearray(w * h * 4)
            else:
                sys.exit("rfbbad: unexpected encoding %d" % e)
        frames += 1
        if frames == 1:
            print("ready", flush=True)
        request(s, w, h, True)
    print("frames=%d" % frames, flush=True)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "shot":
        shot(host, port, sys.argv[4])
    elif mode == "vanish":
        vanish(host, port, int(sys.argv[4]))
    elif mode == "garbage":
        garbage(host, port, int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "01234")
    elif mode == "desync":
        desync(host, port)
    elif mode == "bigcut":
        bigcut(host, port)
    elif mode == "bigrect":
        bigrect(host, port)
    elif mode == "stuck":
        stuck(host, port)
    elif mode == "watch":
        watch(host, port, sys.argv[4])
    elif mode == "keys":
        keys(host, port, sys.argv[4])
    else:
        sys.exit(__doc__)


main()
