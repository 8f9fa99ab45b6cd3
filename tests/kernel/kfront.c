/* xfb-kfront: the guest kernel's xen-fbfront and xen-kbdfront, standing in
 * for them on the simulated Xen (kfront.h). Runs in a guest (`xsim run
 * --domid N`).
 *
 *   xfb-kfront [--video MB,W,H] [--ptr-size W,H] [--no-vfb] [--no-vkbd]
 *              [--no-echo] [--lie ...]
 *
 * --video and --ptr-size are xen_fbfront.video= and xen_kbdfront.ptr_size=
 * of the kernel command line (defaults 2,800,600 and 800,600); --no-vfb
 * and --no-vkbd leave that driver out of the kernel. Lies (for the hostile
 * tests), applied when the vfb publishes: see kfront_fb.c.
 *
 * As Linux's xenbus, it probes every device/vfb/N and device/vkbd/N it
 * finds at state Initialising (binding the driver: xsim's sysfs shows it,
 * through `kernel-bind`), follows each backend's state, and removes a
 * device whose directory goes. Its memory comes from /dev/xsim/kmem.
 *
 * Output on stdout, one line each:
 *   vfb N probed W H MEM        the vfb's mode and memory (bytes)
 *   vfb N backend-state S       the backend's state changed
 *   vfb N connected UPDATE RESIZE   the backend is Connected; what it offers
 *   vfb N closed / vfb N removed
 *   vfb N update X Y W H        an update event sent
 *   vfb N resize W H STRIDE     a resize event sent
 *   vkbd N probed abs|rel W H   the pointer's axes ([0, W] x [0, H])
 *   vkbd N connected / closed / removed
 *   key CODE VALUE / pos X Y / wheel Z / motion DX DY   input events, as
 *                               the input core gets them (VALUE 2: repeat)
 * Commands on stdin:
 *   print TEXT     a line on the console (fbcon: its rectangle at once)
 *   clear          the console cleared
 *   fill X Y W H RRGGBB   a write to the mapped framebuffer (deferred io)
 *   mode W H       fbset: the mode changes (with feature-resize)
 *   dump FILE      the visible framebuffer as a PPM
 *   race MS FRAME  a hostile kernel: see kfront_fb.c
 *   sync           answers "sync" once every earlier line is done
 *   quit
 * A command that fails answers "err COMMAND: WHY".
 */
#include "config.h"

#include "kfront.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/io/xenbus.h>

#include "xsim/xsim_kmem.h"

struct xs_handle *kf_xs;
xenevtchn_handle *kf_xce;
struct xfb_layout kf_layout;

static int kmem = -1;
static int domid;
static char home[64];
static struct kf_dev *devs;
static struct kf_fb_opts fb_opts = {2, 800, 600};
static int ptr_w = 800, ptr_h = 600;
static bool want_vfb = true, want_vkbd = true;

void kf_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* ---- kernel memory ---- */

int kf_alloc(struct kf_mem *m, uint32_t npages)
{
    if (kmem < 0 && (kmem = open(XSIM_KMEM_PATH, O_RDWR | O_CLOEXEC)) < 0)
        return -1;
    m->frames = calloc(npages, sizeof(*m->frames));
    if (!m->frames)
        return -1;
    struct xsim_kmem_alloc a = {.count = npages, .frames = m->frames};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_ALLOC, &a) < 0) {
        free(m->frames);
        return -1;
    }
    void *p = mmap(NULL, (size_t)npages * KF_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, kmem,
                   (off_t)a.index);
    if (p == MAP_FAILED) {
        struct xsim_kmem_free f = {a.index};
        ioctl(kmem, XSIM_IOCTL_KMEM_FREE, &f);
        free(m->frames);
        return -1;
    }
    m->addr = p;
    m->npages = npages;
    m->index = a.index;
    return 0;
}

void kf_free(struct kf_mem *m)
{
    if (!m->addr)
        return;
    munmap(m->addr, (size_t)m->npages * KF_PAGE);
    struct xsim_kmem_free f = {m->index};
    ioctl(kmem, XSIM_IOCTL_KMEM_FREE, &f);
    free(m->frames);
    memset(m, 0, sizeof(*m));
}

int kf_grant(uint64_t frame, unsigned to, bool readonly, uint32_t *ref)
{
    struct xsim_kmem_grant g = {.frame = frame, .domid = (uint16_t)to, .readonly = readonly};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_GRANT, &g) < 0)
        return -1;
    *ref = g.ref;
    return 0;
}

void kf_end_grant(uint32_t ref)
{
    struct xsim_kmem_end_grant e = {ref};
    ioctl(kmem, XSIM_IOCTL_KMEM_END_GRANT, &e);
}

