/* The context: the three Xen handles, the guest list, and dispatch. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <xen/io/xenbus.h>

/* the pauses before a write xenstore refused (EAGAIN) is tried again */
#define XFB_RETRY_FIRST_MS 10
#define XFB_RETRY_MAX_MS   2000

static int own_domid(struct xfb_back *b, int wanted)
{
    if (wanted >= 0)
        return wanted;
    /* dom0 has no `domid` node on every toolstack; a driver domain has. */
    char *v = xs_read(b->xs, XBT_NULL, "domid", NULL);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long id = strtol(v, &end, 10);
    int bad = errno || end == v || *end || id < 0 || id > 0x7fef;
    free(v);
    return bad ? 0 : (int)id;
}

struct xfb_back *xfb_back_open(const struct xfb_back_opts *opts)
{
    struct xfb_back *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->ops = opts->ops;
    b->data = opts->data;
    b->refresh_ms = opts->refresh_ms;
    b->only_domid = opts->only_domid;
    b->timer_fd = -1;
    xfb_back_set_log_fn(b, opts->log_fn, opts->log_data, opts->log_level);

    b->xs = xs_open(0);
    if (!b->xs) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "xenstore: %s", strerror(errno));
        goto fail;
    }
    b->xce = xenevtchn_open(NULL, 0);
    if (!b->xce) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "event channels: %s", strerror(errno));
        goto fail;
    }
    int fd = xenevtchn_fd(b->xce);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        goto fail;
    b->xgt = xengnttab_open(NULL, 0);
    if (!b->xgt) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "grant device: %s", strerror(errno));
        goto fail;
    }
    xfb_foreign_open(b); /* or without: said once */
    b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (b->timer_fd < 0) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "timer: %s", strerror(errno));
        goto fail;
    }
    b->domid = own_domid(b, opts->backend_domid);
    if (asprintf(&b->base, "/local/domain/%d/backend", b->domid) < 0) {
        b->base = NULL;
        goto fail;
    }
    if (xfb_xenbus_watch(b) < 0)
        goto fail;
    xfb_log_ctx(b, XFB_LOG_INFO, "serving guests from %s", b->base);
    return b;

fail:;
    int err = errno;
    xfb_back_close(b);
    errno = err ? err : EIO;
    return NULL;
}

void xfb_back_close(struct xfb_back *b)
{
    if (!b)
        return;
    while (b->guests)
        xfb_guest_forget(b->guests);
    if (b->xgt)
        xengnttab_close(b->xgt);
    xfb_foreign_close(b);
    if (b->xce)
        xenevtchn_close(b->xce);
    if (b->xs)
        xs_close(b->xs);
    if (b->timer_fd >= 0)
        close(b->timer_fd);
    free(b->base);
    free(b);
}

void xfb_back_retry_later(struct xfb_back *b)
{
    if (b->retry_at)
        return;
    b->retry_ms = b->retry_ms ? b->retry_ms * 2 : XFB_RETRY_FIRST_MS;
    if (b->retry_ms > XFB_RETRY_MAX_MS)
        b->retry_ms = XFB_RETRY_MAX_MS;
    b->retry_at = xfb_mono_ns() + b->retry_ms * 1000000LL;
    xfb_back_arm_timer(b);
}

int xfb_back_domid(const struct xfb_back *b)
{
    return b->domid;
}

int xfb_back_fds(const struct xfb_back *b, int *fds, int max)
{
    int n = 0;
    if (n < max)
        fds[n++] = xs_fileno(b->xs);
    if (n < max)
        fds[n++] = xenevtchn_fd(b->xce);
    if (n < max)
        fds[n++] = b->timer_fd;
    return n;
}

static struct xfb_dev *dev_by_port(struct xfb_back *b, int port)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next) {
        if (g->fb.port == port)
            return &g->fb;
        if (g->kbd.port == port)
            return &g->kbd;
        if (g->clip.port == port)
            return &g->clip;
    }
    return NULL;
}

