/* xfb-bench: end-to-end figures for xenfb and xenkbd on the simulated Xen.
 *
 *   xfb-bench serve                  the backend core and an X client of
 *                                    the guest, in one process (run it in
 *                                    dom0 through `xsim run --domid 0`)
 *   xfb-bench frames SECONDS shm|put whole-screen frames to $DISPLAY
 *
 * serve prints, like tests/back/xfb-back-tool, "D connected W H STRIDE
 * DEPTH", "D resize ...", "D kbd connected ABS RAW", "D disconnected",
 * "D gone", and takes commands on stdin, one per line:
 *   display NAME     open the guest's X display            -> "display ok"
 *   draw N           N times: XFillRectangle + XSync on the root by a
 *                    client in a child process, until the backend's
 *                    damaged callback covering it
 *   keys N           N times: a key press (then its release) written by
 *                    the backend, until the X client gets the KeyPress
 *                    (KeyRelease)
 *   refresh MS       the refresh period sent to the guest (0: nobody
 *                    watches, the frontend sends no updates)
 *   stats            "stats updates=U wakeups=W": damaged callbacks, and
 *                    polls that found a backend fd readable, since the
 *                    last stats
 *   sync             answers "sync"
 *   quit             exit 0 (stdin's end does the same)
 * Both ends read the one CLOCK_MONOTONIC, so a latency is the difference
 * of two readings on this host and nothing else. Results
 * are one line each, times in microseconds:
 *   draw n=N lost=L xsync_median=... median=... p99=... max=...
 *   key press|release n=N lost=L median=... p99=... max=...
 *
 * frames shows frame after frame of the screen's size, each different
 * from the one before, with XShmPutImage (shm) or XPutImage through the
 * socket (put), an XSync after each, for SECONDS after one second of
 * warming up:
 *   frames W H MODE seconds=S frames=N fps=F
 */
#include "config.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/back.h"

/* KEY_A in linux/input-event-codes.h */
#define BENCH_KEY 30
/* a sample that takes longer than this is counted as lost */
#define SAMPLE_TIMEOUT_NS 2000000000LL

static struct xfb_back *back;
static struct xfb_back_guest *guest;
static Display *dpy;
static char display_name[256];

/* what the damaged callback is waiting for */
static int want_x, want_y;
static int64_t damaged_at;
/* since the last "stats": damaged callbacks, and wakeups of the backend */
static long n_damaged, n_wakeups;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* ---- the backend's side ---- */

static void on_log(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                   const char *msg)
{
    (void)data;
    (void)file;
    (void)line;
    if (level <= XFB_LOG_WARNING)
        out("log %d: %s", domid, msg);
}

static void on_appeared(void *data, struct xfb_back_guest *g)
{
    (void)data;
    guest = g;
    out("%d appeared", xfb_back_guest_domid(g));
}

static void on_fb(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    out("%d connected %u %u %u %u", xfb_back_guest_domid(g), s->width, s->height, s->stride,
        s->depth);
}

static void on_resized(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    out("%d resize %u %u %u %u", xfb_back_guest_domid(g), s->width, s->height, s->stride, s->depth);
}

static void on_damaged(void *data, struct xfb_back_guest *g, int x, int y, int w, int h)
{
    (void)data;
    (void)g;
    n_damaged++;
    if (!damaged_at && want_x >= x && want_x < x + w && want_y >= y && want_y < y + h)
        damaged_at = now_ns();
}

static void on_fb_gone(void *data, struct xfb_back_guest *g)
{
    (void)data;
    out("%d disconnected", xfb_back_guest_domid(g));
}

static void on_kbd(void *data, struct xfb_back_guest *g, bool abs, bool raw)
{
    (void)data;
    out("%d kbd connected %d %d", xfb_back_guest_domid(g), abs, raw);
}

static void on_gone(void *data, struct xfb_back_guest *g)
{
    (void)data;
    if (g == guest)
        guest = NULL;
    out("%d gone", xfb_back_guest_domid(g));
}

static const struct xfb_back_ops ops = {
    .appeared = on_appeared,
    .fb_connected = on_fb,
    .resized = on_resized,
    .damaged = on_damaged,
    .fb_disconnected = on_fb_gone,
    .kbd_connected = on_kbd,
    .gone = on_gone,
};

/* Poll the backend's fds, the X connection (when x_too) and fd extra
 * (when >= 0) until one is readable or the deadline passes; dispatch the
 * backend. Returns poll's revents for extra. */
