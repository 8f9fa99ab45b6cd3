/* The vfb device: mapping the guest's framebuffer through its grant
 * directory (or, for a standard frontend, its frame numbers: foreign.c),
 * and the update / resize / refresh-period rings. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/io/xenbus.h>

#include "proto/rect.h"
#include "proto/ring.h"

struct mode {
    int64_t width, height, stride, depth, offset;
};

/* NULL when the mode fits the limits we own and the memory granted. */
static const char *check_mode(const struct xfb_dev *d, const struct mode *m, uint64_t mem_length)
{
    if (m->depth != 16 && m->depth != 32)
        return "depth is not 16 or 32";
    if (m->width <= 0 || m->width > d->max_width)
        return "width is outside 1..max-width";
    if (m->height <= 0 || m->height > d->max_height)
        return "height is outside 1..max-height";
    if (m->stride < m->width * (m->depth / 8))
        return "line length is shorter than a row";
    if (m->offset < 0 ||
        (uint64_t)m->offset + (uint64_t)m->stride * (uint64_t)m->height > mem_length)
        return "the surface does not fit in the granted memory";
    return NULL;
}

static void set_surface(struct xfb_dev *d, const struct mode *m)
{
    d->surf.width = (uint32_t)m->width;
    d->surf.height = (uint32_t)m->height;
    d->surf.stride = (uint32_t)m->stride;
    d->surf.depth = (uint32_t)m->depth;
    d->surf.pixels = (const void *)(d->fb + m->offset);
}

/* Map the framebuffer named by n_dir directory pages; 0 or -1 + why. */
static int map_fb(struct xfb_dev *d, const struct xfb_layout *l, uint32_t n_dir, uint32_t n_fb,
                  const char **why)
{
    struct xfb_back *b = d->g->b;
    uint32_t dir_refs[256];
    for (uint32_t i = 0; i < n_dir; i++) {
        uint32_t high;
        dir_refs[i] = xfb_layout_pd_get(l, d->page, i, &high);
        if (high) {
            *why = "a pd[] slot holds more than a grant reference";
            return -1;
        }
    }
    uint32_t *refs = malloc((size_t)n_fb * sizeof(*refs));
    if (!refs) {
        *why = "out of memory";
        return -1;
    }
    /* Directory pages are only read to copy the references out once;
     * unmapped right away, so the guest changing them later is harmless. */
    uint32_t *dir =
        xengnttab_map_domain_grant_refs(b->xgt, n_dir, (uint32_t)d->g->domid, dir_refs, PROT_READ);
    if (!dir) {
        free(refs);
        *why = "cannot map the grant directory pages";
        return -1;
    }
    memcpy(refs, dir, (size_t)n_fb * sizeof(*refs));
    xengnttab_unmap(b->xgt, dir, n_dir);
    d->fb = xengnttab_map_domain_grant_refs(b->xgt, n_fb, (uint32_t)d->g->domid, refs, PROT_READ);
    free(refs);
    if (!d->fb) {
        *why = "cannot map the framebuffer pages";
        return -1;
    }
    d->fb_pages = n_fb;
    return 0;
}

/* The shared page's reference: page-gref (a grant, the extension) or,
 * from a standard frontend, page-ref (a frame number); d->frames says
 * which. 0, or -1 (logged). */
static int read_page_ref(struct xfb_dev *d, unsigned long *ref, unsigned long *port)
{
    struct xfb_back *b = d->g->b;
    int rc = xfb_xs_read_uint(b, d->fpath, XFB_NODE_PAGE_GREF, UINT32_MAX, ref);
    d->frames = rc < 0 && errno == ENOENT;
    if (d->frames)
        rc = xfb_xs_read_uint(b, d->fpath, "page-ref", XFB_FRAME_MAX, ref);
    if (rc == 0)
        rc = xfb_xs_read_uint(b, d->fpath, "event-channel", UINT32_MAX, port);
    if (rc == 0)
        return 0;
    if (errno == ENOENT)
        xfb_log(XFB_LOG_ERROR, d, "frontend has no page-gref or page-ref, or no event-channel");
    else
        xfb_log(XFB_LOG_ERROR, d, "frontend's %s or event-channel is not a number%s",
                d->frames ? "page-ref" : "page-gref", d->frames ? " (or beyond any frame)" : "");
    return -1;
}

