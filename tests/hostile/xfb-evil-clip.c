/* xfb-evil-clip: a clipboard frontend (device/xenclip/N) that lies on
 * request, for tests/hostile/clipboard.sh. Runs in a guest (`xsim run
 * --domid N`); publishes once the backend is in InitWait and prints
 * "connected" when it is Connected. Commands on stdin, one a line:
 *   text HEX        write these bytes (any: invalid UTF-8 too) under the
 *                   count, legally, and notify
 *   len N           write a legal count around this length (any u32)
 *   odd             leave the count odd: a writer stopped half way
 *   flood N         notify N times, changing nothing
 *   churn MS        for MS ms: rewrite the text legally and notify, as
 *                   fast as we can -> "churned N"
 *   race MS         for MS ms a second thread rewrites the length (0 to
 *                   64 KiB) and the text without the count, while this one
 *                   moves the count legally and notifies -> "raced N"
 *   sync            -> "sync"
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xen/io/xenbus.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "proto/clip.h"
#include "proto/layout.h"

static struct xs_handle *xs;
static xenevtchn_handle *xce;
static xengntshr_handle *xgs;
static char fdir[64], bdir[256];
static int bdom, port = -1;
static volatile uint8_t *page, *outbuf, *inbuf;
static uint32_t page_ref, seq;
static bool published, connected;

static void die(const char *what)
{
    fprintf(stderr, "xfb-evil-clip: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void put(unsigned offs, uint32_t v)
{
    __atomic_store_n((uint32_t *)(page + offs), v, __ATOMIC_RELEASE);
}

static void notify(void)
{
    xenevtchn_notify(xce, (evtchn_port_t)port);
}

static void write_node(xs_transaction_t t, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void write_node(xs_transaction_t t, const char *node, const char *fmt, ...)
{
    char path[128], val[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", fdir, node);
    xs_write(xs, t, path, val, strlen(val));
}

static int backend_state(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/state", bdir);
    char *v = xs_read(xs, XBT_NULL, path, NULL);
    int s = v ? atoi(v) : 0;
    free(v);
    return s;
}

static void publish(void)
{
    for (;;) {
        xs_transaction_t t = xs_transaction_start(xs);
        write_node(t, XFB_NODE_PAGE_GREF, "%u", page_ref);
        write_node(t, "event-channel", "%d", port);
        write_node(t, XFB_NODE_REQUEST_CLIPBOARD, "1");
        write_node(t, "state", "%d", XenbusStateInitialised);
        if (xs_transaction_end(xs, t, false))
            break;
        if (errno != EAGAIN)
            die("publish");
    }
    published = true;
}

static void step(void)
{
    int bs = backend_state();
    if (!published && bs == XenbusStateInitWait)
        publish();
    if (!connected && bs == XenbusStateConnected) {
        connected = true;
        printf("connected\n");
    }
}

/* A legal write: the count odd, the body, the count even. */
static void legal(const void *text, uint32_t len, bool lie_len, uint32_t lie)
{
    put(XFB_CLIP_OUT_SEQ, ++seq);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (text)
        memcpy((void *)outbuf, text, len > XFB_CLIP_MAX ? XFB_CLIP_MAX : len);
    put(XFB_CLIP_OUT_LEN, lie_len ? lie : len);
    put(XFB_CLIP_OUT_SEQ, ++seq);
    notify();
}

static volatile bool racing;

static void *race_thread(void *arg)
{
    (void)arg;
    uint32_t x = 1;
    while (racing) {
        x = x * 1103515245u + 12345u;
        put(XFB_CLIP_OUT_LEN, x % (XFB_CLIP_MAX + 1));
        outbuf[x % XFB_CLIP_MAX] = (uint8_t)(x >> 24);
    }
    return NULL;
}

