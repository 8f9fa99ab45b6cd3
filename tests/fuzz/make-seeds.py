#!/usr/bin/env python3
"""Write the seed inputs of the fuzz harnesses (tests/fuzz/corpus/NAME/).

Each seed is a small, meaningful program in a harness's input format
(README.md): a valid handshake, an update, a resize, a restart... The
fuzzer starts from these; the test suite replays them. Rerun after
changing a harness's format:  python3 tests/fuzz/make-seeds.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


# ---- backend harness (fuzz_back.c) ----
B_WRITE, B_RM, B_FIRE, B_W32, B_BYTES, B_NOTIFY, B_DISPATCH, B_VIEWER, B_FAULT, B_RESTART, \
    B_FLOOD, B_OUT, B_CLIP_SEND = range(13)
N_VFB_STATE, N_VFB_GREF, N_VFB_EVTCHN, N_VFB_PROTO = 0, 1, 2, 3
N_KBD_STATE, N_KBD_GREF, N_KBD_EVTCHN, N_KBD_ABS, N_KBD_RAW, N_KBD_HWHEEL = 6, 7, 8, 9, 10, 11
N_MAX_W, N_MAX_H = 12, 13
# the kernel's vfb (frame numbers) and vkbd
N_KFB_STATE, N_KFB_REF, N_KFB_EVTCHN, N_KFB_PROTO = 27, 28, 29, 30
N_KKBD_STATE, N_KKBD_GREF, N_KKBD_EVTCHN, N_KKBD_ABS = 37, 38, 39, 40
# the extensions: cursor (on the vfb), release, the clipboard device
N_VFB_CURSOR, N_VFB_RELEASE = 48, 49
N_CLIP_STATE, N_CLIP_GREF, N_CLIP_EVTCHN, N_CLIP_POLICY = 50, 51, 52, 53
V_X86_64, V_X86_32 = 8, 9
B_NVALUES = 35  # the harness's values[]: a byte past it is a raw string
KERNEL = 0x80   # a viewer op's bit for the kernel's devices


def b_write(node, value):
    if isinstance(value, int):
        return bytes([B_WRITE, node, value])
    raw = value.encode()
    return bytes([B_WRITE, node, B_NVALUES + len(raw)]) + raw


def b_w32(page, off, val):
    return bytes([B_W32, page]) + u16(off) + u32(val)


def b_out_update(page, x, y, w, h):
    ev = bytes([2, 0, 0, 0]) + struct.pack("<iiii", x, y, w, h)
    return bytes([B_OUT, page]) + ev.ljust(40, b"\0")


def b_out_resize(page, w, h, stride, depth, offset):
    ev = bytes([3, 0, 0, 0]) + struct.pack("<iiiii", w, h, stride, depth, offset)
    return bytes([B_OUT, page]) + ev.ljust(40, b"\0")


def b_viewer(what, a, c):
    return bytes([B_VIEWER, what]) + u16(a) + u16(c)


def vfb_page(page, w, h, depth, pd_offs, dir_page, mem=None):
    stride = w * depth // 8
    mem = mem if mem is not None else stride * h
    s = b_w32(page, 16, w) + b_w32(page, 20, h) + b_w32(page, 24, stride)
    s += b_w32(page, 28, mem) + b_w32(page, 32, depth)
    s += b_w32(page, pd_offs, dir_page)
    npages = (mem + 4095) // 4096
    for i in range(npages):
        s += b_w32(dir_page, 4 * i, 10 + i)
    s += bytes([B_BYTES, page]) + u16(4094) + bytes([1, 1])  # frontend alive
    return s


def vfb_connect(page=1, port=5, proto=V_X86_64, w=64, h=48, depth=32, extra=b""):
    pd = 40 if proto == V_X86_64 else 36
    s = bytes([B_DISPATCH])
    s += vfb_page(page, w, h, depth, pd, 2)
    s += b_write(N_VFB_GREF, str(page)) + b_write(N_VFB_EVTCHN, str(port)) + extra
    s += b_write(N_VFB_PROTO, proto) + b_write(N_VFB_STATE, 3)
    s += bytes([B_DISPATCH])
    return s


def kfb_connect(page=4, port=7, proto=V_X86_64, w=64, h=48, depth=32):
    """xen-fbfront's handshake: page-ref and pd[] as frame numbers, the
    directory's entries unsigned long of the guest's ABI, no liveness
    byte."""
    stride = w * depth // 8
    mem = stride * h
    pd, word = (40, 8) if proto == V_X86_64 else (36, 4)
    s = bytes([B_DISPATCH])
    s += b_w32(page, 16, w) + b_w32(page, 20, h) + b_w32(page, 24, stride)
    s += b_w32(page, 28, mem) + b_w32(page, 32, depth) + b_w32(page, pd, 5)
    for i in range((mem + 4095) // 4096):
        s += b_w32(5, word * i, 10 + i)
    s += b_write(N_KFB_REF, str(page)) + b_write(N_KFB_EVTCHN, str(port))
    s += b_write(N_KFB_PROTO, proto) + b_write(N_KFB_STATE, 3)
    s += bytes([B_DISPATCH])
    return s


def kkbd_connect(page=6, port=8):
    s = bytes([B_DISPATCH])
    s += b_write(N_KKBD_GREF, str(page)) + b_write(N_KKBD_EVTCHN, str(port))
    s += b_write(N_KKBD_ABS, 1) + b_write(N_KKBD_STATE, 3) + bytes([B_DISPATCH])
    return s


def vkbd_connect(page=3, port=6, abs_=True, raw=True, hwheel=True):
    s = bytes([B_DISPATCH])
    s += bytes([B_BYTES, page]) + u16(4094) + bytes([1, 1])
    s += b_write(N_KBD_GREF, str(page)) + b_write(N_KBD_EVTCHN, str(port))
    if abs_:
        s += b_write(N_KBD_ABS, 1)
    if raw:
        s += b_write(N_KBD_RAW, 1)
    if hwheel:
        s += b_write(N_KBD_HWHEEL, 1)
    s += b_write(N_KBD_STATE, 3) + bytes([B_DISPATCH])
    return s


def cursor_header(page, seq, gen, w, h, hx, hy, x, y, visible):
    s = b""
    for off, v in ((4, gen), (8, w), (12, h), (16, hx), (20, hy), (24, x), (28, y), (32, visible)):
        s += b_w32(page, off, v)
    for i in range(4):  # the image pages: zero pages of the fake
        s += b_w32(page, 48 + 4 * i, 20 + i)
    return s + b_w32(page, 0, seq)


def clip_connect(page=7, port=9, text_page=3, text=b""):
    """The clipboard device: its page names 16 pages each way; the
    guest's text lives in one guest page, named 16 times, written before
    the backend maps it (the fake copies the pages of a multi-page map
    as they are then)."""
    s = bytes([B_DISPATCH, B_BYTES, text_page]) + u16(0) + bytes([len(text)]) + text
    for i in range(16):
        s += b_w32(page, 64 + 4 * i, text_page) + b_w32(page, 128 + 4 * i, 30 + i)
    s += b_write(N_CLIP_GREF, str(page)) + b_write(N_CLIP_EVTCHN, str(port))
    s += b_write(N_CLIP_STATE, 3) + bytes([B_DISPATCH])
    return s


def clip_out(page, seq, length):
    return b_w32(page, 4, length) + b_w32(page, 0, seq)


def clip_send(text, length=None):
    """A viewer's text: length (0xffff: one byte past the limit), then
    the text's first bytes; 'x' up to the length."""
    return bytes([B_CLIP_SEND]) + u16(len(text) if length is None else length) \
        + bytes([len(text)]) + text


