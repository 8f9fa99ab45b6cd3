/* libxenfbfront's entry points: open/close, options, the log sink, the
 * poll descriptor and dispatch. The protocol itself is in xenbus.c,
 * grant.c, fbring.c and kbdring.c. */
#include "private.h"

#include "proto/clip.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <xen/io/xenbus.h>
#include <xenevtchn.h>
#include <xenstore.h>
#include <xentoollog.h>

enum { TAG_XS = 1, TAG_EVTCHN, TAG_TIMER, TAG_KICK };

static int check_opts(const struct xfb_front_opts *o)
{
    if (!o || (o->kind != XFB_FRONT_VFB && o->kind != XFB_FRONT_VKBD && o->kind != XFB_FRONT_CLIP))
        return -1;
    if (o->kind != XFB_FRONT_VFB)
        return 0;
    uint32_t depth = o->depth ? o->depth : 32;
    if (!o->width || !o->height || (depth != 16 && depth != 32))
        return -1;
    if ((o->max_width && o->max_width < o->width) || (o->max_height && o->max_height < o->height))
        return -1;
    if (o->width > 0x7fff || o->height > 0x7fff || o->max_width > 0x7fff || o->max_height > 0x7fff)
        return -1;
    return 0;
}

static int epoll_add(struct xfb_front *f, int fd, uint32_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};
    return epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup_poll(struct xfb_front *f)
{
    f->epfd = epoll_create1(EPOLL_CLOEXEC);
    f->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    f->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (f->epfd < 0 || f->timerfd < 0 || f->kickfd < 0)
        return -1;
    if (epoll_add(f, xs_fileno(f->xs), TAG_XS) < 0 ||
        epoll_add(f, xenevtchn_fd(f->xce), TAG_EVTCHN) < 0 ||
        epoll_add(f, f->timerfd, TAG_TIMER) < 0 || epoll_add(f, f->kickfd, TAG_KICK) < 0)
        return -1;
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void destroy(struct xfb_front *f)
{
    int saved = errno;
    f->event_fn = NULL;
    xfb_device_detach(f, XFB_DETACH_CLOSE);
    xfb_cursor_free(f);
    xfb_clip_free(f);
    if (f->watching)
        xfb_xenbus_unwatch_device(f);
    if (f->xs)
        xs_close(f->xs);
    f->xs = NULL;
    xfb_grant_close(f);
    close_fd(&f->epfd);
    close_fd(&f->timerfd);
    close_fd(&f->kickfd);
    free(f->be_path);
    if (f->xtl)
        xtl_logger_destroy(f->xtl);
    free(f);
    errno = saved;
}

/* The memory a vfb asks for when its device comes. */
static uint32_t want_bytes(const struct xfb_front *f)
{
    if (!xfb_hotplug(f))
        return xfb_fbmem_bytes((uint64_t)f->max_width * f->max_height * 4);
    uint64_t floor = (uint64_t)f->max_width * f->max_height * (f->depth / 8);
    uint64_t mode = (uint64_t)f->stride * f->height;
    return xfb_fbmem_bytes(floor > mode ? floor : mode);
}

static struct xfb_front *open_flags(const struct xfb_front_opts *opts, unsigned flags)
{
    unsigned vfb_only = XFB_FRONT_CURSOR | XFB_FRONT_RESIZE_REQUEST;
    if (check_opts(opts) < 0 ||
        (flags & ~(XFB_FRONT_HOTPLUG | XFB_FRONT_CURSOR | XFB_FRONT_RESIZE_REQUEST)) ||
        ((flags & vfb_only) && opts->kind != XFB_FRONT_VFB)) {
        errno = EINVAL;
        return NULL;
    }
    struct xfb_front *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->epfd = f->timerfd = f->kickfd = f->port = -1;
    f->state_written = f->be_state = -1;
    f->kind = opts->kind;
    f->devid = opts->devid;
    f->flags = flags;
    f->name = f->kind == XFB_FRONT_VFB ? "vfb" : f->kind == XFB_FRONT_VKBD ? "vkbd" : "clip";
    f->type = f->kind == XFB_FRONT_VFB    ? XFB_TYPE_FB
              : f->kind == XFB_FRONT_VKBD ? XFB_TYPE_KBD
                                          : XFB_TYPE_CLIP;
    f->log_fn = opts->log_fn;
    f->log_data = opts->log_data;
    f->log_level = xfb_log_level_from_env();
    f->event_fn = opts->event_fn;
    f->event_data = opts->event_data;
    f->timeout_ms = opts->backend_timeout_ms ? opts->backend_timeout_ms : XFB_DEFAULT_TIMEOUT_MS;
    f->refresh = -1;
    if (f->kind == XFB_FRONT_VFB) {
        f->width = opts->width;
        f->height = opts->height;
        f->depth = opts->depth ? opts->depth : 32;
        f->stride = f->width * (f->depth / 8);
        f->max_width = opts->max_width ? opts->max_width : f->width;
        f->max_height = opts->max_height ? opts->max_height : f->height;
        f->want_bytes = want_bytes(f);
    }
    if ((flags & XFB_FRONT_CURSOR) && xfb_cursor_want(f) < 0)
        goto fail;
    if (f->kind == XFB_FRONT_CLIP && xfb_clip_open(f) < 0)
        goto fail;
    f->xtl = xfb_log_xtl_new(f);
    if (!f->xtl || xfb_xenbus_open(f) < 0 || xfb_grant_open(f) < 0 || setup_poll(f) < 0)
        goto fail;
    if (xfb_hotplug(f)) {
        /* the watch first: a device that appears meanwhile fires it */
        if (xfb_device_watch(f) < 0)
            goto fail;
        xfb_device_open(f);
        return f;
    }
    if (xfb_device_attach(f) < 0) {
        if (errno == ENODEV)
            xfb_log(f, XFB_LOG_ERROR,
                    "[XFB-004] %s %u: no device in xenstore (%s/backend and backend-id): name "
                    "this guest in the backend domain's xenfb guests.conf, or run xenfb-backend "
                    "attach there",
                    f->name, f->devid, f->fe_path);
        goto fail;
    }
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: opened, backend %s (domain %u), port %d, page gref %u",
            f->name, f->devid, f->be_path, f->be_id, f->port, f->page_gref);
    return f;
fail:
    destroy(f);
    return NULL;
}

