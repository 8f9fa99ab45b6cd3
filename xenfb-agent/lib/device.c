/* The device itself: taking it (its backend, our port, the shared page
 * and the framebuffer memory), letting it go, and for hotplug handles
 * watching device/TYPE/N for it to appear, go, be made anew, or be taken
 * by another writer.
 *
 * One watch on the frontend directory does all of it: xenstored fires it
 * for the directory and everything below, whether the node exists or not,
 * so a device that comes later, a removal, and a change of our own nodes
 * by someone else all arrive there. Our own writes fire it too; what we
 * read then matches what we wrote, which is how they are told apart. */
#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

void xfb_device_emit(struct xfb_front *f, bool present, enum xfb_front_device_reason why)
{
    struct xfb_front_event ev = {.type = XFB_FRONT_EV_DEVICE};
    ev.device.present = present;
    ev.device.reason = why;
    ev.device.path = f->fe_path;
    ev.device.backend = f->be_path;
    ev.device.backend_id = f->be_id;
    xfb_front_emit(f, &ev);
}

/* Per-device state back to what a handle without a device has. */
static void forget(struct xfb_front *f)
{
    free(f->be_path);
    f->be_path = NULL;
    f->attached = f->started = f->published = f->connected = f->broken = false;
    f->regranting = f->warned_gref = f->warned_limits = false;
    f->publish_fails = 0;
    f->state = XenbusStateUnknown;
    f->state_written = -1;
    f->be_state = -1;
    f->be_request_update = f->be_resize = f->be_lazy_notify = false;
    f->be_abs = f->be_raw = f->be_hwheel = false;
    f->be_max_width = f->be_max_height = 0;
    f->out_prod = f->in_cons = 0;
    f->pend_resize = f->lazy_armed = false;
    f->pend = (struct xfb_rect){0, 0, 0, 0};
    f->refresh = -1;
    for (int i = 0; i < XFB_DL_COUNT; i++)
        xfb_timer_clear(f, (enum xfb_deadline)i);
}

void xfb_device_detach(struct xfb_front *f, enum xfb_detach how)
{
    if (!f->attached)
        return;
    /* our nodes are ours to close only while nobody else writes them */
    bool close = how == XFB_DETACH_CLOSE && f->started;
    if (close)
        xfb_xenbus_set_state(f, XenbusStateClosing);
    f->connected = false;
    xfb_grant_detach(f);
    xfb_xenbus_stop(f, close);
    forget(f);
}

int xfb_device_attach(struct xfb_front *f)
{
    if (xfb_xenbus_read_device(f) < 0)
        return -1;
    f->attached = true;
    if (xfb_grant_attach(f) < 0)
        goto fail;
    if (f->kind == XFB_FRONT_VFB) {
        struct xfb_fbmem m;
        if (xfb_fbmem_alloc(f, f->want_bytes, &m) == 0)
            xfb_fbmem_install(f, &m);
        else if (!xfb_hotplug(f))
            goto fail;
        /* a hotplug handle keeps the device without memory: a resize or
         * the device made anew tries again */
    }
    f->started = true;
    if (xfb_xenbus_start(f) < 0)
        goto fail;
    xfb_timer_progress(f);
    return 0;
fail:;
    int err = errno;
    xfb_device_detach(f, XFB_DETACH_CLOSE);
    errno = err;
    return -1;
}

int xfb_device_watch(struct xfb_front *f)
{
    if (xfb_xenbus_watch_device(f) < 0)
        return -1;
    f->watching = true;
    return 0;
}

/* Made anew by a toolstack: state Initialising, nothing published. */
static bool looks_fresh(struct xfb_front *f)
{
    long st = xfb_xenbus_read_fe(f, "state");
    return (st == XenbusStateInitialising || st < 0) && !xfb_xenbus_fe_has(f, "event-channel") &&
           !xfb_xenbus_fe_has(f, XFB_NODE_PAGE_GREF) && !xfb_xenbus_fe_has(f, "page-ref");
}

enum ours { OURS, MADE_ANEW, TAKEN };

/* Are state and event-channel still what we wrote? A Linux kernel
 * frontend that loads late rewrites both of a device X already uses;
 * going on would mix two frontends' pages on one backend. */
