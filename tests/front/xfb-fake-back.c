/* xfb-fake-back: a scripted vfb/vkbd backend for the frontend's tests. It
 * does what a backend does step by step, on command, and can misbehave on
 * purpose. Run it in the backend domain (xsim run --domid 0 -- ...).
 *
 * usage: xfb-fake-back vfb|vkbd --front D [--dev N]
 * Commands (stdin, one per line), each answered by one line or more:
 *   attach [MAXW MAXH]   toolstack: create the frontend and backend dirs
 *                        (vfb: max-width/max-height/videoram)      -> "attached"
 *   detach               toolstack: remove both dirs (unmaps first) -> "detached"
 *   reattach [MAXW MAXH] attach in one transaction with the removal -> "reattached"
 *   write NODE VALUE     write a node of the backend dir           -> "ok"
 *   rm NODE              remove a node of the backend dir          -> "ok"
 *   state N              write the backend's state                 -> "ok"
 *   wait-front N [MS]    until the frontend's state is N -> "front-state N" or "timeout front-state
 * S" front-write NODE VALUE  write a frontend node (what a kernel frontend would write) -> "ok"
 *   front-node NODE      read a frontend node -> "front-node NODE VALUE" or "front-node NODE -"
 *   map                  read page-gref/event-channel, bind, map, set our
 *                        liveness byte           -> "mapped gref G port P pages N"
 *   connect              map if needed, request-update (vfb), state 4 -> "connected"
 *   refresh P            in event REFRESH_PERIOD                   -> "sent"
 *   key CODE PRESSED     in event KEY                              -> "sent"
 *   pos X Y Z            in event POS                              -> "sent"
 *   motion X Y Z         in event MOTION                           -> "sent"
 *   raw TYPE             in event of any type byte                 -> "sent"
 *   resreq W H           in event: a size request (protocol.md 9), the
 *                        values as given (any u32)                 -> "sent"
 *   resreq-flood N W H   N size requests as fast as the ring takes them,
 *                        hostile ones (zero, huge, only the type byte,
 *                        odd and tiny sizes) mixed with valid ones, then
 *                        one for W H; waits for room, never overwrites
 *                        -> "flooded N" or "flood stuck at I"
 *   bump-in-prod N       move in_prod by N without writing events  -> "ok"
 *   read-out             consume the out ring: "update X Y W H" / "resize W H S D O" /
 *                        "out TYPE" per event, then "out-end N"
 *   out-pending          -> "out-pending N"
 *   wait-event [MS]      until our port fires -> "event" or "timeout event"
 *   check-pattern N      compare the framebuffer with xfb-front-tool's pattern N
 *                        -> "pattern ok" or "pattern bad X Y GOT WANT"
 *   geometry             -> "geometry W H LINE DEPTH MEM"
 *   front-alive          -> "front-alive B" (the frontend's liveness byte)
 *   unmap                release everything, state untouched   -> "unmapped"
 *   quit                 exit (an exit without unmap is what a crash looks like
 *                        to the frontend: the grant device clears our byte)
 */
#include "proto/layout.h"
#include "proto/resreq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

static const char *type;
static unsigned front_id, devid, back_id;
static char fe[128], be[128];
static struct xs_handle *xs;
static xenevtchn_handle *xce;
static xengnttab_handle *xgt;
static int port = -1;
static volatile uint8_t *page;
static uint8_t *fb;
static uint32_t fb_pages;
static uint32_t in_prod_local;
/* the toolstack's transaction while `reattach` runs, XBT_NULL otherwise */
static xs_transaction_t tx = XBT_NULL;

static char *rd(const char *dir, const char *node)
{
    char path[256];
    unsigned len;
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_read(xs, XBT_NULL, path, &len);
}

static bool wr(const char *dir, const char *node, const char *val)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(xs, tx, path, val, strlen(val));
}

static void perms(const char *path, unsigned owner, unsigned reader)
{
    struct xs_permissions p[2] = {{.id = owner, .perms = XS_PERM_NONE},
                                  {.id = reader, .perms = XS_PERM_READ}};
    xs_set_permissions(xs, tx, path, p, 2);
}

