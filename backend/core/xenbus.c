/* Finding guests and walking each device through the XenbusState machine
 * (protocol.md sections 4 and 5). Watches:
 *   "b" on base/{xenfb,xenkbd,vfb-xenfb,vinput,xenclip}: devices added and
 *       removed by the toolstack (the daemon's, attach, libxl for vinput),
 *       and a clipboard device's policy rewritten by dom0;
 *   "f" on each frontend's state node;
 *   "r" on @releaseDomain: a guest destroyed.
 */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

#include "proto/clip.h"
#include "proto/cursor.h"

/* Our own device types (layout.h), the kernel's vfb under a backend type
 * of ours, and libxl's vkbd with a non-QEMU backend (vkb =
 * ["backend-type=linux"]), whose backend is "vinput": the one the daemon
 * gives the kernel's vkbd too. */
static const char *const dev_types[] = {XFB_TYPE_FB, XFB_TYPE_KBD, XFB_BACK_TYPE_KERNEL_FB,
                                        XFB_BACK_TYPE_KERNEL_KBD, XFB_TYPE_CLIP};

static bool type_is_fb(const char *type)
{
    return !strcmp(type, XFB_TYPE_FB) || !strcmp(type, XFB_BACK_TYPE_KERNEL_FB);
}

/* The clipboard device goes with xenfb's own devices. */
static enum xfb_back_kind kind_of(const char *type)
{
    return !strcmp(type, XFB_TYPE_FB) || !strcmp(type, XFB_TYPE_KBD) || !strcmp(type, XFB_TYPE_CLIP)
               ? XFB_BACK_XENFB
               : XFB_BACK_KERNEL;
}

