#include "proto/cursor.h"

#include <string.h>

#include "proto/layout.h"

_Static_assert(XFB_CURSOR_IMAGE_SIZE == XFB_CURSOR_IMAGE_PAGES * XFB_PAGE_SIZE,
               "the largest image fills the image pages");
_Static_assert(XFB_CURSOR_HEADER_END <= XFB_PAGE_SIZE, "the header fits its page");

static uint32_t word(const volatile void *page, unsigned offs)
{
    return __atomic_load_n((const uint32_t *)((const volatile uint8_t *)page + offs),
                           __ATOMIC_RELAXED);
}

void xfb_cursor_header_read(const volatile void *page, struct xfb_cursor_header *out)
{
    out->seq = word(page, XFB_CURSOR_SEQ);
    out->image_gen = word(page, XFB_CURSOR_IMAGE_GEN);
    out->width = word(page, XFB_CURSOR_WIDTH);
    out->height = word(page, XFB_CURSOR_HEIGHT);
    out->hot_x = word(page, XFB_CURSOR_HOT_X);
    out->hot_y = word(page, XFB_CURSOR_HOT_Y);
    out->x = (int32_t)word(page, XFB_CURSOR_X);
    out->y = (int32_t)word(page, XFB_CURSOR_Y);
    out->visible = word(page, XFB_CURSOR_VISIBLE);
}

const char *xfb_cursor_header_check(const struct xfb_cursor_header *h)
{
    if (h->visible > 1)
        return "visible is neither 0 nor 1";
    if (!h->width && !h->height)
        return h->hot_x || h->hot_y ? "a hotspot without an image" : NULL;
    if (!h->width || !h->height || h->width > XFB_CURSOR_MAX || h->height > XFB_CURSOR_MAX)
        return "the image is not 1..64 pixels each way";
    if (h->hot_x >= h->width || h->hot_y >= h->height)
        return "the hotspot is outside the image";
    return NULL;
}

uint32_t xfb_cursor_unpremultiply(uint32_t argb)
{
    uint32_t a = argb >> 24;
    if (a == 0)
        return 0;
    if (a == 255)
        return argb;
    uint32_t out = a << 24;
    for (int shift = 0; shift < 24; shift += 8) {
        uint32_t c = (argb >> shift) & 0xff;
        if (c > a)
            c = a;
        out |= ((c * 255 + a / 2) / a) << shift;
    }
    return out;
}
