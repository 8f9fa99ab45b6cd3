/* xdraw: draws what the guest tests ask for, through Xlib, and returns
 * only once the server has done it (XSync).
 *
 *   xdraw fill X Y W H RRGGBB     fill a rectangle of the root window
 *   xdraw cursor-blank            an invisible root cursor: the software
 *                                 cursor is in the framebuffer but not in
 *                                 xwd's picture, so hide it before comparing
 *   xdraw warp X Y                move the pointer
 *   xdraw cursor-box W H HX HY RRGGBB  a root cursor of known shape: a
 *                                 solid W x H box of that colour with
 *                                 its hotspot at HX, HY
 *   xdraw wander N                move the pointer N times along a zigzag
 *                                 over the screen, each move synced
 *   xdraw size                    print the root window's WIDTHxHEIGHT
 *   xdraw frames N                N whole-screen fills, grey 0x404040 and
 *                                 0xc0c0c0 in turn, each drawn when the
 *                                 last is done (XSync), then a red one: an
 *                                 animation whose every frame is one colour
 *   xdraw putframes N             the same frames as whole-screen images
 *                                 (XPutImage), which Xlib sends as many
 *                                 requests of a few rows each
 *   xdraw gradient X Y W H [S [N]]  an image where every pixel differs
 *                                 from its neighbours (red 5x + S, green
 *                                 3y, blue x^y, each modulo 256; S 0
 *                                 unless given): what an encoder sends
 *                                 as full colour, not as fills or
 *                                 palettes; N times (S, S + 1, ...),
 *                                 each drawn when the last is done
 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A GC that draws over child windows too, as xwd sees them. */
static GC root_gc(Display *d, Window root)
{
    GC gc = XCreateGC(d, root, 0, NULL);
    XSetSubwindowMode(d, gc, IncludeInferiors);
    return gc;
}

/* Whole-screen frames, one request each: the server draws a frame
 * between two passes of its main loop. (An XPutImage this large would be
 * split by Xlib into requests of a few rows, and the server may show the
 * picture between them: half a frame that no protocol below X can mend.) */
static void frames(Display *d, Window root, long n)
{
    XWindowAttributes a;
    XGetWindowAttributes(d, root, &a);
    GC gc = root_gc(d, root);
    for (long k = 0; k <= n; k++) {
        XSetForeground(d, gc, k == n ? 0xff0000 : k % 2 ? 0xc0c0c0 : 0x404040);
        XFillRectangle(d, root, gc, 0, 0, (unsigned)a.width, (unsigned)a.height);
        XSync(d, False);
    }
    XFreeGC(d, gc);
}

/* An image of W x H in the root's format. */
static XImage *image(Display *d, const XWindowAttributes *a, unsigned w, unsigned h)
{
    XImage *im = XCreateImage(d, a->visual, (unsigned)a->depth, ZPixmap, 0, NULL, w, h, 32, 0);
    if (!im || !(im->data = malloc((size_t)im->bytes_per_line * h))) {
        fprintf(stderr, "xdraw: out of memory\n");
        exit(1);
    }
    return im;
}

/* The same frames as images: Xlib cuts each into strips of rows that fit
 * in a request, and the server draws (and the driver reports) them one
 * by one. */
static void put_frames(Display *d, Window root, long n)
{
    XWindowAttributes a;
    XGetWindowAttributes(d, root, &a);
    GC gc = root_gc(d, root);
    XImage *im = image(d, &a, (unsigned)a.width, (unsigned)a.height);
    for (long k = 0; k <= n; k++) {
        unsigned long px = k == n ? 0xff0000 : k % 2 ? 0xc0c0c0 : 0x404040;
        for (int y = 0; y < a.height; y++)
            for (int x = 0; x < a.width; x++)
                XPutPixel(im, x, y, px);
        XPutImage(d, root, gc, im, 0, 0, 0, 0, (unsigned)a.width, (unsigned)a.height);
        XSync(d, False);
    }
    XDestroyImage(im);
    XFreeGC(d, gc);
}

static void gradient(Display *d, Window root, int x0, int y0, unsigned w, unsigned h, unsigned seed)
{
    XWindowAttributes a;
    XGetWindowAttributes(d, root, &a);
    GC gc = root_gc(d, root);
    XImage *im = image(d, &a, w, h);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            XPutPixel(im, (int)x, (int)y,
                      (unsigned long)((x * 5 + seed) & 0xff) << 16 | (y * 3 & 0xff) << 8 |
                          ((x ^ y) & 0xff));
    XPutImage(d, root, gc, im, 0, 0, x0, y0, w, h);
    XSync(d, False);
    XDestroyImage(im);
    XFreeGC(d, gc);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: xdraw fill X Y W H RRGGBB | cursor-blank | cursor-box W H HX HY RRGGBB | "
            "warp X Y | wander N | size | frames N | putframes N | gradient X Y W H [S [N]]\n");
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
        GC gc = root_gc(d, root);
        XSetForeground(d, gc, strtoul(argv[6], NULL, 16));
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
    } else if (!strcmp(argv[1], "cursor-box") && argc == 7) {
        unsigned w = (unsigned)atoi(argv[2]), h = (unsigned)atoi(argv[3]);
        Pixmap p = XCreatePixmap(d, root, w, h, 1);
        GC gc = XCreateGC(d, p, 0, NULL);
        XSetForeground(d, gc, 1);
        XFillRectangle(d, p, gc, 0, 0, w, h);
        XFreeGC(d, gc);
        unsigned long rgb = strtoul(argv[6], NULL, 16);
        XColor fg = {.red = (unsigned short)((rgb >> 16 & 0xff) * 257),
                     .green = (unsigned short)((rgb >> 8 & 0xff) * 257),
                     .blue = (unsigned short)((rgb & 0xff) * 257)};
        XColor bg = {0};
        Cursor c = XCreatePixmapCursor(d, p, p, &fg, &bg, (unsigned)atoi(argv[4]),
                                       (unsigned)atoi(argv[5]));
        XDefineCursor(d, root, c);
        XFreePixmap(d, p);
    } else if (!strcmp(argv[1], "warp") && argc == 4) {
        XWarpPointer(d, None, root, 0, 0, 0, 0, atoi(argv[2]), atoi(argv[3]));
    } else if (!strcmp(argv[1], "frames") && argc == 3) {
        frames(d, root, atol(argv[2]));
    } else if (!strcmp(argv[1], "putframes") && argc == 3) {
        put_frames(d, root, atol(argv[2]));
    } else if (!strcmp(argv[1], "wander") && argc == 3) {
        XWindowAttributes a;
        XGetWindowAttributes(d, root, &a);
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            /* 97 and 61: steps that visit the whole screen, not a line */
            int x = 16 + (i * 97) % (a.width - 96), y = 16 + (i * 61) % (a.height - 96);
            XWarpPointer(d, None, root, 0, 0, 0, 0, x, y);
            XSync(d, False);
        }
    } else if (!strcmp(argv[1], "gradient") && argc >= 6 && argc <= 8) {
        unsigned seed = argc >= 7 ? (unsigned)atoi(argv[6]) : 0;
        int n = argc == 8 ? atoi(argv[7]) : 1;
        for (int k = 0; k < n; k++)
            gradient(d, root, atoi(argv[2]), atoi(argv[3]), (unsigned)atoi(argv[4]),
                     (unsigned)atoi(argv[5]), seed + (unsigned)k);
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
