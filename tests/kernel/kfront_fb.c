/* xen-fbfront, as Linux 6.1 has it, and the text console on it.
 *
 * probe: videoram (MiB), width and height from the backend directory
 * (xen_fbfront.video= otherwise, 2,800,600; a mode that does not fit the
 * memory falls back to 800x600), the framebuffer and the array of its
 * frame numbers in vmalloc'ed memory, pd[] naming the array's pages;
 * page-ref, event-channel, protocol and feature-update in one
 * transaction, then Initialised. The backend's InitWait makes it
 * Connected; at the backend's Connected it reads request-update and
 * feature-resize. Updates go out only once request-update was seen, the
 * ring full makes them one dirty rectangle, flushed when the backend
 * notifies; a resize waits for room and goes out before the next update.
 * Closing (or Closed) from the backend closes it for good: Linux never
 * connects again.
 *
 * Lies for the hostile tests (--lie, applied at publication):
 *   width=N height=N line_length=N mem_length=N depth=N
 *                       the shared page's field
 *   pd0=FRAME           pd[0]
 *   dir0=FRAME          the first entry of the frame directory
 *   page-ref=FRAME      the page-ref published
 *   videoram=N          a videoram node in the frontend directory (where
 *                       QEMU reads it)
 *   reconnect           after the backend closes the device, start over
 *                       (Initialising, publish again), as no Linux does
 *   page-ref-after=FRAME  once Initialised, page-ref changes to FRAME
 * and the command `race MS FRAME`: for MS ms a second thread flips the
 * page's geometry, pd[0], the directory's first entry (to FRAME, to a
 * number no machine has) and the out ring's slots between the truth and
 * lies, sending updates, while this one reconnects (reconnect) each time
 * the backend closes the device; then "raced N flips, M reconnects". */
#include "config.h"

#include "font8x13.h"
#include "kfront.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <xen/io/fbif.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

/* the kernel's defaults, which fbif.h defines for kernels only */
#define XENFB_WIDTH  800
#define XENFB_HEIGHT 600
#define XENFB_DEPTH  32

#define DEFIO_MS 50 /* fb_deferred_io's delay: HZ / 20 */
#define CELL_H   16 /* the console's rows: 8x16 cells, the glyph 8x13 in them */
#define FG       0xaaaaaau
#define BG       0x000000u
#define MAX_COLS 512
#define MAX_ROWS 256

struct kf_fb {
    struct kf_dev *dev;
    struct kf_mem fb, gfns, page_mem;
    struct xenfb_page *page;
    int video_w, video_h; /* the initial mode: the largest there is */
    int xres, yres, line_length;
    uint32_t smem_len;
    int x1, y1, x2, y2; /* the dirty rectangle */
    bool update_wanted, feature_resize;
    bool resize_dpy;
    struct xenfb_resize resize;
    /* deferred io: the pages written since the timer started */
    uint8_t *touched;
    bool timer_armed;
    /* the console */
    int cols, rows, cx, cy;
    char text[MAX_ROWS][MAX_COLS];
};

static struct kf_fb *fbi; /* the console's fb: the first vfb probed */
static int timer_fd = -1;
static unsigned reconnects;
static int race_fd = -1; /* the race thread says it is over */

static struct {
    bool width, height, line_length, mem_length, depth, pd0, dir0, page_ref, videoram;
    bool reconnect, page_ref_after;
    uint64_t v_width, v_height, v_line_length, v_mem_length, v_depth, v_pd0, v_dir0, v_page_ref,
        v_videoram, v_page_ref_after;
} lie;

