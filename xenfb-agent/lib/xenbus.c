/* xenstore: the device's nodes and the XenbusState machine of the
 * frontend (protocol.md sections 2.1, 3, 4 and 5), including the
 * reconnect paths: our own restart (close, then open again), the
 * backend's (we go back to Initialised and wait for the next one) and a
 * re-grant (Closing, then over again with new memory). */
#include "private.h"

#include "proto/clip.h"
#include "proto/cursor.h"
#include "proto/sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/kbdif.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

#define PUBLISH_TRIES        16
#define XFB_PUBLISH_RETRY_MS 100
#define BE_TOKEN             "xfb-backend"
#define DEV_TOKEN            "xfb-device"

/* Nodes we publish, removed at close and before starting over. */
static const char *const published_nodes[] = {
    XFB_NODE_PAGE_GREF,
    "event-channel",
    "protocol",
    "feature-update",
    XENKBD_FIELD_REQ_ABS_POINTER,
    XENKBD_FIELD_REQ_RAW_POINTER,
    XFB_NODE_REQUEST_HWHEEL,
    XFB_NODE_REQUEST_RELEASE,
    XFB_NODE_CURSOR_GREF,
    XFB_NODE_REQUEST_CLIPBOARD,
    XFB_NODE_FEATURE_RESIZE_REQUEST,
};

static char *read_node(struct xfb_front *f, const char *dir, const char *node)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    unsigned len;
    return xs_read(f->xs, XBT_NULL, path, &len);
}

/* A decimal node; -1 when missing or not a number. */
static long read_long(struct xfb_front *f, const char *dir, const char *node)
{
    char *v = read_node(f, dir, node);
    if (!v)
        return -1;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    bool bad = end == v || *end || errno || n < 0;
    free(v);
    return bad ? -1 : n;
}

static bool read_flag(struct xfb_front *f, const char *dir, const char *node)
{
    return read_long(f, dir, node) == 1;
}

static int write_node(struct xfb_front *f, xs_transaction_t t, const char *node, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static int write_node(struct xfb_front *f, xs_transaction_t t, const char *node, const char *fmt,
                      ...)
{
    char path[PATH_MAX], val[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", f->fe_path, node);
    return xs_write(f->xs, t, path, val, strlen(val)) ? 0 : -1;
}

/* In a transaction: is the device still there? A plain write would make
 * the directory again if the toolstack has just removed it, and the half
 * device left behind would block the next attach. */
/* Our device is there: the one we attached to, not merely one at its
 * path. A guest restored or migrated is a new domain, whose device the
 * toolstack made anew at the same relative path with another backend:
 * writing our state there before the device watch tells us would
 * announce pages and a port the new backend was never given. */
static bool device_there(struct xfb_front *f, xs_transaction_t t)
{
    char path[PATH_MAX];
    unsigned len;
    snprintf(path, sizeof(path), "%s/backend", f->fe_path);
    char *v = xs_read(f->xs, t, path, &len);
    bool there = v && (!f->be_path || !strcmp(v, f->be_path));
    free(v);
    return there;
}

static int write_state(struct xfb_front *f, int state)
{
    for (int i = 0; i < PUBLISH_TRIES; i++) {
        xs_transaction_t t = xs_transaction_start(f->xs);
        if (t == XBT_NULL)
            return -1;
        if (!device_there(f, t)) {
            xs_transaction_end(f->xs, t, true);
            errno = ENOENT;
            return -1;
        }
        if (write_node(f, t, "state", "%d", state) < 0) {
            int err = errno;
            xs_transaction_end(f->xs, t, true);
            errno = err;
            return -1;
        }
        if (xs_transaction_end(f->xs, t, false))
            return 0;
        if (errno != EAGAIN)
            return -1;
    }
    /* xenstore refuses every commit (busy with conflicting writers, or
     * a fault): nothing else would write our state, and the peer waits
     * for it. The same check and write without a transaction; a removal
     * could only slip in between the two round trips. */
    if (!device_there(f, XBT_NULL)) {
        errno = ENOENT;
        return -1;
    }
    return write_node(f, XBT_NULL, "state", "%d", state);
}

void xfb_xenbus_set_state(struct xfb_front *f, int state)
{
    if (f->state == state)
        return;
    if (write_state(f, state) < 0) {
        /* a device removed or made anew under us is the device watch's news */
        xfb_log(f, errno == ENOENT ? XFB_LOG_DEBUG : XFB_LOG_WARNING,
                "%s %u: cannot write state %d: %s", f->name, f->devid, state, strerror(errno));
        f->state_written = -1; /* the store's value is not ours to judge by */
    } else {
        f->state_written = state;
    }
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: state %d -> %d", f->name, f->devid, f->state, state);
    f->state = state;
    xfb_timer_progress(f);
    struct xfb_front_event ev = {.type = XFB_FRONT_EV_STATE};
    ev.state.state = state;
    ev.state.connected = state == XenbusStateConnected;
    xfb_front_emit(f, &ev);
}

static void remove_published(struct xfb_front *f)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(published_nodes) / sizeof(published_nodes[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", f->fe_path, published_nodes[i]);
        xs_rm(f->xs, XBT_NULL, path);
    }
    f->published = false;
    f->cursor_published = false;
}

int xfb_xenbus_open(struct xfb_front *f)
{
    snprintf(f->fe_path, sizeof(f->fe_path), "device/%s/%u", f->type, f->devid);
    f->xs = xs_open(0);
    if (f->xs)
        return 0;
    int err = errno;
    if (err == EACCES || err == EPERM)
        /* the store is /dev/xen/xenbus in a guest (or xenstored's socket) */
        xfb_log_no_access(f, "xenstore (/dev/xen/xenbus)", err);
    else
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-012] xenstore: cannot connect: %s: is this a Xen guest with "
                "/dev/xen/xenbus (xen-evtchn and xenfs or the xenbus device)?",
                strerror(err));
    errno = err;
    return -1;
}