def back_seeds():
    seeds = {}
    seeds["handshake-vfb"] = vfb_connect()
    seeds["update"] = vfb_connect() + b_out_update(1, 8, 8, 16, 16) + b_out_update(1, -5, 40, 100, 100) \
        + bytes([B_NOTIFY, 5, B_DISPATCH])
    seeds["resize"] = vfb_connect(w=128, h=96) + b_out_resize(1, 64, 48, 256, 32, 4096) \
        + b_out_update(1, 0, 0, 64, 48) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + b_out_resize(1, 100, 100, 400, 16, 0) + bytes([B_NOTIFY, 5, B_DISPATCH])
    seeds["layout32"] = vfb_connect(proto=V_X86_32, depth=16)
    seeds["handshake-vkbd"] = vkbd_connect() + b_viewer(0, 30, 1) + b_viewer(0, 30, 0) \
        + b_viewer(1, 10, 20) + b_viewer(4, 1, 0) + b_viewer(5, 0xFFFF, 0) \
        + bytes([B_NOTIFY, 6, B_DISPATCH])
    seeds["vkbd-relative"] = vkbd_connect(abs_=False, raw=False, hwheel=False) \
        + b_viewer(1, 10, 20) + b_viewer(3, 5, 0xFFFB) + b_viewer(4, 0xFFFF, 0) \
        + b_viewer(5, 1, 0) + b_viewer(7, 200, 0) + b_w32(3, 0, 64) + bytes([B_NOTIFY, 6, B_DISPATCH])
    seeds["both"] = vfb_connect() + vkbd_connect() + b_viewer(6, 0, 0) + b_viewer(6, 50, 0) \
        + b_viewer(1, 63, 47) + bytes([B_NOTIFY, 5, B_NOTIFY, 6, B_DISPATCH])
    seeds["restart"] = vfb_connect() + vkbd_connect() + bytes([B_RESTART, B_DISPATCH]) \
        + b_write(N_VFB_STATE, 5) + bytes([B_DISPATCH]) + b_write(N_VFB_STATE, 1) \
        + bytes([B_DISPATCH]) + b_write(N_VFB_STATE, 3) + bytes([B_DISPATCH])
    seeds["frontend-gone"] = vfb_connect() + bytes([B_BYTES, 1]) + u16(4094) + bytes([1, 0]) \
        + bytes([B_NOTIFY, 5, B_DISPATCH]) + b_write(N_VFB_STATE, 6) + bytes([B_DISPATCH])
    seeds["bad-mode"] = vfb_connect(w=300, h=48)
    seeds["limits"] = b_write(N_MAX_W, "64") + b_write(N_MAX_H, "48") + vfb_connect(w=64, h=48)
    seeds["destroy"] = vfb_connect() + bytes([B_RM, 21]) + bytes([B_FIRE, 2, 12, B_DISPATCH])
    seeds["detach"] = vfb_connect() + vkbd_connect() + bytes([B_RM, 24, B_DISPATCH, B_RM, 25, B_DISPATCH])
    seeds["flood"] = vfb_connect() + bytes([B_FLOOD, 5, 90])
    seeds["ring-overrun"] = vfb_connect() + b_w32(1, 12, 1000) + bytes([B_NOTIFY, 5, B_DISPATCH])
    seeds["faults"] = bytes([B_FAULT, 12]) + vfb_connect() + bytes([B_FAULT, 10]) + vkbd_connect()
    seeds["kernel-handshake"] = kfb_connect() + kkbd_connect() + b_out_update(4, 0, 0, 64, 16) \
        + bytes([B_NOTIFY, 7, B_DISPATCH]) + b_viewer(KERNEL | 0, 30, 1) \
        + b_viewer(KERNEL | 0, 30, 0) + b_viewer(KERNEL | 1, 32, 24) + b_viewer(KERNEL | 4, 1, 0) \
        + bytes([B_NOTIFY, 8, B_DISPATCH])
    seeds["kernel-resize"] = kfb_connect(w=128, h=96) + b_out_resize(4, 64, 48, 512, 32, 0) \
        + b_out_update(4, 0, 0, 64, 48) + bytes([B_NOTIFY, 7, B_DISPATCH])
    seeds["kernel-layout32"] = kfb_connect(proto=V_X86_32, depth=16)
    seeds["kernel-frames"] = kfb_connect() + b_w32(5, 0, 0x100000) + b_write(N_KFB_STATE, 1) \
        + bytes([B_DISPATCH]) + b_write(N_KFB_STATE, 3) + bytes([B_DISPATCH])
    seeds["watch-paths"] = bytes([B_FIRE, 0, 0, B_FIRE, 0, 1, B_FIRE, 0, 2, B_FIRE, 0, 3,
                                  B_FIRE, 1, 10, B_FIRE, 2, 12, B_DISPATCH]) \
        + bytes([B_FIRE, 0, 48 + 16 + 25]) + b"/local/domain/0/backend/vfb/1/0" + bytes([B_DISPATCH])
    # the cursor extension: a header, a change, a bad size, a writer
    # caught mid-write
    seeds["cursor"] = vfb_connect(extra=cursor_header(7, 2, 1, 16, 16, 3, 3, 10, 10, 1)
                                  + b_write(N_VFB_CURSOR, "7")) \
        + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + cursor_header(7, 4, 2, 32, 8, 31, 7, 60, 40, 1) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + cursor_header(7, 5, 3, 64, 64, 0, 0, 0, 0, 1) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + cursor_header(7, 6, 3, 0, 0, 0, 0, 0, 0, 0) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + cursor_header(7, 8, 4, 64, 64, 63, 63, -5, 100000, 1) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + cursor_header(7, 10, 5, 8, 8, 8, 0, 0, 0, 1) + bytes([B_NOTIFY, 5, B_DISPATCH])
    # the release extension: updates the backend reports back
    seeds["release"] = vfb_connect(extra=b_write(N_VFB_RELEASE, 1)) \
        + b_out_update(1, 8, 8, 16, 16) + bytes([B_NOTIFY, 5, B_DISPATCH]) \
        + b_out_update(1, 0, 0, 64, 48) + b_w32(1, 2024, 0xFFFFFFFF) + bytes([B_NOTIFY, 5, B_DISPATCH])
    # the clipboard: text each way, then too long, not UTF-8, mid-write,
    # and a viewer's text past the limit; the policy changed under it
    seeds["clipboard"] = clip_connect(text=b"hello caf\xc3\xa9 \xff") \
        + clip_out(7, 2, 5) + bytes([B_NOTIFY, 9, B_DISPATCH]) \
        + clip_send(b"world") + bytes([B_DISPATCH]) \
        + clip_out(7, 4, 70000) + bytes([B_NOTIFY, 9, B_DISPATCH]) \
        + clip_out(7, 6, 13) + bytes([B_NOTIFY, 9, B_DISPATCH]) \
        + clip_out(7, 7, 3) + bytes([B_NOTIFY, 9, B_DISPATCH]) \
        + clip_send(b"", 0xFFFF) + clip_send(b"\xc3", 300) + clip_send(b"caf\xc3\xa9") + bytes([B_DISPATCH]) \
        + b_write(N_CLIP_POLICY, "to-guest") + b_write(N_CLIP_STATE, 1) + bytes([B_DISPATCH]) \
        + b_write(N_CLIP_STATE, 3) + bytes([B_DISPATCH]) + clip_out(7, 8, 10) \
        + bytes([B_NOTIFY, 9, B_FLOOD, 9, 20])
    return seeds


