/* The clipboard channel (protocol.md 8): a device of its own type,
 * `xenclip`, whose shared page holds two length-prefixed buffers' headers
 * and the grant references of their pages. Guest to dom0 text goes in
 * pages granted read-only to the backend; dom0 to guest text in pages the
 * guest grants writable. Each buffer is written under a sequence count
 * (odd while the writer writes), so a reader copies, checks the count, and
 * only then validates and uses its copy. */
#ifndef XFB_PROTO_CLIP_H
#define XFB_PROTO_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XFB_TYPE_CLIP "xenclip"

/* Backend: offers the channel. Frontend: asks for it (with page-gref and
 * event-channel, as every device). */
#define XFB_NODE_FEATURE_CLIPBOARD "feature-clipboard"
#define XFB_NODE_REQUEST_CLIPBOARD "request-clipboard"
/* Backend dir, written by dom0's toolstack: which ways text may cross
 * (both, to-guest, from-guest). The backend enforces it; the frontend
 * reads it only to say what is off. */
#define XFB_NODE_CLIPBOARD_POLICY "clipboard"

/* 64 KiB of text each way: sixteen pages. Far above what people copy
 * between a desktop and a viewer (a page of prose is 3 KiB, a screen of
 * code 8 KiB), and small enough that each change costs the backend one
 * bounded copy and a guest can pin only 32 pages with it. */
#define XFB_CLIP_MAX   65536u
#define XFB_CLIP_PAGES 16u

/* Offsets in the shared page, little-endian 32-bit words. */
#define XFB_CLIP_OUT_SEQ    0u   /* guest to dom0: odd while the guest writes */
#define XFB_CLIP_OUT_LEN    4u   /* bytes of text, at most XFB_CLIP_MAX */
#define XFB_CLIP_IN_SEQ     8u   /* dom0 to guest: odd while the backend writes */
#define XFB_CLIP_IN_LEN     12u  /* bytes of text, at most XFB_CLIP_MAX */
#define XFB_CLIP_OUT_GREFS  64u  /* uint32[16]: the guest to dom0 pages, read-only */
#define XFB_CLIP_IN_GREFS   128u /* uint32[16]: the dom0 to guest pages, writable */
#define XFB_CLIP_HEADER_END (XFB_CLIP_IN_GREFS + 4u * XFB_CLIP_PAGES)

/* Write text (len <= XFB_CLIP_MAX) into a buffer under its count: *seq is
 * the writer's own count (never read back from the shared page, which the
 * peer may rewrite), left even. */
void xfb_clip_write(volatile uint8_t *hdr, unsigned seq_off, unsigned len_off,
                    volatile uint8_t *buf, const void *text, uint32_t len, uint32_t *seq);

enum xfb_clip_result {
    XFB_CLIP_NONE = 0, /* the count has not moved since *seen */
    XFB_CLIP_NEW,      /* a consistent copy in out, *len bytes; *seen updated */
    XFB_CLIP_BUSY,     /* the writer was writing every time we looked */
    XFB_CLIP_TOO_LONG, /* a consistent length above XFB_CLIP_MAX: a broken peer */
};

/* Copy a buffer out (out holds XFB_CLIP_MAX bytes): at most a few tries,
 * each reading the count, the length and the text, then the count again. */
enum xfb_clip_result xfb_clip_copy(const volatile uint8_t *hdr, unsigned seq_off, unsigned len_off,
                                   const volatile uint8_t *buf, uint8_t *out, uint32_t *len,
                                   uint32_t *seen);

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF) without NUL: what both ends accept as text. */
bool xfb_clip_utf8_valid(const uint8_t *s, size_t len);

/* UTF-8 (valid) to Latin-1: each character above U+00FF becomes '?'.
 * out holds len bytes; returns its length, *replaced the characters
 * replaced. */
size_t xfb_clip_utf8_to_latin1(const uint8_t *s, size_t len, char *out, size_t *replaced);

/* Latin-1 to UTF-8: out holds 2 * len bytes; NUL bytes are dropped. */
size_t xfb_clip_latin1_to_utf8(const uint8_t *s, size_t len, uint8_t *out);

#endif