/* The backend's limits, dom0's policy in its own directory. */
static void read_limits(struct xfb_front *f)
{
    long w = read_long(f, f->be_path, "max-width");
    long h = read_long(f, f->be_path, "max-height");
    f->be_max_width = w > 0 && w <= 0x7fff ? (uint32_t)w : 0;
    f->be_max_height = h > 0 && h <= 0x7fff ? (uint32_t)h : 0;
}

int xfb_xenbus_read_device(struct xfb_front *f)
{
    free(f->be_path);
    f->be_path = read_node(f, f->fe_path, "backend");
    long be_id = read_long(f, f->fe_path, "backend-id");
    if (!f->be_path || be_id < 0 || be_id > 0x7fef) {
        free(f->be_path);
        f->be_path = NULL;
        errno = ENODEV;
        return -1;
    }
    f->be_id = (unsigned)be_id;
    char drv[64];
    /* no stock kernel driver claims xenfb's device types, but a kernel
     * that did would own the device */
    if (xfb_sysfs_driver(f->type, f->devid, drv, sizeof(drv))) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-005] %s %u: a kernel driver (%s) drives %s: unbind it "
                "(/sys/bus/xen/drivers/%s/unbind), then retry",
                f->name, f->devid, drv, f->fe_path, drv);
        errno = EBUSY;
        return -1;
    }
    if (f->kind == XFB_FRONT_VFB)
        read_limits(f);
    long state = read_long(f, f->fe_path, "state");
    if (state > XenbusStateInitialising && state < XenbusStateClosing)
        xfb_log(f, XFB_LOG_INFO, "%s %u: taking over from a previous frontend (state %ld)", f->name,
                f->devid, state);
    return 0;
}

/* Start over as a fresh frontend: stale nodes out, state 1. */
static void restart(struct xfb_front *f)
{
    f->regranting = false;
    f->connected = false;
    f->broken = false;
    remove_published(f);
    xfb_xenbus_set_state(f, XenbusStateInitialising);
}

int xfb_xenbus_start(struct xfb_front *f)
{
    f->state = -1;
    f->be_state = -2; /* not read yet: the first read is news */
    restart(f);
    if (!xs_watch(f->xs, f->be_path, BE_TOKEN))
        return -1;
    return 0;
}