# ---- frontend harness (fuzz_front.c) ----
F_BE_WRITE, F_BE_RM, F_FE_WRITE, F_FIRE, F_W32, F_BYTES, F_NOTIFY, F_DISPATCH, F_CALLER, \
    F_FAULT, F_RESTART, F_FLOOD, F_IN, F_ALIVE = range(14)
BE_STATE, BE_GREF, BE_RESIZE, BE_REQ_UPDATE, BE_ABS, BE_RAW, BE_HWHEEL, BE_W, BE_H = range(9)
F_V800, F_V600 = 17, 18


def f_be(node, value):
    return bytes([F_BE_WRITE, node, value])


def f_in(ev):
    return bytes([F_IN]) + ev.ljust(40, b"\0")


def f_caller(what, a=0, b=0, c=0, d=0):
    return bytes([F_CALLER, what]) + u16(a) + u16(b) + u16(c) + u16(d)


def refresh(period):
    return bytes([1, 0, 0, 0]) + u32(period)


def key(code, pressed):
    return bytes([3, pressed, 0, 0]) + u32(code)


def motion(dx, dy, dz, dw=0):
    return bytes([1, 0, 0, 0]) + struct.pack("<iiii", dx, dy, dz, dw)


def pos(x, y, z, w=0):
    return bytes([4, 0, 0, 0]) + struct.pack("<iiii", x, y, z, w)