XFB_EXPORT struct xfb_front *xfb_front_open(const struct xfb_front_opts *opts)
{
    return open_flags(opts, 0);
}

XFB_EXPORT struct xfb_front *xfb_front_open_flags(const struct xfb_front_opts *opts, unsigned flags)
{
    return open_flags(opts, flags);
}

XFB_EXPORT void xfb_front_close(struct xfb_front *f)
{
    if (f)
        destroy(f);
}

XFB_EXPORT void xfb_front_set_log_fn(struct xfb_front *f, xfb_front_log_fn fn, void *data)
{
    f->log_fn = fn;
    f->log_data = data;
}

XFB_EXPORT void xfb_front_set_event_fn(struct xfb_front *f, xfb_front_event_fn fn, void *data)
{
    f->event_fn = fn;
    f->event_data = data;
}

XFB_EXPORT int xfb_front_fd(const struct xfb_front *f)
{
    return f->epfd;
}

void xfb_front_emit(struct xfb_front *f, const struct xfb_front_event *ev)
{
    if (f->event_fn)
        f->event_fn(f->event_data, ev);
}

void xfb_front_kick(struct xfb_front *f)
{
    uint64_t one = 1;
    if (f->kickfd >= 0 && write(f->kickfd, &one, sizeof(one)) < 0)
        xfb_log(f, XFB_LOG_DEBUG, "%s %u: eventfd: %s", f->name, f->devid, strerror(errno));
}

void xfb_front_port_event(struct xfb_front *f)
{
    if (f->state != XenbusStateConnected || !f->page)
        return;
    /* checked even when the ring is broken: its exit is how we get out */
    if (!xfb_grant_backend_alive(f)) {
        xfb_xenbus_backend_gone(f, "its liveness byte is 0");
        return;
    }
    if (f->broken)
        return;
    if (f->kind == XFB_FRONT_CLIP) {
        xfb_clip_read(f);
        return;
    }
    bool more = f->kind == XFB_FRONT_VFB ? xfb_fbring_read(f) : xfb_kbdring_read(f);
    if (more)
        xfb_front_kick(f);
}

XFB_EXPORT int xfb_front_dispatch(struct xfb_front *f)
{
    struct epoll_event evs[4];
    int n = epoll_wait(f->epfd, evs, 4, 0);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        uint64_t v;
        switch (evs[i].data.u32) {
        case TAG_XS:
            if (xfb_xenbus_watch_dispatch(f) < 0)
                return -1;
            break;
        case TAG_EVTCHN:
            if (xfb_grant_evtchn_dispatch(f) < 0)
                return -1;
            break;
        case TAG_TIMER:
            xfb_timer_fired(f);
            break;
        case TAG_KICK:
            if (read(f->kickfd, &v, sizeof(v)) == sizeof(v))
                xfb_front_port_event(f);
            break;
        }
    }
    return 0;
}

XFB_EXPORT int xfb_front_state(const struct xfb_front *f)
{
    return f->state;
}

XFB_EXPORT bool xfb_front_connected(const struct xfb_front *f)
{
    return f->connected;
}

XFB_EXPORT int xfb_front_get_fb(const struct xfb_front *f, struct xfb_front_fb *out)
{
    if (f->kind != XFB_FRONT_VFB) {
        errno = EINVAL;
        return -1;
    }
    out->pixels = f->mem.fb;
    out->mem_length = f->mem.mem_length;
    out->width = f->width;
    out->height = f->height;
    out->stride = f->stride;
    out->depth = f->depth;
    out->offset = f->offset;
    return 0;
}

XFB_EXPORT int xfb_front_update(struct xfb_front *f, int32_t x, int32_t y, int32_t w, int32_t h)
{
    if (f->kind != XFB_FRONT_VFB) {
        errno = EINVAL;
        return -1;
    }
    xfb_fbring_update(f, (struct xfb_rect){x, y, w, h});
    return 0;
}