/* ---- xenbus ---- */

static char *xs_get(const char *dir, const char *node)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    unsigned len;
    return xs_read(kf_xs, XBT_NULL, path, &len);
}

unsigned kf_read_unsigned(const char *dir, const char *node, unsigned dflt)
{
    char *v = xs_get(dir, node), *end;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    bool ok = v && end != v && n <= UINT32_MAX;
    free(v);
    return ok ? (unsigned)n : dflt;
}

bool kf_scanf_int(const char *dir, const char *node, int *out)
{
    char *v = xs_get(dir, node);
    bool ok = v && sscanf(v, "%d", out) == 1;
    free(v);
    return ok;
}

static char *abs_path(const struct kf_dev *d, const char *node, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s/%s", home, d->nodename, node);
    return buf;
}

void kf_switch_state(struct kf_dev *d, int state)
{
    char path[192], v[8];
    snprintf(v, sizeof(v), "%d", state);
    if (state == d->state)
        return;
    if (!xs_write(kf_xs, XBT_NULL, abs_path(d, "state", path, sizeof(path)), v, strlen(v)))
        kf_say("%s %d cannot write state %d: %s", d->type, d->id, state, strerror(errno));
    d->state = state;
}

void kf_frontend_closed(struct kf_dev *d)
{
    kf_switch_state(d, XenbusStateClosed);
    kf_say("%s %d closed", d->type, d->id);
}

int kf_alloc_evtchn(struct kf_dev *d)
{
    xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(kf_xce, (uint32_t)d->otherend_id);
    if (p < 0)
        return -1;
    d->port = p;
    return 0;
}

void kf_free_evtchn(struct kf_dev *d)
{
    if (d->port >= 0)
        xenevtchn_unbind(kf_xce, (evtchn_port_t)d->port);
    d->port = -1;
}

void kf_notify(struct kf_dev *d)
{
    if (d->port >= 0)
        xenevtchn_notify(kf_xce, (evtchn_port_t)d->port);
}

int kf_publish(struct kf_dev *d, const char *const *names, const char *const *values, int n)
{
    for (;;) {
        xs_transaction_t t = xs_transaction_start(kf_xs);
        if (t == XBT_NULL)
            return -1;
        bool ok = true;
        for (int i = 0; i < n && ok; i++) {
            char path[192];
            ok = xs_write(kf_xs, t, abs_path(d, names[i], path, sizeof(path)), values[i],
                          strlen(values[i]));
        }
        if (!ok) {
            xs_transaction_end(kf_xs, t, true);
            return -1;
        }
        if (xs_transaction_end(kf_xs, t, false))
            return 0;
        if (errno != EAGAIN)
            return -1;
    }
}

/* What sysfs shows once the driver is bound: xsim's kernel-bind. */
static void sysfs_bind(const struct kf_dev *d)
{
    const char *dir = getenv("XSIM_DIR");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!dir || (size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", dir) >=
                    sizeof(sa.sun_path))
        return;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    char line[160], answer[256];
    /* Linux names a xenbus driver after its first device type */
    int n =
        snprintf(line, sizeof(line), "kernel-bind %d %s %d %s\n", domid, d->type, d->id, d->type);
    ssize_t got = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && write(fd, line, (size_t)n) == n)
        got = read(fd, answer, sizeof(answer) - 1);
    close(fd);
    answer[got > 0 ? got : 0] = '\0';
    if (strncmp(answer, "OK", 2))
        kf_say("%s %d not shown bound in sysfs: %s", d->type, d->id, answer);
}

static void watch_otherend(struct kf_dev *d)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/state", d->otherend);
    snprintf(d->token, sizeof(d->token), "o%s%d", d->type, d->id);
    xs_watch(kf_xs, path, d->token);
}

/* xenbus_probe_node and xenbus_dev_probe: a device at Initialising gets
 * its driver. */
static void probe(const char *type, int id)
{
    struct kf_dev *d = calloc(1, sizeof(*d));
    if (!d)
        return;
    snprintf(d->type, sizeof(d->type), "%s", type);
    d->id = id;
    d->port = -1;
    d->state = XenbusStateInitialising;
    snprintf(d->nodename, sizeof(d->nodename), "device/%s/%d", type, id);
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/%s", home, d->nodename);
    char *be = xs_get(dir, "backend");
    if (!be || !kf_scanf_int(dir, "backend-id", &d->otherend_id)) {
        /* talk_to_otherend: no backend, no driver */
        free(be);
        free(d);
        return;
    }
    snprintf(d->otherend, sizeof(d->otherend), "%s", be);
    free(be);
    d->next = devs;
    devs = d;
    sysfs_bind(d);
    int rc = !strcmp(type, "vfb") ? kf_fb_probe(d, &fb_opts) : kf_kbd_probe(d, ptr_w, ptr_h);
    if (rc < 0)
        kf_say("%s %d probe failed", type, id);
    watch_otherend(d);
}

