/* Rectangle arithmetic for damage and update events. Coordinates arrive
 * from the peer as int32 and may be anything; none of these overflow. */
#ifndef XFB_PROTO_RECT_H
#define XFB_PROTO_RECT_H

#include <stdbool.h>
#include <stdint.h>

struct xfb_rect {
    int32_t x, y, w, h;
};

/* Clip r to the surface [0, width) x [0, height). Returns false (and leaves
 * r empty) when nothing of it lies inside, including for negative sizes. */
bool xfb_rect_clamp(struct xfb_rect *r, int32_t width, int32_t height);

/* The bounding box of a and b; an empty rectangle (w or h <= 0) counts as
 * nothing. */
struct xfb_rect xfb_rect_union(struct xfb_rect a, struct xfb_rect b);

static inline bool xfb_rect_empty(struct xfb_rect r)
{
    return r.w <= 0 || r.h <= 0;
}

#endif
