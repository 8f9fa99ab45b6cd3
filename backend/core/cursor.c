/* The vfb cursor extension (protocol.md 7): the guest's cursor image,
 * hotspot and visibility, read from pages it granted read-only, checked
 * as hostile input and handed to the viewers, which draw it themselves.
 *
 * The guest may rewrite any of it while we read. We copy the header and
 * the image out under its sequence count, use the copy only if the count
 * was the same even value before and after, and validate the copy, never
 * the shared pages. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "proto/cursor.h"

/* Reads per wakeup before we leave a header the guest is rewriting: it
 * notifies again once it is done writing. */
#define CURSOR_TRIES 2

struct xfb_cursor_dev {
    volatile uint8_t *hdr; /* header page, read-only */
    volatile uint8_t *img; /* XFB_CURSOR_IMAGE_PAGES, read-only */
    uint32_t seq;          /* the count of the last header we used */
    uint32_t seen;         /* the count at the last wakeup, used or not */
    uint32_t image_gen;    /* ... and of its image */
    bool have;             /* a header was used */
    struct xfb_back_cursor pub;
    uint32_t raw[XFB_CURSOR_MAX * XFB_CURSOR_MAX];    /* copied, premultiplied */
    uint32_t pixels[XFB_CURSOR_MAX * XFB_CURSOR_MAX]; /* straight alpha, rows packed */
};

static void tell(struct xfb_dev *d, const struct xfb_back_cursor *c)
{
    struct xfb_back *b = d->g->b;
    if (b->ops && b->ops->cursor)
        b->ops->cursor(b->data, d->g, c);
}

int xfb_cursor_connect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref;
    if (xfb_xs_read_uint(b, d->fpath, XFB_NODE_CURSOR_GREF, UINT32_MAX, &gref) < 0) {
        if (errno == ENOENT)
            return 0; /* not asked for: the guest draws its cursor */
        xfb_log(XFB_LOG_ERROR, d, "frontend's cursor-gref is not a number");
        return -1;
    }
    struct xfb_cursor_dev *c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    uint32_t domid = (uint32_t)d->g->domid;
    uint32_t hdr_ref = (uint32_t)gref;
    c->hdr = xengnttab_map_domain_grant_refs(b->xgt, 1, domid, &hdr_ref, PROT_READ);
    if (!c->hdr) {
        xfb_log(XFB_LOG_ERROR, d, "cannot map the cursor header (grant %lu): %s", gref,
                strerror(errno));
        free(c);
        return -1;
    }
    /* the image pages are named once, here; rewriting them later changes
     * nothing we map */
    uint32_t refs[XFB_CURSOR_IMAGE_PAGES];
    for (unsigned i = 0; i < XFB_CURSOR_IMAGE_PAGES; i++)
        refs[i] = __atomic_load_n((const uint32_t *)(c->hdr + XFB_CURSOR_GREFS + 4 * i),
                                  __ATOMIC_RELAXED);
    c->img =
        xengnttab_map_domain_grant_refs(b->xgt, XFB_CURSOR_IMAGE_PAGES, domid, refs, PROT_READ);
    if (!c->img) {
        xfb_log(XFB_LOG_ERROR, d, "cannot map the cursor image pages: %s", strerror(errno));
        xengnttab_unmap(b->xgt, (void *)c->hdr, 1);
        free(c);
        return -1;
    }
    d->cursor = c;
    xfb_log(XFB_LOG_INFO, d, "the guest's cursor is drawn by the viewers (cursor extension)");
    /* the picture has no cursor from now on: a viewer shows none until
     * the first header, rather than the one of another connection */
    c->pub.pixels = c->pixels;
    tell(d, &c->pub);
    return 0; /* the header is read at the first wakeup, right after */
}

void xfb_cursor_disconnect(struct xfb_dev *d)
{
    struct xfb_cursor_dev *c = d->cursor;
    if (!c)
        return;
    struct xfb_back *b = d->g->b;
    d->cursor = NULL;
    tell(d, NULL);
    xengnttab_unmap(b->xgt, (void *)c->img, XFB_CURSOR_IMAGE_PAGES);
    xengnttab_unmap(b->xgt, (void *)c->hdr, 1);
    free(c);
}

/* One consistent copy of the header (and of the image when it is new),
 * or false when the guest was writing every time we looked. */
static bool copy_out(struct xfb_cursor_dev *c, struct xfb_cursor_header *h, bool *image,
                     const char **why)
{
    for (int i = 0; i < CURSOR_TRIES; i++) {
        uint32_t s1 =
            __atomic_load_n((const uint32_t *)(c->hdr + XFB_CURSOR_SEQ), __ATOMIC_ACQUIRE);
        if (s1 & 1)
            continue;
        xfb_cursor_header_read(c->hdr, h);
        *why = xfb_cursor_header_check(h);
        *image = !*why && (!c->have || h->image_gen != c->image_gen);
        if (*image)
            for (uint32_t y = 0; y < h->height; y++)
                memcpy(c->raw + (size_t)y * h->width,
                       (const void *)(c->img + (size_t)y * XFB_CURSOR_STRIDE),
                       (size_t)h->width * 4);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t s2 =
            __atomic_load_n((const uint32_t *)(c->hdr + XFB_CURSOR_SEQ), __ATOMIC_RELAXED);
        if (s1 == s2) {
            h->seq = s1;
            return true;
        }
    }
    return false;
}

bool xfb_cursor_event(struct xfb_dev *d)
{
    struct xfb_cursor_dev *c = d->cursor;
    if (!c)
        return false;
    uint32_t seq = __atomic_load_n((const uint32_t *)(c->hdr + XFB_CURSOR_SEQ), __ATOMIC_ACQUIRE);
    /* progress is a count that moved since we last looked: a count left
     * odd is not, or a guest could notify for ever without counting as
     * a flood */
    bool moved = seq != c->seen;
    c->seen = seq;
    if (c->have && seq == c->seq)
        return moved;
    struct xfb_cursor_header h;
    bool image = false;
    const char *why = NULL;
    if (!copy_out(c, &h, &image, &why))
        return moved; /* the guest is busy writing: it notifies when done */
    if (why) {
        char msg[96];
        snprintf(msg, sizeof(msg), "bad cursor: %s", why);
        xfb_dev_fail(d, msg);
        return false;
    }
    bool changed = !c->have || image || (h.visible != 0) != c->pub.visible;
    c->have = true;
    c->seq = h.seq;
    c->pub.x = h.x;
    c->pub.y = h.y;
    if (image) {
        c->image_gen = h.image_gen;
        size_t n = (size_t)h.width * h.height;
        for (size_t i = 0; i < n; i++)
            c->pixels[i] = xfb_cursor_unpremultiply(c->raw[i]);
        c->pub.width = h.width;
        c->pub.height = h.height;
        c->pub.hot_x = h.hot_x;
        c->pub.hot_y = h.hot_y;
        c->pub.serial++;
    }
    c->pub.visible = h.visible != 0;
    if (changed)
        tell(d, &c->pub);
    return true;
}

const struct xfb_back_cursor *xfb_back_guest_cursor(const struct xfb_back_guest *g)
{
    return g->fb.cursor ? &g->fb.cursor->pub : NULL;
}
