/* Where neatvnc's messages to a viewer begin and end (RFB 3.8, server
 * to client), so that the daemon can put a message of its own between
 * two of them (ExtendedDesktopSize, which neatvnc 0.5.4 does not send).
 *
 * It reads the headers and skips the payloads by their lengths: the
 * ServerInit, framebuffer updates with the encodings neatvnc sends (Raw,
 * Tight, ZRLE, Cursor, DesktopSize, the QEMU key event, LastRect), cut
 * text and bells. The lengths of Raw, Cursor and Tight's pixels follow
 * the viewer's pixel format: the ServerInit's, then the one the viewer
 * set, taking effect at the next framebuffer update (as viewers take
 * it). Anything it cannot follow makes it give up for good (lost): the
 * daemon then adds nothing to that stream.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef XFB_RFBOUT_H
#define XFB_RFBOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rfbout {
    int state;
    uint8_t hdr[24]; /* the fixed part being read */
    size_t have, want;
    uint64_t skip;  /* payload bytes still to pass */
    int after;      /* what follows them */
    uint64_t len;   /* a Tight compact length being read */
    bool ended;     /* the last feed ended a message */
    unsigned rects; /* rectangles left in this update */
    unsigned bpp;   /* bytes per pixel of the viewer's format */
    bool tpixel3;   /* Tight's compact pixels are 3 bytes */
    uint8_t next_fmt[16];
    bool fmt_pending;
    uint16_t rect_w, rect_h;
    unsigned long pictures; /* rectangles of pixels passed (not pseudo-encodings) */
    bool lost;
};

void rfbout_init(struct rfbout *o);

/* The viewer sent SetPixelFormat (the 16 bytes of the format): it
 * applies from the next framebuffer update. */
void rfbout_set_format(struct rfbout *o, const uint8_t fmt[16]);

/* Read in[0..n) as the next bytes of the stream; returns how many it
 * read: all of them, or fewer when a message ended there (then
 * rfbout_at_boundary() is true and the rest is for the next call). */
size_t rfbout_feed(struct rfbout *o, const uint8_t *in, size_t n);

/* Between two messages (and not lost). */
bool rfbout_at_boundary(const struct rfbout *o);

#endif
