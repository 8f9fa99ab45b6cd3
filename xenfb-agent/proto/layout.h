/* The vfb shared page as both ends see it, and this project's grant
 * extension to <xen/io/fbif.h> (see xenfb-protocol(7)).
 *
 * struct xenfb_page ends in `unsigned long pd[256]`, whose offset and slot
 * size depend on the frontend's ABI, named by its `protocol` node. The
 * backend may be a different ABI than the guest (a 32-bit guest on a 64-bit
 * dom0), so nobody indexes pd[] through the C struct: both ends go through
 * struct xfb_layout.
 */
#ifndef XFB_PROTO_LAYOUT_H
#define XFB_PROTO_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* xenfb's device types in xenstore (frontend device/TYPE/ID, backend
 * backend/TYPE/DOMID/ID). The protocol on them is vfb's and vkbd's with
 * the grant extension, but under types of their own: no kernel frontend
 * claims them (Linux's xen-fbfront and xen-kbdfront bind "vfb" and
 * "vkbd", often built in) and no QEMU scans them (it watches
 * backend/vfb and backend/vkbd), so nothing races X for the device and a
 * guest may have the kernel's vfb beside it. */
#define XFB_TYPE_FB  "xenfb"
#define XFB_TYPE_KBD "xenkbd"

/* xenstore nodes of the grant extension */
#define XFB_NODE_FEATURE_GREF "feature-gref" /* backend: 1 = understands page-gref */
#define XFB_NODE_PAGE_GREF    "page-gref"    /* frontend: grant of the shared page */

/* The horizontal wheel (extension): the backend offers it, the frontend
 * asks for it; then XENKBD_TYPE_MOTION and XENKBD_TYPE_POS events carry
 * the horizontal wheel delta (int32, positive = right, as REL_HWHEEL) in
 * their first reserved word, which is 0 otherwise. */
#define XFB_NODE_FEATURE_HWHEEL "feature-hwheel"
#define XFB_NODE_REQUEST_HWHEEL "request-hwheel"
#define XFB_KBD_HWHEEL_OFFS     16u

/* Lazy notification (extension): a backend that writes 1 re-reads
 * out_prod after publishing out_cons (with a full barrier between) and
 * handles what arrived. A frontend may then skip the notification for
 * events it adds while the backend has not yet consumed the ones before:
 * the backend is awake and will see them. */
#define XFB_NODE_FEATURE_LAZY_NOTIFY "feature-lazy-notify"

#define XFB_PAGE_SIZE 4096u
/* a directory page holds this many uint32 grant references */
#define XFB_GREFS_PER_DIR (XFB_PAGE_SIZE / sizeof(uint32_t))

/* Liveness bytes, in the unused tail of the last ring of both the vfb and
 * the vkbd page: each side sets its own to 1 and asks the grant device to
 * clear it (and send an event) when it lets go of the page, so the other
 * side learns of an exit or a crash without a timeout. */
#define XFB_ALIVE_FRONT_OFFS 4094u
#define XFB_ALIVE_BACK_OFFS  4095u

struct xfb_layout {
    size_t pd_offset;  /* byte offset of pd[0] in the shared page */
    size_t pd_size;    /* bytes per pd[] slot: 4 or 8 */
    unsigned pd_slots; /* slots before the in ring: pd[256] would overlap it */
};

/* The layout for a frontend's `protocol` value (NULL or "" = the reader's
 * native ABI). Returns 0, or -1 + EINVAL for a value we do not know. */
int xfb_layout_from_protocol(const char *protocol, struct xfb_layout *out);

/* The native layout of this build. */
void xfb_layout_native(struct xfb_layout *out);

/* The ABI string this build writes into `protocol`. */
const char *xfb_layout_native_protocol(void);

/* Read / write pd[i] of a shared page. Reading returns the low 32 bits,
 * which is all a grant reference has; in an 8-byte slot a non-zero high
 * half is reported through *high (a hostile or confused peer). i must be
 * below l->pd_slots. */
uint32_t xfb_layout_pd_get(const struct xfb_layout *l, const volatile void *page, unsigned i,
                           uint32_t *high);
void xfb_layout_pd_set(const struct xfb_layout *l, volatile void *page, unsigned i, uint32_t gref);

/* The standard protocol (a kernel frontend such as Linux's xen-fbfront):
 * pd[i] is the frame number of directory page i, and each directory page
 * is an array of the framebuffer's frame numbers, as `unsigned long` of
 * the frontend's ABI (the slot size: 512 or 1024 a page). Reading returns
 * the whole slot. */
uint64_t xfb_layout_pd_get_frame(const struct xfb_layout *l, const volatile void *page, unsigned i);
void xfb_layout_pd_set_frame(const struct xfb_layout *l, volatile void *page, unsigned i,
                             uint64_t frame);
/* Entry i of the directory pages (mapped one after the other at dir). */
uint64_t xfb_layout_dir_get_frame(const struct xfb_layout *l, const volatile void *dir, uint32_t i);
void xfb_layout_dir_set_frame(const struct xfb_layout *l, volatile void *dir, uint32_t i,
                              uint64_t frame);

static inline uint32_t xfb_layout_frames_per_dir(const struct xfb_layout *l)
{
    return (uint32_t)(XFB_PAGE_SIZE / l->pd_size);
}

/* Pages needed for mem_length bytes of framebuffer, and directory pages
 * needed to name them. */
static inline uint32_t xfb_fb_pages(uint64_t mem_length)
{
    return (uint32_t)((mem_length + XFB_PAGE_SIZE - 1) / XFB_PAGE_SIZE);
}

static inline uint32_t xfb_dir_pages(uint32_t fb_pages)
{
    return (fb_pages + (uint32_t)XFB_GREFS_PER_DIR - 1) / (uint32_t)XFB_GREFS_PER_DIR;
}

/* The most framebuffer memory a backend with these limits (max-width,
 * max-height in its directory) accepts, protocol.md 1: the videoram it
 * advertises (the largest mode at 32 bits, rounded up to a MiB) or that
 * mode's rows padded by 64 bytes, whichever is larger. */
static inline uint64_t xfb_max_mem_length(uint32_t max_width, uint32_t max_height)
{
    uint64_t px = (uint64_t)max_width * max_height * 4;
    uint64_t mib = (px + (1u << 20) - 1) >> 20 << 20;
    uint64_t padded = ((uint64_t)max_width * 4 + 64) * max_height;
    return mib > padded ? mib : padded;
}

/* The most framebuffer pages a layout's directory can name. */
static inline uint32_t xfb_layout_max_fb_pages(const struct xfb_layout *l)
{
    return l->pd_slots * (uint32_t)XFB_GREFS_PER_DIR;
}

#endif
