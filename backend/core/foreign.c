/* A standard vfb frontend's pages, mapped by frame number (protocol.md
 * section 2.4): what Linux's xen-fbfront writes, which has no grants. Its
 * page-ref is the frame number of the shared page; pd[i] the frame number
 * of directory page i, each an array of the framebuffer's frame numbers
 * as `unsigned long` of the guest's ABI. They are MFNs for a PV guest and
 * GFNs for PVH and HVM; privcmd maps either (libxenforeignmemory), and
 * Xen refuses any frame that is not the guest's own.
 *
 * The directory and the framebuffer are mapped read-only: the backend
 * only reads pixels. The shared page is read-write, as the protocol
 * needs (out_cons, in_prod and the in ring are ours to write), with no
 * liveness byte: privcmd has no unmap notification, and a standard
 * frontend would not read it. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xentoollog.h>

/* libxenforeignmemory's messages, as one of ours: it speaks only when
 * privcmd cannot be opened, which xfb_foreign_open says itself. */
static void tl_vmessage(struct xentoollog_logger *logger, xentoollog_level level, int errnoval,
                        const char *context, const char *format, va_list al)
{
    (void)logger;
    (void)level;
    (void)errnoval;
    (void)context;
    (void)format;
    (void)al;
}

static void tl_progress(struct xentoollog_logger *logger, const char *context,
                        const char *doing_what, int percent, unsigned long done,
                        unsigned long total)
{
    (void)logger;
    (void)context;
    (void)doing_what;
    (void)percent;
    (void)done;
    (void)total;
}

static void tl_destroy(struct xentoollog_logger *logger)
{
    (void)logger;
}

static struct xentoollog_logger quiet = {tl_vmessage, tl_progress, tl_destroy};

int xfb_foreign_open(struct xfb_back *b)
{
    b->xfm = xenforeignmemory_open(&quiet, 0);
    if (b->xfm)
        return 0;
    xfb_log_ctx(b, XFB_LOG_WARNING,
                "/dev/xen/privcmd: %s: frontends that give frame numbers (the guest kernel's "
                "xen-fbfront) cannot be served",
                strerror(errno));
    return -1;
}

void xfb_foreign_close(struct xfb_back *b)
{
    if (b->xfm)
        xenforeignmemory_close(b->xfm);
    b->xfm = NULL;
}

void xfb_foreign_unmap(struct xfb_back *b, volatile void *addr, uint32_t pages)
{
    if (addr && b->xfm)
        xenforeignmemory_unmap(b->xfm, (void *)addr, pages);
}

/* Map n frames of the guest with prot; NULL and b->why naming the first
 * frame that is not the guest's. */
static void *map_frames(struct xfb_dev *d, const xen_pfn_t *frames, uint32_t n, int prot,
                        const char *what)
{
    struct xfb_back *b = d->g->b;
    int *err = malloc((size_t)n * sizeof(*err));
    if (!err) {
        snprintf(b->why, sizeof(b->why), "out of memory");
        return NULL;
    }
    void *p = xenforeignmemory_map(b->xfm, (uint32_t)d->g->domid, prot, n, frames, err);
    if (!p)
        snprintf(b->why, sizeof(b->why), "cannot map %s: %s", what, strerror(errno));
    for (uint32_t i = 0; p && i < n; i++) {
        if (err[i]) {
            snprintf(b->why, sizeof(b->why), "%s: frame %llu (entry %u) is not the guest's: %s",
                     what, (unsigned long long)frames[i], i, strerror(-err[i]));
            xenforeignmemory_unmap(b->xfm, p, n);
            p = NULL;
        }
    }
    free(err);
    return p;
}

void *xfb_foreign_map_page(struct xfb_dev *d, uint64_t frame)
{
    struct xfb_back *b = d->g->b;
    if (!b->xfm) {
        xfb_log(XFB_LOG_ERROR, d,
                "the frontend gives a frame number (page-ref), and this backend has no "
                "privcmd to map it");
        return NULL;
    }
    xen_pfn_t f = (xen_pfn_t)frame;
    void *p = map_frames(d, &f, 1, PROT_READ | PROT_WRITE, "the shared page");
    if (!p)
        xfb_log(XFB_LOG_ERROR, d, "%s", b->why);
    return p;
}

int xfb_foreign_map_fb(struct xfb_dev *d, const struct xfb_layout *l, uint32_t n_dir, uint32_t n_fb,
                       const char **why)
{
    struct xfb_back *b = d->g->b;
    /* each pd[] slot read once, into our own copy */
    xen_pfn_t dir_frames[256];
    for (uint32_t i = 0; i < n_dir; i++) {
        uint64_t f = xfb_layout_pd_get_frame(l, d->page, i);
        if (f > XFB_FRAME_MAX) {
            snprintf(b->why, sizeof(b->why), "pd[%u] is %llu, beyond any machine's frames", i,
                     (unsigned long long)f);
            *why = b->why;
            return -1;
        }
        dir_frames[i] = (xen_pfn_t)f;
    }
    xen_pfn_t *frames = malloc((size_t)n_fb * sizeof(*frames));
    if (!frames) {
        *why = "out of memory";
        return -1;
    }
    /* The directory is only read to copy the frame numbers out once, and
     * unmapped right away: the guest changing it later is harmless. */
    volatile void *dir = map_frames(d, dir_frames, n_dir, PROT_READ, "the directory");
    if (!dir) {
        free(frames);
        *why = b->why;
        return -1;
    }
    uint32_t bad = n_fb;
    for (uint32_t i = 0; i < n_fb; i++) {
        uint64_t f = xfb_layout_dir_get_frame(l, dir, i);
        frames[i] = (xen_pfn_t)f;
        if (f > XFB_FRAME_MAX && bad == n_fb)
            bad = i;
    }
    xenforeignmemory_unmap(b->xfm, (void *)dir, n_dir);
    if (bad < n_fb) {
        snprintf(b->why, sizeof(b->why), "directory entry %u is %llu, beyond any machine's frames",
                 bad, (unsigned long long)frames[bad]);
        free(frames);
        *why = b->why;
        return -1;
    }
    d->fb = map_frames(d, frames, n_fb, PROT_READ, "the framebuffer");
    free(frames);
    if (!d->fb) {
        *why = b->why;
        return -1;
    }
    d->fb_pages = n_fb;
    return 0;
}