static struct kf_dev *dev_find(const char *type, int id)
{
    for (struct kf_dev *d = devs; d; d = d->next)
        if (!strcmp(d->type, type) && d->id == id)
            return d;
    return NULL;
}

static void dev_remove(struct kf_dev *d)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/state", d->otherend);
    xs_unwatch(kf_xs, path, d->token);
    if (d->fb)
        kf_fb_remove(d);
    if (d->kbd)
        kf_kbd_remove(d);
    kf_free_evtchn(d);
    kf_say("%s %d removed", d->type, d->id);
    for (struct kf_dev **pp = &devs; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    free(d);
}

/* The kernel's watch on device/: new devices are probed, gone ones
 * removed. */
static void scan(void)
{
    static const char *const types[] = {"vfb", "vkbd"};
    for (int t = 0; t < 2; t++) {
        if ((t == 0 && !want_vfb) || (t == 1 && !want_vkbd))
            continue;
        char dir[96];
        snprintf(dir, sizeof(dir), "%s/device/%s", home, types[t]);
        unsigned n = 0;
        char **ids = xs_directory(kf_xs, XBT_NULL, dir, &n);
        for (unsigned i = 0; ids && i < n; i++) {
            char *end;
            long id = strtol(ids[i], &end, 10);
            if (*end || id < 0 || dev_find(types[t], (int)id))
                continue;
            char sub[128];
            snprintf(sub, sizeof(sub), "%s/%ld", dir, id);
            if (kf_read_unsigned(sub, "state", 0) == XenbusStateInitialising)
                probe(types[t], (int)id);
        }
        for (struct kf_dev *d = devs, *next; d; d = next) {
            next = d->next;
            bool listed = false;
            for (unsigned i = 0; ids && i < n && !listed; i++)
                listed = strtol(ids[i], NULL, 10) == d->id;
            if (!strcmp(d->type, types[t]) && !listed)
                dev_remove(d);
        }
        free(ids);
    }
}

static void otherend_changed(struct kf_dev *d)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/state", d->otherend);
    unsigned len;
    char *v = xs_read(kf_xs, XBT_NULL, path, &len);
    int state = v ? atoi(v) : XenbusStateUnknown;
    free(v);
    if (d->fb)
        kf_fb_backend_changed(d, state);
    else if (d->kbd)
        kf_kbd_backend_changed(d, state);
}

static void on_watch(void)
{
    char **w;
    while ((w = xs_check_watch(kf_xs))) {
        if (!strcmp(w[XS_WATCH_TOKEN], "dev")) {
            scan();
        } else {
            for (struct kf_dev *d = devs; d; d = d->next)
                if (!strcmp(d->token, w[XS_WATCH_TOKEN])) {
                    otherend_changed(d);
                    break;
                }
        }
        free(w);
    }
}

static void on_event(void)
{
    xenevtchn_port_or_error_t port;
    while ((port = xenevtchn_pending(kf_xce)) >= 0) {
        for (struct kf_dev *d = devs; d; d = d->next) {
            if (d->port != port)
                continue;
            if (d->fb)
                kf_fb_event(d);
            else if (d->kbd)
                kf_kbd_event(d);
            break;
        }
        xenevtchn_unmask(kf_xce, (evtchn_port_t)port);
    }
}

/* ---- commands ---- */

static bool run(char *line)
{
    char cmd[16] = "";
    int off = 0;
    if (sscanf(line, "%15s %n", cmd, &off) < 1)
        return true;
    char *rest = line + off;
    const char *why = NULL;
    int rc = 0;
    if (!strcmp(cmd, "quit")) {
        return false;
    } else if (!strcmp(cmd, "sync")) {
        kf_say("sync");
    } else if (!strcmp(cmd, "print")) {
        rc = kf_fb_print(rest);
    } else if (!strcmp(cmd, "clear")) {
        rc = kf_fb_clear();
    } else if (!strcmp(cmd, "fill")) {
        int x, y, w, h;
        unsigned rgb;
        rc = sscanf(rest, "%d %d %d %d %x", &x, &y, &w, &h, &rgb) == 5 ? kf_fb_fill(x, y, w, h, rgb)
                                                                       : -1;
    } else if (!strcmp(cmd, "mode")) {
        int w, h;
        rc = sscanf(rest, "%d %d", &w, &h) == 2 ? kf_fb_mode(w, h, &why) : -1;
    } else if (!strcmp(cmd, "race")) {
        unsigned long long ms, frame;
        rc = sscanf(rest, "%llu %llu", &ms, &frame) == 2 ? kf_fb_race(ms, frame) : -1;
    } else if (!strcmp(cmd, "dump")) {
        rest[strcspn(rest, " \n")] = '\0';
        rc = kf_fb_dump(rest);
    } else {
        why = "unknown command";
        rc = -1;
    }
    if (rc < 0)
        kf_say("err %s: %s", cmd, why ? why : "not possible (no vfb, or bad arguments)");
    return true;
}