int kf_fb_lie(const char *what)
{
    static const struct {
        const char *name;
        bool *flag;
        uint64_t *value;
    } t[] = {
        {"width", &lie.width, &lie.v_width},
        {"height", &lie.height, &lie.v_height},
        {"line_length", &lie.line_length, &lie.v_line_length},
        {"mem_length", &lie.mem_length, &lie.v_mem_length},
        {"depth", &lie.depth, &lie.v_depth},
        {"pd0", &lie.pd0, &lie.v_pd0},
        {"dir0", &lie.dir0, &lie.v_dir0},
        {"page-ref", &lie.page_ref, &lie.v_page_ref},
        {"videoram", &lie.videoram, &lie.v_videoram},
        {"page-ref-after", &lie.page_ref_after, &lie.v_page_ref_after},
    };
    if (!strcmp(what, "reconnect")) {
        lie.reconnect = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t n = strlen(t[i].name);
        if (!strncmp(what, t[i].name, n) && what[n] == '=') {
            *t[i].flag = true;
            *t[i].value = strtoull(what + n + 1, NULL, 0);
            return 0;
        }
    }
    return -1;
}

/* ---- the rings ---- */

static bool queue_full(const struct kf_fb *f)
{
    uint32_t prod = f->page->out_prod, cons = __atomic_load_n(&f->page->out_cons, __ATOMIC_ACQUIRE);
    return prod - cons == XENFB_OUT_RING_LEN;
}

static void send_event(struct kf_fb *f, const union xenfb_out_event *ev)
{
    uint32_t prod = f->page->out_prod;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* ring space available */
    memcpy(&XENFB_OUT_RING_REF(f->page, prod), ev, sizeof(*ev));
    __atomic_thread_fence(__ATOMIC_RELEASE); /* ring contents visible */
    __atomic_store_n(&f->page->out_prod, prod + 1, __ATOMIC_RELEASE);
    kf_notify(f->dev);
}

static void handle_resize_dpy(struct kf_fb *f)
{
    if (!f->resize_dpy || queue_full(f))
        return;
    f->resize_dpy = false;
    union xenfb_out_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.resize = f->resize;
    send_event(f, &ev);
    kf_say("vfb %d resize %d %d %d", f->dev->id, f->resize.width, f->resize.height,
           f->resize.stride);
}

/* xenfb_refresh: merge into the dirty rectangle; send it when the ring
 * has room, keep it otherwise. */
static void refresh(struct kf_fb *f, int x1, int y1, int w, int h)
{
    int x2 = x1 + w - 1, y2 = y1 + h - 1;
    handle_resize_dpy(f);
    if (!f->update_wanted)
        return;
    if (f->y1 < y1)
        y1 = f->y1;
    if (f->y2 > y2)
        y2 = f->y2;
    if (f->x1 < x1)
        x1 = f->x1;
    if (f->x2 > x2)
        x2 = f->x2;
    if (queue_full(f)) {
        f->x1 = x1;
        f->x2 = x2;
        f->y1 = y1;
        f->y2 = y2;
        return;
    }
    f->x1 = f->y1 = INT_MAX;
    f->x2 = f->y2 = 0;
    if (x1 <= x2 && y1 <= y2) {
        union xenfb_out_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = XENFB_TYPE_UPDATE;
        ev.update.x = x1;
        ev.update.y = y1;
        ev.update.width = x2 - x1 + 1;
        ev.update.height = y2 - y1 + 1;
        send_event(f, &ev);
        kf_say("vfb %d update %d %d %d %d", f->dev->id, x1, y1, x2 - x1 + 1, y2 - y1 + 1);
    }
}

void kf_fb_event(struct kf_dev *d)
{
    struct kf_fb *f = d->fb;
    /* no in events are used: all are consumed unread */
    if (f->page->in_cons != f->page->in_prod) {
        f->page->in_cons = f->page->in_prod;
        kf_notify(d);
    }
    refresh(f, INT_MAX, INT_MAX, -INT_MAX, -INT_MAX); /* flush the dirty rectangle */
}

/* ---- probe and connect ---- */