char *xfb_xs_read(struct xfb_back *b, const char *dir, const char *node)
{
    char path[256];
    if (snprintf(path, sizeof(path), "%s/%s", dir, node) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    unsigned len;
    return xs_read(b->xs, XBT_NULL, path, &len);
}

int xfb_xs_read_uint(struct xfb_back *b, const char *dir, const char *node, unsigned long max,
                     unsigned long *out)
{
    char *v = xfb_xs_read(b, dir, node);
    if (!v)
        return -1;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    int bad = errno || end == v || *end || v[0] == '-' || v[0] == '+' || v[0] == ' ' || n > max;
    free(v);
    if (bad) {
        errno = EINVAL;
        return -1;
    }
    *out = n;
    return 0;
}

int xfb_xs_write(struct xfb_back *b, const char *dir, const char *node, const char *fmt, ...)
{
    char path[256], val[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    if (snprintf(path, sizeof(path), "%s/%s", dir, node) >= (int)sizeof(path) || n < 0 ||
        n >= (int)sizeof(val)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* A plain write would create the directory again if the toolstack has
     * just removed it (detach, guest destroyed) and leave a half device
     * behind that blocks the next attach: write only while it exists. One
     * try: a conflict is -1 + EAGAIN, for the caller to try again from
     * the timer (xfb_dev_refused()), never in a loop here. */
    xs_transaction_t t = xs_transaction_start(b->xs);
    if (t == XBT_NULL)
        return -1;
    unsigned len;
    void *here = xs_read(b->xs, t, dir, &len);
    if (!here || !xs_write(b->xs, t, path, val, (unsigned)n)) {
        int e = errno;
        free(here);
        xs_transaction_end(b->xs, t, true);
        errno = e;
        return -1;
    }
    free(here);
    return xs_transaction_end(b->xs, t, false) ? 0 : -1;
}

/* A write xenstore refused with EAGAIN (its transaction conflicted) is
 * retried from a timer, after a pause that grows while it goes on: the
 * frontend waits for our state and nothing else would make us write it
 * again. A few conflicts are normal on a busy host; a run of them is
 * worth one line. */
void xfb_dev_refused(struct xfb_dev *d)
{
    if (errno != EAGAIN)
        return;
    if (++d->refusals == XFB_REFUSALS_TO_WARN)
        xfb_log(XFB_LOG_WARNING, d, "xenstore keeps refusing our writes (EAGAIN): retrying");
    d->unwritten = true;
    xfb_back_retry_later(d->g->b);
}

static void set_state(struct xfb_dev *d, int state)
{
    if (xfb_xs_write(d->g->b, d->bpath, "state", "%d", state) < 0) {
        if (errno != EAGAIN)
            xfb_log(XFB_LOG_WARNING, d, "cannot write state %d: %s", state, strerror(errno));
        xfb_dev_refused(d);
    }
    d->state = state;
}

/* ---- guests and devices ---- */

/* xenfb's guest (domid, devid), or the domain's kernel devices (devid
 * ignored: each of them has its own). */
static struct xfb_back_guest *guest_find(struct xfb_back *b, enum xfb_back_kind kind, int domid,
                                         int devid)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->kind == kind && g->domid == domid && (kind == XFB_BACK_KERNEL || g->devid == devid))
            return g;
    return NULL;
}

static struct xfb_back_guest *guest_get(struct xfb_back *b, enum xfb_back_kind kind, int domid,
                                        int devid)
{
    struct xfb_back_guest *g = guest_find(b, kind, domid, devid);
    if (g)
        return g;
    g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    bool kernel = kind == XFB_BACK_KERNEL;
    g->b = b;
    g->kind = kind;
    g->domid = domid;
    g->devid = devid;
    g->refresh_ms = b->refresh_ms;
    g->fb.g = g;
    g->fb.kind = XFB_DEV_FB;
    g->fb.type = kernel ? XFB_BACK_TYPE_KERNEL_FB : XFB_TYPE_FB;
    g->fb.name = kernel ? "kernel vfb" : "vfb";
    g->fb.devid = devid;
    g->fb.port = -1;
    g->kbd.g = g;
    g->kbd.kind = XFB_DEV_KBD;
    g->kbd.type = kernel ? XFB_BACK_TYPE_KERNEL_KBD : XFB_TYPE_KBD;
    g->kbd.name = kernel ? "vinput" : "vkbd";
    g->kbd.devid = devid;
    g->kbd.port = -1;
    g->clip.g = g;
    g->clip.kind = XFB_DEV_CLIP;
    g->clip.type = XFB_TYPE_CLIP;
    g->clip.name = "clip";
    g->clip.devid = devid;
    g->clip.port = -1;
    g->next = b->guests;
    b->guests = g;
    if (b->ops && b->ops->appeared)
        b->ops->appeared(b->data, g);
    return g;
}

void xfb_dev_disconnect(struct xfb_dev *d)
{
    if (!d->connected)
        return;
    if (d->kind == XFB_DEV_FB)
        xfb_fb_disconnect(d);
    else if (d->kind == XFB_DEV_KBD)
        xfb_kbd_disconnect(d);
    else
        xfb_clip_disconnect(d);
}

static void dev_forget(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    if (!d->present)
        return;
    xfb_dev_disconnect(d);
    if (d->fwatch)
        xs_unwatch(b->xs, d->fwatch, "f");
    free(d->bpath);
    free(d->fpath);
    free(d->fwatch);
    d->bpath = d->fpath = d->fwatch = NULL;
    d->present = false;
    d->closed = false;
    xfb_log(XFB_LOG_INFO, d, "removed");
}

void xfb_guest_forget(struct xfb_back_guest *g)
{
    struct xfb_back *b = g->b;
    dev_forget(&g->fb);
    dev_forget(&g->kbd);
    dev_forget(&g->clip);
    for (struct xfb_back_guest **p = &b->guests; *p; p = &(*p)->next) {
        if (*p == g) {
            *p = g->next;
            break;
        }
    }
    if (b->ops && b->ops->gone)
        b->ops->gone(b->data, g);
    free(g);
}

static void guest_forget_if_empty(struct xfb_back_guest *g)
{
    if (!g->fb.present && !g->kbd.present && !g->clip.present)
        xfb_guest_forget(g);
}

void xfb_dev_fail(struct xfb_dev *d, const char *why)
{
    xfb_log(XFB_LOG_ERROR, d, "closing the device: %s", why);
    xfb_dev_disconnect(d);
    set_state(d, XenbusStateClosed);
    d->closed = true;
}

void xfb_dev_gone(struct xfb_dev *d)
{
    xfb_log(XFB_LOG_INFO, d, "frontend is gone (its liveness byte was cleared)");
    xfb_dev_disconnect(d);
    set_state(d, XenbusStateClosed);
    d->closed = true;
}

/* The standard nodes, and on xenfb's own types the extensions. A kernel
 * frontend reads its vkbd's width and height (its axes) at probe, before
 * any backend runs: the toolstack writes them with the directory
 * (libxl's vkb width=/height=, or the daemon's), and the backend only
 * reads them (read_limits). */
static void write_features(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    bool ext = d->g->kind == XFB_BACK_XENFB;
    int r = 0;
    if (d->kind == XFB_DEV_FB) {
        if (ext) {
            r |= xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_GREF, "1");
            r |= xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_LAZY_NOTIFY, "1");
            r |= xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_RELEASE, "1");
            r |= xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_CURSOR, "1");
        }
        r |= xfb_xs_write(b, d->bpath, "feature-resize", "1");
        r |= xfb_xs_write(b, d->bpath, "hotplug-status", "connected");
        if (d->connected)
            r |= xfb_xs_write(b, d->bpath, "request-update", "1");
    } else if (d->kind == XFB_DEV_CLIP) {
        r = xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_CLIPBOARD, "1");
        r |= xfb_xs_write(b, d->bpath, "hotplug-status", "connected");
    } else {
        r |= xfb_xs_write(b, d->bpath, XENKBD_FIELD_FEAT_ABS_POINTER, "1");
        r |= xfb_xs_write(b, d->bpath, XENKBD_FIELD_FEAT_RAW_POINTER, "1");
        r |= xfb_xs_write(b, d->bpath, XFB_NODE_FEATURE_HWHEEL, "1");
        if (ext) {
            r |= xfb_xs_write(b, d->bpath, XENKBD_FIELD_WIDTH, "%u", d->kbd_width);
            r |= xfb_xs_write(b, d->bpath, XENKBD_FIELD_HEIGHT, "%u", d->kbd_height);
        }
    }
    if (r)
        xfb_dev_refused(d);
}