XFB_EXPORT int xfb_front_update_rects(struct xfb_front *f, const struct xfb_front_rect *r,
                                      unsigned n)
{
    if (f->kind != XFB_FRONT_VFB) {
        errno = EINVAL;
        return -1;
    }
    xfb_fbring_update_rects(f, r, n);
    return 0;
}

XFB_EXPORT int xfb_front_wait_release(struct xfb_front *f, int32_t x, int32_t y, int32_t w,
                                      int32_t h, unsigned timeout_ms)
{
    if (f->kind != XFB_FRONT_VFB) {
        errno = EINVAL;
        return -1;
    }
    return xfb_fbring_wait_release(f, (struct xfb_rect){x, y, w, h}, timeout_ms);
}

/* A mode for a hotplug vfb without memory: kept for when it comes. */
static int record_mode(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride, uint32_t depth,
                       uint32_t offset, uint32_t bytes)
{
    f->width = w;
    f->height = h;
    f->stride = stride;
    f->depth = depth;
    f->offset = offset;
    f->want_bytes = bytes;
    xfb_fbring_write_geometry(f);
    if (!f->attached)
        return 0;
    /* the device is there without memory (gntalloc said no): try again */
    struct xfb_fbmem m;
    if (xfb_fbmem_alloc(f, bytes, &m) == 0) {
        xfb_fbmem_install(f, &m);
        xfb_xenbus_step(f);
    }
    return 0;
}

XFB_EXPORT int xfb_front_resize(struct xfb_front *f, uint32_t width, uint32_t height,
                                uint32_t stride, uint32_t depth, uint32_t offset)
{
    if (f->kind != XFB_FRONT_VFB) {
        errno = EINVAL;
        return -1;
    }
    if (xfb_hotplug(f) && !f->mem.fb) {
        if (xfb_fbring_check_mode(f, width, height, stride, depth, offset) < 0)
            return -1;
        uint32_t bytes = xfb_fbmem_bytes((uint64_t)offset + (uint64_t)stride * height);
        return record_mode(f, width, height, stride, depth, offset, bytes);
    }
    if (xfb_fbring_resize(f, width, height, stride, depth, offset) < 0)
        return -1;
    /* a mode the backend's limits refused may fit now */
    if (!f->published)
        xfb_xenbus_step(f);
    return 0;
}

XFB_EXPORT int xfb_front_regrant(struct xfb_front *f, uint32_t width, uint32_t height,
                                 uint32_t stride, uint32_t depth)
{
    if (f->kind != XFB_FRONT_VFB || !xfb_hotplug(f)) {
        errno = EINVAL;
        return -1;
    }
    if (xfb_fbring_check_mode(f, width, height, stride, depth, 0) < 0)
        return -1;
    uint32_t bytes = xfb_fbmem_bytes((uint64_t)stride * height);
    if (!bytes) {
        xfb_log(f, XFB_LOG_ERROR, "[XFB-008] %s %u: mode %ux%u needs more than 4 GiB", f->name,
                f->devid, width, height);
        errno = E2BIG;
        return -1;
    }
    if (f->attached && !xfb_xenbus_mode_allowed(f, width, height, bytes, true)) {
        errno = E2BIG;
        return -1;
    }
    if (!f->mem.fb)
        return record_mode(f, width, height, stride, depth, 0, bytes);
    unsigned gen = f->mem_gen;
    if (xfb_fbmem_replace(f, bytes) < 0) {
        int err = errno;
        /* the picture was granted anew (or is gone), maybe even at the
         * same address: the backend must map it again */
        if (f->mem_gen != gen)
            xfb_xenbus_reconnect(f);
        f->want_bytes = f->mem.mem_length ? f->mem.mem_length : f->want_bytes;
        errno = err;
        return -1;
    }
    f->width = width;
    f->height = height;
    f->stride = stride;
    f->depth = depth;
    f->offset = 0;
    f->want_bytes = bytes;
    f->pend = (struct xfb_rect){0, 0, 0, 0};
    f->pend_resize = false;
    xfb_fbring_write_geometry(f);
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: %u KiB granted for %ux%u", f->name, f->devid, bytes / 1024,
            width, height);
    xfb_xenbus_reconnect(f);
    return 0;
}

XFB_EXPORT uint32_t xfb_front_stride(uint32_t width, uint32_t depth)
{
    if (!width || (depth != 16 && depth != 32) || width > 0x7fff)
        return 0;
    return (width * (depth / 8) + 63u) / 64u * 64u;
}

XFB_EXPORT uint32_t xfb_front_mode_pages(uint32_t width, uint32_t height, uint32_t depth)
{
    uint32_t bytes = xfb_fbmem_bytes((uint64_t)xfb_front_stride(width, depth) * height);
    if (!bytes)
        return 0;
    uint32_t fb = xfb_fb_pages(bytes);
    return 1 + fb + xfb_dir_pages(fb);
}

XFB_EXPORT int64_t xfb_front_refresh_period(const struct xfb_front *f)
{
    return f->refresh;
}
