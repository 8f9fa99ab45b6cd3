/* What vfb and vkbd share: the shared page (by grant, or by frame number
 * for a standard frontend), its event channel and the liveness bytes
 * (protocol.md section 2.2). */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int xfb_dev_map_page(struct xfb_dev *d, unsigned long ref, unsigned long port)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref = ref;
    d->tried_gref = ref;
    d->tried_port = port;
    xenevtchn_port_or_error_t lp =
        xenevtchn_bind_interdomain(b->xce, (uint32_t)d->g->domid, (evtchn_port_t)port);
    if (lp < 0) {
        xfb_log(XFB_LOG_ERROR, d, "cannot bind to the frontend's port %lu: %s", port,
                strerror(errno));
        return -1;
    }
    d->port = lp;
    /* The grant device clears our liveness byte and signals the frontend
     * when this mapping goes, however we exit. A standard frontend's page,
     * by its frame number, has no such notification, and no liveness
     * byte (a standard frontend does not read it). */
    void *page = d->frames ? xfb_foreign_map_page(d, ref)
                           : xengnttab_map_grant_ref_notify(b->xgt, (uint32_t)d->g->domid,
                                                            (uint32_t)gref, PROT_READ | PROT_WRITE,
                                                            XFB_ALIVE_BACK_OFFS, (evtchn_port_t)lp);
    if (!page) {
        if (!d->frames)
            xfb_log(XFB_LOG_ERROR, d, "cannot map the shared page (grant %lu): %s", gref,
                    strerror(errno));
        xenevtchn_unbind(b->xce, (evtchn_port_t)lp);
        d->port = -1;
        return -1;
    }
    d->page = page;
    /* Set before anything else: a frontend that exits from here on
     * clears it, and we must see that. A standard frontend never sets it;
     * liveness is then only learnt from xenstore. */
    d->front_alive = __atomic_load_n(&d->page[XFB_ALIVE_FRONT_OFFS], __ATOMIC_ACQUIRE) != 0;
    if (!d->frames)
        __atomic_store_n(&d->page[XFB_ALIVE_BACK_OFFS], 1, __ATOMIC_RELEASE);
    d->idle_events = 0;
    d->idle_run = 0;
    d->slice_start = 0;
    d->slice_wakeups = 0;
    d->throttled = false;
    clock_gettime(CLOCK_MONOTONIC, &d->idle_since);
    return 0;
}

void xfb_dev_unmap_page(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    /* unmap first: its notification goes out through the port */
    if (d->page && d->frames)
        xfb_foreign_unmap(b, d->page, 1);
    else if (d->page)
        xengnttab_unmap(b->xgt, (void *)d->page, 1);
    d->page = NULL;
    if (d->port >= 0) {
        xenevtchn_unbind(b->xce, (evtchn_port_t)d->port);
        d->port = -1;
    }
}

bool xfb_dev_front_alive(struct xfb_dev *d)
{
    if (!d->front_alive) {
        /* a frontend may set it after publishing; from then on it counts */
        d->front_alive = __atomic_load_n(&d->page[XFB_ALIVE_FRONT_OFFS], __ATOMIC_ACQUIRE) != 0;
        return true;
    }
    return __atomic_load_n(&d->page[XFB_ALIVE_FRONT_OFFS], __ATOMIC_ACQUIRE) != 0;
}

bool xfb_dev_wakeup(struct xfb_dev *d, bool progress)
{
    if (progress) {
        d->idle_run = 0;
        return true;
    }
    /* a flood slower than the rate below, which a loaded machine may
     * not even let a frontend reach, still costs a wakeup each */
    if (++d->idle_run > XFB_IDLE_EVENTS_IN_A_ROW)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec != d->idle_since.tv_sec) {
        d->idle_since = now;
        d->idle_events = 0;
    }
    return ++d->idle_events <= XFB_IDLE_EVENTS_PER_SEC;
}

bool xfb_dev_budget(struct xfb_dev *d)
{
    int64_t now = xfb_mono_ns();
    if (now - d->slice_start >= XFB_SLICE_NS) {
        d->slice_start = now;
        d->slice_wakeups = 0;
    }
    if (++d->slice_wakeups <= XFB_WAKEUPS_PER_SLICE)
        return true;
    d->throttled = true;
    time_t sec = (time_t)(now / 1000000000);
    if (!d->throttle_logged || sec - d->throttle_logged >= 10) {
        xfb_log(XFB_LOG_WARNING, d, "throttled: more than %d wakeups in %lld ms",
                XFB_WAKEUPS_PER_SLICE, XFB_SLICE_NS / 1000000);
        d->throttle_logged = sec;
    }
    return false;
}

void xfb_dev_notify(struct xfb_dev *d)
{
    if (d->port >= 0)
        xenevtchn_notify(d->g->b->xce, (evtchn_port_t)d->port);
}