void xfb_xenbus_retry(struct xfb_back *b)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next) {
        for (int i = 0; i < XFB_GUEST_DEVS; i++) {
            struct xfb_dev *d = xfb_guest_dev(g, i);
            if (!d->present || !d->unwritten)
                continue;
            d->unwritten = false;
            if (d->state == XenbusStateInitWait || d->state == XenbusStateConnected)
                write_features(d);
            set_state(d, d->state);
            if (!d->unwritten) {
                if (d->refusals >= XFB_REFUSALS_TO_WARN)
                    xfb_log(XFB_LOG_INFO, d, "xenstore took our writes after %u refusals",
                            d->refusals);
                d->refusals = 0;
            }
        }
    }
    if (!b->retry_at)
        b->retry_ms = 0; /* all written: the next conflict starts short again */
}

/* The limits the toolstack wrote, where only dom0 writes: a vfb's own
 * max-width and max-height (xenkbd takes xenfb's, as its advertised
 * range); a vinput's width and height, the axes its frontend was given
 * (xen-kbdfront: [0, width] x [0, height], 800x600 when absent). */
static void read_limits(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long w, h;
    if (d->g->kind == XFB_BACK_KERNEL && d->kind == XFB_DEV_KBD) {
        if (xfb_xs_read_uint(b, d->bpath, XENKBD_FIELD_WIDTH, INT32_MAX, &w) < 0 || w == 0)
            w = XFB_KERNEL_PTR_WIDTH;
        if (xfb_xs_read_uint(b, d->bpath, XENKBD_FIELD_HEIGHT, INT32_MAX, &h) < 0 || h == 0)
            h = XFB_KERNEL_PTR_HEIGHT;
        d->kbd_width = (uint32_t)w;
        d->kbd_height = (uint32_t)h;
        d->abs_max_x = (uint32_t)w;
        d->abs_max_y = (uint32_t)h;
        return;
    }
    /* vfb and vkbd of a xenfb guest share the limits made for the vfb */
    char vfb[128];
    if (d->kind == XFB_DEV_FB)
        snprintf(vfb, sizeof(vfb), "%s", d->bpath);
    else
        snprintf(vfb, sizeof(vfb), "%s/" XFB_TYPE_FB "/%d/%d", b->base, d->g->domid, d->g->devid);
    if (xfb_xs_read_uint(b, vfb, "max-width", 32768, &w) < 0 || w == 0)
        w = XFB_DEFAULT_MAX_WIDTH;
    if (xfb_xs_read_uint(b, vfb, "max-height", 32768, &h) < 0 || h == 0)
        h = XFB_DEFAULT_MAX_HEIGHT;
    d->max_width = d->kbd_width = (uint32_t)w;
    d->max_height = d->kbd_height = (uint32_t)h;
    d->abs_max_x = d->kbd_width - 1;
    d->abs_max_y = d->kbd_height - 1;
}