static void attach(char **w, int n)
{
    char v[128];
    xs_rm(xs, tx, fe);
    xs_rm(xs, tx, be);
    xs_mkdir(xs, tx, fe);
    perms(fe, front_id, back_id);
    xs_mkdir(xs, tx, be);
    perms(be, back_id, front_id);
    wr(fe, "backend", be);
    snprintf(v, sizeof(v), "%u", back_id);
    wr(fe, "backend-id", v);
    wr(fe, "state", "1");
    wr(be, "frontend", fe);
    snprintf(v, sizeof(v), "%u", front_id);
    wr(be, "frontend-id", v);
    wr(be, "online", "1");
    wr(be, "state", "1");
    if (!strcmp(type, "vfb")) {
        long mw = n > 1 ? atol(w[1]) : 1024, mh = n > 2 ? atol(w[2]) : 768;
        snprintf(v, sizeof(v), "%ld", mw);
        wr(be, "max-width", v);
        snprintf(v, sizeof(v), "%ld", mh);
        wr(be, "max-height", v);
        snprintf(v, sizeof(v), "%ld", (mw * mh * 4 + (1 << 20) - 1) >> 20);
        wr(be, "videoram", v);
    }
    if (tx == XBT_NULL)
        printf("attached\n");
}

/* Remove and make the device again in one transaction, as a toolstack
 * that re-creates it does: a watcher sees only the result. */
