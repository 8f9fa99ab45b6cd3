/* xfb-evil-front: a vfb + vkbd frontend for the backend's tests, honest
 * by default, lying on request. Runs in a guest (`xsim run --domid N`).
 *
 *   xfb-evil-front [--devid N] [--width W --height H] [--max-width W
 *                  --max-height H] [--depth 16|32] [--no-fb] [--no-kbd]
 *                  [--slow MS] [--set FIELD=VALUE]... [--node NAME=VALUE]...
 *                  [--pd0 ungranted|foreign] [--fb-foreign] [--page-foreign]
 *                  [--page-ro] [--kbd-node NAME=VALUE]... [--start-index N]
 *                  [--cursor]
 *
 * It allocates memory for the max mode (default: the initial mode),
 * publishes both devices once the backend is in InitWait, and follows the
 * backend through restarts (its liveness byte) as protocol.md section 5
 * says. Lies, applied when publishing:
 *   --set FIELD=VALUE   a field of struct xenfb_page: width, height,
 *                       line_length, mem_length, depth, pd0 (pd[0]'s low
 *                       half), pd0high (its high half, 64-bit layouts)
 *   --node NAME=VALUE   a vfb frontend node (page-gref, event-channel,
 *                       protocol, state...) written instead of the truth
 *   --pd0 ungranted     pd[0] names a grant that does not exist
 *   --pd0 foreign       pd[0] names a page granted to domain 99
 *   --fb-foreign        the directory names pages granted to domain 99
 *   --page-foreign      page-gref names a page granted to domain 99
 *   --page-ro           page-gref names a page granted read-only
 *   --kbd-node NAME=VALUE   the same as --node for the vkbd
 *   --start-index N     both rings of both devices start at index N (a
 *                       legal choice: 0xfffffff0 makes them wrap soon)
 *   --kbd-type TYPE     the vkbd's xenstore device type (default xenkbd;
 *                       vkbd for libxl's own vkbd)
 *   --cursor            grant cursor pages and publish cursor-gref; the
 *                       cursor* commands of evil-cursor.h write them
 * Output on stdout, one line each:
 *   fb connected / kbd connected     the backend reached Connected
 *   fb backend-gone / kbd backend-gone
 *   fb backend-state S               the backend's state changed
 *   refresh MS                       a refresh period arrived
 *   key CODE P / pos X Y Z / motion X Y Z   a vkbd event arrived
 * Commands on stdin:
 *   fill X Y W H RRGGBB    draw a rectangle and send its update
 *   update X Y W H         send an update event, values as given
 *   resize W H [STRIDE [DEPTH [OFFSET]]]   send a resize, values as given,
 *                          then an update of the whole new surface
 *   crc X Y W H            -> "crc X Y W H = %08x" of our own pixels
 *   poke fb|kbd OFFSET VALUE   write a u32 into the shared page, notify
 *   flood fb|kbd N         notify the backend N times
 *   floodfor fb|kbd MS     notify as fast as we can for MS ms
 *                          -> "flooded N in MS ms: R per second"
 *   busy fb|kbd MS         for MS ms, as fast as we can: move in_cons
 *                          between two legal values (and, on the vfb, add
 *                          a 1x1 update when the ring has room), notify:
 *                          a flood that always shows progress
 *                          -> "busy N in MS ms: R per second"
 *   ring fb|kbd in_cons|out_prod DELTA   write our own index + DELTA
 *                          (mod 2^32) to the page, notify
 *   race MS                a second thread flips the geometry fields,
 *                          pd[0] and every out-ring slot between the truth
 *                          and lies for MS ms, while this one keeps the
 *                          ring full of events and reconnects each time
 *                          the backend closes the device
 *                          -> "raced N events, M reconnects"
 *   revoke fb|page         end our grants of the framebuffer (and its
 *                          directory) or of the shared page, mid-session
 *   flipstate MS           write random states (and garbage) to both
 *                          devices' state nodes as fast as we can
 *                          -> "flipped N in MS ms: R per second"
 *   animate FPS            fill the whole surface with a new colour FPS
 *                          times a second (0 stops); frame K is colour
 *                          0xKK4080 (KK = K mod 256)
 *   close                  close the devices as an X server would
 *   reopen                 start over from Initialising
 *   sync                   -> "sync"
 *   quit                   exit (the grant device clears our liveness
 *                          bytes); stdin's end does the same
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>
#include <xen/io/xenbus.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "back/crc32.h"
#include "back/evil-cursor.h"
#include "proto/layout.h"
#include "proto/rect.h"
#include "proto/ring.h"

#define FOREIGN_DOMID 99

enum fstate { F_INIT, F_PUBLISHED, F_CONNECTED, F_CLOSED };

struct dev {
    const char *name; /* fb or kbd */
    const char *type; /* vfb or vkbd */
    bool enabled;
    char fdir[64], bdir[128], bstate[140];
    int bdom;
    enum fstate st;
    int port;
    uint32_t page_ref, pub_ref; /* pub_ref: what we publish as page-gref */
    volatile uint8_t *page;
    uint32_t in_cons, out_prod; /* ours */
    int bs;                     /* the backend's state when last read */
};