static int publish(struct xfb_front *f)
{
    for (int i = 0; i < PUBLISH_TRIES; i++) {
        xs_transaction_t t = xs_transaction_start(f->xs);
        if (t == XBT_NULL)
            return -1;
        if (!device_there(f, t)) {
            xs_transaction_end(f->xs, t, true);
            errno = ENOENT;
            return -1;
        }
        int r = write_node(f, t, XFB_NODE_PAGE_GREF, "%u", f->page_gref);
        r |= write_node(f, t, "event-channel", "%d", f->port);
        if (f->kind == XFB_FRONT_VFB) {
            r |= write_node(f, t, "protocol", "%s", xfb_layout_native_protocol());
            r |= write_node(f, t, "feature-update", "1");
            if (f->use_release)
                r |= write_node(f, t, XFB_NODE_REQUEST_RELEASE, "1");
            if (f->be_cursor && xfb_cursor_prepare(f))
                r |= write_node(f, t, XFB_NODE_CURSOR_GREF, "%u", f->cursor_gref);
            if (f->flags & XFB_FRONT_RESIZE_REQUEST)
                r |= write_node(f, t, XFB_NODE_FEATURE_RESIZE_REQUEST, "1");
        } else if (f->kind == XFB_FRONT_CLIP) {
            r |= write_node(f, t, XFB_NODE_REQUEST_CLIPBOARD, "1");
        } else {
            if (f->use_abs)
                r |= write_node(f, t, XENKBD_FIELD_REQ_ABS_POINTER, "1");
            if (f->use_raw)
                r |= write_node(f, t, XENKBD_FIELD_REQ_RAW_POINTER, "1");
            if (f->use_hwheel)
                r |= write_node(f, t, XFB_NODE_REQUEST_HWHEEL, "1");
        }
        if (r) {
            int err = errno;
            xs_transaction_end(f->xs, t, true);
            errno = err;
            return -1;
        }
        if (xs_transaction_end(f->xs, t, false)) {
            f->published = true;
            f->cursor_published = f->kind == XFB_FRONT_VFB && f->be_cursor && f->cursor_page;
            f->use_resreq = f->kind == XFB_FRONT_VFB && (f->flags & XFB_FRONT_RESIZE_REQUEST);
            return 0;
        }
        if (errno != EAGAIN)
            return -1;
    }
    errno = EAGAIN;
    return -1;
}

bool xfb_xenbus_mode_allowed(struct xfb_front *f, uint32_t w, uint32_t h, uint64_t mem, bool log)
{
    uint32_t mw = f->be_max_width, mh = f->be_max_height;
    if (f->kind != XFB_FRONT_VFB || (!mw && !mh))
        return true;
    bool ok =
        (!mw || w <= mw) && (!mh || h <= mh) && (!mw || !mh || mem <= xfb_max_mem_length(mw, mh));
    if (!ok && log)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-015] %s %u: mode %ux%u (%llu KiB of framebuffer) is beyond the backend's "
                "limits, %ux%u (max-width and max-height in %s): use a smaller mode, or have "
                "dom0 attach the device with a larger --max-width/--max-height",
                f->name, f->devid, w, h, (unsigned long long)(mem / 1024), mw, mh, f->be_path);
    return ok;
}

/* The backend is at InitWait: check what it offers, publish, go to 3. */
static void try_publish(struct xfb_front *f)
{
    if (f->kind == XFB_FRONT_VFB) {
        if (!read_flag(f, f->be_path, XFB_NODE_FEATURE_GREF)) {
            if (!f->warned_gref)
                xfb_log(f, XFB_LOG_ERROR,
                        "[XFB-007] %s %u: the backend (%s) has no feature-gref: it cannot map "
                        "a userspace framebuffer (stock QEMU cannot); use xenfb-backend",
                        f->name, f->devid, f->be_path);
            f->warned_gref = true;
            return;
        }
        f->be_cursor = read_flag(f, f->be_path, XFB_NODE_FEATURE_CURSOR);
        /* no memory: [XFB-003] said why; a resize or the device anew
         * tries again */
        if (!f->mem.fb)
            return;
        f->be_release = read_flag(f, f->be_path, XFB_NODE_FEATURE_RELEASE);
        f->use_release = f->be_release;
        /* what the backend would refuse is not offered to it: it would
         * close the device, and only a new device would bring it back */
        if (!xfb_xenbus_mode_allowed(f, f->width, f->height, f->mem.mem_length,
                                     !f->warned_limits)) {
            f->warned_limits = true;
            return;
        }
    } else if (f->kind == XFB_FRONT_CLIP) {
        if (!read_flag(f, f->be_path, XFB_NODE_FEATURE_CLIPBOARD)) {
            if (!f->warned_gref)
                xfb_log(f, XFB_LOG_ERROR,
                        "%s %u: the backend (%s) has no feature-clipboard: not connecting", f->name,
                        f->devid, f->be_path);
            f->warned_gref = true;
            return;
        }
    } else {
        f->be_abs = read_flag(f, f->be_path, XENKBD_FIELD_FEAT_ABS_POINTER);
        f->be_raw = read_flag(f, f->be_path, XENKBD_FIELD_FEAT_RAW_POINTER);
        f->use_abs = f->be_abs;
        f->use_raw = f->be_abs && f->be_raw;
        f->be_hwheel = read_flag(f, f->be_path, XFB_NODE_FEATURE_HWHEEL);
        f->use_hwheel = f->be_hwheel;
    }
    if (publish(f) < 0) {
        int e = errno;
        /* A commit refused every time (EAGAIN) is xenstore busy, not a
         * verdict: nothing else would make us try again while the
         * backend waits at InitWait, so the timer does. */
        if (e == EAGAIN) {
            f->publish_fails++;
            xfb_timer_set(f, XFB_DL_RETRY, XFB_PUBLISH_RETRY_MS);
        }
        /* ENOENT: removed under us, which the device watch reports */
        if (e != EAGAIN || f->publish_fails == 1)
            xfb_log(f, e == ENOENT ? XFB_LOG_DEBUG : XFB_LOG_ERROR,
                    "%s %u: cannot publish %s: %s%s", f->name, f->devid, f->fe_path, strerror(e),
                    e == EAGAIN ? " (retrying)" : "");
        return;
    }
    if (f->publish_fails)
        xfb_log(f, XFB_LOG_INFO, "%s %u: published after %u refused attempts", f->name, f->devid,
                f->publish_fails);
    f->publish_fails = 0;
    f->warned_limits = false;
    xfb_xenbus_set_state(f, XenbusStateInitialised);
}