/* The frontend directory named by our own backend directory: written by
 * the toolstack, but still checked to lie inside the guest's home. */
static char *read_frontend_path(struct xfb_back *b, const char *bpath, int domid)
{
    char *f = xfb_xs_read(b, bpath, "frontend");
    if (!f)
        return NULL;
    char prefix[40];
    int n = snprintf(prefix, sizeof(prefix), "/local/domain/%d/", domid);
    if (strncmp(f, prefix, (size_t)n) || strlen(f) > 200 || strstr(f, "/.")) {
        free(f);
        errno = EINVAL;
        return NULL;
    }
    return f;
}

/* Is the guest's home directory there? Backend directories outlive
 * their domain when nobody removes them (libxl removes only those of
 * the devices it made): such a device is nobody's, and serving it would
 * open viewers for a domain that does not exist. */
static bool domain_exists(struct xfb_back *b, int domid)
{
    char path[32];
    snprintf(path, sizeof(path), "/local/domain/%d", domid);
    unsigned len;
    char *v = xs_read(b->xs, XBT_NULL, path, &len);
    free(v);
    return v || errno != ENOENT;
}

static void dev_check(struct xfb_dev *d);

/* The device of g that a backend directory of this type is for. */
static struct xfb_dev *dev_of_type(struct xfb_back_guest *g, const char *type)
{
    if (type_is_fb(type))
        return &g->fb;
    if (!strcmp(type, XFB_TYPE_CLIP))
        return &g->clip;
    return &g->kbd;
}

static void dev_found(struct xfb_back *b, const char *type, int domid, int devid)
{
    if (b->only_domid > 0 && domid != b->only_domid)
        return;
    enum xfb_back_kind kind = kind_of(type);
    struct xfb_back_guest *g = guest_find(b, kind, domid, devid);
    if (g) {
        struct xfb_dev *d = dev_of_type(g, type);
        if (d->present && d->devid != devid) {
            /* the kernel's devices of a domain: one vfb and one vkbd
             * served, the first found */
            if (!g->clash_logged)
                xfb_log(XFB_LOG_WARNING, d, "ignoring %s/%d too: one is served per guest", type,
                        devid);
            g->clash_logged = true;
            return;
        }
        if (d->present) {
            dev_check(d);
            return;
        }
    }
    if (!g && !domain_exists(b, domid)) {
        xfb_log_ctx(b, XFB_LOG_DEBUG, "%s/%d/%d: no such domain: not serving it", type, domid,
                    devid);
        return;
    }
    char *bpath;
    if (asprintf(&bpath, "%s/%s/%d/%d", b->base, type, domid, devid) < 0)
        return;
    char *fpath = read_frontend_path(b, bpath, domid);
    if (!fpath) {
        /* not (yet) complete, or wrong: attach writes it in one transaction */
        free(bpath);
        return;
    }
    g = guest_get(b, kind, domid, devid);
    if (!g) {
        free(bpath);
        free(fpath);
        return;
    }
    struct xfb_dev *d = dev_of_type(g, type);
    d->devid = devid;
    d->bpath = bpath;
    d->fpath = fpath;
    d->present = true;
    d->closed = false;
    unsigned long st;
    d->state = xfb_xs_read_uint(b, bpath, "state", 10, &st) < 0 ? 0 : (int)st;
    read_limits(d);
    if (asprintf(&d->fwatch, "%s/state", fpath) < 0)
        d->fwatch = NULL;
    xfb_log(XFB_LOG_INFO, d, "found, frontend %s", fpath);
    if (!d->fwatch || !xs_watch(b->xs, d->fwatch, "f"))
        xfb_log(XFB_LOG_ERROR, d, "cannot watch %s: %s", fpath, strerror(errno));
    /* the watch fires once on its own too; checking twice changes nothing */
    dev_check(d);
}

/* Did the frontend's page-gref (a vfb's page-ref, for a standard
 * frontend) or event-channel change (or go) since the connect that just
 * failed read them? */