static void command(char *line)
{
    char *w[3] = {0};
    int n = 0;
    for (char *t = strtok(line, " \t\n"); t && n < 3; t = strtok(NULL, " \t\n"))
        w[n++] = t;
    if (!n)
        return;
    if (!strcmp(w[0], "text") && n == 2) {
        static uint8_t buf[XFB_CLIP_MAX];
        uint32_t len = 0;
        for (const char *h = w[1]; h[0] && h[1] && len < sizeof(buf); h += 2) {
            unsigned v;
            sscanf(h, "%2x", &v);
            buf[len++] = (uint8_t)v;
        }
        legal(buf, len, false, 0);
    } else if (!strcmp(w[0], "len") && n == 2) {
        legal(NULL, 0, true, (uint32_t)strtoul(w[1], NULL, 10));
    } else if (!strcmp(w[0], "odd")) {
        put(XFB_CLIP_OUT_SEQ, ++seq);
        notify();
    } else if (!strcmp(w[0], "flood") && n == 2) {
        for (long i = atol(w[1]); i > 0; i--)
            notify();
    } else if (!strcmp(w[0], "churn") && n == 2) {
        double end = now_ms() + atol(w[1]);
        long count = 0;
        char text[32];
        while (now_ms() < end) {
            int len = snprintf(text, sizeof(text), "churn %ld", count++);
            legal(text, (uint32_t)len, false, 0);
        }
        printf("churned %ld\n", count);
    } else if (!strcmp(w[0], "race") && n == 2) {
        pthread_t tid;
        racing = true;
        if (pthread_create(&tid, NULL, race_thread, NULL))
            die("pthread_create");
        double end = now_ms() + atol(w[1]);
        long count = 0;
        while (now_ms() < end) {
            put(XFB_CLIP_OUT_SEQ, ++seq);
            put(XFB_CLIP_OUT_SEQ, ++seq);
            notify();
            count++;
        }
        racing = false;
        pthread_join(tid, NULL);
        printf("raced %ld\n", count);
    } else if (!strcmp(w[0], "sync")) {
        printf("sync\n");
    } else {
        printf("unknown command %s\n", w[0]);
    }
}

int main(int argc, char **argv)
{
    int devid = argc > 2 && !strcmp(argv[1], "--devid") ? atoi(argv[2]) : 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    xs = xs_open(0);
    xce = xenevtchn_open(NULL, 0);
    xgs = xengntshr_open(NULL, 0);
    if (!xs || !xce || !xgs)
        die("open the Xen devices");
    snprintf(fdir, sizeof(fdir), "device/" XFB_TYPE_CLIP "/%d", devid);
    char path[128];
    snprintf(path, sizeof(path), "%s/backend", fdir);
    char *b = xs_read(xs, XBT_NULL, path, NULL);
    if (!b)
        die("no clipboard device");
    snprintf(bdir, sizeof(bdir), "%s", b);
    free(b);
    snprintf(path, sizeof(path), "%s/backend-id", fdir);
    b = xs_read(xs, XBT_NULL, path, NULL);
    bdom = b ? atoi(b) : 0;
    free(b);

    port = xenevtchn_bind_unbound_port(xce, (uint32_t)bdom);
    if (port < 0)
        die("bind unbound port");
    page = xengntshr_share_page_notify(xgs, (uint32_t)bdom, &page_ref, 1, XFB_ALIVE_FRONT_OFFS,
                                       (evtchn_port_t)port);
    uint32_t out_refs[XFB_CLIP_PAGES], in_refs[XFB_CLIP_PAGES];
    outbuf = xengntshr_share_pages(xgs, (uint32_t)bdom, XFB_CLIP_PAGES, out_refs, 0);
    inbuf = xengntshr_share_pages(xgs, (uint32_t)bdom, XFB_CLIP_PAGES, in_refs, 1);
    if (!page || !outbuf || !inbuf)
        die("share pages");
    for (unsigned i = 0; i < XFB_CLIP_PAGES; i++) {
        put(XFB_CLIP_OUT_GREFS + 4 * i, out_refs[i]);
        put(XFB_CLIP_IN_GREFS + 4 * i, in_refs[i]);
    }
    __atomic_store_n(&page[XFB_ALIVE_FRONT_OFFS], 1, __ATOMIC_RELEASE);
    snprintf(path, sizeof(path), "%s/state", fdir);
    xs_write(xs, XBT_NULL, path, "1", 1);
    if (!xs_watch(xs, bdir, "b"))
        die("watch");
    step();

    char line[4 * XFB_CLIP_MAX];
    for (;;) {
        struct pollfd p[3] = {{.fd = 0, .events = POLLIN},
                              {.fd = xs_fileno(xs), .events = POLLIN},
                              {.fd = xenevtchn_fd(xce), .events = POLLIN}};
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            die("poll");
        if (p[1].revents) {
            unsigned k;
            char **ev = xs_read_watch(xs, &k);
            free(ev);
            step();
        }
        if (p[2].revents) {
            xenevtchn_port_or_error_t pp = xenevtchn_pending(xce);
            if (pp >= 0)
                xenevtchn_unmask(xce, (evtchn_port_t)pp);
        }
        if (p[0].revents) {
            if (!fgets(line, sizeof(line), stdin))
                break;
            command(line);
        }
    }
    return 0;
}