int xfb_fb_connect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref, port;
    if (read_page_ref(d, &gref, &port) < 0)
        return -1;
    char *proto = xfb_xs_read(b, d->fpath, "protocol");
    struct xfb_layout l;
    int bad_proto = xfb_layout_from_protocol(proto, &l);
    if (bad_proto < 0)
        xfb_log(XFB_LOG_ERROR, d, "unknown protocol '%.32s'", proto);
    free(proto);
    if (bad_proto < 0)
        return -1;

    if (xfb_dev_map_page(d, gref, port) < 0)
        return -1;
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)d->page;
    /* each value read once; the guest may change them under us */
    struct mode m = {pg->width, pg->height, pg->line_length, pg->depth, 0};
    uint32_t mem_length = pg->mem_length;
    const char *why = NULL;
    /* a directory page holds 1024 grant references, or 512 (1024) frame
     * numbers of a 64-bit (32-bit) guest */
    uint32_t per_dir = d->frames ? xfb_layout_frames_per_dir(&l) : (uint32_t)XFB_GREFS_PER_DIR;
    uint32_t n_fb = xfb_fb_pages(mem_length), n_dir = (n_fb + per_dir - 1) / per_dir;
    if (mem_length == 0 || mem_length > xfb_max_mem_length(d->max_width, d->max_height))
        why = "mem_length is beyond what this backend accepts";
    else if (n_dir > l.pd_slots)
        why = "mem_length needs more directory pages than the page holds";
    else
        why = check_mode(d, &m, mem_length);
    if (!why &&
        (d->frames ? xfb_foreign_map_fb(d, &l, n_dir, n_fb, &why)
                   : map_fb(d, &l, n_dir, n_fb, &why)) == 0 &&
        !d->frames && xfb_cursor_connect(d) < 0) {
        /* the kernel's vfb has no cursor extension: only ours connects one */
        xengnttab_unmap(b->xgt, (void *)d->fb, d->fb_pages);
        d->fb = NULL;
        why = "its cursor pages cannot be mapped";
    }
    if (!why) {
        d->mem_length = mem_length;
        d->out_cons = xfb_ring_load(&pg->out_cons);
        unsigned long want = 0;
        /* offered on xenfb's own devices only: a kernel frontend that
         * asks anyway gets nothing written into its page */
        d->release_wanted =
            !d->frames && xfb_xs_read_uint(b, d->fpath, XFB_NODE_REQUEST_RELEASE, 1, &want) == 0 &&
            want;
        /* nothing reported yet is held: the frontend may draw anywhere.
         * The words are written only for a frontend that asked for them:
         * to any other that tail of the ring is nothing of ours. */
        d->released = d->out_cons;
        d->held = false;
        if (d->release_wanted)
            __atomic_store_n((uint32_t *)(d->page + XFB_REL_IDX_OFFS), d->released,
                             __ATOMIC_RELEASE);
        d->in_prod = xfb_ring_load(&pg->in_prod);
        d->seen_in_cons = xfb_ring_load(&pg->in_cons);
        set_surface(d, &m);
        d->connected = true;
        d->refresh_pending = true;
        if (xfb_xs_write(b, d->bpath, "request-update", "1") < 0)
            xfb_dev_refused(d); /* written again with the features */
        xfb_log(XFB_LOG_INFO, d, "connected: %ux%u, %u bits, stride %u, %u pages%s", d->surf.width,
                d->surf.height, d->surf.depth, d->surf.stride, n_fb,
                d->frames ? " by frame number" : "");
        if (b->ops && b->ops->fb_connected)
            b->ops->fb_connected(b->data, d->g, &d->surf);
        if (d->connected)
            xfb_resreq_connect(d);
        return 0;
    }
    xfb_log(XFB_LOG_ERROR, d,
            "refusing the frontend: %s (%dx%d, depth %d, stride %d, "
            "mem_length %u)",
            why, (int)m.width, (int)m.height, (int)m.depth, (int)m.stride, mem_length);
    xfb_dev_unmap_page(d);
    return -1;
}

