/* vfb rings (protocol.md 2.3). Out: UPDATE and RESIZE. When the out ring
 * is full, everything pending is merged into one bounding box, sent when
 * the backend frees space (it notifies after consuming), so the caller
 * never waits. In: REFRESH_PERIOD, which pauses updates at 0; a non-zero
 * period after 0 makes the library send an update of the whole surface
 * itself, since it knows the geometry. */
#include "private.h"

#include "proto/ring.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <xen/io/fbif.h>
#include <xenevtchn.h>

#define PAGE(f) ((struct xenfb_page *)(void *)(f)->page)

/* How long a skipped notification may go unanswered before a reminder. */
#define XFB_LAZY_CHECK_MS 50

static uint32_t *rel_word(const struct xfb_front *f, uint32_t offs)
{
    return (uint32_t *)(void *)(f->page + offs);
}

/* Remember an update just produced until the backend releases it
 * (protocol.md 2.5). When XFB_HELD_MAX are held, the newest is widened to
 * cover this one too: more is held, for longer, never less. */
static void hold(struct xfb_front *f, struct xfb_rect r)
{
    if (!f->use_release)
        return;
    if (f->held_n == XFB_HELD_MAX) {
        struct xfb_held *h = &f->held[(f->held_first + f->held_n - 1) % XFB_HELD_MAX];
        h->r = xfb_rect_union(h->r, r);
        h->idx = f->out_prod;
        return;
    }
    struct xfb_held *h = &f->held[(f->held_first + f->held_n++) % XFB_HELD_MAX];
    h->r = r;
    h->idx = f->out_prod;
}

/* After a wait timed out, no waiting for at least this long, and not
 * before the backend has released everything sent until then: a backend
 * that holds updates on purpose costs the caller one timeout per period
 * at most. */
#define XFB_RELEASE_STALL_MS 5000

/* Forget what the backend released. Its index is the backend's word: one
 * beyond what we produced releases everything (a hostile backend can only
 * spoil its own picture that way). */
static void held_prune(struct xfb_front *f)
{
    uint32_t rel = __atomic_load_n(rel_word(f, XFB_REL_IDX_OFFS), __ATOMIC_ACQUIRE);
    if ((int32_t)(rel - f->out_prod) > 0)
        rel = f->out_prod;
    while (f->held_n && (int32_t)(rel - f->held[f->held_first].idx) >= 0) {
        f->held_first = (f->held_first + 1) % XFB_HELD_MAX;
        f->held_n--;
    }
    if (f->release_stalled && (int32_t)(rel - f->stall_idx) >= 0 &&
        xfb_now_ms() >= f->stall_until_ms)
        f->release_stalled = false;
}

static bool overlap(struct xfb_rect a, struct xfb_rect b)
{
    return (int64_t)a.x < (int64_t)b.x + b.w && (int64_t)b.x < (int64_t)a.x + a.w &&
           (int64_t)a.y < (int64_t)b.y + b.h && (int64_t)b.y < (int64_t)a.y + a.h;
}

/* Take the notifications waiting on our port, leaving their work to the
 * next dispatch (the kick makes our descriptor readable for it). */
static void take_notifications(struct xfb_front *f)
{
    bool any = false;
    while (f->xce) {
        xenevtchn_port_or_error_t p = xenevtchn_pending(f->xce);
        if (p < 0)
            break;
        xenevtchn_unmask(f->xce, p);
        any = true;
    }
    if (any)
        xfb_front_kick(f);
}

int xfb_fbring_wait_release(struct xfb_front *f, struct xfb_rect r, unsigned timeout_ms)
{
    if (!f->held_n || !f->connected || f->broken || !f->page)
        return 0;
    held_prune(f);
    uint32_t need = 0;
    bool hit = false;
    for (unsigned i = 0; i < f->held_n; i++) {
        const struct xfb_held *h = &f->held[(f->held_first + i) % XFB_HELD_MAX];
        if (overlap(h->r, r)) {
            need = h->idx; /* in ring order: the last one found is the newest */
            hit = true;
        }
    }
    if (!hit)
        return 0;
    if (f->release_stalled)
        return 1;
    uint64_t deadline = xfb_now_ms() + timeout_ms;
    int fd = f->xce ? xenevtchn_fd(f->xce) : -1;
    for (;;) {
        /* ask for a notification when the index passes need, then look:
         * the full barrier pairs with the backend's between its index
         * store and its reading of our word */
        __atomic_store_n(rel_word(f, XFB_REL_EVENT_OFFS), need, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint32_t rel = __atomic_load_n(rel_word(f, XFB_REL_IDX_OFFS), __ATOMIC_ACQUIRE);
        if ((int32_t)(rel - need) >= 0) {
            held_prune(f);
            return 0;
        }
        if (!xfb_grant_backend_alive(f)) {
            xfb_front_kick(f); /* the next dispatch finds it gone */
            return 1;
        }
        uint64_t now = xfb_now_ms();
        if (now >= deadline)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(deadline - now)) > 0)
            take_notifications(f);
    }
    xfb_log(f, f->warned_release ? XFB_LOG_DEBUG : XFB_LOG_WARNING,
            "%s %u: the backend did not release an update within %u ms: drawing over it "
            "without waiting until it catches up, for %u s at least (a viewer may see a "
            "torn frame)",
            f->name, f->devid, timeout_ms, XFB_RELEASE_STALL_MS / 1000);
    f->release_stalled = f->warned_release = true;
    f->stall_until_ms = xfb_now_ms() + XFB_RELEASE_STALL_MS;
    f->stall_idx = f->out_prod;
    return 1;
}

