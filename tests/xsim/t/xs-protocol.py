#!/usr/bin/env python3
"""xsimd's xenstore at the wire level, through raw sockets: framing,
malformed messages, errors, watches, @introduceDomain/@releaseDomain,
transactions, and the fault-commit-eagain and quota ctl verbs.

Run by xs-protocol.sh inside a private simulation: XSIM_DIR is set and the
path of the xsim tool is the only argument. Prints TAP.

Checks that something did *not* arrive use a round trip on the same
connection as a barrier: xsimd queues an event before it handles that
connection's next request, so an event would come before the reply.
"""
import os
import socket
import struct
import subprocess
import sys
import time

XSIM = sys.argv[1]
DIR = os.environ["XSIM_DIR"]

CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH = 0, 1, 2, 3, 4, 5
TRANSACTION_START, TRANSACTION_END, INTRODUCE, RELEASE = 6, 7, 8, 9
GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS, WATCH_EVENT = 10, 11, 12, 13, 14, 15
ERROR, IS_DOMAIN_INTRODUCED, RESET_WATCHES, DIRECTORY_PART = 16, 17, 21, 22

HDR = struct.Struct("<IIII")

count = 0
failed = 0


def ok(cond, desc):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", count, desc), flush=True)
    return cond


def is_(got, want, desc):
    if not ok(got == want, desc):
        print("#   expected: %r\n#        got: %r" % (want, got), flush=True)


