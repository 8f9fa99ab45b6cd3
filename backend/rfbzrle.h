/* ZRLE encoding (RFB 7.7.5, encoding 16) of rectangles of a picture,
 * for one viewer.
 *
 * ZRLE has one zlib stream per connection. So that bands of one update
 * can be deflated on several threads at once, each of RFBZRLE_PARTS
 * parts has a raw deflate stream of its own, ended with a sync flush at
 * the end of every call and never referring to data before it: the
 * parts' outputs, sent one after the other, are one valid continuation
 * of the viewer's stream (the way pigz compresses in parallel). The
 * first rectangle ever sent also carries the zlib header.
 *
 * Contract: within one update, call rfbzrle_begin once, then
 * rfbzrle_encode for parts 0..n-1 (concurrently if wanted, each part
 * from one thread at a time), and send their outputs in part order.
 * The zlib header travels in part 0's first rectangle after
 * rfbzrle_begin, so until one ZRLE rectangle has been sent, an update
 * with any must give part 0 one (give rectangles to the low-numbered
 * parts first).
 */
#ifndef XFB_RFBZRLE_H
#define XFB_RFBZRLE_H

#include "rfbpix.h"

#define RFBZRLE_PARTS 4

struct rfbzrle;

/* NULL on failure. */
struct rfbzrle *rfbzrle_new(void);
void rfbzrle_free(struct rfbzrle *z);

/* A new update begins: the serial part of the contract. */
void rfbzrle_begin(struct rfbzrle *z);

/* Append the rectangle (x, y, w, h) of p, inside it, in format f, as
 * ZRLE rectangles with their headers (RFB 7.6.1), to out, deflated by
 * part `part`; level: the zlib level 1..9 (the viewer's compression
 * level). A wide rectangle goes as strips of at most 65536 pixels.
 * Returns the number of rectangles appended (0 when w or h is 0),
 * -1 on failure (the connection cannot go on). */
int rfbzrle_encode(struct rfbzrle *z, int part, const struct rfbpic *p, const struct rfbfmt *f,
                   unsigned x, unsigned y, unsigned w, unsigned h, int level, struct rfbbuf *out);

#endif
