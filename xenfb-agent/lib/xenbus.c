/* xenstore: the device's nodes and the XenbusState machine of the
 * frontend (protocol.md sections 2.1, 3, 4 and 5), including both
 * reconnect paths: our own restart (close, then open again) and the
 * backend's (we go back to Initialised and wait for the next one). */
#include "private.h"

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

/* Nodes we publish, removed at close and before starting over. */
static const char *const published_nodes[] = {
    XFB_NODE_PAGE_GREF,
    "event-channel",
    "protocol",
    "feature-update",
    XENKBD_FIELD_REQ_ABS_POINTER,
    XENKBD_FIELD_REQ_RAW_POINTER,
    XFB_NODE_REQUEST_HWHEEL,
    /* not ours: what a kernel frontend unbound from the device left */
    "page-ref",
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

void xfb_xenbus_set_state(struct xfb_front *f, int state)
{
    if (f->state == state)
        return;
    if (write_node(f, XBT_NULL, "state", "%d", state) < 0)
        xfb_log(f, XFB_LOG_WARNING, "%s %u: cannot write state %d: %s", f->name, f->devid, state,
                strerror(errno));
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: state %d -> %d", f->name, f->devid, f->state, state);
    f->state = state;
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
}

static bool sysfs_bound(struct xfb_front *f)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/bus/xen/drivers/%s/%s-%u", f->name, f->name, f->devid);
    return access(path, F_OK) == 0;
}

/* Is a kernel frontend driving the device? Where the Xen bus is in sysfs
 * only a driver bound to the device counts: xen-fbfront and xen-kbdfront
 * leave their nodes behind when unbound. Elsewhere their nodes tell: they
 * write page-ref (a frame number) and move the state past 1. */
static bool kernel_frontend(struct xfb_front *f, long state)
{
    if (access("/sys/bus/xen/drivers", F_OK) == 0)
        return sysfs_bound(f);
    if (state <= XenbusStateInitialising || state >= XenbusStateClosing)
        return false;
    char *ref = read_node(f, f->fe_path, "page-ref");
    free(ref);
    return ref != NULL;
}

int xfb_xenbus_open(struct xfb_front *f)
{
    f->xs = xs_open(0);
    if (!f->xs) {
        int err = errno;
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-012] xenstore: cannot connect: %s: is this a Xen guest with "
                "/dev/xen/xenbus (xen-evtchn and xenfs or the xenbus device)?",
                strerror(err));
        errno = err;
        return -1;
    }
    snprintf(f->fe_path, sizeof(f->fe_path), "device/%s/%u", f->name, f->devid);
    f->be_path = read_node(f, f->fe_path, "backend");
    long be_id = read_long(f, f->fe_path, "backend-id");
    if (!f->be_path || be_id < 0 || be_id > 0x7fef) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-004] %s %u: no device in xenstore (%s/backend and backend-id): add a %s to "
                "the guest (xenfb-backend attach in the backend domain)",
                f->name, f->devid, f->fe_path, f->name);
        errno = ENODEV;
        return -1;
    }
    f->be_id = (unsigned)be_id;
    long state = read_long(f, f->fe_path, "state");
    if (kernel_frontend(f, state)) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-005] %s %u: a kernel frontend (%s) drives this device: unload it or keep "
                "it from loading (modprobe -r %s; blacklist %s), then retry",
                f->name, f->devid, f->kind == XFB_FRONT_VFB ? "xen-fbfront" : "xen-kbdfront",
                f->kind == XFB_FRONT_VFB ? "xen_fbfront" : "xen_kbdfront",
                f->kind == XFB_FRONT_VFB ? "xen_fbfront" : "xen_kbdfront");
        errno = EBUSY;
        return -1;
    }
    if (state > XenbusStateInitialising && state < XenbusStateClosing)
        xfb_log(f, XFB_LOG_INFO, "%s %u: taking over from a previous frontend (state %ld)", f->name,
                f->devid, state);
    f->state = (int)state;
    return 0;
}