static struct xs_handle *xs;
static xenevtchn_handle *xce;
static xengntshr_handle *xgs;
static struct dev fb = {.name = "fb", .type = XFB_TYPE_FB, .enabled = true, .port = -1};
static struct dev kbd = {.name = "kbd", .type = XFB_TYPE_KBD, .enabled = true, .port = -1};
static int devid;
static uint32_t width = 320, height = 240, depth = 32, max_w, max_h, stride, offset;
static uint32_t mem_length, n_fb, n_dir;
static volatile uint8_t *fbmem, *dirmem;
static uint32_t refresh_ms = 1; /* until told otherwise */
static int slow_ms;
static struct xfb_rect pending;
static struct xfb_layout layout;

static struct {
    const char *field;
    long long value;
} sets[16];
static int n_sets;
static struct {
    const char *name, *value;
} nodes[16];
static int n_nodes;
static struct {
    const char *name, *value;
} kbd_nodes[16];
static int n_kbd_nodes;
static const char *pd0_lie;
static bool fb_foreign, page_foreign, page_ro;
static uint32_t start_index;
static unsigned anim_fps, anim_frame;
static double anim_next;

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

static void die(const char *what)
{
    fprintf(stderr, "xfb-evil-front: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int read_int(const char *dir, const char *node, int dflt)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    char *v = xs_read(xs, XBT_NULL, path, NULL);
    int n = v ? atoi(v) : dflt;
    free(v);
    return n;
}

static void write_node(xs_transaction_t t, const char *dir, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void write_node(xs_transaction_t t, const char *dir, const char *node, const char *fmt, ...)
{
    char path[200], val[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    if (!xs_write(xs, t, path, val, (unsigned)strlen(val)))
        fprintf(stderr, "xfb-evil-front: write %s: %s\n", path, strerror(errno));
}

static void set_state(struct dev *d, int s)
{
    write_node(XBT_NULL, d->fdir, "state", "%d", s);
}

/* ---- the framebuffer ---- */

static uint32_t bytes_pp(void)
{
    return depth / 8;
}

static void alloc_fb(void)
{
    if (fbmem)
        return;
    uint32_t rowmax = max_w * 4;
    mem_length = rowmax * max_h;
    n_fb = xfb_fb_pages(mem_length);
    n_dir = xfb_dir_pages(n_fb);
    uint32_t *refs = calloc(n_fb, sizeof(*refs));
    uint32_t *drefs = calloc(n_dir, sizeof(*drefs));
    fbmem = xengntshr_share_pages(xgs, (uint32_t)fb.bdom, (int)n_fb, refs, 0);
    if (!fbmem)
        die("share framebuffer");
    if (fb_foreign) {
        uint32_t fref;
        if (!xengntshr_share_pages(xgs, FOREIGN_DOMID, 1, &fref, 0))
            die("share a page with another domain");
        for (uint32_t i = 0; i < n_fb; i++)
            refs[i] = fref;
    }
    dirmem = xengntshr_share_pages(xgs, (uint32_t)fb.bdom, (int)n_dir, drefs, 0);
    if (!dirmem)
        die("share directory");
    memcpy((void *)dirmem, refs, n_fb * sizeof(*refs));
    for (uint32_t i = 0; i < n_dir; i++)
        xfb_layout_pd_set(&layout, fb.page, i, drefs[i]);
    free(refs);
    free(drefs);
}

static void fill_header(void)
{
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    pg->width = (int32_t)width;
    pg->height = (int32_t)height;
    pg->line_length = stride;
    pg->mem_length = mem_length;
    pg->depth = (uint8_t)depth;
    for (int i = 0; i < n_sets; i++) {
        long long v = sets[i].value;
        const char *f = sets[i].field;
        if (!strcmp(f, "width"))
            pg->width = (int32_t)v;
        else if (!strcmp(f, "height"))
            pg->height = (int32_t)v;
        else if (!strcmp(f, "line_length"))
            pg->line_length = (uint32_t)v;
        else if (!strcmp(f, "mem_length"))
            pg->mem_length = (uint32_t)v;
        else if (!strcmp(f, "depth"))
            pg->depth = (uint8_t)v;
        else if (!strcmp(f, "pd0"))
            xfb_layout_pd_set(&layout, fb.page, 0, (uint32_t)v);
        else if (!strcmp(f, "pd0high") && layout.pd_size == 8) {
            uint32_t lo = xfb_layout_pd_get(&layout, fb.page, 0, NULL);
            uint64_t w = (uint64_t)(uint32_t)v << 32 | lo;
            memcpy((void *)(fb.page + layout.pd_offset), &w, 8);
        }
    }
    if (pd0_lie && !strcmp(pd0_lie, "ungranted"))
        xfb_layout_pd_set(&layout, fb.page, 0, 77777);
    else if (pd0_lie && !strcmp(pd0_lie, "foreign")) {
        uint32_t fref;
        if (!xengntshr_share_pages(xgs, FOREIGN_DOMID, 1, &fref, 0))
            die("share a page with another domain");
        xfb_layout_pd_set(&layout, fb.page, 0, fref);
    }
}

static void notify(struct dev *d)
{
    if (d->port >= 0)
        xenevtchn_notify(xce, (evtchn_port_t)d->port);
}

/* Send what is pending if the ring has room; merge otherwise. */
static void flush_updates(void)
{
    if (fb.st != F_CONNECTED || xfb_rect_empty(pending) || !refresh_ms)
        return;
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    uint32_t cons = xfb_ring_load(&pg->out_cons);
    if (!xfb_ring_can_produce(fb.out_prod, cons, XENFB_OUT_RING_LEN, NULL))
        return;
    union xenfb_out_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.update.type = XENFB_TYPE_UPDATE;
    ev.update.x = pending.x;
    ev.update.y = pending.y;
    ev.update.width = pending.w;
    ev.update.height = pending.h;
    memcpy((void *)&XENFB_OUT_RING_REF(pg, fb.out_prod), &ev, sizeof(ev));
    xfb_ring_store(&pg->out_prod, ++fb.out_prod);
    pending = (struct xfb_rect){0, 0, 0, 0};
    notify(&fb);
}

static void send_update(int x, int y, int w, int h)
{
    struct xfb_rect r = {x, y, w, h};
    if (xfb_rect_empty(pending)) {
        pending = r;
    } else {
        /* one event per update while there is room; merge only when full */
        flush_updates();
        pending = xfb_rect_empty(pending) ? r : xfb_rect_union(pending, r);
    }
    flush_updates();
}

static void send_raw(const union xenfb_out_event *ev)
{
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    uint32_t cons = xfb_ring_load(&pg->out_cons);
    if (fb.st != F_CONNECTED ||
        !xfb_ring_can_produce(fb.out_prod, cons, XENFB_OUT_RING_LEN, NULL)) {
        out("err ring full or not connected");
        return;
    }
    memcpy((void *)&XENFB_OUT_RING_REF(pg, fb.out_prod), ev, sizeof(*ev));
    xfb_ring_store(&pg->out_prod, ++fb.out_prod);
    notify(&fb);
}

/* ---- publishing and the state machine ---- */

static void publish(struct dev *d)
{
    if (!d->page) {
        d->port = xenevtchn_bind_unbound_port(xce, (uint32_t)d->bdom);
        if (d->port < 0)
            die("bind unbound port");
        d->page = xengntshr_share_page_notify(xgs, (uint32_t)d->bdom, &d->page_ref, 1,
                                              XFB_ALIVE_FRONT_OFFS, (evtchn_port_t)d->port);
        if (!d->page)
            die("share page");
        d->in_cons = d->out_prod = start_index;
        /* the indices at connect are the frontend's choice (the backend
         * starts from what it finds) */
        volatile uint32_t *idx = (volatile uint32_t *)d->page;
        for (int i = 0; i < 4; i++)
            idx[i] = start_index;
        d->pub_ref = d->page_ref;
        if (page_foreign || page_ro) {
            uint32_t ref;
            if (!xengntshr_share_pages(xgs, page_foreign ? FOREIGN_DOMID : (uint32_t)d->bdom, 1,
                                       &ref, page_ro ? 0 : 1))
                die("share a decoy page");
            d->pub_ref = ref;
        }
        if (d == &fb) {
            alloc_fb();
            fill_header();
            evil_cursor_grant(xgs, (uint32_t)d->bdom);
        }
        __atomic_store_n(&d->page[XFB_ALIVE_FRONT_OFFS], 1, __ATOMIC_RELEASE);
    }
    for (;;) {
        xs_transaction_t t = xs_transaction_start(xs);
        write_node(t, d->fdir, XFB_NODE_PAGE_GREF, "%u", d->pub_ref);
        write_node(t, d->fdir, "event-channel", "%d", d->port);
        if (d == &fb) {
            write_node(t, d->fdir, "protocol", "%s", xfb_layout_native_protocol());
            write_node(t, d->fdir, "feature-update", "1");
            uint32_t cref;
            if (evil_cursor_gref(&cref))
                write_node(t, d->fdir, "cursor-gref", "%u", cref);
        } else {
            write_node(t, d->fdir, XENKBD_FIELD_REQ_ABS_POINTER, "1");
            write_node(t, d->fdir, XENKBD_FIELD_REQ_RAW_POINTER, "1");
        }
        write_node(t, d->fdir, "state", "%d", XenbusStateInitialised);
        if (d == &fb)
            for (int i = 0; i < n_nodes; i++)
                write_node(t, d->fdir, nodes[i].name, "%s", nodes[i].value);
        else
            for (int i = 0; i < n_kbd_nodes; i++)
                write_node(t, d->fdir, kbd_nodes[i].name, "%s", kbd_nodes[i].value);
        if (xs_transaction_end(xs, t, false))
            break;
        if (errno != EAGAIN)
            die("publish");
    }
    d->st = F_PUBLISHED;
}

static void unpublish(struct dev *d)
{
    set_state(d, XenbusStateClosing);
    if (d->page) {
        xengntshr_unshare(xgs, (void *)d->page, 1);
        d->page = NULL;
    }
    if (d == &fb && fbmem) {
        xengntshr_unshare(xgs, (void *)fbmem, n_fb);
        xengntshr_unshare(xgs, (void *)dirmem, n_dir);
        fbmem = dirmem = NULL;
    }
    if (d->port >= 0) {
        xenevtchn_unbind(xce, (evtchn_port_t)d->port);
        d->port = -1;
    }
    char path[200];
    snprintf(path, sizeof(path), "%s/%s", d->fdir, XFB_NODE_PAGE_GREF);
    xs_rm(xs, XBT_NULL, path);
    snprintf(path, sizeof(path), "%s/event-channel", d->fdir);
    xs_rm(xs, XBT_NULL, path);
    set_state(d, XenbusStateClosed);
    d->st = F_CLOSED;
}

static bool backend_alive(struct dev *d)
{
    return d->page && __atomic_load_n(&d->page[XFB_ALIVE_BACK_OFFS], __ATOMIC_ACQUIRE);
}

static void connected(struct dev *d)
{
    d->st = F_CONNECTED;
    set_state(d, XenbusStateConnected);
    out("%s connected", d->name);
    if (d == &fb)
        send_update(0, 0, (int)width, (int)height);
}

static void backend_lost(struct dev *d)
{
    /* keep grants and port: a new backend binds to the same port */
    d->st = F_PUBLISHED;
    set_state(d, XenbusStateInitialised);
    out("%s backend-gone", d->name);
}

static void check_backend(struct dev *d)
{
    if (!d->enabled)
        return;
    int bs = read_int(d->bdir, "state", 0);
    d->bs = bs;
    static int last[2] = {-1, -1};
    int *l = &last[d == &kbd];
    if (bs != *l)
        out("%s backend-state %d", d->name, bs);
    *l = bs;
    switch (d->st) {
    case F_INIT:
        /* a state left at 4 by an earlier connection is not an answer to
         * our Initialising: wait for the backend's InitWait */
        if (bs == XenbusStateInitWait)
            publish(d);
        break;
    case F_PUBLISHED:
        if (bs == XenbusStateConnected && backend_alive(d))
            connected(d);
        break;
    case F_CONNECTED:
        if (bs == XenbusStateConnected && d == &fb)
            send_update(0, 0, (int)width, (int)height); /* a new backend has no picture */
        else if (bs == XenbusStateClosing || bs == XenbusStateClosed)
            backend_lost(d);
        break;
    case F_CLOSED:
        break;
    }
}

static void fb_event(void)
{
    if (!fb.page)
        return;
    if (fb.st == F_CONNECTED && !backend_alive(&fb)) {
        backend_lost(&fb);
        return;
    }
    if (fb.st == F_PUBLISHED) {
        check_backend(&fb);
        return;
    }
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    uint32_t prod = xfb_ring_load(&pg->in_prod);
    int n = xfb_ring_avail(prod, fb.in_cons, XENFB_IN_RING_LEN);
    for (int i = 0; i < n; i++) {
        union xenfb_in_event ev;
        memcpy(&ev, (const void *)&XENFB_IN_RING_REF(pg, fb.in_cons), sizeof(ev));
        fb.in_cons++;
        if (ev.type == XENFB_TYPE_REFRESH_PERIOD) {
            uint32_t was = refresh_ms;
            refresh_ms = ev.refresh_period.period;
            out("refresh %u", refresh_ms);
            if (!was && refresh_ms)
                send_update(0, 0, (int)width, (int)height);
        }
    }
    if (n > 0)
        xfb_ring_store(&pg->in_cons, fb.in_cons);
    flush_updates();
}

static void kbd_event(void)
{
    if (!kbd.page)
        return;
    if (kbd.st == F_CONNECTED && !backend_alive(&kbd)) {
        backend_lost(&kbd);
        return;
    }
    if (kbd.st == F_PUBLISHED) {
        check_backend(&kbd);
        return;
    }
    volatile struct xenkbd_page *pg = (volatile struct xenkbd_page *)kbd.page;
    uint32_t prod = xfb_ring_load(&pg->in_prod);
    int n = xfb_ring_avail(prod, kbd.in_cons, XENKBD_IN_RING_LEN);
    if (slow_ms && n > 4)
        n = 4;
    for (int i = 0; i < n; i++) {
        union xenkbd_in_event ev;
        memcpy(&ev, (const void *)&XENKBD_IN_RING_REF(pg, kbd.in_cons), sizeof(ev));
        kbd.in_cons++;
        if (ev.type == XENKBD_TYPE_KEY)
            out("key %u %u", ev.key.keycode, ev.key.pressed);
        else if (ev.type == XENKBD_TYPE_POS)
            out("pos %d %d %d", ev.pos.abs_x, ev.pos.abs_y, ev.pos.rel_z);
        else if (ev.type == XENKBD_TYPE_MOTION)
            out("motion %d %d %d", ev.motion.rel_x, ev.motion.rel_y, ev.motion.rel_z);
    }
    if (n > 0) {
        xfb_ring_store(&pg->in_cons, kbd.in_cons);
        notify(&kbd);
    }
}

/* ---- attacks ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void flood_for(struct dev *d, long ms)
{
    double t0 = now_ms(), el;
    long n = 0;
    while ((el = now_ms() - t0) < (double)ms) {
        for (int i = 0; i < 64; i++)
            notify(d);
        n += 64;
    }
    out("flooded %ld in %.0f ms: %.0f per second", n, el, (double)n * 1000 / el);
}

/* Notifications that each show progress, so that no idle-wakeup count
 * ever sees them: in_cons steps back and forth by one (both legal while
 * the in ring is not full), and the vfb gets a 1x1 update when there is
 * room. */
static void busy_for(struct dev *d, long ms)
{
    if (!d->page || d->st != F_CONNECTED) {
        out("err busy: not connected");
        return;
    }
    volatile uint32_t *idx =
        (volatile uint32_t *)d->page; /* in_cons, in_prod, out_cons, out_prod */
    double t0 = now_ms(), el;
    long n = 0;
    while ((el = now_ms() - t0) < (double)ms) {
        for (int i = 0; i < 64; i++, n++) {
            xfb_ring_store(&idx[0], d->in_cons - (uint32_t)(n & 1));
            if (d == &fb && xfb_ring_can_produce(fb.out_prod, xfb_ring_load(&idx[2]),
                                                 XENFB_OUT_RING_LEN, NULL)) {
                union xenfb_out_event ev = {.update = {XENFB_TYPE_UPDATE, 0, 0, 1, 1}};
                memcpy(&XENFB_OUT_RING_REF((struct xenfb_page *)fb.page, fb.out_prod), &ev,
                       sizeof(ev));
                xfb_ring_store(&idx[3], ++fb.out_prod);
            }
            notify(d);
        }
    }
    xfb_ring_store(&idx[0], d->in_cons);
    out("busy %ld in %.0f ms: %.0f per second", n, el, (double)n * 1000 / el);
}

/* The double fetch race: lies that come and go while the backend reads. */
static bool racing;
static double race_end;
static long race_events, race_reconnects;
static pthread_t race_tid;

static void *race_thread(void *arg)
{
    (void)arg;
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    uint32_t pd0 = xfb_layout_pd_get(&layout, fb.page, 0, NULL);
    uint32_t r = 1;
    for (unsigned k = 0; __atomic_load_n(&racing, __ATOMIC_RELAXED); k++) {
        /* each field lies on its own (one time in four), so that a
         * reader meets every mix, and now and then all the truth */
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        bool alt = r & 1u << 12;
#define TRUE_(n) ((r >> (2 * (n)) & 3) != 0)
        pg->width = TRUE_(0) ? (int32_t)width : alt ? 100000 : -1;
        pg->height = TRUE_(1) ? (int32_t)height : 1 << 30;
        pg->line_length = TRUE_(2) ? stride : alt ? 1 : 0x7fffffff;
        pg->depth = (uint8_t)(TRUE_(3) ? depth : alt ? 24 : 16);
        pg->mem_length = TRUE_(4) ? mem_length : alt ? 0xffffffffu : 4096;
        xfb_layout_pd_set(&layout, fb.page, 0, TRUE_(5) ? pd0 : 77777);
#undef TRUE_
        for (uint32_t i = 0; i < XENFB_OUT_RING_LEN; i++) {
            volatile union xenfb_out_event *ev =
                (volatile union xenfb_out_event *)&XENFB_OUT_RING_REF((struct xenfb_page *)fb.page,
                                                                      i);
            switch ((k + i) % 4) {
            case 0: /* the truth */
                ev->update.type = XENFB_TYPE_UPDATE;
                ev->update.x = ev->update.y = 0;
                ev->update.width = (int32_t)width;
                ev->update.height = (int32_t)height;
                break;
            case 1:
                ev->update.type = XENFB_TYPE_UPDATE;
                ev->update.x = INT32_MIN + 1;
                ev->update.y = -5;
                ev->update.width = ev->update.height = INT32_MAX;
                break;
            case 2: /* a resize to the mode we have */
                ev->resize.type = XENFB_TYPE_RESIZE;
                ev->resize.width = (int32_t)width;
                ev->resize.height = (int32_t)height;
                ev->resize.stride = (int32_t)stride;
                ev->resize.depth = (int32_t)depth;
                ev->resize.offset = 0;
                break;
            default: /* a resize past the granted memory */
                ev->resize.type = XENFB_TYPE_RESIZE;
                ev->resize.width = (int32_t)width;
                ev->resize.height = (int32_t)height;
                ev->resize.stride = 0x7fffffff;
                ev->resize.depth = 32;
                ev->resize.offset = (int32_t)mem_length;
                break;
            }
        }
        sched_yield(); /* a busy guest, not one that starves its host */
    }
    fill_header();
    xfb_layout_pd_set(&layout, fb.page, 0, pd0);
    return NULL;
}

static void race_start(long ms)
{
    if (!fb.page || racing) {
        out("err race: not published, or racing already");
        return;
    }
    race_events = race_reconnects = 0;
    race_end = now_ms() + (double)ms;
    racing = true;
    if (pthread_create(&race_tid, NULL, race_thread, NULL)) {
        racing = false;
        out("err race: no thread");
    }
}

/* One step of the main thread's part: keep the ring full, and start over
 * whenever the backend closed the device. */
static void race_step(void)
{
    if (now_ms() >= race_end) {
        __atomic_store_n(&racing, false, __ATOMIC_RELAXED);
        pthread_join(race_tid, NULL);
        out("raced %ld events, %ld reconnects", race_events, race_reconnects);
        return;
    }
    if (fb.bs == XenbusStateClosed && fb.st != F_INIT) {
        fb.st = F_INIT;
        set_state(&fb, XenbusStateInitialising);
        race_reconnects++;
        return;
    }
    if (fb.st != F_CONNECTED)
        return;
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)fb.page;
    bool sent = false;
    while (
        xfb_ring_can_produce(fb.out_prod, xfb_ring_load(&pg->out_cons), XENFB_OUT_RING_LEN, NULL)) {
        xfb_ring_store(&pg->out_prod, ++fb.out_prod); /* the other thread writes the slots */
        race_events++;
        sent = true;
    }
    if (sent)
        notify(&fb);
}

static void flip_states(long ms)
{
    static const char *const states[] = {"0", "1", "2", "3",  "4", "5", "6",
                                         "7", "8", "9", "-1", "x", "",  "4294967297"};
    double t0 = now_ms(), el;
    long n = 0;
    unsigned seed = 1;
    while ((el = now_ms() - t0) < (double)ms) {
        for (int i = 0; i < 16; i++, n++) {
            struct dev *d = rand_r(&seed) & 1 ? &fb : &kbd;
            if (!d->enabled)
                continue;
            const char *v = states[(unsigned)rand_r(&seed) % (sizeof(states) / sizeof(states[0]))];
            char path[200];
            snprintf(path, sizeof(path), "%s/state", d->fdir);
            xs_write(xs, XBT_NULL, path, v, (unsigned)strlen(v));
        }
    }
    out("flipped %ld in %.0f ms: %.0f per second", n, el, (double)n * 1000 / el);
}

static void revoke_grant(const char *what)
{
    if (!strcmp(what, "fb") && fbmem) {
        /* the backend keeps what it mapped; the pages are no longer ours */
        xengntshr_unshare(xgs, (void *)fbmem, n_fb);
        xengntshr_unshare(xgs, (void *)dirmem, n_dir);
        fbmem = dirmem = NULL;
        out("revoked fb");
    } else if (!strcmp(what, "page") && fb.page) {
        /* the grant device clears our liveness byte and notifies */
        xengntshr_unshare(xgs, (void *)fb.page, 1);
        fb.page = NULL;
        fb.st = F_CLOSED;
        out("revoked page");
    } else {
        out("err revoke: fb or page, while we have it");
    }
}

static void fill(long x, long y, long w, long h, unsigned long color);

static void animate_step(void)
{
    double now = now_ms();
    if (!anim_fps || now < anim_next)
        return;
    anim_next = now - anim_next > 1000 ? now : anim_next;
    anim_next += 1000.0 / anim_fps;
    if (fb.st == F_CONNECTED && fbmem)
        fill(0, 0, width, height, (anim_frame++ & 0xff) << 16 | 0x4080);
}

/* ---- commands ---- */

static void fill(long x, long y, long w, long h, unsigned long color)
{
    struct xfb_rect r = {(int32_t)x, (int32_t)y, (int32_t)w, (int32_t)h};
    if (!fbmem || !xfb_rect_clamp(&r, (int32_t)width, (int32_t)height)) {
        out("err fill: nothing to draw");
        return;
    }
    for (int32_t row = r.y; row < r.y + r.h; row++) {
        volatile uint8_t *p = fbmem + offset + (size_t)row * stride + (size_t)r.x * bytes_pp();
        for (int32_t col = 0; col < r.w; col++) {
            if (depth == 32)
                ((volatile uint32_t *)p)[col] = (uint32_t)color;
            else
                ((volatile uint16_t *)p)[col] = (uint16_t)color;
        }
    }
    send_update(r.x, r.y, r.w, r.h);
}

static struct dev *which(const char *s)
{
    return !strcmp(s, "kbd") ? &kbd : &fb;
}

static void notify_fb(void)
{
    notify(&fb);
}

static bool run(char *line)
{
    char cmd[16] = "", word[16] = "", field[16] = "";
    long a[5] = {0};
    long long delta;
    int n = sscanf(line, "%15s %ld %ld %ld %ld %ld", cmd, &a[0], &a[1], &a[2], &a[3], &a[4]) - 1;
    if (n < 0)
        return true;
    if (!strcmp(cmd, "quit"))
        return false;
    if (!strncmp(cmd, "cursor", 6)) {
        evil_cursor_run(line, notify_fb);
    } else if (!strcmp(cmd, "sync")) {
        out("sync");
    } else if (!strcmp(cmd, "fill")) {
        unsigned long color;
        if (sscanf(line, "%*s %ld %ld %ld %ld %lx", &a[0], &a[1], &a[2], &a[3], &color) == 5)
            fill(a[0], a[1], a[2], a[3], color);
        else
            out("err fill: X Y W H RRGGBB");
    } else if (!strcmp(cmd, "update") && n == 4) {
        union xenfb_out_event ev = {.update = {XENFB_TYPE_UPDATE, (int32_t)a[0], (int32_t)a[1],
                                               (int32_t)a[2], (int32_t)a[3]}};
        send_raw(&ev);
    } else if (!strcmp(cmd, "resize") && n >= 2) {
        uint32_t nd = n >= 4 ? (uint32_t)a[3] : depth;
        uint32_t ns = n >= 3 ? (uint32_t)a[2] : (uint32_t)a[0] * (nd / 8);
        uint32_t no = n >= 5 ? (uint32_t)a[4] : 0;
        union xenfb_out_event ev = {.resize = {XENFB_TYPE_RESIZE, (int32_t)a[0], (int32_t)a[1],
                                               (int32_t)ns, (int32_t)nd, (int32_t)no}};
        send_raw(&ev);
        width = (uint32_t)a[0];
        height = (uint32_t)a[1];
        stride = ns;
        depth = nd;
        offset = no;
        if ((uint64_t)offset + (uint64_t)stride * height <= mem_length)
            send_update(0, 0, (int)width, (int)height);
    } else if (!strcmp(cmd, "crc") && n == 4) {
        if (!fbmem || a[0] < 0 || a[1] < 0 || a[0] + a[2] > width || a[1] + a[3] > height) {
            out("err crc: outside the surface");
        } else {
            uint32_t c = crc32_rect(fbmem + offset, stride, bytes_pp(), (uint32_t)a[0],
                                    (uint32_t)a[1], (uint32_t)a[2], (uint32_t)a[3]);
            out("crc %ld %ld %ld %ld = %08x", a[0], a[1], a[2], a[3], c);
        }
    } else if (!strcmp(cmd, "poke") && sscanf(line, "%*s %15s %ld %ld", word, &a[0], &a[1]) == 3) {
        struct dev *d = which(word);
        if (d->page && a[0] >= 0 && a[0] <= 4092) {
            uint32_t v = (uint32_t)a[1];
            memcpy((void *)(d->page + a[0]), &v, 4);
            notify(d);
        }
    } else if (!strcmp(cmd, "floodfor") && sscanf(line, "%*s %15s %ld", word, &a[0]) == 2) {
        flood_for(which(word), a[0]);
    } else if (!strcmp(cmd, "busy") && sscanf(line, "%*s %15s %ld", word, &a[0]) == 2) {
        busy_for(which(word), a[0]);
    } else if (!strcmp(cmd, "ring") &&
               sscanf(line, "%*s %15s %15s %lld", word, field, &delta) == 3) {
        struct dev *d = which(word);
        volatile uint32_t *idx = (volatile uint32_t *)d->page;
        if (!idx || (strcmp(field, "in_cons") && strcmp(field, "out_prod"))) {
            out("err ring: fb|kbd in_cons|out_prod DELTA, while published");
        } else {
            bool cons = !strcmp(field, "in_cons");
            xfb_ring_store(&idx[cons ? 0 : 3], (cons ? d->in_cons : d->out_prod) + (uint32_t)delta);
            notify(d);
        }
    } else if (!strcmp(cmd, "race") && n == 1) {
        race_start(a[0]);
    } else if (!strcmp(cmd, "revoke") && sscanf(line, "%*s %15s", word) == 1) {
        revoke_grant(word);
    } else if (!strcmp(cmd, "flipstate") && n == 1) {
        flip_states(a[0]);
    } else if (!strcmp(cmd, "animate") && n == 1) {
        anim_fps = (unsigned)a[0];
        anim_next = now_ms();
    } else if (!strcmp(cmd, "flood") && sscanf(line, "%*s %15s %ld", word, &a[0]) == 2) {
        struct dev *d = which(word);
        for (long i = 0; i < a[0]; i++)
            notify(d);
        out("flooded");
    } else if (!strcmp(cmd, "close")) {
        if (fb.enabled)
            unpublish(&fb);
        if (kbd.enabled)
            unpublish(&kbd);
        out("closed");
    } else if (!strcmp(cmd, "reopen")) {
        for (struct dev *d = &fb; d; d = d == &fb ? &kbd : NULL) {
            if (!d->enabled)
                continue;
            d->st = F_INIT;
            set_state(d, XenbusStateInitialising);
        }
    } else {
        out("err %s: unknown command or wrong arguments", cmd);
    }
    return true;
}

static void parse_assign(char *arg, const char **name, const char **value)
{
    char *eq = strchr(arg, '=');
    if (!eq) {
        fprintf(stderr, "xfb-evil-front: expected NAME=VALUE, got '%s'\n", arg);
        exit(2);
    }
    *eq = 0;
    *name = arg;
    *value = eq + 1;
}

static void setup_dev(struct dev *d, int domid_unused)
{
    (void)domid_unused;
    snprintf(d->fdir, sizeof(d->fdir), "device/%s/%d", d->type, devid);
    snprintf(d->bdir, sizeof(d->bdir), "%s/backend", d->fdir);
    char *b = xs_read(xs, XBT_NULL, d->bdir, NULL);
    if (!b) {
        fprintf(stderr, "xfb-evil-front: no %s device %d attached\n", d->type, devid);
        exit(1);
    }
    snprintf(d->bdir, sizeof(d->bdir), "%s", b);
    free(b);
    d->bdom = read_int(d->fdir, "backend-id", 0);
    snprintf(d->bstate, sizeof(d->bstate), "%s/state", d->bdir);
    /* a frontend starting (again) begins at Initialising, whatever a
     * previous instance left there */
    set_state(d, XenbusStateInitialising);
    if (!xs_watch(xs, d->bstate, d->name))
        die("watch the backend");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"devid", required_argument, NULL, 'i'},
        {"width", required_argument, NULL, 'w'},
        {"height", required_argument, NULL, 'h'},
        {"max-width", required_argument, NULL, 'W'},
        {"max-height", required_argument, NULL, 'H'},
        {"depth", required_argument, NULL, 'd'},
        {"no-fb", no_argument, NULL, 'F'},
        {"no-kbd", no_argument, NULL, 'K'},
        {"slow", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"node", required_argument, NULL, 'N'},
        {"pd0", required_argument, NULL, 'p'},
        {"fb-foreign", no_argument, NULL, 'f'},
        {"page-foreign", no_argument, NULL, 'P'},
        {"page-ro", no_argument, NULL, 'R'},
        {"kbd-node", required_argument, NULL, 'k'},
        {"start-index", required_argument, NULL, 'x'},
        {"kbd-type", required_argument, NULL, 't'},
        {"cursor", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    int o;
    const char *name, *value;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'i':
            devid = atoi(optarg);
            break;
        case 'w':
            width = (uint32_t)atoi(optarg);
            break;
        case 'h':
            height = (uint32_t)atoi(optarg);
            break;
        case 'W':
            max_w = (uint32_t)atoi(optarg);
            break;
        case 'H':
            max_h = (uint32_t)atoi(optarg);
            break;
        case 'd':
            depth = (uint32_t)atoi(optarg);
            break;
        case 'F':
            fb.enabled = false;
            break;
        case 'K':
            kbd.enabled = false;
            break;
        case 't':
            kbd.type = optarg;
            break;
        case 's':
            slow_ms = atoi(optarg);
            break;
        case 'S':
            if (n_sets == 16)
                exit(2);
            parse_assign(optarg, &name, &value);
            sets[n_sets].field = name;
            sets[n_sets++].value = strtoll(value, NULL, 0);
            break;
        case 'N':
            if (n_nodes == 16)
                exit(2);
            parse_assign(optarg, &nodes[n_nodes].name, &nodes[n_nodes].value);
            n_nodes++;
            break;
        case 'p':
            pd0_lie = optarg;
            break;
        case 'f':
            fb_foreign = true;
            break;
        case 'P':
            page_foreign = true;
            break;
        case 'R':
            page_ro = true;
            break;
        case 'k':
            if (n_kbd_nodes == 16)
                exit(2);
            parse_assign(optarg, &kbd_nodes[n_kbd_nodes].name, &kbd_nodes[n_kbd_nodes].value);
            n_kbd_nodes++;
            break;
        case 'c':
            evil_cursor_enable();
            break;
        case 'x':
            start_index = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        default:
            fprintf(stderr, "xfb-evil-front: bad usage (see the top of its source)\n");
            return 2;
        }
    }
    if (!max_w || max_w < width)
        max_w = width;
    if (!max_h || max_h < height)
        max_h = height;
    stride = width * (depth / 8);
    xfb_layout_native(&layout);

    xs = xs_open(0);
    xce = xenevtchn_open(NULL, 0);
    xgs = xengntshr_open(NULL, 0);
    if (!xs || !xce || !xgs)
        die("open the Xen devices");
    if (fb.enabled)
        setup_dev(&fb, 0);
    if (kbd.enabled)
        setup_dev(&kbd, 0);

    char in[4096];
    size_t in_len = 0;
    for (;;) {
        struct pollfd p[3] = {
            {.fd = xs_fileno(xs), .events = POLLIN},
            {.fd = xenevtchn_fd(xce), .events = POLLIN},
            {.fd = 0, .events = POLLIN},
        };
        /* a slow reader takes a few events per wakeup and comes back on
         * its own for the rest */
        int timeout = slow_ms ? slow_ms : -1;
        if (racing)
            timeout = 1;
        else if (anim_fps) {
            double left = anim_next - now_ms();
            int t = left <= 0 ? 0 : (int)left + 1;
            timeout = timeout < 0 || t < timeout ? t : timeout;
        }
        if (poll(p, 3, timeout) < 0 && errno != EINTR)
            die("poll");
        if (racing)
            race_step();
        animate_step();
        if (slow_ms && kbd.st == F_CONNECTED)
            kbd_event();
        if (p[0].revents & POLLIN) {
            char **w;
            while ((w = xs_check_watch(xs))) {
                if (fb.enabled && !strcmp(w[XS_WATCH_TOKEN], "fb"))
                    check_backend(&fb);
                if (kbd.enabled && !strcmp(w[XS_WATCH_TOKEN], "kbd"))
                    check_backend(&kbd);
                free(w);
            }
        }
        if (p[1].revents & POLLIN) {
            xenevtchn_port_or_error_t port;
            while ((port = xenevtchn_pending(xce)) >= 0) {
                if (port == fb.port)
                    fb_event();
                else if (port == kbd.port)
                    kbd_event();
                xenevtchn_unmask(xce, (evtchn_port_t)port);
                if (p[1].revents & POLLIN)
                    break; /* the fd is blocking: one per poll */
            }
        }
        if (p[2].revents & (POLLIN | POLLHUP)) {
            ssize_t got = read(0, in + in_len, sizeof(in) - in_len - 1);
            if (got <= 0)
                break;
            in_len += (size_t)got;
            char *nl;
            bool go = true;
            while (go && (nl = memchr(in, '\n', in_len))) {
                *nl = 0;
                go = run(in);
                size_t used = (size_t)(nl + 1 - in);
                memmove(in, nl + 1, in_len - used);
                in_len -= used;
            }
            if (!go)
                break;
        }
    }
    return 0;
}