def front_vfb_connect():
    s = bytes([0])  # vfb
    s += f_be(BE_GREF, 1) + f_be(BE_RESIZE, 1) + f_be(BE_STATE, 2) + bytes([F_DISPATCH])
    s += bytes([F_ALIVE, 1]) + f_be(BE_REQ_UPDATE, 1) + f_be(BE_STATE, 4) + bytes([F_DISPATCH])
    return s


def front_vkbd_connect(abs_=True, raw=True, hwheel=True):
    s = bytes([1])  # vkbd
    if abs_:
        s += f_be(BE_ABS, 1)
    if raw:
        s += f_be(BE_RAW, 1)
    if hwheel:
        s += f_be(BE_HWHEEL, 1)
    s += f_be(BE_W, F_V800) + f_be(BE_H, F_V600)
    s += f_be(BE_STATE, 2) + bytes([F_DISPATCH, F_ALIVE, 1]) + f_be(BE_STATE, 4) + bytes([F_DISPATCH])
    return s


def front_seeds():
    seeds = {}
    n = bytes([F_NOTIFY, F_DISPATCH])
    seeds["handshake-vfb"] = front_vfb_connect()
    seeds["refresh"] = front_vfb_connect() + f_in(refresh(30)) + n + f_caller(0, 1, 2, 10, 10) \
        + f_in(refresh(0)) + n + f_caller(0, 0, 0, 64, 48) + f_in(refresh(50)) + n
    seeds["resize"] = front_vfb_connect() + f_in(refresh(30)) + n + f_caller(1, 32, 24, 2, 0) \
        + f_caller(1, 128, 96, 2, 0) + f_caller(1, 200, 200, 2, 0) + f_caller(2, 7) + n
    seeds["update-ring-full"] = front_vfb_connect() + f_in(refresh(30)) + n \
        + b"".join(f_caller(0, i, i, 3, 3) for i in range(60)) + bytes([F_W32]) + u16(8) + u32(51) + n
    seeds["no-gref"] = bytes([0]) + f_be(BE_STATE, 2) + bytes([F_DISPATCH])
    seeds["backend-restart"] = front_vfb_connect() + f_be(BE_STATE, 5) + bytes([F_DISPATCH]) \
        + f_be(BE_STATE, 2) + bytes([F_DISPATCH]) + f_be(BE_STATE, 4) + bytes([F_DISPATCH])
    seeds["backend-gone"] = front_vfb_connect() + bytes([F_ALIVE, 0]) + n
    seeds["broken-ring"] = front_vfb_connect() + bytes([F_W32]) + u16(4) + u32(1000) + n \
        + f_be(BE_STATE, 5) + bytes([F_DISPATCH])
    seeds["handshake-vkbd"] = front_vkbd_connect() + f_in(key(30, 1)) + f_in(key(30, 0)) \
        + f_in(pos(100, 200, 1, -1)) + f_in(motion(5, -5, 0, 2)) + n
    seeds["vkbd-bad-events"] = front_vkbd_connect() + f_in(key(0x300, 1)) + f_in(bytes([9])) \
        + f_in(pos(-1, 0x8000, 0)) + n
    seeds["vkbd-abs"] = front_vkbd_connect(raw=False) + f_in(pos(900, 700, 0)) + n
    seeds["vkbd-flood"] = front_vkbd_connect() + b"".join(f_in(key(i, 1)) for i in range(40)) \
        + bytes([F_FLOOD, 3])
    seeds["restart"] = front_vkbd_connect() + bytes([F_RESTART, F_RESTART]) + f_be(BE_STATE, 2) \
        + bytes([F_DISPATCH])
    # RESTART closes, the next one opens: a fault armed in between hits the open
    seeds["faults"] = bytes([0, F_RESTART, F_FAULT, 14, F_RESTART, F_FAULT, 10, F_RESTART,
                             F_FAULT, 3, F_RESTART, F_RESTART, F_RESTART]) \
        + f_be(BE_GREF, 1) + f_be(BE_STATE, 2) + bytes([F_FAULT, 7, F_DISPATCH, F_DISPATCH])
    return seeds