static int wait_once(bool x_too, int extra, int64_t deadline)
{
    struct pollfd p[5];
    int fds[3];
    int n = xfb_back_fds(back, fds, 3);
    for (int i = 0; i < n; i++)
        p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    int np = n, ei = -1;
    if (x_too)
        p[np++] = (struct pollfd){.fd = ConnectionNumber(dpy), .events = POLLIN};
    if (extra >= 0) {
        ei = np;
        p[np++] = (struct pollfd){.fd = extra, .events = POLLIN};
    }
    int timeout = -1;
    if (deadline) {
        int64_t left = deadline - now_ns();
        timeout = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
    }
    if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR)
        return -1;
    for (int i = 0; i < n; i++)
        if (p[i].revents) {
            n_wakeups++;
            break;
        }
    xfb_back_dispatch(back);
    return ei >= 0 ? p[ei].revents : 0;
}

/* ---- figures ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array, in microseconds */
static double pct_us(const int64_t *v, int n, int pct)
{
    if (n == 0)
        return 0;
    int rank = (n * pct + 99) / 100;
    if (rank < 1)
        rank = 1;
    return v[rank - 1] / 1000.0;
}

static void report(const char *what, int64_t *v, int n, int lost, const char *extra)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_i64);
    out("%s n=%d lost=%d %smedian=%.1f p99=%.1f max=%.1f", what, n, lost, extra, pct_us(v, n, 50),
        pct_us(v, n, 99), n ? v[n - 1] / 1000.0 : 0.0);
}

/* ---- the X client's side ---- */

/* where draw number i goes: small rectangles in a band below the
 * top-left corner, where the pointer is parked */
static void draw_pos(int i, uint32_t width, int *x, int *y)
{
    int cols = (int)(width - 64) / 20;
    *x = 32 + (i % cols) * 20;
    *y = 32 + ((i / cols) % 8) * 20;
}

struct draw_msg {
    int i;
    int64_t t0, t1; /* before XFillRectangle, after XSync */
};

/* The drawing client, in its own process: draws number i when told i on
 * fd go, answers with its times on fd done. */
static void draw_child(uint32_t width, int go, int done)
{
    Display *d = XOpenDisplay(display_name);
    if (!d)
        _exit(1);
    Window root = DefaultRootWindow(d);
    GC gc = XCreateGC(d, root, 0, NULL);
    struct draw_msg m;
    while (read(go, &m.i, sizeof(m.i)) == sizeof(m.i)) {
        int x, y;
        draw_pos(m.i, width, &x, &y);
        XSetForeground(d, gc, (unsigned long)((unsigned)m.i * 2654435761u) & 0xffffff);
        m.t0 = now_ns();
        XFillRectangle(d, root, gc, x, y, 16, 16);
        XSync(d, False);
        m.t1 = now_ns();
        if (write(done, &m, sizeof(m)) != sizeof(m))
            break;
    }
    XCloseDisplay(d);
    _exit(0);
}

/* The client is another process, so this one sleeps in poll like a
 * backend daemon and is woken by the event channel (or by the client's
 * message, whichever comes first). */