void xfb_fb_disconnect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    d->connected = false;
    xfb_cursor_disconnect(d);
    if (b->ops && b->ops->fb_disconnected)
        b->ops->fb_disconnected(b->data, d->g);
    if (d->fb && d->frames)
        xfb_foreign_unmap(b, d->fb, d->fb_pages);
    else if (d->fb)
        xengnttab_unmap(b->xgt, (void *)d->fb, d->fb_pages);
    d->fb = NULL;
    memset(&d->surf, 0, sizeof(d->surf));
    xfb_dev_unmap_page(d);
    /* a frontend that let go to re-grant answers with the mode it comes
     * back in; any other going ends what it was asked */
    if (d->fstate != XenbusStateClosing)
        memset(&d->req, 0, sizeof(d->req));
}

/* protocol.md 2.5: every update consumed so far has been copied by the
 * viewers (their damaged callbacks have returned, and none holds them);
 * the frontend may draw over those rectangles again. Returns true when
 * the frontend asked to be woken at an index this store passes (its
 * event word, as Xen's rings do for responses); the caller notifies.
 * What the frontend wrote there only decides whether it gets one
 * notification. */
bool xfb_fb_release(struct xfb_dev *d)
{
    if (!d->connected || !d->release_wanted || d->held || d->released == d->out_cons)
        return false;
    uint32_t old = d->released, now = d->out_cons;
    d->released = now;
    __atomic_store_n((uint32_t *)(d->page + XFB_REL_IDX_OFFS), now, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the frontend's before it sleeps */
    uint32_t ev =
        __atomic_load_n((const uint32_t *)(d->page + XFB_REL_EVENT_OFFS), __ATOMIC_ACQUIRE);
    return (uint32_t)(now - ev) < (uint32_t)(now - old);
}

bool xfb_fb_put_in(struct xfb_dev *d, const union xenfb_in_event *ev)
{
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)d->page;
    bool bad;
    uint32_t cons = xfb_ring_load(&pg->in_cons);
    if (!xfb_ring_can_produce(d->in_prod, cons, XENFB_IN_RING_LEN, &bad)) {
        if (bad)
            xfb_dev_fail(d, "in_cons is not behind in_prod");
        return false;
    }
    memcpy((void *)&XENFB_IN_RING_REF(pg, d->in_prod), ev, sizeof(*ev));
    xfb_ring_store(&pg->in_prod, ++d->in_prod);
    xfb_dev_notify(d);
    return true;
}

void xfb_fb_send_refresh(struct xfb_dev *d)
{
    if (!d->connected || !d->refresh_pending)
        return;
    union xenfb_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.refresh_period.type = XENFB_TYPE_REFRESH_PERIOD;
    ev.refresh_period.period = d->g->refresh_ms;
    /* when the ring is full, retried on the frontend's next event */
    if (xfb_fb_put_in(d, &ev))
        d->refresh_pending = false;
}

/* Handle one event, already copied out of the ring. false: the guest
 * broke the protocol (the device is closed). */