static void init_shared_page(struct kf_fb *f)
{
    uint32_t epd = xfb_layout_frames_per_dir(&kf_layout);
    for (uint32_t i = 0; i < f->fb.npages; i++)
        xfb_layout_dir_set_frame(&kf_layout, f->gfns.addr, i, f->fb.frames[i]);
    for (uint32_t i = 0; i * epd < f->fb.npages; i++)
        xfb_layout_pd_set_frame(&kf_layout, f->page, i, f->gfns.frames[i]);
    f->page->width = (uint32_t)f->xres;
    f->page->height = (uint32_t)f->yres;
    f->page->depth = 32;
    f->page->line_length = (uint32_t)f->line_length;
    f->page->mem_length = f->smem_len;
    f->page->in_cons = f->page->in_prod = 0;
    f->page->out_cons = f->page->out_prod = 0;
    /* a hostile kernel's page */
    if (lie.width)
        f->page->width = (uint32_t)lie.v_width;
    if (lie.height)
        f->page->height = (uint32_t)lie.v_height;
    if (lie.line_length)
        f->page->line_length = (uint32_t)lie.v_line_length;
    if (lie.mem_length)
        f->page->mem_length = (uint32_t)lie.v_mem_length;
    if (lie.depth)
        f->page->depth = (uint8_t)lie.v_depth;
    if (lie.pd0)
        xfb_layout_pd_set_frame(&kf_layout, f->page, 0, lie.v_pd0);
    if (lie.dir0)
        xfb_layout_dir_set_frame(&kf_layout, f->gfns.addr, 0, lie.v_dir0);
}

static int connect_backend(struct kf_fb *f)
{
    struct kf_dev *d = f->dev;
    if (kf_alloc_evtchn(d) < 0)
        return -1;
    char ref[24], port[16], videoram[24];
    snprintf(ref, sizeof(ref), "%llu",
             (unsigned long long)(lie.page_ref ? lie.v_page_ref : f->page_mem.frames[0]));
    snprintf(port, sizeof(port), "%d", d->port);
    snprintf(videoram, sizeof(videoram), "%llu", (unsigned long long)lie.v_videoram);
    const char *names[] = {"page-ref", "event-channel", "protocol", "feature-update", "videoram"};
    const char *values[] = {ref, port, xfb_layout_native_protocol(), "1", videoram};
    if (kf_publish(d, names, values, lie.videoram ? 5 : 4) < 0) {
        kf_free_evtchn(d);
        return -1;
    }
    kf_switch_state(d, XenbusStateInitialised);
    if (lie.page_ref_after) {
        snprintf(ref, sizeof(ref), "%llu", (unsigned long long)lie.v_page_ref_after);
        const char *n1[] = {"page-ref"}, *v1[] = {ref};
        kf_publish(d, n1, v1, 1);
    }
    return 0;
}

static void console_layout(struct kf_fb *f)
{
    f->cols = f->xres / FONT_W < MAX_COLS ? f->xres / FONT_W : MAX_COLS;
    f->rows = f->yres / CELL_H < MAX_ROWS ? f->yres / CELL_H : MAX_ROWS;
    if (f->cy >= f->rows)
        f->cy = f->rows - 1;
    if (f->cx >= f->cols)
        f->cx = 0;
}

