#include "proto/layout.h"

#include <errno.h>
#include <string.h>
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>
#include <xen/io/protocols.h>

/* Pin the fixed part of the wire layout: every field before pd[] is at the
 * same offset on every ABI, and pd[] follows depth at the slot alignment. */
_Static_assert(offsetof(struct xenfb_page, in_cons) == 0, "in_cons");
_Static_assert(offsetof(struct xenfb_page, out_prod) == 12, "out_prod");
_Static_assert(offsetof(struct xenfb_page, width) == 16, "width");
_Static_assert(offsetof(struct xenfb_page, mem_length) == 28, "mem_length");
_Static_assert(offsetof(struct xenfb_page, depth) == 32, "depth");
_Static_assert(offsetof(struct xenfb_page, pd) == (sizeof(unsigned long) == 8 ? 40 : 36), "pd");
_Static_assert(XENFB_OUT_RING_OFFS + XENFB_OUT_RING_SIZE <= XFB_PAGE_SIZE, "out ring");

_Static_assert(XFB_ALIVE_FRONT_OFFS >=
                   XENFB_OUT_RING_OFFS + XENFB_OUT_RING_LEN * XENFB_OUT_EVENT_SIZE,
               "vfb liveness bytes outside every out-ring slot");

_Static_assert(XFB_ALIVE_FRONT_OFFS >=
                   XENKBD_OUT_RING_OFFS + XENKBD_OUT_RING_LEN * XENKBD_OUT_EVENT_SIZE,
               "vkbd liveness bytes outside every out-ring slot");

_Static_assert(offsetof(struct xenkbd_motion, rel_z) + 4 <= XFB_KBD_HWHEEL_OFFS &&
                   offsetof(struct xenkbd_position, rel_z) + 4 <= XFB_KBD_HWHEEL_OFFS &&
                   XFB_KBD_HWHEEL_OFFS + 4 <= XENKBD_IN_EVENT_SIZE,
               "horizontal wheel in the first reserved word of motion and position events");

#define SLOTS(off, size) ((XENFB_IN_RING_OFFS - (off)) / (size))
static const struct xfb_layout layout32 = {36, 4, SLOTS(36, 4)};
static const struct xfb_layout layout64 = {40, 8, SLOTS(40, 8)};

void xfb_layout_native(struct xfb_layout *out)
{
    *out = sizeof(unsigned long) == 8 ? layout64 : layout32;
}

const char *xfb_layout_native_protocol(void)
{
    return XEN_IO_PROTO_ABI_NATIVE;
}

int xfb_layout_from_protocol(const char *protocol, struct xfb_layout *out)
{
    if (!protocol || !*protocol || !strcmp(protocol, XEN_IO_PROTO_ABI_NATIVE))
        xfb_layout_native(out);
    else if (!strcmp(protocol, XEN_IO_PROTO_ABI_X86_32))
        *out = layout32;
    else if (!strcmp(protocol, XEN_IO_PROTO_ABI_X86_64))
        *out = layout64;
    else {
        /* "arm-abi" names both 32- and 64-bit ARM, so a non-native one
         * cannot be told apart: refuse rather than guess */
        errno = EINVAL;
        return -1;
    }
    return 0;
}

uint32_t xfb_layout_pd_get(const struct xfb_layout *l, const volatile void *page, unsigned i,
                           uint32_t *high)
{
    const volatile unsigned char *p = (const volatile unsigned char *)page + l->pd_offset;
    uint32_t lo, hi = 0;
    if (l->pd_size == 8) {
        uint64_t v;
        memcpy(&v, (const void *)(p + (size_t)i * 8), sizeof(v));
        lo = (uint32_t)v;
        hi = (uint32_t)(v >> 32);
    } else {
        memcpy(&lo, (const void *)(p + (size_t)i * 4), sizeof(lo));
    }
    if (high)
        *high = hi;
    return lo;
}

void xfb_layout_pd_set(const struct xfb_layout *l, volatile void *page, unsigned i, uint32_t gref)
{
    volatile unsigned char *p = (volatile unsigned char *)page + l->pd_offset;
    if (l->pd_size == 8) {
        uint64_t v = gref;
        memcpy((void *)(p + (size_t)i * 8), &v, sizeof(v));
    } else {
        memcpy((void *)(p + (size_t)i * 4), &gref, sizeof(gref));
    }
}

/* One `unsigned long` of the frontend's ABI at p, read once. */
static uint64_t slot_get(size_t size, const volatile unsigned char *p)
{
    if (size == 8) {
        uint64_t v;
        memcpy(&v, (const void *)p, sizeof(v));
        return v;
    }
    uint32_t v;
    memcpy(&v, (const void *)p, sizeof(v));
    return v;
}

static void slot_set(size_t size, volatile unsigned char *p, uint64_t v)
{
    if (size == 8) {
        memcpy((void *)p, &v, sizeof(v));
    } else {
        uint32_t w = (uint32_t)v;
        memcpy((void *)p, &w, sizeof(w));
    }
}

uint64_t xfb_layout_pd_get_frame(const struct xfb_layout *l, const volatile void *page, unsigned i)
{
    return slot_get(l->pd_size,
                    (const volatile unsigned char *)page + l->pd_offset + (size_t)i * l->pd_size);
}

void xfb_layout_pd_set_frame(const struct xfb_layout *l, volatile void *page, unsigned i,
                             uint64_t frame)
{
    slot_set(l->pd_size, (volatile unsigned char *)page + l->pd_offset + (size_t)i * l->pd_size,
             frame);
}

uint64_t xfb_layout_dir_get_frame(const struct xfb_layout *l, const volatile void *dir, uint32_t i)
{
    return slot_get(l->pd_size, (const volatile unsigned char *)dir + (size_t)i * l->pd_size);
}

void xfb_layout_dir_set_frame(const struct xfb_layout *l, volatile void *dir, uint32_t i,
                              uint64_t frame)
{
    slot_set(l->pd_size, (volatile unsigned char *)dir + (size_t)i * l->pd_size, frame);
}