/* Start over as a fresh frontend: stale nodes out, state 1, watch. */
int xfb_xenbus_start(struct xfb_front *f)
{
    remove_published(f);
    f->state = -1;
    xfb_xenbus_set_state(f, XenbusStateInitialising);
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
        int r = write_node(f, t, XFB_NODE_PAGE_GREF, "%u", f->page_gref);
        r |= write_node(f, t, "event-channel", "%d", f->port);
        if (f->kind == XFB_FRONT_VFB) {
            r |= write_node(f, t, "protocol", "%s", xfb_layout_native_protocol());
            r |= write_node(f, t, "feature-update", "1");
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
            return 0;
        }
        if (errno != EAGAIN)
            return -1;
    }
    errno = EAGAIN;
    return -1;
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
            xfb_front_arm_timer(f, XFB_PUBLISH_RETRY_MS);
        }
        if (e != EAGAIN || f->publish_fails == 1)
            xfb_log(f, XFB_LOG_ERROR, "%s %u: cannot publish %s: %s%s", f->name, f->devid,
                    f->fe_path, strerror(e), e == EAGAIN ? " (retrying)" : "");
        return;
    }
    if (f->publish_fails)
        xfb_log(f, XFB_LOG_INFO, "%s %u: published after %u refused attempts", f->name, f->devid,
                f->publish_fails);
    f->publish_fails = 0;
    xfb_xenbus_set_state(f, XenbusStateInitialised);
    /* the backend's time to answer counts from now, not from open: a
     * caller busy since then (X starting) is not the backend's fault */
    xfb_front_arm_timer(f, f->timeout_ms);
}

static void read_backend_offer(struct xfb_front *f)
{
    f->be_request_update = read_flag(f, f->be_path, "request-update");
    f->be_resize = read_flag(f, f->be_path, "feature-resize");
    f->be_lazy_notify = read_flag(f, f->be_path, XFB_NODE_FEATURE_LAZY_NOTIFY);
    long w = read_long(f, f->be_path, XENKBD_FIELD_WIDTH);
    long h = read_long(f, f->be_path, XENKBD_FIELD_HEIGHT);
    f->be_width = w > 0 && w <= INT32_MAX ? (int32_t)w : 0;
    f->be_height = h > 0 && h <= INT32_MAX ? (int32_t)h : 0;
}

static void connect(struct xfb_front *f)
{
    read_backend_offer(f);
    f->connected = true;
    f->warned_timeout = false;
    xfb_front_arm_timer(f, 0);
    xfb_xenbus_set_state(f, XenbusStateConnected);
    xfb_log(f, XFB_LOG_INFO, "%s %u: connected to %s", f->name, f->devid, f->be_path);
    if (f->kind == XFB_FRONT_VFB)
        xfb_fbring_connected(f);
    /* The backend may have sent in events (the refresh period, keys)
     * before we saw its state: their notification found us not connected
     * and was dropped, so look at the ring now. */
    xfb_front_kick(f);
}

void xfb_xenbus_backend_gone(struct xfb_front *f, const char *why)
{
    if (f->state != XenbusStateConnected && !f->broken)
        return;
    xfb_log(f, XFB_LOG_WARNING, "%s %u: backend gone (%s): waiting for a new one", f->name,
            f->devid, why);
    f->connected = false;
    f->broken = false;
    if (f->kind == XFB_FRONT_VFB)
        xfb_fbring_reset(f);
    else
        xfb_kbdring_reset(f);
    xfb_xenbus_set_state(f, XenbusStateInitialised);
    xfb_front_arm_timer(f, f->timeout_ms);
}

void xfb_xenbus_step(struct xfb_front *f)
{
    long be = read_long(f, f->be_path, "state");
    f->be_state = (int)be;
    bool alive = f->page && xfb_grant_backend_alive(f);

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

int xfb_xenbus_watch_dispatch(struct xfb_front *f)
{
    bool any = false;
    char **w;
    while ((w = xs_check_watch(f->xs))) {
        free(w);
        any = true;
    }
    if (errno != EAGAIN)
        return -1;
    if (any)
        xfb_xenbus_step(f);
    return 0;
}

void xfb_xenbus_close(struct xfb_front *f)
{
    if (!f->xs)
        return;
    if (f->be_path)
        xs_unwatch(f->xs, f->be_path, BE_TOKEN);
    if (f->state > 0) {
        remove_published(f);
        xfb_xenbus_set_state(f, XenbusStateClosed);
    }
    xs_close(f->xs);
    f->xs = NULL;
}
