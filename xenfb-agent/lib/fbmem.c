/* vfb framebuffer memory (protocol.md 2.2): the framebuffer's pages and
 * the directory naming them, both shared read-only with the backend, and
 * their replacement when a hotplug handle re-grants for another mode.
 *
 * Releasing pages a backend still maps is safe: the guest kernel ends a
 * grant that is still mapped only when the backend unmaps it (Linux defers
 * gnttab_end_foreign_access), so the backend reads the old picture until
 * it lets go, and never another process's memory. */
#include "private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xengnttab.h>

uint32_t xfb_fbmem_bytes(uint64_t b)
{
    b = (b + XFB_PAGE_SIZE - 1) / XFB_PAGE_SIZE * XFB_PAGE_SIZE;
    return b > UINT32_MAX - XFB_PAGE_SIZE ? 0 : (uint32_t)b;
}

static int alloc(struct xfb_front *f, uint32_t bytes, struct xfb_fbmem *m, bool quiet)
{
    memset(m, 0, sizeof(*m));
    uint32_t fb_pages = xfb_fb_pages(bytes), dir_pages = xfb_dir_pages(fb_pages);
    if (!bytes || dir_pages > f->layout.pd_slots || dir_pages > XFB_MAX_DIR_PAGES) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-008] %s %u: %u KiB of framebuffer need %u grant directory pages, the "
                "shared page holds %u: use a smaller mode",
                f->name, f->devid, bytes / 1024, dir_pages, f->layout.pd_slots);
        errno = E2BIG;
        return -1;
    }
    uint32_t need = 1 + fb_pages + dir_pages;
    uint32_t *refs = calloc(fb_pages, sizeof(*refs));
    if (!refs)
        return -1;
    /* Read-only to the backend: it only reads pixels (protocol.md 2.2). */
    m->fb = xengntshr_share_pages(f->xgs, f->be_id, fb_pages, refs, 0);
    if (m->fb)
        m->dir = xengntshr_share_pages(f->xgs, f->be_id, dir_pages, m->dir_refs, 0);
    if (!m->fb || !m->dir) {
        int err = errno;
        if (m->fb)
            xengntshr_unshare(f->xgs, m->fb, fb_pages);
        memset(m, 0, sizeof(*m));
        free(refs);
        /* X asks again for the mode it just failed to get (its first
         * mode set follows the open): one line per size is enough */
        if (!quiet && !(err == ENOSPC && bytes == f->nospace_bytes)) {
            xfb_grant_log_alloc_error(f, need, err);
            if (err == ENOSPC)
                f->nospace_bytes = bytes;
        }
        errno = err;
        return -1;
    }
    f->nospace_bytes = 0;
    m->fb_pages = fb_pages;
    m->dir_pages = dir_pages;
    m->mem_length = bytes;
    memset(m->dir, 0, (size_t)dir_pages * XFB_PAGE_SIZE);
    memcpy(m->dir, refs, (size_t)fb_pages * sizeof(*refs));
    free(refs);
    return 0;
}

int xfb_fbmem_alloc(struct xfb_front *f, uint32_t bytes, struct xfb_fbmem *m)
{
    return alloc(f, bytes, m, false);
}

void xfb_fbmem_free(struct xfb_front *f, struct xfb_fbmem *m)
{
    if (f->xgs) {
        if (m->fb)
            xengntshr_unshare(f->xgs, m->fb, m->fb_pages);
        if (m->dir)
            xengntshr_unshare(f->xgs, m->dir, m->dir_pages);
    }
    memset(m, 0, sizeof(*m));
}

void xfb_fbmem_install(struct xfb_front *f, const struct xfb_fbmem *m)
{
    f->mem = *m;
    f->mem_gen++;
    if (!f->page)
        return;
    for (uint32_t i = 0; i < f->layout.pd_slots; i++)
        xfb_layout_pd_set(&f->layout, f->page, i, i < m->dir_pages ? m->dir_refs[i] : 0);
    xfb_fbring_write_geometry(f);
}

/* gntalloc's limit does not hold the old memory and the new together:
 * let the old go first, and take it back, with its picture, if the new
 * cannot be had either. */
static int replace_in_turn(struct xfb_front *f, uint32_t bytes)
{
    struct xfb_fbmem old = f->mem, n;
    uint8_t *save = malloc(old.mem_length);
    if (!save) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(save, old.fb, old.mem_length);
    uint32_t old_bytes = old.mem_length;
    xfb_fbmem_free(f, &f->mem);
    xfb_fbmem_install(f, &f->mem);
    if (alloc(f, bytes, &n, false) == 0) {
        xfb_log(f, XFB_LOG_DEBUG,
                "%s %u: gntalloc's limit does not hold %u and %u KiB together: released the "
                "old memory first",
                f->name, f->devid, old_bytes / 1024, bytes / 1024);
        xfb_fbmem_install(f, &n);
        free(save);
        return 0;
    }
    int err = errno;
    if (alloc(f, old_bytes, &n, true) == 0) {
        memcpy(n.fb, save, old_bytes);
        xfb_fbmem_install(f, &n);
    } else {
        xfb_log(f, XFB_LOG_ERROR,
                "%s %u: the framebuffer's memory is gone: neither %u KiB nor the %u KiB it had "
                "could be granted again",
                f->name, f->devid, bytes / 1024, old_bytes / 1024);
    }
    free(save);
    errno = err;
    return -1;
}

int xfb_fbmem_replace(struct xfb_front *f, uint32_t bytes)
{
    struct xfb_fbmem n;
    if (!f->mem.fb) {
        if (xfb_fbmem_alloc(f, bytes, &n) < 0)
            return -1;
        xfb_fbmem_install(f, &n);
        return 0;
    }
    if (alloc(f, bytes, &n, true) == 0) {
        struct xfb_fbmem old = f->mem;
        xfb_fbmem_install(f, &n);
        xfb_fbmem_free(f, &old);
        return 0;
    }
    int err = errno;
    if (err == ENOSPC)
        return replace_in_turn(f, bytes);
    /* E2BIG was logged; anything else is worth a line too */
    if (err != E2BIG) {
        uint32_t fb = xfb_fb_pages(bytes);
        xfb_grant_log_alloc_error(f, 1 + fb + xfb_dir_pages(fb), err);
    }
    errno = err;
    return -1;
}

XFB_EXPORT uint32_t xfb_front_vfb_pages(uint32_t max_width, uint32_t max_height, uint32_t depth)
{
    (void)depth; /* an open without the hotplug flag grants 32-bit pixels */
    uint32_t bytes = xfb_fbmem_bytes((uint64_t)max_width * max_height * 4);
    if (!bytes)
        return 0;
    uint32_t fb = xfb_fb_pages(bytes);
    return 1 + fb + xfb_dir_pages(fb);
}
