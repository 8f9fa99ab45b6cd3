/* Size requests on the vfb in ring (resreq.h): the layout of the event,
 * in one place for both ends. */
#include "proto/resreq.h"

#include <string.h>
#include <xen/io/fbif.h>

_Static_assert(XFB_RESREQ_HEIGHT_OFFS + 4 <= XENFB_IN_EVENT_SIZE, "a request fits one slot");

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

enum xfb_resreq_verdict xfb_resreq_parse(const void *slot, uint32_t *w, uint32_t *h)
{
    const uint8_t *s = slot;
    *w = get_le32(s + XFB_RESREQ_WIDTH_OFFS);
    *h = get_le32(s + XFB_RESREQ_HEIGHT_OFFS);
    if (!*w || !*h)
        return XFB_RESREQ_ZERO;
    if (*w > XFB_RESREQ_MAX || *h > XFB_RESREQ_MAX)
        return XFB_RESREQ_HUGE;
    return XFB_RESREQ_OK;
}

void xfb_resreq_fill(void *slot, uint32_t w, uint32_t h)
{
    uint8_t *s = slot;
    memset(s, 0, XENFB_IN_EVENT_SIZE);
    s[0] = XFB_TYPE_RESIZE_REQUEST;
    put_le32(s + XFB_RESREQ_WIDTH_OFFS, w);
    put_le32(s + XFB_RESREQ_HEIGHT_OFFS, h);
}