static bool nodes_moved(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref, port;
    const char *ref = d->frames ? "page-ref" : XFB_NODE_PAGE_GREF;
    if (xfb_xs_read_uint(b, d->fpath, ref, d->frames ? XFB_FRAME_MAX : UINT32_MAX, &gref) < 0 ||
        xfb_xs_read_uint(b, d->fpath, "event-channel", UINT32_MAX, &port) < 0)
        /* gone since we read them; missing all along is no reason to try
         * again */
        return errno == ENOENT && d->tried_gref != ULONG_MAX;
    unsigned long fs;
    if (xfb_xs_read_uint(b, d->fpath, "state", 255, &fs) < 0 ||
        (fs != XenbusStateInitialised && fs != XenbusStateConnected))
        return true;
    /* ULONG_MAX: the connect failed before it used them */
    return d->tried_gref != ULONG_MAX && (gref != d->tried_gref || port != d->tried_port);
}

/* Connect to the frontend's published page and port. A frontend that
 * restarts fast may replace them while we read and map, so that what we
 * tried already belongs to something else: then try again with what is
 * there now (a few times: a frontend cannot keep us here). Any other
 * failure closes the device. */
/* Does the frontend directory name our backend directory? A toolstack
 * may have given the index to a device of its own meanwhile (libxl
 * replaces a frontend directory it adds), whose frontend then talks to
 * another backend: we must not map its pages and consume its rings. */
static bool names_us(struct xfb_dev *d)
{
    char *be = xfb_xs_read(d->g->b, d->fpath, "backend");
    bool ours = be && !strcmp(be, d->bpath);
    if (!ours && !d->not_ours_said)
        xfb_log(XFB_LOG_WARNING, d,
                "frontend %s names backend %.120s, not this one: not serving it", d->fpath,
                be ? be : "(none)");
    d->not_ours_said = !ours;
    free(be);
    return ours;
}

static int connect_or_close(struct xfb_dev *d)
{
    for (int tries = 0;; tries++) {
        d->tried_gref = d->tried_port = ULONG_MAX;
        int rc = d->kind == XFB_DEV_FB    ? xfb_fb_connect(d)
                 : d->kind == XFB_DEV_KBD ? xfb_kbd_connect(d)
                                          : xfb_clip_connect(d);
        if (rc == 0)
            return 0;
        if (tries < 3 && nodes_moved(d)) {
            xfb_log(XFB_LOG_INFO, d, "frontend replaced its nodes meanwhile: trying again");
            continue;
        }
        d->closed = true;
        set_state(d, XenbusStateClosed);
        return -1;
    }
}

static time_t mono_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Count a change of the frontend's state. Each costs us a connect or a
 * disconnect (mapping and unmapping every framebuffer page), and a guest
 * can write its state node as fast as xenstored lets it: past the limit
 * the device is closed and the guest's state changes are ignored for a
 * while (the first one after that is handled as usual). */
static bool flapping(struct xfb_dev *d)
{
    time_t now = mono_sec();
    if (now != d->flap_sec) {
        d->flap_sec = now;
        d->flaps = 0;
    }
    if (++d->flaps <= XFB_STATE_CHANGES_PER_SEC)
        return false;
    d->muted_until = now + XFB_FLAP_MUTE_SEC + 1;
    xfb_dev_fail(d, "the frontend's state changes too fast");
    xfb_back_arm_timer(d->g->b);
    return true;
}

/* A muted frontend may have changed its state once more and then waited
 * for us: look at every device whose mute is over, as if its watch had
 * fired. */
void xfb_xenbus_unmute(struct xfb_back *b)
{
    time_t now = mono_sec();
    for (struct xfb_back_guest *g = b->guests, *next; g; g = next) {
        next = g->next;
        int domid = g->domid, devid = g->devid;
        enum xfb_back_kind kind = g->kind;
        for (int k = 0; k < XFB_GUEST_DEVS; k++) {
            /* checking the first device may have forgotten the guest */
            struct xfb_back_guest *h = guest_find(b, kind, domid, devid);
            if (!h)
                break;
            struct xfb_dev *d = xfb_guest_dev(h, k);
            if (!d->muted_until || d->muted_until > now)
                continue;
            d->muted_until = 0;
            if (d->present)
                dev_check(d);
        }
    }
    xfb_back_arm_timer(b);
}

