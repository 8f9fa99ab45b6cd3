/* The messages a VNC viewer may send once it is connected (RFB 3.8,
 * client to server), checked one by one before neatvnc sees them.
 *
 * neatvnc 0.5.4 frees a client in the middle of parsing its bytes when
 * they are junk (a message type it does not know, a colour-map pixel
 * format, cut text over its limit, more than 32 encodings, which also
 * puts it out of step with the stream) and then goes on using the freed
 * client. The filter passes on only whole messages of the kinds neatvnc
 * understands, each valid: a pixel format it can serve, at most 32
 * encodings and only those it knows (DesktopSize always among them:
 * neatvnc frees a client without it at the next resize, in the middle
 * of serving it), cut text within its limit (longer text is skipped,
 * the rest of the stream kept), update requests clipped to a bound the
 * caller keeps (neatvnc encodes the rectangle requested without
 * clipping it to the picture: past its memory, it reads the heap and
 * sends it), the QEMU extended key event with a key code inside its
 * table. SetDesktopSize (ExtendedDesktopSize, which neatvnc lacks) is
 * read here and handed to the caller, never to neatvnc. Anything else is an error: the stream
 * cannot be resynchronised after a message of unknown length.
 *
 * Pure: no I/O, no allocation, so it is tested and fuzzed on its own.
 */
#ifndef XFB_RFBFILTER_H
#define XFB_RFBFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* neatvnc 0.5.4's limits (its common.h) */
#define RFBFILTER_MAX_ENCODINGS 32
#define RFBFILTER_MAX_CUT_TEXT  10000000u
#define RFBFILTER_QNUM_CODES    254 /* its QEMU key code table */

/* The most one message adds to the output beyond the bytes it consumed:
 * an out buffer this much larger than the input never runs short. */
#define RFBFILTER_OUT_SLACK (4 + 4 * RFBFILTER_MAX_ENCODINGS)

/* What the caller has to act on: a feed stops right after such a
 * message. */
enum rfbfilter_event {
    RFBFILTER_NONE,
    RFBFILTER_FORMAT, /* SetPixelFormat passed on: format[] */
    RFBFILTER_RESIZE, /* SetDesktopSize, kept from neatvnc: ask_w, ask_h, ask_status */
    RFBFILTER_EXT,    /* SetEncodings with ExtendedDesktopSize passed on */
};

struct rfbfilter {
    int state;
    uint8_t msg[20]; /* the fixed part of the message being read */
    size_t have, want;
    uint32_t left; /* encodings still to read, or cut text bytes */
    int kept;      /* encodings kept so far */
    uint8_t enc[4 * RFBFILTER_MAX_ENCODINGS];
    uint32_t dropped;           /* length of cut text skipped; the caller resets it */
    unsigned max_w, max_h;      /* update requests are clipped to this; the caller sets it */
    char why[96];               /* after an error: what was wrong */
    enum rfbfilter_event event; /* of the last feed */
    uint8_t format[16];
    bool ext_size; /* the viewer asked for ExtendedDesktopSize (-308) */
    uint16_t ask_w, ask_h;
    uint8_t ask_status; /* 0, or 3: an invalid screen layout */
};

void rfbfilter_init(struct rfbfilter *f);

/* What to send neatvnc before the viewer's first message: SetEncodings
 * Raw and DesktopSize, RFB's default plus the resize neatvnc needs. */
extern const uint8_t rfbfilter_default_encodings[12];

/* Read in[0..n) and append what may go on to out (*out_len grows, never
 * past cap). Returns the bytes of in consumed (fewer than n when out is
 * full: call again after draining it), or -1 when the viewer sent
 * something neatvnc must not see; f->why says what. */
ssize_t rfbfilter_feed(struct rfbfilter *f, const uint8_t *in, size_t n, uint8_t *out,
                       size_t *out_len, size_t cap);

#endif