static void read_backend_offer(struct xfb_front *f)
{
    f->be_request_update = read_flag(f, f->be_path, "request-update");
    f->be_resize = read_flag(f, f->be_path, "feature-resize");
    f->be_lazy_notify = read_flag(f, f->be_path, XFB_NODE_FEATURE_LAZY_NOTIFY);
    if (f->kind == XFB_FRONT_VFB) /* a backend that came back may draw no cursor now */
        f->be_cursor = read_flag(f, f->be_path, XFB_NODE_FEATURE_CURSOR);
    long w = read_long(f, f->be_path, XENKBD_FIELD_WIDTH);
    long h = read_long(f, f->be_path, XENKBD_FIELD_HEIGHT);
    f->be_width = w > 0 && w <= INT32_MAX ? (int32_t)w : 0;
    f->be_height = h > 0 && h <= INT32_MAX ? (int32_t)h : 0;
}

static void connect(struct xfb_front *f)
{
    read_backend_offer(f);
    f->connected = true;
    xfb_xenbus_set_state(f, XenbusStateConnected);
    if (f->kind == XFB_FRONT_VFB)
        xfb_log(f, XFB_LOG_INFO, "%s %u: connected to %s: %ux%u, %u bpp, line %u", f->name,
                f->devid, f->be_path, f->width, f->height, f->depth, f->stride);
    else
        xfb_log(f, XFB_LOG_INFO, "%s %u: connected to %s", f->name, f->devid, f->be_path);
    if (f->kind == XFB_FRONT_VFB)
        xfb_fbring_connected(f);
    if (f->kind == XFB_FRONT_CLIP)
        xfb_clip_connected(f);
    /* The backend may have sent in events (the refresh period, keys)
     * before we saw its state: their notification found us not connected
     * and was dropped, so look at the ring now. */
    xfb_front_kick(f);
}

static void reset_rings(struct xfb_front *f)
{
    if (!f->page)
        return;
    if (f->kind == XFB_FRONT_VFB)
        xfb_fbring_reset(f);
    else if (f->kind == XFB_FRONT_VKBD)
        xfb_kbdring_reset(f);
}

void xfb_xenbus_backend_gone(struct xfb_front *f, const char *why)
{
    if (f->state != XenbusStateConnected && !f->broken)
        return;
    xfb_log(f, XFB_LOG_WARNING, "%s %u: backend gone (%s): waiting for a new one", f->name,
            f->devid, why);
    f->connected = false;
    f->broken = false;
    reset_rings(f);
    xfb_xenbus_set_state(f, XenbusStateInitialised);
}