static void dev_check(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    char *fr = xfb_xs_read(b, d->bpath, "frontend");
    if (!fr) {
        xfb_log(XFB_LOG_DEBUG, d, "backend directory: %s", strerror(errno));
        dev_forget(d);
        guest_forget_if_empty(d->g);
        return;
    }
    free(fr);
    unsigned long fs;
    if (xfb_xs_read_uint(b, d->fpath, "state", 255, &fs) < 0) {
        if ((errno == ENOENT || errno == EACCES) && !domain_exists(b, d->g->domid)) {
            xfb_log(XFB_LOG_DEBUG, d, "frontend state: %s", strerror(errno));
            /* the guest's directory went away: so did the device */
            dev_forget(d);
            guest_forget_if_empty(d->g);
        } else if (errno == ENOENT || errno == EACCES) {
            /* No frontend directory (yet): a toolstack makes the backend
             * directory first and removes the frontend first. The watch
             * on its state node fires when it comes (back). */
            if (d->connected)
                xfb_log(XFB_LOG_INFO, d, "frontend directory removed");
            xfb_dev_disconnect(d);
            d->closed = false;
            d->fstate = 0;
        } else if (!d->closed) {
            xfb_dev_fail(d, "frontend state is not a number");
        }
        return;
    }
    int prev = d->fstate;
    d->fstate = (int)fs;
    if ((int)fs != prev && flapping(d))
        return;
    switch (fs) {
    case XenbusStateInitialising:
    case XenbusStateInitWait:
        if (d->connected) {
            xfb_log(XFB_LOG_INFO, d, "frontend restarted");
            xfb_dev_disconnect(d);
        }
        d->closed = false;
        if (d->state != XenbusStateInitWait) {
            /* the toolstack may have changed them (a reloaded
             * configuration): they hold from this connection on */
            read_limits(d);
            write_features(d);
            set_state(d, XenbusStateInitWait);
        }
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        /* a frontend that went back to Initialised while we stay
         * connected waits for a backend to (re)enter Connected */
        if (d->connected && fs == XenbusStateInitialised && prev == XenbusStateConnected)
            set_state(d, XenbusStateConnected);
        if (d->connected || d->closed || !names_us(d))
            break;
        if (d->state != XenbusStateInitWait)
            write_features(d);
        if (connect_or_close(d) < 0)
            break;
        set_state(d, XenbusStateConnected);
        if (d->kind == XFB_DEV_FB)
            xfb_fb_send_refresh(d);
        /* what the frontend queued for a previous backend (updates, its
         * clipboard text) */
        xfb_dev_event(d);
        break;
    case XenbusStateClosing:
    case XenbusStateClosed:
        if (d->connected)
            xfb_log(XFB_LOG_INFO, d, "frontend closed");
        xfb_dev_disconnect(d);
        if (d->state != XenbusStateClosed)
            set_state(d, XenbusStateClosed);
        d->closed = true;
        /* Closing, then Closed: not a re-grant after all */
        if (d->kind == XFB_DEV_FB && fs == XenbusStateClosed && prev == XenbusStateClosing &&
            b->ops && b->ops->fb_closed)
            b->ops->fb_closed(b->data, d->g);
        break;
    default:
        if (!d->closed) {
            char why[48];
            snprintf(why, sizeof(why), "frontend state %lu is not valid", fs);
            xfb_dev_fail(d, why);
        }
        break;
    }
}

/* ---- watch events ---- */

static int parse_id(const char **p)
{
    char *end;
    if (**p < '0' || **p > '9')
        return -1;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (errno || v > 0x7fef || (*end && *end != '/'))
        return -1;
    *p = end;
    return (int)v;
}

static void scan_domain(struct xfb_back *b, const char *type, int domid)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s/%d", b->base, type, domid);
    unsigned n = 0;
    char **ids = xs_directory(b->xs, XBT_NULL, path, &n);
    for (unsigned i = 0; ids && i < n; i++) {
        const char *p = ids[i];
        int devid = parse_id(&p);
        if (devid >= 0 && !*p)
            dev_found(b, type, domid, devid);
    }
    free(ids);
    /* devices of ours that are no longer listed */
    for (struct xfb_back_guest *g = b->guests, *next; g; g = next) {
        next = g->next;
        struct xfb_dev *d = dev_of_type(g, type);
        if (g->domid == domid && d->present && !strcmp(d->type, type))
            dev_check(d);
    }
}

