#!/usr/bin/env python3
"""webclip: noVNC's clipboard panel in a headless Chromium, over DevTools.

    webclip.py DEVTOOLS_PORT URL TITLE

Opens URL, waits until the title contains TITLE (noVNC connected), prints
"ready", then takes commands on stdin, one a line:
    wait HEX     until the panel's text is these UTF-8 bytes (what noVNC
                 shows of the server's cut text): "got", or "timeout TEXT"
                 after 20 s
    paste HEX    put this text in the panel as a user does (its change
                 event sends it as the client's cut text): "pasted"
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdrive import Page  # noqa: E402

PANEL = "document.getElementById('noVNC_clipboard_text')"


def main():
    port, url, title = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    page = Page(port)
    page.call("Page.enable")
    page.call("Page.navigate", url=url)
    deadline = time.time() + 20
    while title not in (page.js("document.title") or ""):
        if time.time() > deadline:
            print("title %s" % page.js("document.title"), flush=True)
            return 1
        time.sleep(0.2)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if len(words) != 2:
            continue
        text = bytes.fromhex(words[1]).decode("utf-8")
        if words[0] == "wait":
            deadline = time.time() + 20
            while True:
                got = page.js(PANEL + ".value")
                if got == text:
                    print("got", flush=True)
                    break
                if time.time() > deadline:
                    print("timeout %r" % got, flush=True)
                    break
                time.sleep(0.1)
        elif words[0] == "paste":
            page.js("(function(){ const t = %s; t.value = %s; "
                    "t.dispatchEvent(new Event('change')); })()" % (PANEL, json.dumps(text)))
            print("pasted", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
