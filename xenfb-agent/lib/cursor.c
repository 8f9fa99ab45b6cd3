/* vfb: the cursor extension (protocol.md 7). The caller's cursor lives in
 * the handle (so it survives the device going and a backend restarting)
 * and in pages granted read-only to the backend while the device is
 * there and the backend offers `feature-cursor`. */
#include "private.h"

#include "proto/cursor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xengnttab.h>

static void put(struct xfb_front *f, unsigned offs, uint32_t v)
{
    __atomic_store_n((uint32_t *)(f->cursor_page + offs), v, __ATOMIC_RELAXED);
}

/* Copy the handle's cursor into the shared pages, inside the sequence
 * count: a backend that reads while we write sees an odd or changed
 * count and reads again. The image is copied only when it changed. */
static void write_shared(struct xfb_front *f, bool image)
{
    struct xfb_cursor_state *c = &f->cursor;
    if (!f->cursor_page)
        return;
    put(f, XFB_CURSOR_SEQ, ++c->seq); /* odd */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (image) {
        memcpy((void *)(f->cursor_page + XFB_PAGE_SIZE), c->image, XFB_CURSOR_IMAGE_SIZE);
        put(f, XFB_CURSOR_IMAGE_GEN, ++c->image_gen);
        put(f, XFB_CURSOR_WIDTH, c->width);
        put(f, XFB_CURSOR_HEIGHT, c->height);
        put(f, XFB_CURSOR_HOT_X, c->hot_x);
        put(f, XFB_CURSOR_HOT_Y, c->hot_y);
    }
    put(f, XFB_CURSOR_X, (uint32_t)c->x);
    put(f, XFB_CURSOR_Y, (uint32_t)c->y);
    put(f, XFB_CURSOR_VISIBLE, c->visible);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put(f, XFB_CURSOR_SEQ, ++c->seq); /* even: done */
}

bool xfb_cursor_prepare(struct xfb_front *f)
{
    if (!f->cursor.wanted)
        return false;
    if (f->cursor_page)
        return true;
    if (!f->cursor.image) {
        f->cursor.image = calloc(1, XFB_CURSOR_IMAGE_SIZE);
        if (!f->cursor.image)
            return false;
    }
    uint32_t refs[XFB_CURSOR_PAGES];
    /* read-only to the backend: it only reads the cursor */
    f->cursor_page = xengntshr_share_pages(f->xgs, f->be_id, XFB_CURSOR_PAGES, refs, 0);
    if (!f->cursor_page) {
        xfb_log(f, XFB_LOG_WARNING,
                "%s %u: cannot grant %u pages for the cursor (%s): X draws the cursor itself",
                f->name, f->devid, XFB_CURSOR_PAGES, strerror(errno));
        return false;
    }
    memset((void *)f->cursor_page, 0, XFB_PAGE_SIZE);
    f->cursor_gref = refs[0];
    for (unsigned i = 0; i < XFB_CURSOR_IMAGE_PAGES; i++)
        put(f, XFB_CURSOR_GREFS + 4 * i, refs[1 + i]);
    /* keep the count going from where the handle's is: a backend that
     * stays across a re-grant must see a change */
    write_shared(f, true);
    return true;
}

void xfb_cursor_release(struct xfb_front *f)
{
    if (f->cursor_page && f->xgs)
        xengntshr_unshare(f->xgs, (void *)f->cursor_page, XFB_CURSOR_PAGES);
    f->cursor_page = NULL;
    f->cursor_published = false;
}

void xfb_cursor_free(struct xfb_front *f)
{
    xfb_cursor_release(f);
    free(f->cursor.image);
    f->cursor.image = NULL;
}

static void notify(struct xfb_front *f)
{
    /* the backend reads the header on any event of our port */
    if (xfb_front_cursor_active(f))
        xfb_grant_notify(f);
}

int xfb_cursor_want(struct xfb_front *f)
{
    f->cursor.image = calloc(1, XFB_CURSOR_IMAGE_SIZE);
    if (!f->cursor.image)
        return -1;
    f->cursor.wanted = true;
    return 0;
}

XFB_EXPORT bool xfb_front_cursor_active(const struct xfb_front *f)
{
    return f && f->connected && f->cursor_published && f->be_cursor && f->cursor_page;
}

XFB_EXPORT int xfb_front_cursor_image(struct xfb_front *f, uint32_t width, uint32_t height,
                                      uint32_t hot_x, uint32_t hot_y, const uint32_t *argb,
                                      uint32_t stride)
{
    if (!f || !f->cursor.wanted || width > XFB_CURSOR_MAX || height > XFB_CURSOR_MAX ||
        !width != !height ||
        (width && (hot_x >= width || hot_y >= height || !argb || stride < width)) ||
        (!width && (hot_x || hot_y))) {
        errno = EINVAL;
        return -1;
    }
    struct xfb_cursor_state *c = &f->cursor;
    memset(c->image, 0, XFB_CURSOR_IMAGE_SIZE);
    for (uint32_t y = 0; y < height; y++)
        memcpy((uint8_t *)c->image + (size_t)y * XFB_CURSOR_STRIDE, argb + (size_t)y * stride,
               (size_t)width * 4);
    c->width = width;
    c->height = height;
    c->hot_x = hot_x;
    c->hot_y = hot_y;
    write_shared(f, true);
    notify(f);
    return 0;
}

XFB_EXPORT int xfb_front_cursor_move(struct xfb_front *f, int32_t x, int32_t y)
{
    if (!f || !f->cursor.wanted) {
        errno = EINVAL;
        return -1;
    }
    f->cursor.x = x;
    f->cursor.y = y;
    /* no notification: viewers draw the cursor where their own pointer
     * is; the position is for the backend to read when it next looks */
    write_shared(f, false);
    return 0;
}

XFB_EXPORT int xfb_front_cursor_show(struct xfb_front *f, bool visible)
{
    if (!f || !f->cursor.wanted) {
        errno = EINVAL;
        return -1;
    }
    if (f->cursor.visible == (uint32_t)visible)
        return 0;
    f->cursor.visible = visible;
    write_shared(f, false);
    notify(f);
    return 0;
}