static enum ours check_ours(struct xfb_front *f)
{
    long st = xfb_xenbus_read_fe(f, "state");
    long ev = xfb_xenbus_read_fe(f, "event-channel");
    bool st_ok = f->state_written < 0 || st == f->state_written;
    bool ev_ok = f->published ? ev == f->port : ev < 0;
    if (st_ok && ev_ok)
        return OURS;
    if (looks_fresh(f))
        return MADE_ANEW;
    char sv[24] = "-", evv[24] = "-", pv[24] = "-";
    if (st >= 0)
        snprintf(sv, sizeof(sv), "%ld", st);
    if (ev >= 0)
        snprintf(evv, sizeof(evv), "%ld", ev);
    if (f->published)
        snprintf(pv, sizeof(pv), "%d", f->port);
    xfb_log(f, XFB_LOG_ERROR,
            "[XFB-016] %s %u: another writer changed %s (state %s, ours %d; event-channel %s, "
            "ours %s): a kernel frontend or a tool drives this device too; xenfb lets go of it "
            "until the device is made anew",
            f->name, f->devid, f->fe_path, sv, f->state, evv, pv);
    return TAKEN;
}

/* ", 1024x768, 32 bpp, 3072 KiB granted" for a vfb, "" for a vkbd */
static void describe_mode(struct xfb_front *f, char *buf, size_t len)
{
    if (f->kind != XFB_FRONT_VFB)
        buf[0] = 0;
    else if (f->mem.fb)
        snprintf(buf, len, ", %ux%u, %u bpp, %u KiB granted", f->width, f->height, f->depth,
                 f->mem.mem_length / 1024);
    else
        snprintf(buf, len, ", %ux%u, %u bpp, no memory granted", f->width, f->height, f->depth);
}

static void lose(struct xfb_front *f, enum xfb_front_device_reason why)
{
    char mode[96];
    describe_mode(f, mode, sizeof(mode));
    if (why == XFB_FRONT_DEVICE_REMOVED)
        xfb_log(f, XFB_LOG_WARNING,
                "%s %u: device %s removed (backend %s%s): released; waiting for it to come back",
                f->name, f->devid, f->fe_path, f->be_path, mode);
    else if (why == XFB_FRONT_DEVICE_REPLACED)
        xfb_log(f, XFB_LOG_INFO,
                "%s %u: device %s made anew (it had backend %s%s): taking it again", f->name,
                f->devid, f->fe_path, f->be_path, mode);
    /* the caller copies its picture out of the memory during the event */
    xfb_device_emit(f, false, why);
    xfb_device_detach(f, XFB_DETACH_GONE);
    if (why == XFB_FRONT_DEVICE_TAKEN)
        f->wait_fresh = true;
}

/* Take the device now there, with one line either way. */
static void take(struct xfb_front *f, bool quiet)
{
    if (xfb_device_attach(f) < 0) {
        if (errno == ENODEV && !f->warned_missing)
            xfb_log(f, XFB_LOG_WARNING,
                    "[XFB-004] %s %u: no device in xenstore yet (%s/backend and backend-id): "
                    "waiting for it; name this guest in the backend domain's xenfb "
                    "guests.conf, or run xenfb-backend attach there",
                    f->name, f->devid, f->fe_path);
        f->warned_missing = f->warned_missing || errno == ENODEV;
        return;
    }
    f->warned_missing = false;
    char mode[96];
    describe_mode(f, mode, sizeof(mode));
    xfb_log(f, quiet ? XFB_LOG_DEBUG : XFB_LOG_INFO,
            "%s %u: device %s %s, backend %s (domain %u)%s", f->name, f->devid, f->fe_path,
            quiet ? "present" : "appeared", f->be_path, f->be_id, mode);
    if (!quiet)
        xfb_device_emit(f, true, XFB_FRONT_DEVICE_ADDED);
}

void xfb_device_open(struct xfb_front *f)
{
    take(f, true);
}

void xfb_device_check(struct xfb_front *f)
{
    if (!xfb_hotplug(f))
        return;
    long id;
    char *be = xfb_xenbus_read_backend_path(f, &id);
    bool present = be && id >= 0 && id <= 0x7fef;
    if (f->attached) {
        if (!present)
            lose(f, XFB_FRONT_DEVICE_REMOVED);
        else if (strcmp(be, f->be_path) || (unsigned)id != f->be_id)
            lose(f, XFB_FRONT_DEVICE_REPLACED);
        else {
            enum ours o = check_ours(f);
            if (o != OURS)
                lose(f, o == MADE_ANEW ? XFB_FRONT_DEVICE_REPLACED : XFB_FRONT_DEVICE_TAKEN);
        }
    }
    free(be);
    if (!present) {
        /* gone: whatever comes next is a device made anew */
        f->wait_fresh = false;
        return;
    }
    if (f->attached)
        return;
    if (f->wait_fresh) {
        if (!looks_fresh(f))
            return;
        f->wait_fresh = false;
    }
    take(f, false);
}
