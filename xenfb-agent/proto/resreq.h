/* Size requests (extension, protocol.md 9): the backend asks the
 * frontend for a mode of a given size, on behalf of a viewer whose
 * window was resized. The frontend offers to take them with
 * `feature-resize-request = 1` among its nodes; only then does a backend
 * put XFB_TYPE_RESIZE_REQUEST events on the vfb in ring. The frontend
 * answers each request it handles with an ordinary XENFB_TYPE_RESIZE of
 * the mode in force afterwards: the size asked for, a smaller one (it
 * clamped), or the mode it had (it refused).
 *
 * The event is one slot of the in ring (40 bytes), little-endian:
 *   offset 0  u8   type, XFB_TYPE_RESIZE_REQUEST
 *   offset 4  u32  width in pixels
 *   offset 8  u32  height in pixels
 * the rest 0. Xen's header numbers its events from 1 up; this project's
 * own in events start at 128, out of the way of any it may add.
 */
#ifndef XFB_PROTO_RESREQ_H
#define XFB_PROTO_RESREQ_H

#include <stdint.h>

#define XFB_NODE_FEATURE_RESIZE_REQUEST "feature-resize-request" /* frontend: 1 */
#define XFB_TYPE_RESIZE_REQUEST         128

#define XFB_RESREQ_WIDTH_OFFS  4u
#define XFB_RESREQ_HEIGHT_OFFS 8u

/* The largest width or height a request may carry: X's screen sizes
 * are 16-bit and signed. Larger is a broken backend. */
#define XFB_RESREQ_MAX 32767u

enum xfb_resreq_verdict {
    XFB_RESREQ_OK = 0,
    XFB_RESREQ_ZERO = 1, /* a width or a height of 0 */
    XFB_RESREQ_HUGE = 2, /* beyond XFB_RESREQ_MAX */
};

/* Read a request out of a copy of an in-ring slot (40 bytes, the type
 * already checked): *w, *h as the slot says. Pure. */
enum xfb_resreq_verdict xfb_resreq_parse(const void *slot, uint32_t *w, uint32_t *h);

/* Fill a 40-byte slot with a request. */
void xfb_resreq_fill(void *slot, uint32_t w, uint32_t h);

#endif
