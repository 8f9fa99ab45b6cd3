/* xdraw: draws what the guest tests ask for, through Xlib, and returns
 * only once the server has done it (XSync).
 *
 *   xdraw fill X Y W H RRGGBB     fill a rectangle of the root window
 *   xdraw cursor-blank            an invisible root cursor: the software
 *                                 cursor is in the framebuffer but not in
 *                                 xwd's picture, so hide it before comparing
 *   xdraw warp X Y                move the pointer
 *   xdraw size                    print the root window's WIDTHxHEIGHT
 *   xdraw frames N                N whole-screen fills, grey 0x404040 and
 *                                 0xc0c0c0 in turn, each drawn when the
 *                                 last is done (XSync), then a red one: an
 *                                 animation whose every frame is one colour
 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whole-screen frames, one request each: the server draws a frame
 * between two passes of its main loop. (An XPutImage this large would be
 * split by Xlib into requests of a few rows, and the server may show the
 * picture between them: half a frame that no protocol below X can mend.) */
static void frames(Display *d, Window root, long n)
{
    XWindowAttributes a;
    XGetWindowAttributes(d, root, &a);
    GC gc = XCreateGC(d, root, 0, NULL);
    XSetSubwindowMode(d, gc, IncludeInferiors);
    for (long k = 0; k <= n; k++) {
        XSetForeground(d, gc, k == n ? 0xff0000 : k % 2 ? 0xc0c0c0 : 0x404040);
        XFillRectangle(d, root, gc, 0, 0, (unsigned)a.width, (unsigned)a.height);
        XSync(d, False);
    }
    XFreeGC(d, gc);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: xdraw fill X Y W H RRGGBB | cursor-blank | warp X Y | size | frames N\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fprintf(stderr, "xdraw: cannot open display\n");
        return 1;
    }
    Window root = DefaultRootWindow(d);
    if (!strcmp(argv[1], "fill") && argc == 7) {
        GC gc = XCreateGC(d, root, 0, NULL);
        XSetForeground(d, gc, strtoul(argv[6], NULL, 16));
        /* IncludeInferiors: draw over child windows too, as xwd sees them */
        XSetSubwindowMode(d, gc, IncludeInferiors);
        XFillRectangle(d, root, gc, atoi(argv[2]), atoi(argv[3]), (unsigned)atoi(argv[4]),
                       (unsigned)atoi(argv[5]));
        XFreeGC(d, gc);
    } else if (!strcmp(argv[1], "cursor-blank") && argc == 2) {
        static char bits[1] = {0};
        Pixmap p = XCreateBitmapFromData(d, root, bits, 1, 1);
        XColor black = {0};
        Cursor c = XCreatePixmapCursor(d, p, p, &black, &black, 0, 0);
        XDefineCursor(d, root, c);
        XFreePixmap(d, p);
    } else if (!strcmp(argv[1], "warp") && argc == 4) {
        XWarpPointer(d, None, root, 0, 0, 0, 0, atoi(argv[2]), atoi(argv[3]));
    } else if (!strcmp(argv[1], "frames") && argc == 3) {
        frames(d, root, atol(argv[2]));
    } else if (!strcmp(argv[1], "size") && argc == 2) {
        XWindowAttributes a;
        XGetWindowAttributes(d, root, &a);
        printf("%dx%d\n", a.width, a.height);
    } else {
        XCloseDisplay(d);
        return usage();
    }
    XSync(d, False);
    XCloseDisplay(d);
    return 0;
}