static struct xfb_rect full_surface(const struct xfb_front *f)
{
    return (struct xfb_rect){0, 0, (int32_t)f->width, (int32_t)f->height};
}

void xfb_fbring_write_geometry(struct xfb_front *f)
{
    struct xenfb_page *p = PAGE(f);
    if (!p)
        return;
    p->width = (int32_t)f->width;
    p->height = (int32_t)f->height;
    p->line_length = f->stride;
    p->depth = (uint8_t)f->depth;
    p->mem_length = f->mem.mem_length;
}

void xfb_fbring_init_page(struct xfb_front *f)
{
    struct xenfb_page *p = PAGE(f);
    p->in_cons = p->in_prod = 0;
    p->out_cons = p->out_prod = 0;
    f->out_prod = f->in_cons = 0;
    xfb_fbring_write_geometry(f);
}

static void broken(struct xfb_front *f, const char *ring, uint32_t prod, uint32_t cons,
                   uint32_t len)
{
    xfb_log(f, XFB_LOG_ERROR,
            "[XFB-009] %s %u: the backend broke the %s ring (prod %u, cons %u, %u slots): "
            "ignoring it until it reconnects",
            f->name, f->devid, ring, prod, cons, len);
    f->broken = true;
    f->connected = false;
}

static bool may_update(const struct xfb_front *f)
{
    return f->be_request_update && f->refresh != XENFB_NO_REFRESH;
}

/* Write one event at our out_prod if there is room; false when full. */
static bool produce(struct xfb_front *f, const union xenfb_out_event *ev)
{
    uint32_t cons = xfb_ring_load(&PAGE(f)->out_cons);
    bool bad = false;
    if (!xfb_ring_can_produce(f->out_prod, cons, XENFB_OUT_RING_LEN, &bad)) {
        if (bad)
            broken(f, "out", f->out_prod, cons, XENFB_OUT_RING_LEN);
        return false;
    }
    memcpy(&XENFB_OUT_RING_REF(PAGE(f), f->out_prod), ev, sizeof(*ev));
    f->out_prod++;
    return true;
}

/* After publishing out_prod: does the backend need a notification? Xlib
 * splits a large XPutImage into many requests, and the server flushes
 * damage between them: one notification each would wake the backend tens
 * of times per frame. A backend with feature-lazy-notify that has not
 * consumed what came before this batch is awake, and its re-read of
 * out_prod will find this batch. The full barrier pairs with the one
 * between its out_cons store and that re-read: either it sees our
 * out_prod, or we see its out_cons reach start and notify. */
static bool must_notify(struct xfb_front *f, uint32_t start)
{
    if (!f->be_lazy_notify)
        return true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t cons = xfb_ring_load(&PAGE(f)->out_cons);
    if (cons == start)
        return true;
    /* Xen does not lose notifications, but a rebound port or a backend
     * that stalled could leave the one we count on unseen: look again
     * a little later, and remind it if it has not moved. */
    if (!f->lazy_armed) {
        f->lazy_armed = true;
        f->lazy_cons = cons;
        xfb_timer_set(f, XFB_DL_LAZY, XFB_LAZY_CHECK_MS);
    }
    return false;
}

void xfb_fbring_lazy_check(struct xfb_front *f)
{
    if (!f->lazy_armed || !f->connected || f->broken)
        return;
    f->lazy_armed = false;
    uint32_t cons = xfb_ring_load(&PAGE(f)->out_cons);
    if (cons == f->out_prod)
        return; /* all consumed */
    if (cons == f->lazy_cons)
        xfb_grant_notify(f);
    f->lazy_armed = true;
    f->lazy_cons = cons;
    xfb_timer_set(f, XFB_DL_LAZY, XFB_LAZY_CHECK_MS);
}