int kf_fb_probe(struct kf_dev *d, const struct kf_fb_opts *o)
{
    struct kf_fb *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->dev = d;
    d->fb = f;
    int mem = o->video_mb, w = o->video_w, h = o->video_h, val;
    /* limit the kernel parameter's memory to what the backend offers */
    if (kf_scanf_int(d->otherend, "videoram", &val) && val < mem)
        mem = val;
    w = (int)kf_read_unsigned(d->otherend, "width", (unsigned)w);
    h = (int)kf_read_unsigned(d->otherend, "height", (unsigned)h);
    long long fb_size = (long long)mem * 1024 * 1024;
    if ((long long)w * h * 4 > fb_size) {
        kf_say("vfb %d display parameters %d,%d,%d invalid, use defaults", d->id, mem, w, h);
        w = XENFB_WIDTH;
        h = XENFB_HEIGHT;
        fb_size = (long long)XENFB_WIDTH * XENFB_HEIGHT * XENFB_DEPTH / 8;
    }
    uint32_t nr_pages = (uint32_t)((fb_size + KF_PAGE - 1) / KF_PAGE);
    uint32_t gfn_pages =
        (uint32_t)(((uint64_t)nr_pages * kf_layout.pd_size + KF_PAGE - 1) / KF_PAGE);
    if (kf_alloc(&f->fb, nr_pages) < 0 || kf_alloc(&f->gfns, gfn_pages) < 0 ||
        kf_alloc(&f->page_mem, 1) < 0 || !(f->touched = calloc(nr_pages, 1))) {
        kf_say("vfb %d allocating device memory: %s", d->id, strerror(errno));
        return -1;
    }
    f->page = (struct xenfb_page *)(void *)f->page_mem.addr;
    f->video_w = f->xres = w;
    f->video_h = f->yres = h;
    f->line_length = w * XENFB_DEPTH / 8;
    f->smem_len = (uint32_t)fb_size;
    f->x1 = f->y1 = INT_MAX;
    init_shared_page(f);
    if (connect_backend(f) < 0) {
        kf_say("vfb %d xenfb_connect_backend failed", d->id);
        return -1;
    }
    kf_say("vfb %d probed %d %d %u", d->id, w, h, f->smem_len);
    if (!fbi) {
        /* register_framebuffer, and fbcon takes it: an empty console */
        fbi = f;
        console_layout(f);
    }
    return 0;
}

void kf_fb_backend_changed(struct kf_dev *d, int state)
{
    struct kf_fb *f = d->fb;
    kf_say("vfb %d backend-state %d", d->id, state);
    switch (state) {
    case XenbusStateInitWait:
        kf_switch_state(d, XenbusStateConnected);
        break;
    case XenbusStateConnected:
        /* a backend through InitWait to Connected fast enough: this twice */
        if (d->state != XenbusStateConnected)
            kf_switch_state(d, XenbusStateConnected);
        if (kf_read_unsigned(d->otherend, "request-update", 0))
            f->update_wanted = true;
        f->feature_resize = kf_read_unsigned(d->otherend, "feature-resize", 0) != 0;
        kf_say("vfb %d connected %d %d", d->id, f->update_wanted, f->feature_resize);
        break;
    case XenbusStateClosed:
        if (d->state == XenbusStateClosed)
            break;
        /* the backend's Closing was missed */
        __attribute__((fallthrough));
    case XenbusStateClosing:
        kf_frontend_closed(d);
        if (lie.reconnect) {
            reconnects++;
            kf_free_evtchn(d);
            f->update_wanted = false;
            kf_switch_state(d, XenbusStateInitialising);
            init_shared_page(f);
            connect_backend(f);
        }
        break;
    default:
        break;
    }
}

void kf_fb_remove(struct kf_dev *d)
{
    struct kf_fb *f = d->fb;
    if (fbi == f)
        fbi = NULL;
    kf_free(&f->fb);
    kf_free(&f->gfns);
    kf_free(&f->page_mem);
    free(f->touched);
    free(f);
    d->fb = NULL;
}

/* ---- drawing ---- */

static uint32_t *pixel(struct kf_fb *f, int x, int y)
{
    return (uint32_t *)(void *)(f->fb.addr + (size_t)y * (size_t)f->line_length + (size_t)x * 4);
}

/* sys_fillrect, clipped to the visible mode */
static void fill(struct kf_fb *f, int x, int y, int w, int h, uint32_t rgb)
{
    for (int r = y; r < y + h && r < f->yres; r++)
        for (int c = x; c < x + w && c < f->xres; c++)
            if (r >= 0 && c >= 0)
                *pixel(f, c, r) = rgb;
}