def xsim(*args):
    r = subprocess.run([XSIM] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode, r.stdout.decode(errors="replace")


class Conn:
    def __init__(self, domid):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(os.path.join(DIR, "xs-dom%d.sock" % domid))
        self.events = []

    def close(self):
        self.s.close()

    def send(self, typ, payload, tx=0, req=0):
        # libxenstore writes the header and the payload separately
        self.s.sendall(HDR.pack(typ, req, tx, len(payload)))
        if payload:
            self.s.sendall(payload)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def read_msg(self):
        typ, req, tx, length = HDR.unpack(self.recv_exact(HDR.size))
        return typ, req, tx, self.recv_exact(length)

    def reply(self):
        """The next message that is not a watch event (events are kept)."""
        while True:
            typ, req, tx, body = self.read_msg()
            if typ == WATCH_EVENT:
                self.events.append(tuple(body.split(b"\0")[:2]))
                continue
            return typ, req, tx, body

    def request(self, typ, payload, tx=0, req=0):
        self.send(typ, payload, tx, req)
        return self.reply()

    def result(self, typ, payload, tx=0):
        """The reply's payload, or the error name."""
        t, _, _, body = self.request(typ, payload, tx)
        if t == ERROR:
            return body.rstrip(b"\0").decode()
        return body

    def event(self):
        if not self.events:
            typ, _, _, body = self.read_msg()
            if typ != WATCH_EVENT:
                raise AssertionError("expected a watch event, got type %d" % typ)
            self.events.append(tuple(body.split(b"\0")[:2]))
        return self.events.pop(0)

    def pending_events(self):
        """Every event queued for us now (a round trip as a barrier)."""
        self.request(GET_DOMAIN_PATH, b"0\0")
        ev, self.events = self.events, []
        return ev

    def is_closed(self):
        try:
            self.s.settimeout(5)
            return self.s.recv(1) == b""
        except (ConnectionResetError, socket.timeout):
            return False


def watch(c, path, token):
    r = c.result(WATCH, path + b"\0" + token + b"\0")
    return r, c.event()


def group(fn):
    """Run one group of checks; an exception fails it and the rest go on."""
    try:
        fn()
    except Exception as e:  # report and go on with the next group
        ok(False, "%s raised %s: %s" % (fn.__name__, type(e).__name__, e))


def test_basics():
    c = Conn(0)
    t, req, tx, body = c.request(WRITE, b"/p/a\0value", req=77)
    is_((t, req, tx, body), (WRITE, 77, 0, b"OK\0"), "WRITE is acknowledged, req_id echoed")
    t, req, tx, body = c.request(READ, b"/p/a\0", req=78)
    is_((t, req, tx, body), (READ, 78, 0, b"value"), "READ returns the raw value, no NUL")
    t, req, tx, body = c.request(READ, b"/p/none\0", req=79)
    is_((t, req, tx, body), (ERROR, 79, 0, b"ENOENT\0"), "a missing node is XS_ERROR ENOENT")
    is_(c.result(DIRECTORY, b"/p\0"), b"a\0", "DIRECTORY lists NUL-terminated names")
    is_(c.result(GET_PERMS, b"/p/a\0"), b"n0\0", "GET_PERMS")
    is_(c.result(GET_DOMAIN_PATH, b"5\0"), b"/local/domain/5\0", "GET_DOMAIN_PATH")
    is_(c.result(IS_DOMAIN_INTRODUCED, b"0\0"), b"T\0", "dom0 is introduced")
    is_(c.result(IS_DOMAIN_INTRODUCED, b"9\0"), b"F\0", "domain 9 is not")
    is_(c.result(READ, b"/p//a\0"), "EINVAL", "a bad path is EINVAL")

    # a message dribbled in byte by byte, then two in one write
    msg = HDR.pack(READ, 5, 0, 5) + b"/p/a\0"
    for b in msg:
        c.s.sendall(bytes([b]))
        time.sleep(0.002)
    is_(c.reply(), (READ, 5, 0, b"value"), "a request sent byte by byte")
    c.s.sendall(HDR.pack(READ, 6, 0, 5) + b"/p/a\0" + HDR.pack(DIRECTORY, 7, 0, 3) + b"/p\0")
    is_((c.reply()[1], c.reply()[1]), (6, 7), "two requests in one write get two replies, in order")
    c.close()


def test_malformed():
    keeper = Conn(0)

    c = Conn(0)
    c.s.sendall(HDR.pack(READ, 0, 0, 5000) + b"x" * 100)
    ok(c.is_closed(), "a 5000-byte payload closes that client")
    c.close()
    is_(keeper.result(READ, b"/p/a\0"), b"value", "another client keeps working")

    c = Conn(0)
    c.s.sendall(HDR.pack(READ, 0, 0, 5)[:9])
    c.close()
    c = Conn(0)
    c.s.sendall(HDR.pack(READ, 0, 0, 50) + b"/p/a")
    c.close()
    is_(keeper.result(READ, b"/p/a\0"), b"value", "truncated header or payload, then close: fine")

    c = Conn(1)
    is_(c.result(99, b"x\0"), "ENOSYS", "an unknown type is ENOSYS")
    is_(c.result(0xFFFF, b""), "ENOSYS", "XS_INVALID is ENOSYS")
    is_(c.result(WATCH_EVENT, b"a\0b\0"), "ENOSYS", "a client may not send WATCH_EVENT")
    is_(c.result(READ, b"data"), "EINVAL", "a path without its NUL is EINVAL")
    is_(c.result(READ, b"data\0x\0"), "EINVAL", "two strings where one belongs is EINVAL")
    is_(c.result(WATCH, b"data\0"), "EINVAL", "WATCH without a token is EINVAL")
    is_(c.result(TRANSACTION_END, b"X\0", tx=1), "EINVAL", "TRANSACTION_END takes T or F")
    is_(c.result(INTRODUCE, b"7\x000\x000\0"), "EACCES", "INTRODUCE is dom0's")
    is_(c.result(READ, b"data\0"), b"", "after all that the client still works")
    c.close()
    keeper.close()


def test_watches():
    w = Conn(0)
    c = Conn(0)
    c.result(WRITE, b"/w/a/b/c\0" + b"1")
    r, ev = watch(w, b"/w/a/b", b"tb")
    is_((r, ev), (b"OK\0", (b"/w/a/b", b"tb")), "WATCH: OK, then one event with the watch path")
    watch(w, b"/w", b"tw")
    watch(w, b"/w/a/b/none", b"tn")
    is_(w.result(WATCH, b"/w\0tw\0"), "EEXIST", "a duplicate watch is EEXIST")
    is_(w.result(UNWATCH, b"/w\0other\0"), "ENOENT", "UNWATCH of an unknown one is ENOENT")

    c.result(WRITE, b"/w/a/b/c\0" + b"2")
    is_(sorted(w.pending_events()), [(b"/w/a/b/c", b"tb"), (b"/w/a/b/c", b"tw")],
        "a write fires the watches at and above it")
    c.result(RM, b"/w/a\0")
    is_(sorted(w.pending_events()), [(b"/w/a", b"tw"), (b"/w/a/b", b"tb")],
        "RM fires watches above, and below with their own path")
    is_(w.result(UNWATCH, b"/w/a/b\0tb\0"), b"OK\0", "UNWATCH")
    c.result(WRITE, b"/w/a/b\0" + b"3")
    is_(w.pending_events(), [(b"/w/a/b", b"tw")], "an unwatched watch is silent")

    g = Conn(1)
    r, ev = watch(g, b"data/rw", b"rel")
    is_(ev, (b"data/rw", b"rel"), "a relative watch fires with its relative path")
    c.result(WRITE, b"/local/domain/1/data/rw/x\0" + b"1")
    is_(g.pending_events(), [(b"data/rw/x", b"rel")], "and gets relative events")
    watch(g, b"/local/domain/1/data/abs", b"abs")
    c.result(WRITE, b"/local/domain/1/data/abs\0" + b"1")
    is_(g.pending_events(), [(b"/local/domain/1/data/abs", b"abs")],
        "an absolute watch gets absolute events")
    r, ev = watch(g, b"/secret", b"s")
    is_(ev, (b"/secret", b"s"), "a guest may watch a node it cannot read")
    c.result(WRITE, b"/secret/x\0" + b"1")
    is_(g.pending_events(), [], "but hears nothing of it")
    c.result(SET_PERMS, b"/secret/x\0n0\0r1\0")
    is_(g.pending_events(), [(b"/secret/x", b"s")], "until it may read the node")

    is_(g.result(RESET_WATCHES, b""), b"OK\0", "RESET_WATCHES")
    is_(g.result(UNWATCH, b"data/rw\0rel\0"), "ENOENT", "drops every watch")
    for x in (w, c, g):
        x.close()


def test_special():
    w = Conn(0)
    g = Conn(1)
    watch(w, b"@introduceDomain", b"in")
    watch(w, b"@releaseDomain", b"out")
    r, ev = watch(g, b"@releaseDomain", b"gout")
    is_(ev, (b"@releaseDomain", b"gout"), "a guest's @releaseDomain watch fires at first")

    rc, out = xsim("create", "3", "three")
    is_(rc, 0, "xsim create 3")
    is_(w.pending_events(), [(b"@introduceDomain", b"in")], "dom0 sees @introduceDomain")
    is_(g.pending_events(), [], "the guest does not")
    is_(w.result(IS_DOMAIN_INTRODUCED, b"3\0"), b"T\0", "domain 3 is introduced")
    is_(w.result(READ, b"/local/domain/3/name\0"), b"three", "its name is in the store")
    is_(w.result(GET_PERMS, b"/local/domain/3\0"), b"n0\0r3\0", "its home is n0,r3")
    is_(w.result(GET_PERMS, b"/local/domain/3/device\0"), b"n0\0r3\0",
        "its device dir is the toolstack's, as libxl makes it")
    is_(w.result(GET_PERMS, b"/local/domain/3/data\0"), b"n3\0", "its data dir is its own")
    # A client of domain 3 counts as a process of domain 3, which destroy
    # kills: it must not be this test.
    d3 = subprocess.Popen([sys.executable, __file__, XSIM, "--client", "3"],
                          stdout=subprocess.PIPE)
    is_(d3.stdout.readline(), b"OK\0\n", "domain 3 has its socket")

    rc, out = xsim("destroy", "3")
    is_(rc, 0, "xsim destroy 3")
    is_(w.pending_events(), [(b"@releaseDomain", b"out")], "dom0 sees @releaseDomain")
    is_(g.pending_events(), [], "the guest does not")
    is_(w.result(IS_DOMAIN_INTRODUCED, b"3\0"), b"F\0", "domain 3 is gone")
    is_(w.result(READ, b"/local/domain/3\0"), "ENOENT", "with its home")
    is_(d3.wait(timeout=10), -9, "and its processes")
    ok(not os.path.exists(os.path.join(DIR, "xs-dom3.sock")), "and its socket")

    is_(w.result(INTRODUCE, b"7\x00123\x004\0"), b"OK\0", "INTRODUCE from dom0")
    is_(w.pending_events(), [(b"@introduceDomain", b"in")], "fires @introduceDomain")
    is_(w.result(RELEASE, b"7\0"), b"OK\0", "RELEASE")
    is_(w.pending_events(), [(b"@releaseDomain", b"out")], "fires @releaseDomain")
    is_(w.result(RELEASE, b"7\0"), "ENOENT", "RELEASE of a released domain is ENOENT")
    is_(w.result(SET_PERMS, b"@releaseDomain\0n0\0r1\0"), b"OK\0",
        "dom0 lets domain 1 see @releaseDomain")
    xsim("create", "4")
    xsim("destroy", "4")
    is_(g.pending_events(), [(b"@releaseDomain", b"gout")], "and then it does")
    w.close()
    g.close()


def test_transactions():
    w = Conn(0)
    c = Conn(0)
    c.result(WRITE, b"/tx/a\0" + b"0")
    watch(w, b"/tx", b"t")
    tid = c.result(TRANSACTION_START, b"\0")
    ok(tid.endswith(b"\0") and tid[:-1].isdigit() and tid != b"0\0", "TRANSACTION_START gives an id")
    tx = int(tid[:-1])
    t, req, rtx, body = c.request(WRITE, b"/tx/a\0" + b"1", tx=tx)
    is_((t, rtx, body), (WRITE, tx, b"OK\0"), "a write in the transaction echoes its tx_id")
    is_(c.result(READ, b"/tx/a\0"), b"0", "outside, the old value")
    is_(c.result(READ, b"/tx/a\0", tx=tx), b"1", "inside, the new one")
    is_(w.pending_events(), [], "no event before the commit")
    is_(c.result(TRANSACTION_END, b"T\0", tx=tx), b"OK\0", "commit")
    is_(w.pending_events(), [(b"/tx/a", b"t")], "the event fires at commit")
    is_(c.result(READ, b"/tx/a\0", tx=tx), "ENOENT", "the id is gone after the end")

    tx = int(c.result(TRANSACTION_START, b"\0")[:-1])
    c.result(WRITE, b"/tx/b\0" + b"1", tx=tx)
    is_(c.result(TRANSACTION_END, b"F\0", tx=tx), b"OK\0", "abort")
    is_((w.pending_events(), c.result(READ, b"/tx/b\0")), ([], "ENOENT"),
        "an aborted transaction changes nothing, fires nothing")

    is_(xsim("ctl", "fault-commit-eagain", "1")[0], 0, "ctl fault-commit-eagain 1")
    tx = int(c.result(TRANSACTION_START, b"\0")[:-1])
    c.result(WRITE, b"/tx/a\0" + b"2", tx=tx)
    is_(c.result(TRANSACTION_END, b"T\0", tx=tx), "EAGAIN", "the next commit fails with EAGAIN")
    is_((c.result(READ, b"/tx/a\0"), w.pending_events()), (b"1", []), "and applies nothing")
    tx = int(c.result(TRANSACTION_START, b"\0")[:-1])
    c.result(WRITE, b"/tx/a\0" + b"3", tx=tx)
    is_(c.result(TRANSACTION_END, b"T\0", tx=tx), b"OK\0", "the one after it commits")

    other = Conn(0)
    tx = int(c.result(TRANSACTION_START, b"\0")[:-1])
    is_(other.result(READ, b"/tx/a\0", tx=tx), "ENOENT", "a transaction is its connection's own")
    rc, out = xsim("ctl", "dump-store")
    ok(rc == 0 and ("  transaction %d\n" % tx) in out and '  watch "/tx" "t"\n' in out,
       "dump-store shows open transactions and watches")
    is_(c.result(TRANSACTION_START, b"\0", tx=tx), "EBUSY", "no transaction inside one")
    is_(c.result(TRANSACTION_END, b"T\0", tx=12345), "ENOENT", "an unknown tx_id is ENOENT")
    for x in (w, c, other):
        x.close()


def test_quotas():
    rc, _ = xsim("ctl", "quota", "1", "watches", "2")
    is_(rc, 0, "ctl quota 1 watches 2")
    g = Conn(1)
    g2 = Conn(1)
    watch(g, b"data/q1", b"a")
    watch(g2, b"data/q2", b"a")
    is_(g.result(WATCH, b"data/q3\0a\0"), "E2BIG", "the third watch of the domain is E2BIG")
    xsim("ctl", "quota", "1", "transactions", "1")
    tx = g.result(TRANSACTION_START, b"\0")
    is_(g.result(TRANSACTION_START, b"\0"), "ENOSPC", "a second transaction is ENOSPC")
    g.result(TRANSACTION_END, b"F\0", tx=int(tx[:-1]))
    xsim("ctl", "quota", "1", "value", "4")
    is_(g.result(WRITE, b"data/v\0" + b"1234"), b"OK\0", "a 4-byte value fits quota 4")
    is_(g.result(WRITE, b"data/v\0" + b"12345"), "ENOSPC", "a 5-byte value is ENOSPC")
    xsim("ctl", "quota", "1", "perms", "1")
    is_(g.result(SET_PERMS, b"data/v\0n1\0r0\0"), "ENOSPC", "two entries over quota 1 is ENOSPC")
    xsim("ctl", "quota", "1", "nodes", "0")
    is_(g.result(WRITE, b"data/new\0" + b"1"), "ENOSPC", "no new node under quota 0")
    is_(xsim("ctl", "quota", "0", "nodes", "1")[0], 1, "dom0 has no quota to set")
    is_(xsim("ctl", "quota", "1", "bogus", "1")[0], 1, "an unknown quota kind is an error")
    g.close()
    g2.close()


def test_directory_part():
    c = Conn(0)
    names = [b"n%03d-" % i + b"x" * 60 for i in range(100)]
    for n in names:
        c.result(MKDIR, b"/big/" + n + b"\0")
    is_(c.result(DIRECTORY, b"/big\0"), "E2BIG", "a listing over 4096 bytes is E2BIG")
    got, off, gen = b"", 0, None
    for _ in range(10):
        part = c.result(DIRECTORY_PART, b"/big\0%d\0" % off)
        g, rest = part.split(b"\0", 1)
        gen = gen or g
        got += rest
        off += len(rest)
        if rest.endswith(b"\0\0") or rest == b"\0":
            break
    is_(got, b"\0".join(names) + b"\0\0", "DIRECTORY_PART returns it in pieces")
    c.close()


def test_slow_reader():
    slow = Conn(0)
    c = Conn(0)
    token = b"t" * 1000
    watch(slow, b"/slow", token)
    for i in range(400):
        c.send(WRITE, b"/slow/x\0%d" % i)
    replies = [c.reply()[0] for _ in range(400)]
    is_(replies.count(WRITE), 400, "a writer is not held up by a watcher that does not read")
    is_(c.result(READ, b"/slow/x\0"), b"399", "and xsimd keeps serving")
    events = [slow.event() for _ in range(400)]
    ok(all(e == (b"/slow/x", token) for e in events), "the watcher then reads all 400 events")
    is_(slow.pending_events(), [], "and no more")
    slow.close()
    c.close()


def client(domid):
    """A domain's process: write a node, say how it went, then wait."""
    c = Conn(domid)
    sys.stdout.buffer.write(c.result(WRITE, b"data/x\0" + b"x") + b"\n")
    sys.stdout.flush()
    c.s.settimeout(None)
    c.s.recv(1)


if len(sys.argv) == 4 and sys.argv[2] == "--client":
    client(int(sys.argv[3]))
    sys.exit(0)
for g in (test_basics, test_malformed, test_watches, test_special, test_transactions,
          test_quotas, test_directory_part, test_slow_reader):
    group(g)
print("1..%d" % count)
sys.exit(1 if failed else 0)