/* Write what is pending into the ring, as far as it has room, without
 * publishing it. */
static void produce_pending(struct xfb_front *f)
{
    if (f->pend_resize) {
        union xenfb_out_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.resize.type = XENFB_TYPE_RESIZE;
        ev.resize.width = (int32_t)f->width;
        ev.resize.height = (int32_t)f->height;
        ev.resize.stride = (int32_t)f->stride;
        ev.resize.depth = (int32_t)f->depth;
        ev.resize.offset = (int32_t)f->offset;
        if (!produce(f, &ev))
            return;
        f->pend_resize = false;
        f->pend = xfb_rect_union(f->pend, full_surface(f));
    }
    if (!xfb_rect_empty(f->pend) && may_update(f)) {
        union xenfb_out_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.update.type = XENFB_TYPE_UPDATE;
        ev.update.x = f->pend.x;
        ev.update.y = f->pend.y;
        ev.update.width = f->pend.w;
        ev.update.height = f->pend.h;
        if (produce(f, &ev)) {
            hold(f, f->pend);
            f->pend = (struct xfb_rect){0, 0, 0, 0};
        }
    }
}

/* Publish the events written since out_prod was start, in one store. */
static void publish(struct xfb_front *f, uint32_t start)
{
    if (f->broken)
        return;
    if (f->out_prod != start) {
        xfb_ring_store(&PAGE(f)->out_prod, f->out_prod);
        if (must_notify(f, start))
            xfb_grant_notify(f);
    } else if (f->pend_resize || (!xfb_rect_empty(f->pend) && may_update(f))) {
        /* The ring is full and work is left. The backend empties it when
         * notified, but if the notifications that filled it were lost (a
         * port rebound, an event dropped), waiting for it to make room
         * waits forever: both ends would sleep with the screen stale.
         * Remind it; this only happens while it is behind. */
        xfb_grant_notify(f);
    }
}

void xfb_fbring_flush(struct xfb_front *f)
{
    if (!f->connected || f->broken)
        return;
    uint32_t start = f->out_prod;
    produce_pending(f);
    publish(f, start);
}

/* Several rectangles, published together: a backend sees all of them or
 * none, so a viewer is not shown the first ones of a damage flush without
 * the others (half a frame). While the ring has room each is one event;
 * then the rest merges into the pending bounding box. */
void xfb_fbring_update_rects(struct xfb_front *f, const struct xfb_front_rect *rs, unsigned n)
{
    if (!f->connected || f->broken || !may_update(f))
        return;
    uint32_t start = f->out_prod;
    for (unsigned i = 0; i < n && !f->broken; i++) {
        struct xfb_rect r = {rs[i].x, rs[i].y, rs[i].w, rs[i].h};
        if (!xfb_rect_clamp(&r, (int32_t)f->width, (int32_t)f->height))
            continue;
        f->pend = xfb_rect_union(f->pend, r);
        produce_pending(f);
    }
    publish(f, start);
}

void xfb_fbring_update(struct xfb_front *f, struct xfb_rect r)
{
    if (!xfb_rect_clamp(&r, (int32_t)f->width, (int32_t)f->height))
        return;
    /* Nothing to remember while no backend wants updates: connecting or
     * a refresh period coming back sends the whole surface anyway. */
    if (!f->connected || f->broken || !may_update(f))
        return;
    f->pend = xfb_rect_union(f->pend, r);
    xfb_fbring_flush(f);
}

void xfb_fbring_connected(struct xfb_front *f)
{
    f->pend = full_surface(f);
    /* the page has no offset field: a new backend learns it by a resize */
    if (f->offset && f->be_resize)
        f->pend_resize = true;
    xfb_fbring_flush(f);
}

void xfb_fbring_reset(struct xfb_front *f)
{
    struct xenfb_page *p = PAGE(f);
    /* The backend is gone: empty both rings so the next one starts from
     * consistent indices whatever the last one left (protocol.md 5). */
    xfb_ring_store(&p->out_prod, f->out_prod);
    xfb_ring_store(&p->out_cons, f->out_prod);
    f->in_cons = xfb_ring_load(&p->in_prod);
    xfb_ring_store(&p->in_cons, f->in_cons);
    f->pend = (struct xfb_rect){0, 0, 0, 0};
    f->pend_resize = false;
    f->lazy_armed = false;
    /* nothing is held by a backend that is gone; the next one stores its
     * own index at connect */
    f->held_n = 0;
    f->release_stalled = false;
    f->be_request_update = false;
    f->refresh = -1;
}

