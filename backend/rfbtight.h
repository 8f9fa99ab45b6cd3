/* Tight encoding (RFB 7.7.6, encoding 7) of rectangles of a picture,
 * for one viewer: fill for a single colour, JPEG (libturbojpeg) when the
 * viewer asked for a quality level, else basic compression with zlib.
 *
 * Tight keeps four zlib streams per connection, named in each
 * rectangle; the encoder gives each of RFBTIGHT_STREAMS callers one of
 * its own, so that up to four bands of one update are encoded at once
 * on different threads (rfbtight_encode with different `stream`), their
 * outputs sent in any order within the update.
 */
#ifndef XFB_RFBTIGHT_H
#define XFB_RFBTIGHT_H

#include "rfbpix.h"

#define RFBTIGHT_STREAMS 4

struct rfbtight;

/* NULL on failure. */
struct rfbtight *rfbtight_new(void);
void rfbtight_free(struct rfbtight *t);

/* Append the rectangle (x, y, w, h) of p, inside it, in format f, as one
 * or more Tight rectangles, each with its header (RFB 7.6.1), to out.
 * quality: -1 for lossless, 0..9 the JPEG quality level the viewer asked
 * for (pseudo-encodings -32..-23); compress: 0..9 (-256..-247), the
 * zlib effort. Only stream `stream` (0..RFBTIGHT_STREAMS-1) of t is used.
 * Returns the number of rectangles appended, -1 on failure (out may
 * then hold part of it: the connection cannot go on). */
int rfbtight_encode(struct rfbtight *t, int stream, const struct rfbpic *p, const struct rfbfmt *f,
                    unsigned x, unsigned y, unsigned w, unsigned h, int quality, int compress,
                    struct rfbbuf *out);

/* Forget what every stream sent: an update encoded and never sent (the
 * viewer's inflate streams did not see it). The next piece on each
 * stream used before tells the viewer to reset it too. */
void rfbtight_reset(struct rfbtight *t);

#endif