static void scan_type(struct xfb_back *b, const char *type)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", b->base, type);
    unsigned n = 0;
    char **doms = xs_directory(b->xs, XBT_NULL, path, &n);
    for (unsigned i = 0; doms && i < n; i++) {
        const char *p = doms[i];
        int domid = parse_id(&p);
        if (domid >= 0 && !*p)
            scan_domain(b, type, domid);
    }
    free(doms);
    for (struct xfb_back_guest *g = b->guests, *next; g; g = next) {
        next = g->next;
        struct xfb_dev *d = dev_of_type(g, type);
        if (d->present && !strcmp(d->type, type))
            dev_check(d);
    }
}

static void backend_event(struct xfb_back *b, const char *path)
{
    size_t bl = strlen(b->base);
    if (strncmp(path, b->base, bl) || path[bl] != '/')
        return;
    const char *p = path + bl + 1;
    const char *type = NULL;
    for (size_t i = 0; i < sizeof(dev_types) / sizeof(dev_types[0]); i++) {
        size_t tl = strlen(dev_types[i]);
        if (!strncmp(p, dev_types[i], tl) && (p[tl] == '/' || !p[tl])) {
            type = dev_types[i];
            p += tl;
            break;
        }
    }
    if (!type)
        return;
    if (!*p++) {
        scan_type(b, type);
        return;
    }
    int domid = parse_id(&p);
    if (domid < 0)
        return;
    if (!*p++) {
        scan_domain(b, type, domid);
        return;
    }
    int devid = parse_id(&p);
    if (devid < 0)
        return;
    /* dom0's clipboard policy (its toolstack writes it, the guest
     * cannot) applies at once, not at the next connection */
    if (!strcmp(type, XFB_TYPE_CLIP) && !strcmp(p, "/" XFB_NODE_CLIPBOARD_POLICY)) {
        struct xfb_back_guest *g = guest_find(b, kind_of(type), domid, devid);
        if (g && g->clip.present && g->clip.devid == devid)
            xfb_clip_policy_changed(&g->clip);
        return;
    }
    /* our own writes below the device (state, features) change nothing */
    if (*p && strcmp(p, "/frontend") && strcmp(p, "/online"))
        return;
    dev_found(b, type, domid, devid);
}

static void frontend_event(struct xfb_back *b, const char *path)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next) {
        struct xfb_dev *d = NULL;
        if (g->fb.present && g->fb.fwatch && !strcmp(g->fb.fwatch, path))
            d = &g->fb;
        else if (g->kbd.present && g->kbd.fwatch && !strcmp(g->kbd.fwatch, path))
            d = &g->kbd;
        else if (g->clip.present && g->clip.fwatch && !strcmp(g->clip.fwatch, path))
            d = &g->clip;
        if (!d)
            continue;
        if (mono_sec() >= d->muted_until)
            dev_check(d);
        return;
    }
}

static void release_event(struct xfb_back *b)
{
    for (struct xfb_back_guest *g = b->guests, *next; g; g = next) {
        next = g->next;
        char path[40];
        snprintf(path, sizeof(path), "/local/domain/%d", g->domid);
        unsigned len;
        char *v = xs_read(b->xs, XBT_NULL, path, &len);
        if (v) {
            free(v);
            continue;
        }
        if (errno != ENOENT)
            continue;
        xfb_log_ctx(b, XFB_LOG_INFO, "domain %d is gone", g->domid);
        xfb_guest_forget(g);
    }
}

void xfb_xenbus_handle_watch(struct xfb_back *b, const char *path, const char *token)
{
    if (!strcmp(token, "b"))
        backend_event(b, path);
    else if (!strcmp(token, "f"))
        frontend_event(b, path);
    else if (!strcmp(token, "r"))
        release_event(b);
}

int xfb_xenbus_watch(struct xfb_back *b)
{
    for (size_t i = 0; i < sizeof(dev_types) / sizeof(dev_types[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", b->base, dev_types[i]);
        if (!xs_watch(b->xs, path, "b")) {
            xfb_log_ctx(b, XFB_LOG_ERROR, "cannot watch %s: %s", path, strerror(errno));
            return -1;
        }
    }
    if (!xs_watch(b->xs, "@releaseDomain", "r")) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "cannot watch @releaseDomain: %s", strerror(errno));
        return -1;
    }
    return 0;
}