int xfb_fbring_check_mode(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride,
                          uint32_t depth, uint32_t offset)
{
    if (!w || !h || (depth != 16 && depth != 32) || w > INT32_MAX || h > INT32_MAX ||
        (uint64_t)stride < (uint64_t)w * (depth / 8) || stride > INT32_MAX || offset > INT32_MAX) {
        xfb_log(f, XFB_LOG_ERROR, "%s %u: invalid mode %ux%u depth %u stride %u offset %u", f->name,
                f->devid, w, h, depth, stride, offset);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int xfb_fbring_resize(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride, uint32_t depth,
                      uint32_t offset)
{
    if (xfb_fbring_check_mode(f, w, h, stride, depth, offset) < 0)
        return -1;
    if ((uint64_t)offset + (uint64_t)stride * h > f->mem.mem_length) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-008] %s %u: mode %ux%u (stride %u, offset %u) needs %llu bytes, %u were "
                "granted: %s",
                f->name, f->devid, w, h, stride, offset,
                (unsigned long long)offset + (unsigned long long)stride * h, f->mem.mem_length,
                xfb_hotplug(f) ? "re-grant for it" : "open with a larger largest mode");
        errno = E2BIG;
        return -1;
    }
    if (!xfb_xenbus_mode_allowed(f, w, h, f->mem.mem_length, true)) {
        errno = E2BIG;
        return -1;
    }
    if (f->connected && !f->be_resize) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-013] %s %u: the backend does not accept resize (no feature-resize)", f->name,
                f->devid);
        errno = EOPNOTSUPP;
        return -1;
    }
    f->width = w;
    f->height = h;
    f->stride = stride;
    f->depth = depth;
    f->offset = offset;
    xfb_fbring_write_geometry(f);
    if (f->connected) {
        /* updates queued for the old mode are covered by the full one */
        f->pend = (struct xfb_rect){0, 0, 0, 0};
        f->pend_resize = true;
        xfb_fbring_flush(f);
    }
    return 0;
}

static void refresh_period(struct xfb_front *f, uint32_t period)
{
    int64_t old = f->refresh;
    f->refresh = period;
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: refresh period %u ms", f->name, f->devid, period);
    if (period == XENFB_NO_REFRESH)
        f->pend = (struct xfb_rect){0, 0, 0, 0};
    else if (old == XENFB_NO_REFRESH)
        f->pend = full_surface(f);
    struct xfb_front_event ev = {.type = XFB_FRONT_EV_REFRESH};
    ev.refresh.period = period;
    xfb_front_emit(f, &ev);
}

bool xfb_fbring_read(struct xfb_front *f)
{
    struct xenfb_page *p = PAGE(f);
    uint32_t prod = xfb_ring_load(&p->in_prod);
    int avail = xfb_ring_avail(prod, f->in_cons, XENFB_IN_RING_LEN);
    if (avail < 0) {
        broken(f, "in", prod, f->in_cons, XENFB_IN_RING_LEN);
        return false;
    }
    int n = avail > XFB_EVENTS_PER_DISPATCH ? XFB_EVENTS_PER_DISPATCH : avail;
    /* size requests of one pass fold into the latest: a backend that
     * floods them costs the caller one mode change per dispatch at most */
    bool req = false;
    uint32_t req_w = 0, req_h = 0;
    for (int i = 0; i < n; i++) {
        union xenfb_in_event ev;
        /* one copy out of shared memory; only the copy is looked at */
        memcpy(&ev, &XENFB_IN_RING_REF(p, f->in_cons), sizeof(ev));
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        f->in_cons++;
        if (ev.type == XENFB_TYPE_REFRESH_PERIOD)
            refresh_period(f, ev.refresh_period.period);
        else if (ev.type == XFB_TYPE_RESIZE_REQUEST && f->use_resreq)
            xfb_resreq_take(f, &ev, &req, &req_w, &req_h);
        else
            xfb_log(f, XFB_LOG_DEBUG, "%s %u: ignored in event of type %u", f->name, f->devid,
                    ev.type);
    }
    if (n) {
        xfb_ring_store(&p->in_cons, f->in_cons);
        xfb_grant_notify(f);
    }
    if (req)
        xfb_resreq_emit(f, req_w, req_h);
    xfb_fbring_flush(f);
    return avail > n;
}
