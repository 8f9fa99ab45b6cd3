/*
 * xwork: the workloads of the comparison suite, the same X client for
 * every system measured (bench/compare/README.md).
 *
 *   xwork MODE SECONDS SHMFILE
 *
 * Every mode first makes the screen quiet and alike on every server: a
 * solid root background, an invisible root cursor, the pointer parked in
 * the bottom-right corner. Then, for SECONDS:
 *
 *   put     whole-screen frames with XPutImage, as fast as the server
 *           takes them (XSync after each), each different from the
 *           previous 63
 *   shm     the same with XShmPutImage
 *   put60, shm60  the same, paced at 60 frames a second (an animation
 *           shown at a display's rate rather than a stress test)
 *   clock   a digital clock (HH:MM:SS.cc in the core font) redrawn 20
 *           times a second: one small region per tick
 *   move    a 400x300 patterned window moved 8 pixels 60 times a second
 *   marker  only the frame marker, 100 times a second (beside an xterm
 *           scrolling text, which cannot carry one itself)
 *   idle    nothing after the setup
 *
 * Each step paints the frame stamp (marker.h) at the top-left and the
 * bottom-right corners and records when it began drawing it, so the
 * measuring client can time each frame's arrival and tell a torn one.
 */
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>

#include "marker.h"

#define NFRAMES    4
#define SLIDE      16
#define BACKGROUND 0x303840

