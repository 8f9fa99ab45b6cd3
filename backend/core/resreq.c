/* Size requests (protocol.md 9): a viewer asks the guest for a mode of
 * its window's size, on the vfb in ring, only if the frontend wrote
 * feature-resize-request. One request is in flight at a time; what is
 * asked meanwhile (a window dragged bigger emits a size per step) waits,
 * only the latest, until the guest answers with a resize, so the guest
 * sees at most one request per mode change it makes. No timer: a guest
 * that never answers is asked nothing more, and its viewers show its
 * mode scaled as before. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/resreq.h"

/* Put the request waiting on the ring, if there is one and it is not
 * the mode in force already. */
static void send_pending(struct xfb_dev *d)
{
    struct xfb_resreq_state *r = &d->req;
    if (!r->pending || r->inflight)
        return;
    if (r->want_w == d->surf.width && r->want_h == d->surf.height) {
        r->pending = false;
        return;
    }
    union xenfb_in_event ev;
    xfb_resreq_fill(&ev, r->want_w, r->want_h);
    if (!xfb_fb_put_in(d, &ev))
        return; /* full: the frontend's next event tries again */
    r->pending = false;
    r->inflight = true;
    r->sent_w = r->want_w;
    r->sent_h = r->want_h;
    xfb_log(XFB_LOG_INFO, d, "resize requested by %s: %ux%u", r->from, r->sent_w, r->sent_h);
}

void xfb_resreq_answered(struct xfb_dev *d)
{
    struct xfb_resreq_state *r = &d->req;
    if (!r->inflight)
        return; /* the guest's own mode change: nobody asked */
    r->inflight = false;
    if (d->surf.width != r->sent_w || d->surf.height != r->sent_h)
        xfb_log(XFB_LOG_INFO, d, "the guest answered the request for %ux%u with %ux%u: %s",
                r->sent_w, r->sent_h, d->surf.width, d->surf.height,
                d->surf.width <= r->sent_w && d->surf.height <= r->sent_h ? "clamped or refused"
                                                                          : "not what was asked");
    /* the one waiting goes out from xfb_resreq_retry(), after the ring
     * pass: nothing is written to the in ring while the out ring is read */
}

void xfb_resreq_retry(struct xfb_dev *d)
{
    if (d->connected && d->resreq)
        send_pending(d);
}

void xfb_resreq_connect(struct xfb_dev *d)
{
    unsigned long v = 0;
    d->resreq = d->g->kind == XFB_BACK_XENFB &&
                xfb_xs_read_uint(d->g->b, d->fpath, XFB_NODE_FEATURE_RESIZE_REQUEST, 1, &v) == 0 &&
                v;
    /* a guest that took a larger mode re-granted its memory and comes
     * back connected in it: that is its answer */
    xfb_resreq_answered(d);
    if (!d->resreq)
        d->req.pending = d->req.inflight = false;
}

bool xfb_back_resize_requests(const struct xfb_back_guest *g)
{
    return g->fb.connected && g->fb.resreq;
}

int xfb_back_request_size(struct xfb_back_guest *g, uint32_t w, uint32_t h, const char *from)
{
    struct xfb_dev *d = &g->fb;
    if (!w || !h) {
        errno = EINVAL;
        return -1;
    }
    if (!d->connected) {
        errno = ENOTCONN;
        return -1;
    }
    if (!d->resreq) {
        errno = EOPNOTSUPP;
        return -1;
    }
    struct xfb_resreq_state *r = &d->req;
    /* beyond the limits the backend owns the guest's answer could only
     * be refused here (fb.c's check_mode) */
    w = w < d->max_width ? w : d->max_width;
    h = h < d->max_height ? h : d->max_height;
    /* the size in flight again: asked already, and asking twice would
     * ask again what the guest clamped */
    r->pending = !r->inflight || w != r->sent_w || h != r->sent_h;
    r->want_w = w;
    r->want_h = h;
    snprintf(r->from, sizeof(r->from), "%s", from ? from : "a viewer");
    send_pending(d);
    return 0;
}