# ---- xsimd harness (fuzz_xsimd.c) ----
X_MSG, X_RAW, X_SPLIT, X_HUP, X_DRAIN, X_GUEST, X_VERB = range(7)
(XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH, XS_TX_START, XS_TX_END,
 XS_INTRODUCE, XS_RELEASE, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS) = range(15)
XS_IS_INTRODUCED, XS_RESET_WATCHES, XS_DIRECTORY_PART = 17, 21, 22
S = {s: i for i, s in enumerate([
    "/", "/local", "/local/domain/0", "/local/domain/1", "/local/domain/1/device",
    "/local/domain/1/device/xenfb/0/state", "device/xenfb/0", "device", "data/x", "/tool",
    "/local/domain/0/backend/xenfb/1/0", "@releaseDomain", "@introduceDomain", "@other", "", "tok",
    "0", "1", "2", "32752", "65535", "65536", "T", "F", "n0", "r1", "w1", "b1", "n1", "x1", "//",
    "/local/domain/1/", "a/../b"])}


X_NSTRINGS = 34  # the harness's table holds one more (a long path)


def xmsg(slot, typ, strs, tx=0, req=1, final_nul=True):
    how = (len(strs) - 1) & 3
    if not final_nul:
        how |= 4
    out = bytes([X_MSG, slot, typ, req, tx, how])
    for s in strs:
        # a string of the harness's table, or one spelt out in the input
        out += bytes([S[s]]) if s in S else bytes([X_NSTRINGS + len(s)]) + s.encode()
    return out