static bool handle(struct xfb_dev *d, const union xenfb_out_event *ev)
{
    struct xfb_back *b = d->g->b;
    switch (ev->type) {
    case XENFB_TYPE_UPDATE: {
        struct xfb_rect r = {ev->update.x, ev->update.y, ev->update.width, ev->update.height};
        if (xfb_rect_clamp(&r, (int32_t)d->surf.width, (int32_t)d->surf.height) && b->ops &&
            b->ops->damaged)
            b->ops->damaged(b->data, d->g, r.x, r.y, r.w, r.h);
        return true;
    }
    case XENFB_TYPE_RESIZE: {
        struct mode m = {ev->resize.width, ev->resize.height, ev->resize.stride, ev->resize.depth,
                         ev->resize.offset};
        const char *why = check_mode(d, &m, d->mem_length);
        if (why) {
            char msg[160];
            snprintf(msg, sizeof(msg), "bad resize to %dx%d depth %d stride %d offset %d: %s",
                     (int)m.width, (int)m.height, (int)m.depth, (int)m.stride, (int)m.offset, why);
            xfb_dev_fail(d, msg);
            return false;
        }
        set_surface(d, &m);
        xfb_log(XFB_LOG_INFO, d, "resized to %ux%u, %u bits, stride %u", d->surf.width,
                d->surf.height, d->surf.depth, d->surf.stride);
        if (b->ops && b->ops->resized)
            b->ops->resized(b->data, d->g, &d->surf);
        if (d->connected)
            xfb_resreq_answered(d);
        return true;
    }
    default:
        xfb_log(XFB_LOG_DEBUG, d, "ignoring out event type %u", ev->type);
        return true;
    }
}

void xfb_fb_event(struct xfb_dev *d)
{
    d->again = false;
    if (!d->connected)
        return;
    if (!xfb_dev_front_alive(d)) {
        xfb_dev_gone(d);
        return;
    }
    volatile struct xenfb_page *pg = (volatile struct xenfb_page *)d->page;
    uint32_t in_cons = xfb_ring_load(&pg->in_cons);
    if (d->in_prod - in_cons > XENFB_IN_RING_LEN) {
        xfb_dev_fail(d, "in_cons is not behind in_prod");
        return;
    }
    bool progress = in_cons != d->seen_in_cons;
    d->seen_in_cons = in_cons;
    if (xfb_cursor_event(d))
        progress = true;
    if (!d->connected)
        return; /* a bad cursor closed the device */
    /* After publishing out_cons, look at out_prod again (feature-lazy-
     * notify): the frontend does not notify for events it adds while we
     * are behind. At most XFB_FB_PASSES rings per wakeup; when the guest
     * keeps producing beyond that, dispatch comes back to it. */
    bool consumed = false;
    for (int pass = 0;; pass++) {
        uint32_t prod = xfb_ring_load(&pg->out_prod);
        int n = xfb_ring_avail(prod, d->out_cons, XENFB_OUT_RING_LEN);
        if (n < 0) {
            xfb_dev_fail(d, "out_prod is more than a ring ahead of out_cons");
            return;
        }
        if (n == 0)
            break;
        if (pass == XFB_FB_PASSES) {
            d->again = true;
            break;
        }
        progress = true;
        d->dispatching = true;
        for (int i = 0; i < n; i++) {
            union xenfb_out_event ev;
            memcpy(&ev, (const void *)&XENFB_OUT_RING_REF(pg, d->out_cons), sizeof(ev));
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            d->out_cons++;
            if (!handle(d, &ev)) {
                d->dispatching = false;
                return;
            }
        }
        d->dispatching = false;
        xfb_ring_store(&pg->out_cons, d->out_cons);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the frontend's */
        consumed = true;
    }
    /* the viewers copied what they were told of: release it first, so the
     * one notification covers both */
    bool wake = xfb_fb_release(d);
    if (consumed || wake)
        xfb_dev_notify(d); /* the frontend may be waiting for space or a release */
    xfb_fb_send_refresh(d);
    xfb_resreq_retry(d);
    if (!d->connected)
        return;
    if (!xfb_dev_wakeup(d, progress))
        xfb_dev_fail(d, "flood of event notifications");
}
