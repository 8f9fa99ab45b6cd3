/* The messages a VNC viewer may send once it is connected (RFB 3.8,
 * client to server), checked one by one before the server (rfbserver.c)
 * acts on them: it then reads only whole, valid messages and needs no
 * checks of its own.
 *
 * The filter passes on only whole messages of the kinds the server
 * serves, each valid: a pixel format it can convert to, at most 32
 * encodings and only those it knows, cut text within a limit (longer
 * text is skipped, the rest of the stream kept; a negative length is the
 * extended clipboard's, at least its 4 bytes of flags), update requests
 * clipped to a bound the caller keeps (the picture's size), the QEMU
 * extended key event with a key number inside the table. SetDesktopSize
 * is read here and handed to the caller as an event. Anything else is
 * an error: the stream cannot be resynchronised after a message of
 * unknown length.
 *
 * Pure: no I/O, no allocation, so it is tested and fuzzed on its own.
 */
#ifndef XFB_RFBFILTER_H
#define XFB_RFBFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RFBFILTER_MAX_ENCODINGS 32
#define RFBFILTER_MAX_CUT_TEXT  10000000u
#define RFBFILTER_QNUM_CODES    254 /* QEMU key numbers (rfbkeys.h) */

/* The most one message adds to the output beyond the bytes it consumed:
 * an out buffer this much larger than the input never runs short. */
#define RFBFILTER_OUT_SLACK (4 + 4 * RFBFILTER_MAX_ENCODINGS)

/* What the caller has to act on: a feed stops right after such a
 * message. */
enum rfbfilter_event {
    RFBFILTER_NONE,
    RFBFILTER_RESIZE, /* SetDesktopSize, not passed on: ask_w, ask_h, ask_status */
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
    uint16_t ask_w, ask_h;
    uint8_t ask_status; /* 0, or 3: an invalid screen layout */
};

void rfbfilter_init(struct rfbfilter *f);

/* Read in[0..n) and append what may go on to out (*out_len grows, never
 * past cap). Returns the bytes of in consumed (fewer than n when out is
 * full: call again after draining it), or -1 when the viewer sent
 * something the server must not act on; f->why says what. */
ssize_t rfbfilter_feed(struct rfbfilter *f, const uint8_t *in, size_t n, uint8_t *out,
                       size_t *out_len, size_t cap);

#endif