static void bench_draw(int count)
{
    const struct xfb_back_surface *s = guest ? xfb_back_guest_surface(guest) : NULL;
    if (!dpy || !s) {
        out("err draw: needs the display and a connected framebuffer");
        return;
    }
    int64_t *lat = calloc((size_t)count, sizeof(*lat));
    int64_t *rt = calloc((size_t)count, sizeof(*rt));
    int go[2], done[2];
    if (!lat || !rt || pipe2(go, O_CLOEXEC) < 0) {
        out("err draw: %s", strerror(errno));
        free(lat);
        free(rt);
        return;
    }
    if (pipe2(done, O_CLOEXEC) < 0) {
        out("err draw: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        free(lat);
        free(rt);
        return;
    }
    uint32_t width = s->width;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]);
        close(done[0]);
        draw_child(width, go[0], done[1]);
    }
    close(go[0]);
    close(done[1]);
    int n = 0;
    for (int i = 0; pid > 0 && i < count; i++) {
        int x, y;
        draw_pos(i, width, &x, &y);
        want_x = x + 8;
        want_y = y + 8;
        damaged_at = 0;
        struct draw_msg m = {.i = -1};
        if (write(go[1], &i, sizeof(i)) != sizeof(i))
            break;
        int64_t deadline = now_ns() + SAMPLE_TIMEOUT_NS;
        while ((!damaged_at || m.i != i) && now_ns() < deadline) {
            int rev = wait_once(false, done[0], deadline);
            if ((rev & (POLLIN | POLLHUP)) && read(done[0], &m, sizeof(m)) != sizeof(m))
                deadline = 0;
        }
        if (m.i != i)
            break; /* the client is stuck or gone: the rest count as lost */
        if (!damaged_at)
            continue;
        rt[n] = m.t1 - m.t0;
        lat[n++] = damaged_at - m.t0;
    }
    close(go[1]);
    close(done[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    else
        out("err draw: fork: %s", strerror(errno));
    char extra[64];
    qsort(rt, (size_t)n, sizeof(*rt), cmp_i64);
    snprintf(extra, sizeof(extra), "xsync_median=%.1f ", pct_us(rt, n, 50));
    report("draw", lat, n, count - n, extra);
    free(lat);
    free(rt);
}

static Window key_window(void)
{
    int scr = DefaultScreen(dpy);
    XSetWindowAttributes a = {.override_redirect = True,
                              .event_mask = KeyPressMask | KeyReleaseMask};
    Window w = XCreateWindow(dpy, RootWindow(dpy, scr), 0, 0, DisplayWidth(dpy, scr),
                             DisplayHeight(dpy, scr), 0, CopyFromParent, InputOnly, CopyFromParent,
                             CWOverrideRedirect | CWEventMask, &a);
    XMapRaised(dpy, w);
    XSync(dpy, False);
    XSetInputFocus(dpy, w, RevertToPointerRoot, CurrentTime);
    XSync(dpy, False);
    return w;
}

/* one key event from the backend to the X client: its latency, or -1 */
static int64_t key_once(bool press)
{
    int want = press ? KeyPress : KeyRelease;
    int64_t t0 = now_ns(), deadline = t0 + SAMPLE_TIMEOUT_NS;
    if (xfb_back_key(guest, BENCH_KEY, press) < 0)
        return -1;
    for (;;) {
        while (XPending(dpy)) {
            XEvent e;
            XNextEvent(dpy, &e);
            if (e.type == want)
                return now_ns() - t0;
        }
        if (now_ns() >= deadline)
            return -1;
        wait_once(true, -1, deadline);
    }
}

static void bench_keys(int count)
{
    if (!dpy || !guest) {
        out("err keys: needs the display and a connected keyboard");
        return;
    }
    int64_t *down = calloc((size_t)count, sizeof(*down));
    int64_t *up = calloc((size_t)count, sizeof(*up));
    if (!down || !up) {
        out("err keys: out of memory");
        free(down);
        free(up);
        return;
    }
    Window w = key_window();
    int nd = 0, nu = 0;
    for (int i = 0; i < count; i++) {
        int64_t d = key_once(true);
        if (d >= 0)
            down[nd++] = d;
        int64_t u = key_once(false);
        if (u >= 0)
            up[nu++] = u;
    }
    XDestroyWindow(dpy, w);
    XSync(dpy, False);
    report("key press", down, nd, count - nd, "");
    report("key release", up, nu, count - nu, "");
    free(down);
    free(up);
}

/* one line of stdin; false for quit */
static bool command(const char *line)
{
    char cmd[16] = "", arg[256] = "";
    int n = sscanf(line, "%15s %255s", cmd, arg);
    if (n < 1)
        return true;
    if (!strcmp(cmd, "quit"))
        return false;
    if (!strcmp(cmd, "sync")) {
        out("sync");
    } else if (!strcmp(cmd, "stats")) {
        out("stats updates=%ld wakeups=%ld", n_damaged, n_wakeups);
        n_damaged = n_wakeups = 0;
    } else if (n < 2) {
        out("err %s: unknown command or wrong arguments", cmd);
    } else if (!strcmp(cmd, "refresh") && guest) {
        xfb_back_set_refresh(guest, (unsigned)atoi(arg));
    } else if (!strcmp(cmd, "display")) {
        if (dpy)
            XCloseDisplay(dpy);
        snprintf(display_name, sizeof(display_name), "%s", arg);
        dpy = XOpenDisplay(arg);
        if (dpy)
            out("display ok");
        else
            out("err display: cannot open %s", arg);
    } else if (!strcmp(cmd, "draw")) {
        bench_draw(atoi(arg));
    } else if (!strcmp(cmd, "keys")) {
        bench_keys(atoi(arg));
    } else {
        out("err %s: unknown command or wrong arguments", cmd);
    }
    return true;
}

static int serve(void)
{
    struct xfb_back_opts bo = {
        .ops = &ops,
        .backend_domid = -1,
        .refresh_ms = 50,
        .log_fn = on_log,
        .log_level = XFB_LOG_WARNING,
    };
    back = xfb_back_open(&bo);
    if (!back) {
        fprintf(stderr, "xfb-bench: cannot start the backend: %s\n", strerror(errno));
        return 1;
    }
    char in[4096];
    size_t len = 0;
    for (;;) {
        char *nl;
        while ((nl = memchr(in, '\n', len))) {
            *nl = '\0';
            if (!command(in))
                goto done;
            size_t used = (size_t)(nl - in) + 1;
            memmove(in, nl + 1, len - used);
            len -= used;
        }
        if (len == sizeof(in))
            len = 0;
        if (wait_once(false, 0, 0) & (POLLIN | POLLHUP)) {
            ssize_t got = read(0, in + len, sizeof(in) - len);
            if (got <= 0)
                break;
            len += (size_t)got;
        }
    }
done:
    if (dpy)
        XCloseDisplay(dpy);
    xfb_back_close(back);
    return 0;
}

/* ---- frames ---- */

#define NFRAMES 4

static void fill_frame(XImage *im, int k)
{
    for (int y = 0; y < im->height; y++) {
        uint32_t *row = (uint32_t *)(im->data + (size_t)y * im->bytes_per_line);
        for (int x = 0; x < im->width; x++)
            row[x] = ((uint32_t)(x + k * 64) & 0xff) << 16 | ((uint32_t)(y + k * 32) & 0xff) << 8 |
                     ((uint32_t)((x ^ y) * (k + 1)) & 0xff);
    }
}

static int frames(double seconds, bool shm)
{
    dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "xfb-bench: cannot open the display\n");
        return 1;
    }
    int scr = DefaultScreen(dpy);
    int w = DisplayWidth(dpy, scr), h = DisplayHeight(dpy, scr);
    Visual *vis = DefaultVisual(dpy, scr);
    int depth = DefaultDepth(dpy, scr);
    if (shm && !XShmQueryExtension(dpy)) {
        fprintf(stderr, "xfb-bench: no MIT-SHM on this display\n");
        return 1;
    }
    XImage *im[NFRAMES];
    XShmSegmentInfo seg[NFRAMES];
    for (int k = 0; k < NFRAMES; k++) {
        if (shm) {
            im[k] = XShmCreateImage(dpy, vis, (unsigned)depth, ZPixmap, NULL, &seg[k], (unsigned)w,
                                    (unsigned)h);
            seg[k].shmid = shmget(IPC_PRIVATE, (size_t)im[k]->bytes_per_line * h, IPC_CREAT | 0600);
            if (seg[k].shmid < 0) {
                fprintf(stderr, "xfb-bench: shmget: %s\n", strerror(errno));
                return 1;
            }
            seg[k].shmaddr = im[k]->data = shmat(seg[k].shmid, NULL, 0);
            seg[k].readOnly = True;
            XShmAttach(dpy, &seg[k]);
            XSync(dpy, False);
            /* gone as soon as both ends detach, even if we are killed */
            shmctl(seg[k].shmid, IPC_RMID, NULL);
        } else {
            im[k] = XCreateImage(dpy, vis, (unsigned)depth, ZPixmap, 0, NULL, (unsigned)w,
                                 (unsigned)h, 32, 0);
            im[k]->data = malloc((size_t)im[k]->bytes_per_line * h);
            if (!im[k]->data) {
                fprintf(stderr, "xfb-bench: out of memory\n");
                return 1;
            }
        }
        fill_frame(im[k], k);
    }
    Window root = RootWindow(dpy, scr);
    GC gc = XCreateGC(dpy, root, 0, NULL);
    int64_t start = now_ns(), measure_from = start + 1000000000LL;
    int64_t end = measure_from + (int64_t)(seconds * 1e9);
    long n = 0;
    int64_t t;
    for (long i = 0;; i++) {
        t = now_ns();
        if (t >= end)
            break;
        if (t >= measure_from && n == 0)
            measure_from = t;
        if (t >= measure_from)
            n++;
        XImage *f = im[i % NFRAMES];
        if (shm)
            XShmPutImage(dpy, root, gc, f, 0, 0, 0, 0, (unsigned)w, (unsigned)h, False);
        else
            XPutImage(dpy, root, gc, f, 0, 0, 0, 0, (unsigned)w, (unsigned)h);
        XSync(dpy, False);
    }
    double secs = (double)(t - measure_from) / 1e9;
    out("frames %d %d %s seconds=%.2f frames=%ld fps=%.1f", w, h, shm ? "shm" : "put", secs, n,
        n / secs);
    for (int k = 0; k < NFRAMES; k++) {
        if (shm) {
            XShmDetach(dpy, &seg[k]);
            shmdt(seg[k].shmaddr);
            im[k]->data = NULL;
        }
        XDestroyImage(im[k]);
    }
    XFreeGC(dpy, gc);
    XCloseDisplay(dpy);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "serve"))
        return serve();
    if (argc == 4 && !strcmp(argv[1], "frames") &&
        (!strcmp(argv[3], "shm") || !strcmp(argv[3], "put")))
        return frames(atof(argv[2]), !strcmp(argv[3], "shm"));
    fprintf(stderr, "usage: xfb-bench serve\n"
                    "       xfb-bench frames SECONDS shm|put\n");
    return 2;
}