static Display *dpy;
static Window root;
static GC gc;
static int sw, sh;
static struct marker_shm *shm;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
    struct timespec ts = {t / 1000000000LL, t % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* the counter of the frame about to be drawn, its start time recorded */
static uint64_t begin_frame(void)
{
    uint64_t c = shm->drawn + 1;
    __atomic_store_n(&shm->ts[c % MARKER_RING], (uint64_t)now_ns(), __ATOMIC_RELEASE);
    return c;
}

static void end_frame(uint64_t c)
{
    XSync(dpy, False);
    __atomic_store_n(&shm->drawn, c, __ATOMIC_RELEASE);
}

/* the stamp of frame c at both corners (marker.h), black cells then white */
static void paint_marker(uint64_t c)
{
    for (int corner = 0; corner < 2; corner++) {
        int x0 = marker_x(corner, sw), y0 = marker_y(corner, sh);
        XSetForeground(dpy, gc, 0x000000);
        XFillRectangle(dpy, root, gc, x0, y0, MARKER_W, MARKER_H);
        XSetForeground(dpy, gc, 0xffffff);
        for (int i = 0; i < 2 * MARKER_BITS; i++)
            if (marker_cell(c, i))
                XFillRectangle(dpy, root, gc, x0 + i * MARKER_CELL, y0, MARKER_CELL, MARKER_H);
    }
}

static void setup(void)
{
    XSetWindowBackground(dpy, root, BACKGROUND);
    XClearWindow(dpy, root);
    static char zero[8];
    Pixmap p = XCreateBitmapFromData(dpy, root, zero, 8, 8);
    XColor black = {0};
    Cursor blank = XCreatePixmapCursor(dpy, p, p, &black, &black, 0, 0);
    XDefineCursor(dpy, root, blank);
    XWarpPointer(dpy, None, root, 0, 0, 0, 0, sw - 1, sh - 1);
    XSync(dpy, False);
}

static void fill_frame(XImage *im, int k)
{
    for (int y = 0; y < im->height; y++) {
        uint32_t *row = (uint32_t *)(im->data + (size_t)y * im->bytes_per_line);
        for (int x = 0; x < im->width; x++)
            row[x] = ((uint32_t)(x + k * 64) & 0xff) << 16 | ((uint32_t)(y + k * 32) & 0xff) << 8 |
                     ((uint32_t)((x ^ y) * (k + 1)) & 0xff);
    }
}

/* the stamp of frame c at both corners of the part of im shown (from x0) */
static void image_marker(XImage *im, int x0, uint64_t c)
{
    for (int corner = 0; corner < 2; corner++) {
        int cx = x0 + marker_x(corner, sw), cy = marker_y(corner, sh);
        for (int y = 0; y < MARKER_H; y++) {
            uint32_t *row = (uint32_t *)(im->data + (size_t)(cy + y) * im->bytes_per_line) + cx;
            for (int x = 0; x < MARKER_W; x++)
                row[x] = marker_cell(c, x / MARKER_CELL) ? 0xffffff : 0x000000;
        }
    }
}

/* PERIOD 0: as fast as the server takes them */
static int frames(int64_t end, bool use_shm, int64_t period)
{
    Visual *vis = DefaultVisual(dpy, DefaultScreen(dpy));
    unsigned depth = (unsigned)DefaultDepth(dpy, DefaultScreen(dpy));
    if (use_shm && !XShmQueryExtension(dpy)) {
        fprintf(stderr, "xwork: no MIT-SHM on this display\n");
        return 1;
    }
    XImage *im[NFRAMES];
    XShmSegmentInfo seg[NFRAMES];
    for (int k = 0; k < NFRAMES; k++) {
        if (use_shm) {
            im[k] = XShmCreateImage(dpy, vis, depth, ZPixmap, NULL, &seg[k], (unsigned)(sw + SLIDE),
                                    (unsigned)sh);
            seg[k].shmid =
                shmget(IPC_PRIVATE, (size_t)im[k]->bytes_per_line * sh, IPC_CREAT | 0600);
            if (seg[k].shmid < 0) {
                fprintf(stderr, "xwork: shmget: %s\n", strerror(errno));
                return 1;
            }
            seg[k].shmaddr = im[k]->data = shmat(seg[k].shmid, NULL, 0);
            seg[k].readOnly = True;
            XShmAttach(dpy, &seg[k]);
            XSync(dpy, False);
            /* gone as soon as both ends detach, even if we are killed */
            shmctl(seg[k].shmid, IPC_RMID, NULL);
        } else {
            im[k] = XCreateImage(dpy, vis, depth, ZPixmap, 0, NULL, (unsigned)(sw + SLIDE),
                                 (unsigned)sh, 32, 0);
            im[k]->data = malloc((size_t)im[k]->bytes_per_line * sh);
            if (!im[k]->data)
                return 1;
        }
        fill_frame(im[k], k);
    }
    int64_t next = now_ns();
    for (long i = 0; now_ns() < end; i++) {
        if (period) {
            sleep_until(next);
            next += period;
        }
        XImage *f = im[i % NFRAMES];
        /* a frame equal to one sent before costs a comparing server
         * nearly nothing: slide the picture too, so that the same pixels
         * come back only every NFRAMES * SLIDE frames */
        int off = (int)(i / NFRAMES % SLIDE);
        uint64_t c = begin_frame();
        image_marker(f, off, c);
        if (use_shm)
            XShmPutImage(dpy, root, gc, f, off, 0, 0, 0, (unsigned)sw, (unsigned)sh, False);
        else
            XPutImage(dpy, root, gc, f, off, 0, 0, 0, (unsigned)sw, (unsigned)sh);
        end_frame(c);
    }
    return 0;
}

static void clock_tick(int64_t end)
{
    const int64_t period = 50000000LL;
    XFontStruct *font = XLoadQueryFont(dpy, "fixed");
    if (font)
        XSetFont(dpy, gc, font->fid);
    for (int64_t t = now_ns(); t < end; t += period) {
        sleep_until(t);
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        struct tm tm;
        localtime_r(&rt.tv_sec, &tm);
        char s[32];
        int n = snprintf(s, sizeof s, "%02d:%02d:%02d.%02ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
                         rt.tv_nsec / 10000000L);
        uint64_t c = begin_frame();
        XSetForeground(dpy, gc, 0xffffff);
        XSetBackground(dpy, gc, 0x000000);
        XDrawImageString(dpy, root, gc, sw / 2 - 33, 40, s, n);
        paint_marker(c);
        end_frame(c);
    }
}

static void move(int64_t end)
{
    const int64_t period = 16666667LL;
    const int ww = 400, wh = 300, y0 = 120;
    Pixmap bg = XCreatePixmap(dpy, root, 64, 64, (unsigned)DefaultDepth(dpy, DefaultScreen(dpy)));
    for (int i = 0; i < 8; i++) {
        XSetForeground(dpy, gc, i & 1 ? 0xe0c040 : 0x2060a0);
        XFillRectangle(dpy, bg, gc, 0, i * 8, 64, 8);
        XSetForeground(dpy, gc, 0xa02020);
        XFillRectangle(dpy, bg, gc, i * 8, i * 8, 8, 8);
    }
    XSetWindowAttributes a = {.background_pixmap = bg, .override_redirect = True};
    Window w = XCreateWindow(dpy, root, 20, y0, (unsigned)ww, (unsigned)wh, 0, CopyFromParent,
                             InputOutput, CopyFromParent, CWBackPixmap | CWOverrideRedirect, &a);
    XMapWindow(dpy, w);
    XSync(dpy, False);
    int span = sw - ww - 40, x = 0, dx = 8;
    for (int64_t t = now_ns(); t < end; t += period) {
        sleep_until(t);
        x += dx;
        if (x <= 0 || x >= span)
            dx = -dx;
        uint64_t c = begin_frame();
        XMoveWindow(dpy, w, 20 + x, y0 + (x / 8) % 64);
        paint_marker(c);
        end_frame(c);
    }
}

static void marker_only(int64_t end, int64_t period)
{
    for (int64_t t = now_ns(); t < end; t += period) {
        sleep_until(t);
        uint64_t c = begin_frame();
        paint_marker(c);
        end_frame(c);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr,
                "usage: xwork put|shm|put60|shm60|clock|move|marker|idle SECONDS SHMFILE\n");
        return 2;
    }
    const char *mode = argv[1];
    int64_t end = now_ns() + (int64_t)(atof(argv[2]) * 1e9);
    int fd = marker_open(argv[3]);
    if (fd < 0 || !(shm = marker_map(fd))) {
        fprintf(stderr, "xwork: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "xwork: cannot open the display\n");
        return 1;
    }
    if (DefaultDepth(dpy, DefaultScreen(dpy)) != 24) {
        fprintf(stderr, "xwork: the screen's depth is not 24\n");
        return 1;
    }
    root = DefaultRootWindow(dpy);
    sw = DisplayWidth(dpy, DefaultScreen(dpy));
    sh = DisplayHeight(dpy, DefaultScreen(dpy));
    gc = XCreateGC(dpy, root, 0, NULL);
    setup();
    printf("ready\n");
    fflush(stdout);
    int rc = 0;
    if (!strcmp(mode, "put") || !strcmp(mode, "shm"))
        rc = frames(end, !strcmp(mode, "shm"), 0);
    else if (!strcmp(mode, "put60") || !strcmp(mode, "shm60"))
        rc = frames(end, !strcmp(mode, "shm60"), 16666667LL);
    else if (!strcmp(mode, "clock"))
        clock_tick(end);
    else if (!strcmp(mode, "move"))
        move(end);
    else if (!strcmp(mode, "marker"))
        marker_only(end, 10000000LL);
    else if (!strcmp(mode, "idle"))
        sleep_until(end);
    else {
        fprintf(stderr, "xwork: unknown mode %s\n", mode);
        return 2;
    }
    printf("xwork %s %dx%d drawn=%llu\n", mode, sw, sh, (unsigned long long)shm->drawn);
    XCloseDisplay(dpy);
    return rc;
}