def xsimd_seeds():
    seeds = {}
    seeds["read-write"] = xmsg(1, XS_WRITE, ["data/x", "1"], final_nul=False) \
        + xmsg(1, XS_READ, ["data/x"]) + xmsg(1, XS_DIRECTORY, ["device"]) \
        + xmsg(1, XS_MKDIR, ["device/xenfb/0"]) + xmsg(1, XS_GET_PERMS, ["device/xenfb/0"]) \
        + xmsg(1, XS_RM, ["device/xenfb/0"]) + xmsg(1, XS_READ, ["/local/domain/0"]) \
        + xmsg(0, XS_WRITE, ["/local/domain/1/device/xenfb/0/state", "2"], final_nul=False)
    seeds["transactions"] = xmsg(0, XS_TX_START, [""]) \
        + xmsg(0, XS_WRITE, ["/tool", "1"], tx=1, final_nul=False) + xmsg(0, XS_TX_END, ["T"], tx=1) \
        + xmsg(1, XS_TX_START, [""]) + xmsg(1, XS_WRITE, ["data/x", "2"], tx=1, final_nul=False) \
        + xmsg(2, XS_WRITE, ["data/x", "1"], final_nul=False) + xmsg(1, XS_TX_END, ["T"], tx=1) \
        + xmsg(1, XS_TX_START, [""]) + xmsg(1, XS_TX_END, ["F"], tx=2) + xmsg(1, XS_READ, ["data/x"], tx=7)
    seeds["watches"] = xmsg(1, XS_WATCH, ["device", "tok"]) + xmsg(0, XS_WATCH, ["@releaseDomain", "tok"]) \
        + xmsg(0, XS_WRITE, ["/local/domain/1/device/xenfb/0/state", "1"], final_nul=False) \
        + xmsg(2, XS_WATCH, ["/", "tok"]) + xmsg(1, XS_UNWATCH, ["device", "tok"]) \
        + xmsg(2, XS_RESET_WATCHES, [""]) + bytes([X_GUEST, X_GUEST]) \
        + xmsg(1, XS_WATCH, ["device/xenfb/0", "0"]) + xmsg(1, XS_RM, ["device"])
    seeds["perms"] = xmsg(0, XS_WRITE, ["/local/domain/1/device/xenfb/0/state", "1"], final_nul=False) \
        + xmsg(0, XS_SET_PERMS, ["/local/domain/1/device/xenfb/0/state", "n0", "r1"]) \
        + xmsg(1, XS_READ, ["device/xenfb/0/state"]) \
        + xmsg(1, XS_WRITE, ["device/xenfb/0/state", "2"], final_nul=False) \
        + xmsg(1, XS_SET_PERMS, ["device", "n1", "b1"]) + xmsg(1, XS_SET_PERMS, ["device", "x1"])
    seeds["domains"] = xmsg(0, XS_INTRODUCE, ["2", "0", "0"]) + xmsg(0, XS_IS_INTRODUCED, ["2"]) \
        + xmsg(0, XS_RELEASE, ["2"]) + xmsg(0, XS_GET_DOMAIN_PATH, ["1"]) \
        + xmsg(1, XS_INTRODUCE, ["2", "0", "0"]) + xmsg(1, XS_IS_INTRODUCED, ["65536"]) \
        + xmsg(0, XS_RELEASE, ["0"]) + xmsg(1, XS_CONTROL, ["x1"])
    seeds["directory-part"] = xmsg(0, XS_DIRECTORY_PART, ["/", "0"]) \
        + xmsg(0, XS_DIRECTORY_PART, ["/local/domain/1", "2"]) + xmsg(0, XS_DIRECTORY_PART, ["/", "65536"])
    seeds["framing"] = bytes([X_SPLIT, 1, XS_READ, 1, 0, 0, S["data/x"], 7]) \
        + bytes([X_RAW, 1, 4]) + u32(XS_READ) + u32(1) + u32(0) + u32(5000) \
        + xmsg(1, XS_READ, ["device"]) + bytes([X_HUP, 2, X_DRAIN, 0])
    seeds["quotas"] = bytes([X_VERB, 0, 1, 0, 1, X_VERB, 1, 0, 0, 2]) \
        + xmsg(1, XS_WRITE, ["data/x", "1"], final_nul=False) + xmsg(1, XS_WRITE, ["device", "1"]) \
        + xmsg(0, XS_TX_START, [""]) + xmsg(0, XS_WRITE, ["/tool", "1"], tx=1) + xmsg(0, XS_TX_END, ["T"], tx=1)
    seeds["bad-paths"] = xmsg(1, XS_READ, ["//"]) + xmsg(1, XS_WRITE, ["a/../b", "1"]) \
        + xmsg(1, XS_MKDIR, ["/local/domain/1/"]) + xmsg(1, XS_RM, ["/"]) + xmsg(1, XS_READ, [""]) \
        + xmsg(1, XS_WATCH, ["@other", "tok"]) + xmsg(1, 23, ["/"]) + xmsg(1, XS_READ, ["/tool"], final_nul=False)
    return seeds


