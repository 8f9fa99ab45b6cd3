/* The backend's size requests (protocol.md 9): read off the vfb in ring
 * as hostile input, folded into the latest of a pass, and handed to the
 * caller, whose answer is an ordinary resize. */
#include "private.h"

static void report_dropped(struct xfb_front *f, enum xfb_resreq_verdict v, uint32_t w, uint32_t h)
{
    xfb_log_rated(f, &f->rate[2], XFB_LOG_WARNING,
                  "[XFB-017] %s %u: dropped a size request for %ux%u: %s", f->name, f->devid, w, h,
                  v == XFB_RESREQ_ZERO ? "a width or height of 0" : "beyond 32767 pixels");
}

void xfb_resreq_take(struct xfb_front *f, const void *slot, bool *have, uint32_t *w, uint32_t *h)
{
    uint32_t rw, rh;
    enum xfb_resreq_verdict v = xfb_resreq_parse(slot, &rw, &rh);
    if (v != XFB_RESREQ_OK) {
        report_dropped(f, v, rw, rh);
        return;
    }
    *have = true;
    *w = rw;
    *h = rh;
}

void xfb_resreq_emit(struct xfb_front *f, uint32_t w, uint32_t h)
{
    struct xfb_front_event ev = {.type = XFB_FRONT_EV_RESIZE_REQUEST};
    ev.resize_request.width = w;
    ev.resize_request.height = h;
    /* a mode beyond the backend's own limits would only be refused by it
     * ([XFB-015]): what it asks for beyond them, it cannot show */
    if (f->be_max_width && ev.resize_request.width > f->be_max_width)
        ev.resize_request.width = f->be_max_width;
    if (f->be_max_height && ev.resize_request.height > f->be_max_height)
        ev.resize_request.height = f->be_max_height;
    xfb_log(f, XFB_LOG_DEBUG, "%s %u: the backend asks for %ux%u", f->name, f->devid, w, h);
    xfb_front_emit(f, &ev);
}