/* Framebuffers that had more events than one wakeup may take go on
 * where they stopped, without a notification (none will come: their
 * frontend knows we are behind). */
static void resume_busy(struct xfb_back *b)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next) {
        struct xfb_dev *d = &g->fb;
        if (!d->again || d->throttled)
            continue;
        /* a resumption is a wakeup: it counts against the throttle (whose
         * end looks at the ring again) */
        if (xfb_dev_budget(d))
            xfb_fb_event(d);
        else
            xfb_back_arm_timer(b);
    }
}

void xfb_dev_event(struct xfb_dev *d)
{
    if (d->kind == XFB_DEV_FB)
        xfb_fb_event(d);
    else if (d->kind == XFB_DEV_KBD)
        xfb_kbd_event(d);
    else
        xfb_clip_event(d);
}

static bool any_busy(const struct xfb_back *b)
{
    for (const struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->fb.again && !g->fb.throttled)
            return true;
    return false;
}

static int dispatch_events(struct xfb_back *b)
{
    for (int i = 0; i < XFB_PORTS_PER_DISPATCH; i++) {
        xenevtchn_port_or_error_t port = xenevtchn_pending(b->xce);
        if (port < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return 0;
            xfb_log_ctx(b, XFB_LOG_ERROR, "event channels: %s", strerror(errno));
            return -1;
        }
        struct xfb_dev *d = dev_by_port(b, port);
        if (!d)
            continue; /* unbound meanwhile */
        xfb_dev_event(d);
        /* the device may have been closed, its port unbound */
        d = dev_by_port(b, port);
        if (!d)
            continue;
        /* a device may have masked itself (clip.c's rate) */
        if (!d->throttled && xfb_dev_budget(d))
            xenevtchn_unmask(b->xce, port);
        else
            xfb_back_arm_timer(b);
    }
    return 0;
}

/* A guest fires watches (its state node) far faster than we can handle
 * them, each handler reading and writing xenstore: taken one by one, the
 * queue would grow without end and hold up every other guest. Handlers
 * look at the store as it is now, not at the event, so the events of one
 * batch that repeat an earlier one are dropped unhandled; what is left in
 * the queue keeps the fd readable for the next dispatch. */
static int dispatch_watches(struct xfb_back *b)
{
    char **batch[XFB_WATCHES_PER_DISPATCH];
    int n = 0, taken = 0, rc = 0;
    char **w = NULL;
    while (taken < XFB_WATCHES_PER_DISPATCH && (w = xs_check_watch(b->xs))) {
        taken++;
        bool seen = false;
        for (int i = 0; i < n && !seen; i++)
            seen = !strcmp(batch[i][XS_WATCH_PATH], w[XS_WATCH_PATH]) &&
                   !strcmp(batch[i][XS_WATCH_TOKEN], w[XS_WATCH_TOKEN]);
        if (seen)
            free(w);
        else
            batch[n++] = w;
    }
    if (taken < XFB_WATCHES_PER_DISPATCH && errno != EAGAIN) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "xenstore watches: %s", strerror(errno));
        rc = -1;
    }
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            xfb_xenbus_handle_watch(b, batch[i][XS_WATCH_PATH], batch[i][XS_WATCH_TOKEN]);
        free(batch[i]);
    }
    return rc;
}

/* One timer for every deadline: a throttled device's slice, a muted
 * device, a xenstore write to try again. */
void xfb_back_arm_timer(struct xfb_back *b)
{
    int64_t next = b->retry_at;
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        for (int i = 0; i < XFB_GUEST_DEVS; i++) {
            struct xfb_dev *d = xfb_guest_dev(g, i);
            int64_t t = d->throttled ? d->slice_start + XFB_SLICE_NS : 0;
            int64_t m = (int64_t)d->muted_until * 1000000000;
            if (m && (!t || m < t))
                t = m;
            if (t && (!next || t < next))
                next = t;
        }
    /* one-shot; all zero disarms it */
    struct itimerspec it = {
        .it_value = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000}};
    timerfd_settime(b->timer_fd, TFD_TIMER_ABSTIME, &it, NULL);
}