static void glyph(struct kf_fb *f, int col, int row, char ch)
{
    int x0 = col * FONT_W, y0 = row * CELL_H;
    unsigned char c = (unsigned char)ch;
    const uint8_t *g = c >= FONT_FIRST && c <= FONT_LAST ? font8x13[c - FONT_FIRST] : NULL;
    for (int y = 0; y < CELL_H; y++) {
        int gy = y - 1; /* one blank row above the glyph, two below */
        uint8_t bits = g && gy >= 0 && gy < FONT_H ? g[gy] : 0;
        for (int x = 0; x < FONT_W; x++)
            *pixel(f, x0 + x, y0 + y) = bits & (0x80 >> x) ? FG : BG;
    }
}

/* fbcon putcs: a run of one row, then its rectangle refreshed */
static void draw_row(struct kf_fb *f, int row, int from, int to)
{
    for (int c = from; c < to; c++)
        glyph(f, c, row, f->text[row][c] ? f->text[row][c] : ' ');
    if (to > from)
        refresh(f, from * FONT_W, row * CELL_H, (to - from) * FONT_W, CELL_H);
}

static void redraw(struct kf_fb *f)
{
    fill(f, 0, 0, f->xres, f->yres, BG);
    for (int r = 0; r < f->rows; r++)
        for (int c = 0; c < f->cols; c++)
            glyph(f, c, r, f->text[r][c] ? f->text[r][c] : ' ');
    refresh(f, 0, 0, f->xres, f->yres);
}

static void newline(struct kf_fb *f)
{
    f->cx = 0;
    if (++f->cy < f->rows)
        return;
    /* scroll: the text area moves up a row (copyarea), the last is cleared */
    f->cy = f->rows - 1;
    memmove(f->text[0], f->text[1], (size_t)(f->rows - 1) * MAX_COLS);
    memset(f->text[f->rows - 1], 0, MAX_COLS);
    memmove(f->fb.addr, f->fb.addr + (size_t)CELL_H * f->line_length,
            (size_t)(f->rows - 1) * CELL_H * f->line_length);
    fill(f, 0, (f->rows - 1) * CELL_H, f->xres, CELL_H, BG);
    refresh(f, 0, 0, f->xres, f->rows * CELL_H);
}

static void put(struct kf_fb *f, char c)
{
    if (c == '\n') {
        newline(f);
        return;
    }
    if (c == '\b') {
        if (f->cx == 0)
            return;
        f->text[f->cy][--f->cx] = 0;
        draw_row(f, f->cy, f->cx, f->cx + 1);
        return;
    }
    if (f->cx >= f->cols)
        newline(f);
    f->text[f->cy][f->cx++] = c;
    draw_row(f, f->cy, f->cx - 1, f->cx);
}

int kf_fb_print(const char *text)
{
    struct kf_fb *f = fbi;
    if (!f)
        return -1;
    /* one putcs per row touched, as fbcon does for a line */
    int row = f->cy, from = f->cx;
    for (const char *p = text; *p && *p != '\n'; p++) {
        if (f->cx >= f->cols) {
            draw_row(f, row, from, f->cx);
            newline(f);
            row = f->cy;
            from = 0;
        }
        f->text[f->cy][f->cx++] = *p;
    }
    draw_row(f, row, from, f->cx);
    newline(f);
    return 0;
}

void kf_fb_typed(char c)
{
    if (fbi)
        put(fbi, c);
}

int kf_fb_clear(void)
{
    struct kf_fb *f = fbi;
    if (!f)
        return -1;
    memset(f->text, 0, sizeof(f->text));
    f->cx = f->cy = 0;
    redraw(f);
    return 0;
}

/* ---- deferred io: writes to the mapped framebuffer ---- */

int kf_fb_timer_fd(void)
{
    return fbi ? timer_fd : -1;
}

