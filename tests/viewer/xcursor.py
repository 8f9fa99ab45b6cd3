#!/usr/bin/env python3
"""xcursor: the cursor an X server shows now (XFixes), as a viewer's
window set it.

    xcursor.py SECONDS WxH | -WxH

Waits (XFixes cursor notifications, up to SECONDS) until the display's
current cursor is WxH (with -WxH: a visible cursor of any other size),
then prints
    cursor W H XHOT YHOT OPAQUE RRGGBB
(OPAQUE: pixels with alpha; RRGGBB: the first of them); "timeout" and
exit 1 otherwise. Through ctypes: libX11 and libXfixes only.
"""
import ctypes
import select
import sys
import time

X11 = ctypes.CDLL("libX11.so.6")
XF = ctypes.CDLL("libXfixes.so.3")


class Image(ctypes.Structure):
    _fields_ = [("x", ctypes.c_short), ("y", ctypes.c_short),
                ("width", ctypes.c_ushort), ("height", ctypes.c_ushort),
                ("xhot", ctypes.c_ushort), ("yhot", ctypes.c_ushort),
                ("serial", ctypes.c_ulong), ("pixels", ctypes.POINTER(ctypes.c_ulong)),
                ("atom", ctypes.c_ulong), ("name", ctypes.c_char_p)]


X11.XOpenDisplay.restype = ctypes.c_void_p
X11.XOpenDisplay.argtypes = [ctypes.c_char_p]
X11.XDefaultRootWindow.restype = ctypes.c_ulong
X11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
X11.XConnectionNumber.argtypes = [ctypes.c_void_p]
X11.XPending.argtypes = [ctypes.c_void_p]
X11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
X11.XFlush.argtypes = [ctypes.c_void_p]
XF.XFixesGetCursorImage.restype = ctypes.POINTER(Image)
XF.XFixesGetCursorImage.argtypes = [ctypes.c_void_p]
XF.XFixesSelectCursorInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]


def current(d):
    im = XF.XFixesGetCursorImage(d)
    if not im:
        return None
    c = im.contents
    opaque, first = 0, None
    for i in range(c.width * c.height):
        p = c.pixels[i] & 0xffffffff
        if p >> 24:
            opaque += 1
            if first is None:
                first = p & 0xffffff
    r = (c.width, c.height, c.xhot, c.yhot, opaque, first or 0)
    X11.XFree(im)
    return r


def main():
    secs, want = float(sys.argv[1]), sys.argv[2]
    other = want.startswith("-")
    want = want.lstrip("-")
    d = X11.XOpenDisplay(None)
    if not d:
        print("cannot open display")
        return 1
    XF.XFixesSelectCursorInput(d, X11.XDefaultRootWindow(d), 1)  # DisplayCursorNotifyMask
    X11.XFlush(d)
    ev = ctypes.create_string_buffer(192)
    end = time.monotonic() + secs
    while True:
        c = current(d)
        if c and ("%dx%d" % c[:2] != want and c[0] > 0 if other else "%dx%d" % c[:2] == want):
            print("cursor %d %d %d %d %d %06x" % c, flush=True)
            return 0
        left = end - time.monotonic()
        if left <= 0:
            print("timeout, last %s" % (c,), flush=True)
            return 1
        select.select([X11.XConnectionNumber(d)], [], [], left)
        while X11.XPending(d):
            X11.XNextEvent(d, ev)


sys.exit(main())
