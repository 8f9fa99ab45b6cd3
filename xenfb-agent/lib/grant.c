/* Memory and the event channel: gntalloc pages shared with the backend,
 * the grant directory naming the framebuffer pages, and our port. */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/fbif.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define GNTALLOC_LIMIT_PATH "/sys/module/xen_gntalloc/parameters/limit"

/* One line for a /dev/xen device that would not open. */
static void log_dev_error(struct xfb_front *f, const char *dev, const char *module, int err)
{
    if (err == ENOENT || err == ENODEV || err == ENXIO)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-001] /dev/xen/%s: %s: load the %s module (modprobe %s) and check "
                "that this is a Xen guest",
                dev, strerror(err), module, module);
    else if (err == EACCES || err == EPERM)
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-002] /dev/xen/%s: %s: run as root or give this user access "
                "to /dev/xen/%s (a udev rule)",
                dev, strerror(err), dev);
    else
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
    xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(f->xce, f->be_id);
    if (p < 0) {
        int err = errno;
        xfb_log(f, XFB_LOG_ERROR, "%s %u: cannot allocate an event channel for domain %u: %s",
                f->name, f->devid, f->be_id, strerror(err));
        errno = err;
        return -1;
    }
    f->port = p;
    return 0;
}

static long gntalloc_limit(void)
{
    FILE *fp = fopen(GNTALLOC_LIMIT_PATH, "re");
    if (!fp)
        return -1;
    long v = -1;
    if (fscanf(fp, "%ld", &v) != 1)
        v = -1;
    fclose(fp);
    return v;
}

static void log_alloc_error(struct xfb_front *f, uint32_t need, int err)
{
    if (err != ENOSPC) {
        xfb_log(f, XFB_LOG_ERROR, "%s %u: cannot share %u pages with domain %u: %s", f->name,
                f->devid, need, f->be_id, strerror(err));
        return;
    }
    long lim = gntalloc_limit();
    uint64_t want = lim >= (long)need ? (uint64_t)lim + need : need;
    want = (want + 1023) / 1024 * 1024;
    char limtxt[32] = "unknown";
    if (lim >= 0)
        snprintf(limtxt, sizeof(limtxt), "%ld", lim);
    xfb_log(f, XFB_LOG_ERROR,
            "[XFB-003] gntalloc limit reached: %s %u needs %u grant pages (limit %s); "
            "raise xen_gntalloc's limit: modprobe xen-gntalloc limit=%llu, or echo %llu > %s",
            f->name, f->devid, need, limtxt, (unsigned long long)want, (unsigned long long)want,
            GNTALLOC_LIMIT_PATH);
}

static uint32_t vfb_bytes(uint32_t w, uint32_t h, uint32_t depth)
{
    uint64_t b = (uint64_t)w * h * (depth / 8);
    b = (b + XFB_PAGE_SIZE - 1) / XFB_PAGE_SIZE * XFB_PAGE_SIZE;
    return b > UINT32_MAX - XFB_PAGE_SIZE ? 0 : (uint32_t)b;
}

XFB_EXPORT uint32_t xfb_front_vfb_pages(uint32_t max_width, uint32_t max_height, uint32_t depth)
{
    (void)depth; /* granted for 32-bit pixels, as share_framebuffer does */
    uint32_t bytes = vfb_bytes(max_width, max_height, 32);
    if (!bytes)
        return 0;
    uint32_t fb = xfb_fb_pages(bytes);
    return 1 + fb + xfb_dir_pages(fb);
}

static int share_framebuffer(struct xfb_front *f)
{
    f->mem_length = vfb_bytes(f->max_width, f->max_height, 32);
    f->fb_pages = xfb_fb_pages(f->mem_length);
    f->dir_pages = xfb_dir_pages(f->fb_pages);
    if (!f->mem_length || f->dir_pages > f->layout.pd_slots) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-008] %s %u: mode %ux%u needs %u grant directory pages, the shared page "
                "holds %u: use a smaller largest mode",
                f->name, f->devid, f->max_width, f->max_height, f->dir_pages, f->layout.pd_slots);
        errno = E2BIG;
        return -1;
    }
    uint32_t need = 1 + f->fb_pages + f->dir_pages;
    uint32_t *refs = calloc(f->fb_pages, sizeof(*refs));
    uint32_t dirrefs[256]; /* >= pd_slots of every layout */
    if (!refs)
        return -1;
    /* Read-only to the backend: it only reads pixels (protocol.md 2.2). */
    f->fb = xengntshr_share_pages(f->xgs, f->be_id, f->fb_pages, refs, 0);
    if (!f->fb) {
        int err = errno;
        log_alloc_error(f, need, err);
        free(refs);
        errno = err;
        return -1;
    }
    f->dir = xengntshr_share_pages(f->xgs, f->be_id, f->dir_pages, dirrefs, 0);
    if (!f->dir) {
        int err = errno;
        log_alloc_error(f, need, err);
        free(refs);
        errno = err;
        return -1;
    }
    memset(f->dir, 0, (size_t)f->dir_pages * XFB_PAGE_SIZE);
    memcpy(f->dir, refs, (size_t)f->fb_pages * sizeof(*refs));
    free(refs);
    for (uint32_t i = 0; i < f->dir_pages; i++)
        xfb_layout_pd_set(&f->layout, f->page, i, dirrefs[i]);
    return 0;
}

int xfb_grant_alloc(struct xfb_front *f)
{
    uint32_t need =
        f->kind == XFB_FRONT_VFB ? xfb_front_vfb_pages(f->max_width, f->max_height, 32) : 1;
    /* The shared page is writable: the backend writes in_prod, out_cons
     * and the in ring. When we let go of it (exit or crash) the grant
     * device clears our liveness byte and signals our port. */
    f->page = xengntshr_share_page_notify(f->xgs, f->be_id, &f->page_gref, 1, XFB_ALIVE_FRONT_OFFS,
                                          f->port);
    if (!f->page) {
        int err = errno;
        log_alloc_error(f, need, err);
        errno = err;
        return -1;
    }
    if (f->kind == XFB_FRONT_VFB) {
        xfb_layout_native(&f->layout);
        if (share_framebuffer(f) < 0)
            return -1;
        xfb_fbring_init_page(f);
    } else {
        xfb_kbdring_init_page(f);
    }
    /* Set before the nodes are published, so a backend never maps a page
     * whose frontend looks dead. */
    f->page[XFB_ALIVE_FRONT_OFFS] = 1;
    return 0;
}

void xfb_grant_release(struct xfb_front *f)
{
    int saved = errno;
    if (f->xgs) {
        if (f->fb)
            xengntshr_unshare(f->xgs, f->fb, f->fb_pages);
        if (f->dir)
            xengntshr_unshare(f->xgs, f->dir, f->dir_pages);
        /* Last: this fires the unmap notify on our port, which must
         * still be bound. */
        if (f->page)
            xengntshr_unshare(f->xgs, (void *)f->page, 1);
    }
    f->fb = NULL;
    f->dir = NULL;
    f->page = NULL;
    if (f->xce && f->port >= 0)
        xenevtchn_unbind(f->xce, f->port);
    f->port = -1;
    if (f->xgs)
        xengntshr_close(f->xgs);
    f->xgs = NULL;
    if (f->xce)
        xenevtchn_close(f->xce);
    f->xce = NULL;
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