void kf_fb_timer(void)
{
    struct kf_fb *f = fbi;
    uint64_t n;
    if (read(timer_fd, &n, sizeof(n)) != sizeof(n) || !f)
        return;
    f->timer_armed = false;
    int miny = INT_MAX, maxy = 0;
    for (uint32_t p = 0; p < f->fb.npages; p++) {
        if (!f->touched[p])
            continue;
        f->touched[p] = 0;
        long beg = (long)p * KF_PAGE, end = beg + KF_PAGE - 1;
        int y1 = (int)(beg / f->line_length), y2 = (int)(end / f->line_length);
        if (y2 >= f->yres)
            y2 = f->yres - 1;
        if (miny > y1)
            miny = y1;
        if (maxy < y2)
            maxy = y2;
    }
    refresh(f, 0, miny, f->xres, maxy - miny + 1);
}

int kf_fb_fill(int x, int y, int w, int h, uint32_t rgb)
{
    struct kf_fb *f = fbi;
    if (!f || w <= 0 || h <= 0)
        return -1;
    if (timer_fd < 0 && (timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0)
        return -1;
    fill(f, x, y, w, h, rgb);
    /* the pages written fault once each; the first arms the timer */
    for (int r = y < 0 ? 0 : y; r < y + h && r < f->yres; r++) {
        size_t a = (size_t)r * f->line_length + (size_t)(x < 0 ? 0 : x) * 4;
        size_t b = (size_t)r * f->line_length + (size_t)(x + w > f->xres ? f->xres : x + w) * 4;
        for (size_t p = a / KF_PAGE; b > a && p <= (b - 1) / KF_PAGE; p++)
            f->touched[p] = 1;
    }
    if (!f->timer_armed) {
        struct itimerspec it = {.it_value = {.tv_nsec = DEFIO_MS * 1000000L}};
        timerfd_settime(timer_fd, 0, &it, NULL);
        f->timer_armed = true;
    }
    return 0;
}

/* ---- fbset ---- */

int kf_fb_mode(int w, int h, const char **why)
{
    struct kf_fb *f = fbi;
    if (!f)
        return -1;
    /* xenfb_check_var */
    if (!f->feature_resize) {
        if (w != f->video_w || h != f->video_h) {
            *why = "the backend has no feature-resize";
            return -1;
        }
    } else if (w > f->video_w || h > f->video_h) {
        *why = "larger than the initial mode";
        return -1;
    } else if (w <= 0 || h <= 0 || (long)w * h * 4 > (long)f->smem_len || w > f->line_length / 4) {
        *why = "does not fit";
        return -1;
    }
    /* xenfb_set_par: the resize waits for room; the stride stays */
    f->xres = w;
    f->yres = h;
    f->resize.type = XENFB_TYPE_RESIZE;
    f->resize.width = w;
    f->resize.height = h;
    f->resize.stride = f->line_length;
    f->resize.depth = 32;
    f->resize.offset = 0;
    f->resize_dpy = true;
    /* fbcon lays the console out again and redraws it */
    console_layout(f);
    redraw(f);
    return 0;
}

int kf_fb_dump(const char *path)
{
    struct kf_fb *f = fbi;
    FILE *out = f ? fopen(path, "wb") : NULL;
    if (!out)
        return -1;
    fprintf(out, "P6\n%d %d\n255\n", f->xres, f->yres);
    for (int y = 0; y < f->yres; y++)
        for (int x = 0; x < f->xres; x++) {
            uint32_t v = *pixel(f, x, y);
            unsigned char rgb[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
                                    (unsigned char)v};
            fwrite(rgb, 1, 3, out);
        }
    return fclose(out) == 0 ? 0 : -1;
}

/* ---- the race ---- */

struct race {
    struct kf_fb *f;
    uint64_t frame, ms;
    unsigned long flips;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *race_thread(void *arg)
{
    struct race *r = arg;
    struct kf_fb *f = r->f;
    volatile struct xenfb_page *pg = f->page;
    uint64_t pd0 = xfb_layout_pd_get_frame(&kf_layout, f->page, 0);
    uint64_t dir0 = xfb_layout_dir_get_frame(&kf_layout, f->gfns.addr, 0);
    uint32_t seed = 12345;
    uint64_t end = now_ms() + r->ms;
    while (now_ms() < end) {
        seed = seed * 1103515245u + 12345u;
        uint32_t v = seed >> 8;
        bool lie_now = v & 1;
        pg->width = lie_now ? 32768 : (uint32_t)f->xres;
        pg->height = v & 2 ? 0 : (uint32_t)f->yres;
        pg->line_length = v & 4 ? 1 : (uint32_t)f->line_length;
        pg->mem_length = v & 8 ? 0xffffffffu : v & 16 ? 0 : f->smem_len;
        pg->depth = v & 32 ? 24 : 32;
        xfb_layout_pd_set_frame(&kf_layout, f->page, 0,
                                v & 64    ? r->frame
                                : v & 128 ? (1ULL << 40)
                                          : pd0);
        xfb_layout_dir_set_frame(&kf_layout, f->gfns.addr, 0,
                                 v & 256   ? r->frame
                                 : v & 512 ? ~0ULL
                                           : dir0);
        /* a slot of the out ring, and sometimes one more event */
        union xenfb_out_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = v & 1024 ? XENFB_TYPE_RESIZE : XENFB_TYPE_UPDATE;
        ev.update.x = (int32_t)(seed * 7u);
        ev.update.y = (int32_t)(seed * 13u);
        ev.update.width = (int32_t)(seed * 17u);
        ev.update.height = (int32_t)(seed * 19u);
        uint32_t prod = pg->out_prod;
        memcpy((void *)&XENFB_OUT_RING_REF(pg, prod + (v % 8)), &ev, sizeof(ev));
        if ((v & 4096) && prod - pg->out_cons < XENFB_OUT_RING_LEN) {
            __atomic_store_n(&pg->out_prod, prod + 1, __ATOMIC_RELEASE);
            kf_notify(f->dev);
        }
        r->flips++;
    }
    /* the truth again, for whoever reads it next */
    pg->width = (uint32_t)f->xres;
    pg->height = (uint32_t)f->yres;
    pg->line_length = (uint32_t)f->line_length;
    pg->mem_length = f->smem_len;
    pg->depth = 32;
    xfb_layout_pd_set_frame(&kf_layout, f->page, 0, pd0);
    xfb_layout_dir_set_frame(&kf_layout, f->gfns.addr, 0, dir0);
    uint64_t one = 1;
    if (write(race_fd, &one, sizeof(one)) != sizeof(one)) {
        /* an eventfd takes 8 bytes while its count is below 2^64 - 1 */
    }
    return NULL;
}

static struct race race_state;
static pthread_t race_tid;
static bool racing;

int kf_fb_race_fd(void)
{
    return race_fd;
}

int kf_fb_race(uint64_t ms, uint64_t frame)
{
    if (!fbi || racing)
        return -1;
    if (race_fd < 0 && (race_fd = eventfd(0, EFD_CLOEXEC)) < 0)
        return -1;
    race_state = (struct race){.f = fbi, .frame = frame, .ms = ms};
    reconnects = 0;
    if (pthread_create(&race_tid, NULL, race_thread, &race_state) != 0)
        return -1;
    racing = true;
    return 0;
}

/* the race is over: say so (from the loop, once the thread ended) */
bool kf_fb_race_done(void)
{
    uint64_t n;
    if (!racing || read(race_fd, &n, sizeof(n)) != sizeof(n))
        return false;
    pthread_join(race_tid, NULL);
    racing = false;
    kf_say("raced %lu flips, %u reconnects", race_state.flips, reconnects);
    return true;
}