# ---- the filter of viewers' messages (fuzz_rfb.c) ----
def rfb_seeds():
    def be(fmt, *v):
        return struct.pack(">" + fmt, *v)
    head = bytes([16, 20, 128, 96])  # pieces of 17, room slack+20, bound 1024x768
    pixfmt = be("BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0)
    encs = be("BxH", 2, 4) + be("iiii", 7, 16, 0, -223)
    session = pixfmt + encs + be("BBHHHH", 3, 0, 0, 0, 1024, 768) + be("BBxxI", 4, 1, 0x61) \
        + be("BBHH", 5, 1, 10, 20) + be("BxxxI", 6, 5) + b"hello" + be("BBHII", 255, 0, 1, 0x61, 30)
    return {
        "session": head + session,
        "encodings-40": head + be("BxH", 2, 40) + b"".join(be("i", 1000 + i) for i in range(39)) + be("i", 0),
        "cut-over-limit": head + be("BxxxI", 6, 10000001) + b"x" * 300 + be("BBxxI", 4, 0, 0x62),
        "request-far": head + be("BBHHHH", 3, 0, 65535, 0, 65535, 65535),
        "qemu-code": head + be("BBHII", 255, 0, 1, 0x61, 300) + be("BBHI", 255, 1, 0, 0),
        "junk": head + bytes([7, 9, 99]),
        # the extended clipboard: caps, notify, provide (negative lengths)
        "extended-cut": head + be("Bxxxi", 6, -8) + be("II", 0x1f000001, 1 << 20)
        + be("BxxxiI", 6, -4, 0x08000001) + be("BxxxiI", 6, -9, 0x10000001) + b"zlib!",
    }


def main():
    for name, seeds in (("back", back_seeds()), ("front", front_seeds()), ("xsimd", xsimd_seeds()),
                        ("rfb", rfb_seeds())):
        d = os.path.join(HERE, "corpus", name)
        os.makedirs(d, exist_ok=True)
        for seed, data in seeds.items():
            with open(os.path.join(d, "seed-" + seed), "wb") as f:
                f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