static void reattach(char **w, int n)
{
    for (int i = 0; i < 16; i++) {
        tx = xs_transaction_start(xs);
        attach(w, n);
        bool done = xs_transaction_end(xs, tx, false);
        tx = XBT_NULL;
        if (done) {
            printf("reattached\n");
            return;
        }
        if (errno != EAGAIN)
            break;
    }
    printf("error reattach %s\n", strerror(errno));
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* A test tool may poll: it waits for one value with a deadline. */
static void wait_front(long want, long ms)
{
    long end = now_ms() + ms;
    char *s = NULL;
    for (;;) {
        free(s);
        s = rd(fe, "state");
        if (s && atol(s) == want) {
            printf("front-state %ld\n", want);
            break;
        }
        if (now_ms() >= end) {
            printf("timeout front-state %s\n", s ? s : "-");
            break;
        }
        usleep(10000);
    }
    free(s);
}

static bool is_vfb(void)
{
    return !strcmp(type, "vfb");
}

static int map_fb(unsigned gref_count_hint)
{
    (void)gref_count_hint;
    struct xenfb_page *p = (struct xenfb_page *)(void *)page;
    char *proto = rd(fe, "protocol");
    struct xfb_layout l;
    if (xfb_layout_from_protocol(proto, &l) < 0) {
        free(proto);
        return -1;
    }
    free(proto);
    uint32_t mem = p->mem_length;
    fb_pages = xfb_fb_pages(mem);
    uint32_t ndir = xfb_dir_pages(fb_pages);
    if (ndir > l.pd_slots)
        return -1;
    uint32_t dirrefs[256];
    for (uint32_t i = 0; i < ndir; i++) {
        uint32_t high;
        dirrefs[i] = xfb_layout_pd_get(&l, page, i, &high);
    }
    uint32_t *dir = xengnttab_map_domain_grant_refs(xgt, ndir, front_id, dirrefs, PROT_READ);
    if (!dir)
        return -1;
    uint32_t *refs = malloc(fb_pages * sizeof(*refs));
    memcpy(refs, dir, fb_pages * sizeof(*refs));
    xengnttab_unmap(xgt, dir, ndir);
    fb = xengnttab_map_domain_grant_refs(xgt, fb_pages, front_id, refs, PROT_READ);
    free(refs);
    return fb ? 0 : -1;
}

static void do_map(void)
{
    if (page) {
        printf("mapped already\n");
        return;
    }
    char *g = rd(fe, "page-gref"), *e = rd(fe, "event-channel");
    if (!g || !e) {
        printf("map error no page-gref or event-channel\n");
        free(g);
        free(e);
        return;
    }
    uint32_t gref = (uint32_t)atol(g);
    port = xenevtchn_bind_interdomain(xce, front_id, (uint32_t)atol(e));
    free(g);
    free(e);
    if (port < 0) {
        printf("map error bind %s\n", strerror(errno));
        return;
    }
    page = xengnttab_map_grant_ref_notify(xgt, front_id, gref, PROT_READ | PROT_WRITE,
                                          XFB_ALIVE_BACK_OFFS, (uint32_t)port);
    if (!page) {
        printf("map error page %s\n", strerror(errno));
        return;
    }
    if (is_vfb() && map_fb(0) < 0) {
        printf("map error framebuffer %s\n", strerror(errno));
        return;
    }
    in_prod_local = ((volatile uint32_t *)page)[1];
    page[XFB_ALIVE_BACK_OFFS] = 1;
    printf("mapped gref %u port %d pages %u\n", gref, port, fb_pages);
}

static void do_unmap(void)
{
    if (fb)
        xengnttab_unmap(xgt, fb, fb_pages);
    if (page)
        xengnttab_unmap(xgt, (void *)page, 1);
    if (port >= 0)
        xenevtchn_unbind(xce, (uint32_t)port);
    fb = NULL;
    page = NULL;
    port = -1;
    printf("unmapped\n");
}

/* Both pages start with in_cons, in_prod; the in rings differ. */
static void send_in(const void *ev, size_t size)
{
    if (!page) {
        printf("error not mapped\n");
        return;
    }
    volatile uint32_t *idx = (volatile uint32_t *)page;
    uint8_t *slot;
    if (is_vfb())
        slot = (uint8_t *)&XENFB_IN_RING_REF((void *)page, in_prod_local);
    else
        slot = (uint8_t *)&XENKBD_IN_RING_REF((void *)page, in_prod_local);
    memset(slot, 0, 40);
    memcpy(slot, ev, size);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    in_prod_local++;
    idx[1] = in_prod_local;
    xenevtchn_notify(xce, (uint32_t)port);
    printf("sent\n");
}

/* Wait until the in ring has room (the frontend consumes); false after
 * ms without room. */
static bool wait_in_room(long ms)
{
    long end = now_ms() + ms;
    volatile uint32_t *idx = (volatile uint32_t *)page;
    while (in_prod_local - __atomic_load_n(&idx[0], __ATOMIC_ACQUIRE) >= XENFB_IN_RING_LEN) {
        long left = end - now_ms();
        if (left <= 0)
            return false;
        struct pollfd pf = {.fd = xenevtchn_fd(xce), .events = POLLIN};
        if (poll(&pf, 1, (int)left) > 0) {
            xenevtchn_port_or_error_t p;
            while ((p = xenevtchn_pending(xce)) >= 0)
                xenevtchn_unmask(xce, (uint32_t)p);
        }
    }
    return true;
}

static void put_request(uint32_t w, uint32_t h, bool type_only)
{
    uint8_t *slot = (uint8_t *)&XENFB_IN_RING_REF((void *)page, in_prod_local);
    if (type_only) {
        memset(slot, 0, XENFB_IN_EVENT_SIZE);
        slot[0] = XFB_TYPE_RESIZE_REQUEST;
    } else {
        xfb_resreq_fill(slot, w, h);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ((volatile uint32_t *)page)[1] = ++in_prod_local;
}

static void resreq_flood(long n, uint32_t last_w, uint32_t last_h)
{
    static const uint32_t sizes[][2] = {
        {0, 0},       {0, 600},
        {800, 0},     {0xffffffffu, 0xffffffffu},
        {32768, 100}, {1, 1},
        {63, 4097},   {1023, 767},
        {99999, 2},   {640, 480},
        {7, 5},       {1, 0},
        {2, 2},       {0x80000000u, 600},
        {4095, 1},
    };
    const long kinds = (long)(sizeof(sizes) / sizeof(sizes[0])) + 1;
    if (!page || !is_vfb()) {
        printf("error not mapped\n");
        return;
    }
    for (long i = 0; i <= n; i++) {
        if (!wait_in_room(10000)) {
            printf("flood stuck at %ld\n", i);
            return;
        }
        long k = i % kinds;
        if (i == n)
            put_request(last_w, last_h, false);
        else if (k == kinds - 1)
            put_request(0, 0, true);
        else
            put_request(sizes[k][0], sizes[k][1], false);
        xenevtchn_notify(xce, (uint32_t)port);
    }
    printf("flooded %ld\n", n);
}

static void read_out(void)
{
    struct xenfb_page *p = (struct xenfb_page *)(void *)page;
    uint32_t prod = __atomic_load_n(&p->out_prod, __ATOMIC_ACQUIRE), cons = p->out_cons;
    unsigned n = 0;
    if (prod - cons > XENFB_OUT_RING_LEN) {
        printf("out-bad %u %u\n", prod, cons);
        return;
    }
    for (; cons != prod; cons++, n++) {
        union xenfb_out_event ev;
        memcpy(&ev, &XENFB_OUT_RING_REF(p, cons), sizeof(ev));
        if (ev.type == XENFB_TYPE_UPDATE)
            printf("update %d %d %d %d\n", ev.update.x, ev.update.y, ev.update.width,
                   ev.update.height);
        else if (ev.type == XENFB_TYPE_RESIZE)
            printf("resize %d %d %d %d %d\n", ev.resize.width, ev.resize.height, ev.resize.stride,
                   ev.resize.depth, ev.resize.offset);
        else
            printf("out %u\n", ev.type);
    }
    __atomic_store_n(&p->out_cons, cons, __ATOMIC_RELEASE);
    xenevtchn_notify(xce, (uint32_t)port);
    printf("out-end %u\n", n);
}

static void wait_event(long ms)
{
    struct pollfd pf = {.fd = xenevtchn_fd(xce), .events = POLLIN};
    if (poll(&pf, 1, (int)ms) <= 0) {
        printf("timeout event\n");
        return;
    }
    xenevtchn_port_or_error_t p;
    while ((p = xenevtchn_pending(xce)) >= 0)
        xenevtchn_unmask(xce, (uint32_t)p);
    printf("event\n");
}

static void check_pattern(long n)
{
    struct xenfb_page *p = (struct xenfb_page *)(void *)page;
    int32_t w = p->width, h = p->height;
    uint32_t line = p->line_length;
    if (!fb || p->depth != 32 || (uint64_t)line * (uint64_t)h > (uint64_t)fb_pages * 4096) {
        printf("pattern bad geometry\n");
        return;
    }
    for (int32_t y = 0; y < h; y++)
        for (int32_t x = 0; x < w; x++) {
            uint32_t got = ((uint32_t *)(void *)(fb + (size_t)y * line))[x] & 0xffffff;
            uint32_t want = (uint32_t)(x * 3 + y * 5 + n * 7) & 0xffffff;
            if (got != want) {
                printf("pattern bad %d %d %06x %06x\n", x, y, got, want);
                return;
            }
        }
    printf("pattern ok\n");
}

static bool command(char *line)
{
    char *w[8];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 8; t = strtok(NULL, " \t\r\n"))
        w[n++] = t;
    if (!n)
        return true;
    const char *c = w[0];
    if (!strcmp(c, "quit"))
        return false;
    if (!strcmp(c, "attach")) {
        attach(w, n);
    } else if (!strcmp(c, "reattach")) {
        reattach(w, n);
    } else if (!strcmp(c, "detach")) {
        if (page)
            do_unmap();
        xs_rm(xs, XBT_NULL, fe);
        xs_rm(xs, XBT_NULL, be);
        printf("detached\n");
    } else if (!strcmp(c, "write") && n == 3) {
        printf(wr(be, w[1], w[2]) ? "ok\n" : "error %s\n", strerror(errno));
    } else if (!strcmp(c, "rm") && n == 2) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", be, w[1]);
        xs_rm(xs, XBT_NULL, path);
        printf("ok\n");
    } else if (!strcmp(c, "state") && n == 2) {
        printf(wr(be, "state", w[1]) ? "ok\n" : "error %s\n", strerror(errno));
    } else if (!strcmp(c, "wait-front") && n >= 2) {
        wait_front(atol(w[1]), n > 2 ? atol(w[2]) : 5000);
    } else if (!strcmp(c, "front-write") && n == 3) {
        printf(wr(fe, w[1], w[2]) ? "ok\n" : "error %s\n", strerror(errno));
    } else if (!strcmp(c, "front-node") && n == 2) {
        char *v = rd(fe, w[1]);
        printf("front-node %s %s\n", w[1], v ? v : "-");
        free(v);
    } else if (!strcmp(c, "map")) {
        do_map();
    } else if (!strcmp(c, "connect")) {
        if (!page)
            do_map();
        if (is_vfb())
            wr(be, "request-update", "1");
        wr(be, "state", "4");
        printf("connected\n");
    } else if (!strcmp(c, "refresh") && n == 2) {
        struct xenfb_refresh_period ev = {.type = XENFB_TYPE_REFRESH_PERIOD,
                                          .period = (uint32_t)atol(w[1])};
        send_in(&ev, sizeof(ev));
    } else if (!strcmp(c, "key") && n == 3) {
        struct xenkbd_key ev = {.type = XENKBD_TYPE_KEY,
                                .pressed = (uint8_t)atoi(w[2]),
                                .keycode = (uint32_t)strtoul(w[1], NULL, 0)};
        send_in(&ev, sizeof(ev));
    } else if (!strcmp(c, "pos") && n == 4) {
        struct xenkbd_position ev = {
            .type = XENKBD_TYPE_POS, .abs_x = atoi(w[1]), .abs_y = atoi(w[2]), .rel_z = atoi(w[3])};
        send_in(&ev, sizeof(ev));
    } else if (!strcmp(c, "motion") && n == 4) {
        struct xenkbd_motion ev = {.type = XENKBD_TYPE_MOTION,
                                   .rel_x = atoi(w[1]),
                                   .rel_y = atoi(w[2]),
                                   .rel_z = atoi(w[3])};
        send_in(&ev, sizeof(ev));
    } else if (!strcmp(c, "raw") && n == 2) {
        uint8_t t = (uint8_t)atoi(w[1]);
        send_in(&t, 1);
    } else if (!strcmp(c, "resreq") && n == 3) {
        uint8_t ev[XENFB_IN_EVENT_SIZE];
        xfb_resreq_fill(ev, (uint32_t)strtoul(w[1], NULL, 0), (uint32_t)strtoul(w[2], NULL, 0));
        send_in(ev, sizeof(ev));
    } else if (!strcmp(c, "resreq-flood") && n == 4) {
        resreq_flood(atol(w[1]), (uint32_t)strtoul(w[2], NULL, 0),
                     (uint32_t)strtoul(w[3], NULL, 0));
    } else if (!strcmp(c, "bump-in-prod") && n == 2 && page) {
        in_prod_local += (uint32_t)atol(w[1]);
        ((volatile uint32_t *)page)[1] = in_prod_local;
        xenevtchn_notify(xce, (uint32_t)port);
        printf("ok\n");
    } else if (!strcmp(c, "read-out") && page && is_vfb()) {
        read_out();
    } else if (!strcmp(c, "out-pending") && page) {
        struct xenfb_page *p = (struct xenfb_page *)(void *)page;
        printf("out-pending %u\n", p->out_prod - p->out_cons);
    } else if (!strcmp(c, "wait-event")) {
        wait_event(n > 1 ? atol(w[1]) : 5000);
    } else if (!strcmp(c, "check-pattern") && n == 2 && page) {
        check_pattern(atol(w[1]));
    } else if (!strcmp(c, "geometry") && page && is_vfb()) {
        struct xenfb_page *p = (struct xenfb_page *)(void *)page;
        printf("geometry %d %d %u %u %u\n", p->width, p->height, p->line_length, p->depth,
               p->mem_length);
    } else if (!strcmp(c, "front-alive") && page) {
        printf("front-alive %u\n", page[XFB_ALIVE_FRONT_OFFS]);
    } else if (!strcmp(c, "unmap")) {
        do_unmap();
    } else {
        printf("error bad command %s\n", c);
    }
    return true;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4 || (strcmp(argv[1], "vfb") && strcmp(argv[1], "vkbd"))) {
        fputs("usage: xfb-fake-back vfb|vkbd --front D [--dev N]\n", stderr);
        return 2;
    }
    type = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--front"))
            front_id = (unsigned)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--dev"))
            devid = (unsigned)atol(argv[i + 1]);
    }
    const char *me = getenv("XSIM_DOMID");
    back_id = me ? (unsigned)atol(me) : 0;
    /* the vfb and vkbd protocols, on xenfb's device types */
    const char *xstype = is_vfb() ? XFB_TYPE_FB : XFB_TYPE_KBD;
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", front_id, xstype, devid);
    snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u/%u", back_id, xstype, front_id, devid);
    xs = xs_open(0);
    xce = xenevtchn_open(NULL, 0);
    xgt = xengnttab_open(NULL, 0);
    if (!xs || !xce || !xgt) {
        fprintf(stderr, "xfb-fake-back: cannot open xenstore/evtchn/gntdev: %s\n", strerror(errno));
        return 1;
    }
    int efd = xenevtchn_fd(xce);
    fcntl(efd, F_SETFL, fcntl(efd, F_GETFL) | O_NONBLOCK);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0)
        if (!command(line))
            break;
    free(line);
    return 0;
}
