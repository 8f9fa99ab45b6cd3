/* The cursor extension (protocol.md 7): the guest's pointer image, its
 * hotspot and visibility, in pages granted read-only to the backend, so
 * that viewers draw the cursor themselves and pointer motion changes no
 * pixel of the framebuffer.
 *
 * The frontend grants one header page and XFB_CURSOR_IMAGE_PAGES image
 * pages, read-only. The header names the image pages; the frontend writes
 * the grant reference of the header into its `cursor-gref` node, only if
 * the backend wrote `feature-cursor = 1`.
 *
 * Every field is a little-endian 32-bit word at a fixed offset, the same
 * on every ABI. The frontend changes them inside a sequence count: `seq`
 * odd while it writes, even when done. The backend copies what it needs
 * out of the shared pages, checks that `seq` was the same even value before
 * and after, and only then validates the copy and uses it.
 */
#ifndef XFB_PROTO_CURSOR_H
#define XFB_PROTO_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XFB_NODE_FEATURE_CURSOR "feature-cursor" /* backend: 1 = draws the cursor */
#define XFB_NODE_CURSOR_GREF    "cursor-gref"    /* frontend: grant of the header */

/* The largest image. 64x64 is what Xorg's hardware cursors and most GPUs
 * offer, and what desktops' default themes use at scale 1 (24 to 48
 * pixels); at 32 bits it is 16 KiB, four pages, which bounds what the
 * backend copies and what each viewer is sent per change. X draws a
 * larger cursor (an accessibility size) itself, as before. */
#define XFB_CURSOR_MAX         64u
#define XFB_CURSOR_STRIDE      (XFB_CURSOR_MAX * 4u) /* bytes per image row */
#define XFB_CURSOR_IMAGE_SIZE  (XFB_CURSOR_STRIDE * XFB_CURSOR_MAX)
#define XFB_CURSOR_IMAGE_PAGES 4u
#define XFB_CURSOR_PAGES       (1u + XFB_CURSOR_IMAGE_PAGES) /* header and image */

/* Offsets in the header page. */
#define XFB_CURSOR_SEQ        0u /* odd while the frontend writes */
#define XFB_CURSOR_IMAGE_GEN  4u /* changes whenever the image or hotspot does */
#define XFB_CURSOR_WIDTH      8u /* 0: no image (nothing drawn) */
#define XFB_CURSOR_HEIGHT     12u
#define XFB_CURSOR_HOT_X      16u /* the hotspot, inside the image */
#define XFB_CURSOR_HOT_Y      20u
#define XFB_CURSOR_X          24u /* int32: where the hotspot is on the surface */
#define XFB_CURSOR_Y          28u
#define XFB_CURSOR_VISIBLE    32u /* 0 hidden, 1 shown */
#define XFB_CURSOR_GREFS      48u /* uint32[XFB_CURSOR_IMAGE_PAGES]: the image pages */
#define XFB_CURSOR_HEADER_END (XFB_CURSOR_GREFS + 4u * XFB_CURSOR_IMAGE_PAGES)

/* The header as a reader copies it out. */
struct xfb_cursor_header {
    uint32_t seq, image_gen;
    uint32_t width, height, hot_x, hot_y;
    int32_t x, y;
    uint32_t visible;
};

/* Copy the header out of a shared page: one read of each word. */
void xfb_cursor_header_read(const volatile void *page, struct xfb_cursor_header *out);

/* NULL when a copied header describes an image this protocol allows:
 * width and height 0 (none) or 1..XFB_CURSOR_MAX, the hotspot inside the
 * image, visible 0 or 1. Otherwise why not, for a log line. */
const char *xfb_cursor_header_check(const struct xfb_cursor_header *h);

/* Pixels are 32-bit ARGB, alpha in the top byte, premultiplied as X
 * stores them: each colour at most alpha. Rows are XFB_CURSOR_STRIDE
 * bytes apart whatever the width. Convert one premultiplied pixel to
 * straight alpha (what SDL and RFB viewers expect); a colour above alpha
 * (a broken or hostile peer) is clamped to it. */
uint32_t xfb_cursor_unpremultiply(uint32_t argb);

#endif
