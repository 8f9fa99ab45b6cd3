#!/usr/bin/env python3
"""webdrive: drive a headless Chromium through the DevTools protocol.

    webdrive.py DEVTOOLS_PORT URL TITLE PNG [TEXT]

Opens URL, waits (20 s at most) until the page's title contains TITLE
(noVNC puts the VNC desktop name there once connected), saves a
screenshot to PNG, prints the noVNC canvas's rectangle in the page as
"canvas X Y W H", then the cursor noVNC gave the canvas (the image the
VNC server sent as the cursor pseudo-encoding, as a CSS cursor) as
"cursor W H XHOT YHOT OPAQUE RRGGBB" (OPAQUE: pixels with alpha, RRGGBB
the first of them; "cursor none" if it has none after 20 s) and, with
TEXT, types it into the page as real key events (lower-case letters,
digits and spaces), then Return and Ctrl+D.
"""
import json
import sys
import time
import base64
import io
import re
import urllib.request

import websocket


class Page:
    def __init__(self, port):
        deadline = time.time() + 20
        while True:
            try:
                tabs = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port))
                tab = [t for t in tabs if t.get("type") == "page"][0]
                break
            except (OSError, IndexError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        # No Origin header: Chromium (since 111) refuses DevTools
        # connections whose Origin it was not told to allow, and a client
        # that sends none is not a web page.
        try:
            self.ws = websocket.create_connection(tab["webSocketDebuggerUrl"], timeout=20,
                                                  suppress_origin=True)
        except (OSError, websocket.WebSocketException) as e:
            sys.exit("webdrive: DevTools refused the connection (%s); see chromium.log" % e)
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r["result"].get("value")


def key_event(page, kind, key, code, vk, text=None, modifiers=0):
    p = dict(type=kind, key=key, code=code, windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk,
             modifiers=modifiers)
    if text:
        p["text"] = text
    page.call("Input.dispatchKeyEvent", **p)


def press(page, key, code, vk, text=None, modifiers=0):
    key_event(page, "keyDown" if text else "rawKeyDown", key, code, vk, text, modifiers)
    key_event(page, "keyUp", key, code, vk, None, modifiers)
    time.sleep(0.03)


def type_text(page, text):
    for ch in text:
        if ch.isalpha():
            press(page, ch, "Key" + ch.upper(), ord(ch.upper()), ch)
        elif ch.isdigit():
            press(page, ch, "Digit" + ch, ord(ch), ch)
        elif ch == " ":
            press(page, " ", "Space", 32, " ")
        else:
            sys.exit("webdrive: cannot type %r" % ch)
    press(page, "Enter", "Enter", 13, "\r")
    key_event(page, "rawKeyDown", "Control", "ControlLeft", 17, None, 2)
    press(page, "d", "KeyD", 68, None, 2)
    key_event(page, "keyUp", "Control", "ControlLeft", 17, None, 0)


CANVAS = "document.querySelector('#noVNC_container canvas')"


def css_cursor(page):
    """The canvas's CSS cursor image and hotspot, once noVNC set one."""
    deadline = time.time() + 20
    while True:
        css = page.js(CANVAS + ".style.cursor") or ""
        m = re.search(r'url\("?data:image/png;base64,([^")]*)"?\)\s*(\d+)\s+(\d+)', css)
        if m:
            break
        if time.time() > deadline:
            return "cursor none (%s)" % css[:40]
        time.sleep(0.2)
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(m.group(1)))).convert("RGBA")
    px = [p for p in im.getdata() if p[3]]
    first = "%02x%02x%02x" % px[0][:3] if px else "000000"
    return "cursor %d %d %s %s %d %s" % (im.width, im.height, m.group(2), m.group(3), len(px), first)


def main():
    port, url, title, png = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    text = sys.argv[5] if len(sys.argv) > 5 else None
    page = Page(port)
    page.call("Page.enable")
    page.call("Page.navigate", url=url)
    deadline = time.time() + 20
    while title not in (page.js("document.title") or ""):
        if time.time() > deadline:
            print("title %s" % page.js("document.title"))
            return 1
        time.sleep(0.2)
    # the first frame arrives right after the title: give it a moment
    time.sleep(1.0)
    shot = page.call("Page.captureScreenshot", format="png")
    open(png, "wb").write(base64.b64decode(shot["data"]))
    rect = page.js("(() => { const r = " + CANVAS + ".getBoundingClientRect();"
                   " return [r.x, r.y, r.width, r.height]; })()")
    print("title %s" % page.js("document.title"))
    print("canvas %d %d %d %d" % tuple(round(v) for v in rect))
    print(css_cursor(page), flush=True)
    if text:
        page.js(CANVAS + ".focus()")
        type_text(page, text)
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