/* Unmask the ports of the throttled devices whose slice is over, and
 * look at their rings: a frontend need not notify again for what it added
 * meanwhile. */
static void unthrottle(struct xfb_back *b)
{
    int64_t now = xfb_mono_ns();
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        for (int i = 0; i < XFB_GUEST_DEVS; i++) {
            struct xfb_dev *d = xfb_guest_dev(g, i);
            if (!d->throttled || now - d->slice_start < XFB_SLICE_NS)
                continue;
            d->throttled = false;
            if (d->port < 0)
                continue;
            xenevtchn_unmask(b->xce, (evtchn_port_t)d->port);
            xfb_dev_event(d);
        }
}

int xfb_back_dispatch(struct xfb_back *b)
{
    uint64_t fired;
    if (read(b->timer_fd, &fired, sizeof(fired)) == sizeof(fired)) {
        unthrottle(b);
        if (b->retry_at && xfb_mono_ns() >= b->retry_at) {
            b->retry_at = 0;
            xfb_xenbus_retry(b); /* asks again while something is still refused */
        }
        xfb_xenbus_unmute(b); /* and sets the timer again */
    }
    if (dispatch_watches(b) < 0)
        return -1;
    resume_busy(b);
    if (dispatch_events(b) < 0)
        return -1;
    return any_busy(b) ? 1 : 0;
}

struct xfb_back_guest *xfb_back_find(struct xfb_back *b, int domid, int devid)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->kind == XFB_BACK_XENFB && g->domid == domid && g->devid == devid)
            return g;
    return NULL;
}

struct xfb_back_guest *xfb_back_find_kernel(struct xfb_back *b, int domid)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->kind == XFB_BACK_KERNEL && g->domid == domid)
            return g;
    return NULL;
}

enum xfb_back_kind xfb_back_guest_kind(const struct xfb_back_guest *g)
{
    return g->kind;
}

int xfb_back_guest_domid(const struct xfb_back_guest *g)
{
    return g->domid;
}

int xfb_back_guest_devid(const struct xfb_back_guest *g)
{
    return g->fb.present || !g->kbd.present ? g->fb.devid : g->kbd.devid;
}

const char *xfb_back_guest_fb_path(const struct xfb_back_guest *g)
{
    return g->fb.present ? g->fb.bpath : NULL;
}

bool xfb_back_guest_kbd(const struct xfb_back_guest *g)
{
    return g->kbd.connected;
}

void xfb_back_guest_set_user(struct xfb_back_guest *g, void *user)
{
    g->user = user;
}

void *xfb_back_guest_user(const struct xfb_back_guest *g)
{
    return g->user;
}

bool xfb_back_guest_fb_closing(const struct xfb_back_guest *g)
{
    return g->fb.present && g->fb.fstate == XenbusStateClosing;
}

const struct xfb_back_surface *xfb_back_guest_surface(const struct xfb_back_guest *g)
{
    return g->fb.connected ? &g->fb.surf : NULL;
}

bool xfb_back_hold(struct xfb_back_guest *g)
{
    struct xfb_dev *d = &g->fb;
    if (!d->connected || !d->release_wanted)
        return false;
    d->held = true;
    return true;
}

void xfb_back_release(struct xfb_back_guest *g)
{
    struct xfb_dev *d = &g->fb;
    if (!d->held)
        return;
    d->held = false;
    /* from within a damaged callback: the update it reports is counted
     * consumed already, and viewers whose callbacks come later have not
     * copied it; the pass releases when they all have */
    if (!d->dispatching && xfb_fb_release(d))
        xfb_dev_notify(d);
}

int xfb_back_set_refresh(struct xfb_back_guest *g, unsigned ms)
{
    g->refresh_ms = ms;
    if (g->fb.connected) {
        g->fb.refresh_pending = true;
        xfb_fb_send_refresh(&g->fb);
    }
    return 0;
}
