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

/* how soon a write xenstore refused (EAGAIN on every try) is tried again */
#define XFB_RETRY_MS 100

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
    b->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (b->retry_fd < 0) {
        free(b);
        return NULL;
    }
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
    if (b->xce)
        xenevtchn_close(b->xce);
    if (b->xs)
        xs_close(b->xs);
    close(b->retry_fd);
    free(b->base);
    free(b);
}

void xfb_back_retry_later(struct xfb_back *b)
{
    if (b->retry_armed)
        return;
    struct itimerspec its = {.it_value = {.tv_nsec = XFB_RETRY_MS * 1000000L}};
    if (timerfd_settime(b->retry_fd, 0, &its, NULL) == 0)
        b->retry_armed = true;
}

static void dispatch_retry(struct xfb_back *b)
{
    uint64_t n;
    if (read(b->retry_fd, &n, sizeof(n)) != sizeof(n))
        return;
    b->retry_armed = false;
    xfb_xenbus_retry(b); /* re-arms while something is still refused */
}

int xfb_back_fds(const struct xfb_back *b, int *fds, int max)
{
    int n = 0;
    if (n < max)
        fds[n++] = xs_fileno(b->xs);
    if (n < max)
        fds[n++] = xenevtchn_fd(b->xce);
    if (n < max)
        fds[n++] = b->retry_fd;
    return n;
}

static struct xfb_dev *dev_by_port(struct xfb_back *b, int port)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next) {
        if (g->fb.port == port)
            return &g->fb;
        if (g->kbd.port == port)
            return &g->kbd;
    }
    return NULL;
}

/* Framebuffers that had more events than one wakeup may take go on
 * where they stopped, without a notification (none will come: their
 * frontend knows we are behind). */
static void resume_busy(struct xfb_back *b)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->fb.again)
            xfb_fb_event(&g->fb);
}

static bool any_busy(const struct xfb_back *b)
{
    for (const struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->fb.again)
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
        if (d->kind == XFB_DEV_FB)
            xfb_fb_event(d);
        else
            xfb_kbd_event(d);
        /* the device may have been closed, its port unbound */
        if (dev_by_port(b, port))
            xenevtchn_unmask(b->xce, port);
    }
    return 0;
}

static int dispatch_watches(struct xfb_back *b)
{
    char **w;
    while ((w = xs_check_watch(b->xs))) {
        xfb_xenbus_handle_watch(b, w[XS_WATCH_PATH], w[XS_WATCH_TOKEN]);
        free(w);
    }
    if (errno != EAGAIN) {
        xfb_log_ctx(b, XFB_LOG_ERROR, "xenstore watches: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int xfb_back_dispatch(struct xfb_back *b)
{
    if (dispatch_watches(b) < 0)
        return -1;
    dispatch_retry(b);
    resume_busy(b);
    if (dispatch_events(b) < 0)
        return -1;
    return any_busy(b) ? 1 : 0;
}

struct xfb_back_guest *xfb_back_find(struct xfb_back *b, int domid, int devid)
{
    for (struct xfb_back_guest *g = b->guests; g; g = g->next)
        if (g->domid == domid && g->devid == devid)
            return g;
    return NULL;
}

int xfb_back_guest_domid(const struct xfb_back_guest *g)
{
    return g->domid;
}

int xfb_back_guest_devid(const struct xfb_back_guest *g)
{
    return g->devid;
}

void xfb_back_guest_set_user(struct xfb_back_guest *g, void *user)
{
    g->user = user;
}

void *xfb_back_guest_user(const struct xfb_back_guest *g)
{
    return g->user;
}

const struct xfb_back_surface *xfb_back_guest_surface(const struct xfb_back_guest *g)
{
    return g->fb.connected ? &g->fb.surf : NULL;
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