void xfb_xenbus_reconnect(struct xfb_front *f)
{
    if (!f->attached)
        return;
    if (!f->published && f->state != XenbusStateClosing) {
        /* nothing offered yet: the page already names the new memory */
        xfb_xenbus_step(f);
        return;
    }
    if (f->connected || f->broken)
        xfb_log(f, XFB_LOG_INFO, "%s %u: new memory (%u KiB for %ux%u): reconnecting to %s",
                f->name, f->devid, f->mem.mem_length / 1024, f->width, f->height, f->be_path);
    f->connected = false;
    f->broken = false;
    reset_rings(f);
    f->regranting = true;
    xfb_xenbus_set_state(f, XenbusStateClosing);
    xfb_xenbus_step(f);
}

/* Closing to re-grant: the backend has let go of the old memory once it
 * is Closed, or it never had it (no backend, one that is starting). */
static bool backend_let_go(long be)
{
    return be < 0 || be == XenbusStateUnknown || be == XenbusStateInitialising ||
           be == XenbusStateClosed;
}

void xfb_xenbus_step(struct xfb_front *f)
{
    if (!f->attached)
        return;
    long be = read_long(f, f->be_path, "state");
    if (be != f->be_state)
        xfb_timer_progress(f);
    f->be_state = (int)be;
    bool alive = xfb_grant_backend_alive(f);

    if (f->state == XenbusStateClosing) {
        if (f->regranting && backend_let_go(be))
            restart(f);
        else
            return;
    }
    if (f->state == XenbusStateConnected || f->broken) {
        if (be != XenbusStateConnected)
            xfb_xenbus_backend_gone(f, be < 0 ? "its directory was removed" : "state changed");
        else if (!alive)
            xfb_xenbus_backend_gone(f, "its liveness byte is 0");
        else if (!f->broken && f->kind == XFB_FRONT_VFB) {
            bool was = f->be_request_update;
            read_backend_offer(f);
            if (!was && f->be_request_update)
                xfb_fbring_connected(f);
        }
        if (f->state == XenbusStateConnected || f->broken)
            return;
    }
    if (f->state == XenbusStateInitialising) {
        if (be == XenbusStateInitWait)
            try_publish(f);
        return;
    }
    if (f->state == XenbusStateInitialised && be == XenbusStateConnected && alive)
        connect(f);
}

/* The backend did not answer our Closing within the timeout: start over
 * without it (a backend that does not follow section 5). */
void xfb_xenbus_regrant_timeout(struct xfb_front *f)
{
    xfb_log(f, XFB_LOG_WARNING,
            "%s %u: the backend (%s, state %d) did not let go of the old memory in %u ms: "
            "offering the new memory anyway",
            f->name, f->devid, f->be_path, f->be_state, f->timeout_ms);
    restart(f);
    xfb_xenbus_step(f);
}

int xfb_xenbus_watch_dispatch(struct xfb_front *f)
{
    bool dev = false, be = false;
    char **w;
    while ((w = xs_check_watch(f->xs))) {
        if (!strcmp(w[XS_WATCH_TOKEN], DEV_TOKEN))
            dev = true;
        else
            be = true;
        free(w);
    }
    if (errno != EAGAIN)
        return -1;
    if (dev)
        xfb_device_check(f);
    if (be || dev)
        xfb_xenbus_step(f);
    return 0;
}

int xfb_xenbus_watch_device(struct xfb_front *f)
{
    return xs_watch(f->xs, f->fe_path, DEV_TOKEN) ? 0 : -1;
}

void xfb_xenbus_unwatch_device(struct xfb_front *f)
{
    xs_unwatch(f->xs, f->fe_path, DEV_TOKEN);
}

void xfb_xenbus_stop(struct xfb_front *f, bool close)
{
    if (!f->xs)
        return;
    if (f->be_path)
        xs_unwatch(f->xs, f->be_path, BE_TOKEN);
    if (close && f->state > 0) {
        remove_published(f);
        xfb_xenbus_set_state(f, XenbusStateClosed);
    }
}

/* The frontend directory, as the device watch finds it. */
long xfb_xenbus_read_fe(struct xfb_front *f, const char *node)
{
    return read_long(f, f->fe_path, node);
}

bool xfb_xenbus_fe_has(struct xfb_front *f, const char *node)
{
    char *v = read_node(f, f->fe_path, node);
    free(v);
    return v != NULL;
}

char *xfb_xenbus_read_backend_path(struct xfb_front *f, long *id)
{
    *id = read_long(f, f->fe_path, "backend-id");
    return read_node(f, f->fe_path, "backend");
}
