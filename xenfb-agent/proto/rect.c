#include "proto/rect.h"

static void clip_axis(int64_t *lo, int64_t *hi, int64_t max)
{
    if (*lo < 0)
        *lo = 0;
    if (*hi > max)
        *hi = max;
}

bool xfb_rect_clamp(struct xfb_rect *r, int32_t width, int32_t height)
{
    /* widen first: x + w can overflow int32 for hostile values */
    int64_t x0 = r->x, y0 = r->y;
    int64_t x1 = x0 + r->w, y1 = y0 + r->h;
    if (r->w <= 0 || r->h <= 0 || width <= 0 || height <= 0)
        goto empty;
    clip_axis(&x0, &x1, width);
    clip_axis(&y0, &y1, height);
    if (x1 <= x0 || y1 <= y0)
        goto empty;
    *r = (struct xfb_rect){(int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
    return true;
empty:
    *r = (struct xfb_rect){0, 0, 0, 0};
    return false;
}

struct xfb_rect xfb_rect_union(struct xfb_rect a, struct xfb_rect b)
{
    if (xfb_rect_empty(a))
        return xfb_rect_empty(b) ? (struct xfb_rect){0, 0, 0, 0} : b;
    if (xfb_rect_empty(b))
        return a;
    int64_t x0 = a.x < b.x ? a.x : b.x;
    int64_t y0 = a.y < b.y ? a.y : b.y;
    int64_t ax1 = (int64_t)a.x + a.w, bx1 = (int64_t)b.x + b.w;
    int64_t ay1 = (int64_t)a.y + a.h, by1 = (int64_t)b.y + b.h;
    int64_t x1 = ax1 > bx1 ? ax1 : bx1;
    int64_t y1 = ay1 > by1 ? ay1 : by1;
    if (x1 - x0 > INT32_MAX)
        x1 = x0 + INT32_MAX;
    if (y1 - y0 > INT32_MAX)
        y1 = y0 + INT32_MAX;
    return (struct xfb_rect){(int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
}