static int parse_pair(const char *s, int *a, int *b)
{
    return sscanf(s, "%d,%d", a, b) == 2 && *a > 0 && *b > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"video", required_argument, NULL, 'v'},
        {"ptr-size", required_argument, NULL, 'p'},
        {"no-vfb", no_argument, NULL, 'F'},
        {"no-vkbd", no_argument, NULL, 'K'},
        {"no-echo", no_argument, NULL, 'E'},
        {"lie", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'v' &&
            sscanf(optarg, "%d,%d,%d", &fb_opts.video_mb, &fb_opts.video_w, &fb_opts.video_h) == 3)
            continue;
        if (o == 'p' && parse_pair(optarg, &ptr_w, &ptr_h) == 0)
            continue;
        if (o == 'F' || o == 'K' || o == 'E') {
            want_vfb &= o != 'F';
            want_vkbd &= o != 'K';
            if (o == 'E')
                kf_kbd_echo(false);
            continue;
        }
        if (o == 'l' && kf_fb_lie(optarg) == 0)
            continue;
        fprintf(stderr, "usage: xfb-kfront [--video MB,W,H] [--ptr-size W,H] [--no-vfb] "
                        "[--no-vkbd] [--no-echo] [--lie WHAT]...\n");
        return 2;
    }
    xfb_layout_native(&kf_layout);
    kf_xs = xs_open(0);
    kf_xce = xenevtchn_open(NULL, 0);
    unsigned len;
    char *id = kf_xs ? xs_read(kf_xs, XBT_NULL, "domid", &len) : NULL;
    if (!kf_xs || !kf_xce || !id) {
        fprintf(stderr, "xfb-kfront: no xenstore or event channels: %s\n", strerror(errno));
        return 1;
    }
    domid = atoi(id);
    free(id);
    /* pending() would wait for the next event: we drain what is there */
    int efd = xenevtchn_fd(kf_xce), fl = fcntl(efd, F_GETFL);
    if (fl < 0 || fcntl(efd, F_SETFL, fl | O_NONBLOCK) < 0)
        return 1;
    snprintf(home, sizeof(home), "/local/domain/%d", domid);
    char devdir[80];
    snprintf(devdir, sizeof(devdir), "%s/device", home);
    /* fires once at once: the first scan */
    if (!xs_watch(kf_xs, devdir, "dev")) {
        fprintf(stderr, "xfb-kfront: cannot watch %s: %s\n", devdir, strerror(errno));
        return 1;
    }
    char in[8192];
    size_t in_len = 0;
    bool eof = false;
    for (;;) {
        char *nl;
        while ((nl = memchr(in, '\n', in_len))) {
            *nl = '\0';
            bool go = run(in);
            size_t used = (size_t)(nl - in) + 1;
            memmove(in, nl + 1, in_len - used);
            in_len -= used;
            if (!go)
                return 0;
        }
        if (eof)
            return 0;
        struct pollfd p[5] = {
            {.fd = xs_fileno(kf_xs), .events = POLLIN},
            {.fd = xenevtchn_fd(kf_xce), .events = POLLIN},
            {.fd = 0, .events = POLLIN},
            {.fd = kf_fb_timer_fd(), .events = POLLIN},
            {.fd = kf_fb_race_fd(), .events = POLLIN},
        };
        /* poll ignores the entries whose descriptor is -1 */
        if (poll(p, 5, -1) < 0 && errno != EINTR)
            return 1;
        if (p[4].fd >= 0 && (p[4].revents & POLLIN))
            kf_fb_race_done();
        if (p[0].revents & POLLIN)
            on_watch();
        if (p[1].revents & POLLIN)
            on_event();
        if (p[3].fd >= 0 && (p[3].revents & POLLIN))
            kf_fb_timer();
        if (p[2].revents & (POLLIN | POLLHUP)) {
            ssize_t got = read(0, in + in_len, sizeof(in) - 1 - in_len);
            if (got <= 0)
                eof = true;
            else
                in_len += (size_t)got;
            if (in_len == sizeof(in) - 1 && !memchr(in, '\n', in_len))
                in_len = 0;
        }
    }
}
