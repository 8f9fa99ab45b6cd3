/* The Xen devices and the device's page and port: gntalloc and evtchn
 * handles for the handle's life; per device, our port (bound unbound for
 * the backend's domain) and the shared page. The framebuffer's pages are
 * fbmem.c's. */
#include "private.h"

#include "proto/gntalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/fbif.h>
#include <xenevtchn.h>
#include <xengnttab.h>

/* One line for a /dev/xen device that would not open. A permission
 * problem is the usual one for an X server that is not root (GDM,
 * startx without the setuid wrapper): it gets its own words. */
static void log_dev_error(struct xfb_front *f, const char *dev, const char *module, int err)
{
    if (err == ENOENT || err == ENODEV || err == ENXIO)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-001] /dev/xen/%s: %s: load the %s module (modprobe %s) and check "
                "that this is a Xen guest",
                dev, strerror(err), module, module);
    else if (err == EACCES || err == EPERM) {
        char what[64];
        snprintf(what, sizeof(what), "/dev/xen/%s", dev);
        xfb_log_no_access(f, what, err);
    } else
        xfb_log(f, XFB_LOG_ERROR, "%s %u: /dev/xen/%s: %s", f->name, f->devid, dev, strerror(err));
}

int xfb_grant_open(struct xfb_front *f)
{
    f->xce = xenevtchn_open(f->xtl, 0);
    if (!f->xce) {
        int err = errno;
        log_dev_error(f, "evtchn", "xen-evtchn", err);
        errno = err;
        return -1;
    }
    f->xgs = xengntshr_open(f->xtl, 0);
    if (!f->xgs) {
        int err = errno;
        log_dev_error(f, "gntalloc", "xen-gntalloc", err);
        errno = err;
        return -1;
    }
    /* libxengnttab opens gntalloc without O_CLOEXEC: a child that execs
     * (Xorg runs xkbcomp) would keep the pages alive after we exit, and
     * the backend would never see our liveness byte cleared. */
    int gfd = xengntshr_fd(f->xgs);
    if (gfd >= 0)
        fcntl(gfd, F_SETFD, fcntl(gfd, F_GETFD) | FD_CLOEXEC);
    int efd = xenevtchn_fd(f->xce);
    if (fcntl(efd, F_SETFL, fcntl(efd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    return 0;
}

void xfb_grant_close(struct xfb_front *f)
{
    int saved = errno;
    if (f->xgs)
        xengntshr_close(f->xgs);
    f->xgs = NULL;
    if (f->xce)
        xenevtchn_close(f->xce);
    f->xce = NULL;
    errno = saved;
}

void xfb_grant_log_alloc_error(struct xfb_front *f, uint32_t need, int err)
{
    if (err != ENOSPC) {
        xfb_log(f, XFB_LOG_ERROR, "%s %u: cannot share %u pages with domain %u: %s", f->name,
                f->devid, need, f->be_id, strerror(err));
        return;
    }
    long lim = xfb_gntalloc_limit();
    char limtxt[32] = "unknown", fix[200];
    if (lim >= 0)
        snprintf(limtxt, sizeof(limtxt), "%ld", lim);
    xfb_gntalloc_fix(lim, need, fix, sizeof(fix));
    xfb_log(f, XFB_LOG_ERROR,
            "[XFB-003] gntalloc limit reached: %s %u needs %u grant pages (limit %s); %s", f->name,
            f->devid, need, limtxt, fix);
}

int xfb_grant_attach(struct xfb_front *f)
{
    xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(f->xce, f->be_id);
    if (p < 0) {
        int err = errno;
        xfb_log(f, XFB_LOG_ERROR, "%s %u: cannot allocate an event channel for domain %u: %s",
                f->name, f->devid, f->be_id, strerror(err));
        errno = err;
        return -1;
    }
    f->port = p;
    /* The shared page is writable: the backend writes in_prod, out_cons
     * and the in ring. When we let go of it (exit or crash) the grant
     * device clears our liveness byte and signals our port. */
    f->page = xengntshr_share_page_notify(f->xgs, f->be_id, &f->page_gref, 1, XFB_ALIVE_FRONT_OFFS,
                                          f->port);
    if (!f->page) {
        int err = errno;
        /* the pages the whole device needs, as when the framebuffer fails */
        uint32_t need = 1;
        if (f->kind == XFB_FRONT_VFB && f->want_bytes) {
            uint32_t fb = xfb_fb_pages(f->want_bytes);
            need += fb + xfb_dir_pages(fb);
        }
        xfb_grant_log_alloc_error(f, need, err);
        errno = err;
        return -1;
    }
    if (f->kind == XFB_FRONT_VFB) {
        xfb_layout_native(&f->layout);
        xfb_fbring_init_page(f);
    } else {
        xfb_kbdring_init_page(f);
    }
    /* Set before the nodes are published, so a backend never maps a page
     * whose frontend looks dead. */
    f->page[XFB_ALIVE_FRONT_OFFS] = 1;
    return 0;
}

void xfb_grant_detach(struct xfb_front *f)
{
    int saved = errno;
    xfb_fbmem_free(f, &f->mem);
    xfb_cursor_release(f);
    /* Last: this fires the unmap notify on our port, which must still be
     * bound. */
    if (f->xgs && f->page)
        xengntshr_unshare(f->xgs, (void *)f->page, 1);
    f->page = NULL;
    if (f->xce && f->port >= 0)
        xenevtchn_unbind(f->xce, f->port);
    f->port = -1;
    errno = saved;
}

int xfb_grant_notify(struct xfb_front *f)
{
    if (!f->xce || f->port < 0)
        return 0;
    return xenevtchn_notify(f->xce, f->port);
}

bool xfb_grant_backend_alive(const struct xfb_front *f)
{
    if (!f->page)
        return false;
    return __atomic_load_n((const uint8_t *)&f->page[XFB_ALIVE_BACK_OFFS], __ATOMIC_ACQUIRE) != 0;
}

int xfb_grant_evtchn_dispatch(struct xfb_front *f)
{
    bool ours = false;
    for (;;) {
        xenevtchn_port_or_error_t p = xenevtchn_pending(f->xce);
        if (p < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        /* Unmask before handling: a notification sent while we work
         * raises the port again instead of being lost. */
        xenevtchn_unmask(f->xce, p);
        if (p == f->port)
            ours = true;
    }
    if (ours)
        xfb_front_port_event(f);
    return 0;
}
