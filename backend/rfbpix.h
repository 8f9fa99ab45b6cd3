/* Pictures, pixel formats and output buffers: what every encoder of the
 * RFB server (rfbserver.h) shares.
 *
 * A picture (struct rfbpic) is a snapshot of the guest's screen the
 * daemon copied out of the guest's pages: nobody writes it while anyone
 * holds a reference, so an encoder on any thread reads one whole frame
 * (no tearing). A viewer's pixel format (struct rfbfmt) is any true-
 * colour format RFB allows; pixels are converted to it row by row, or
 * copied when it is the picture's own.
 */
#ifndef XFB_RFBPIX_H
#define XFB_RFBPIX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A viewer's pixel format (RFB 7.4), always true colour. */
struct rfbfmt {
    uint8_t bpp; /* 8, 16 or 32 */
    uint8_t depth;
    bool big_endian;
    uint16_t max[3]; /* red, green, blue */
    uint8_t shift[3];
};

/* What the server offers in ServerInit: 32 bits, depth 24, little
 * endian, red at 16, green at 8, blue at 0 (the guest's x8r8g8b8). */
extern const struct rfbfmt rfbfmt_default;

/* The 16 bytes of a PIXEL_FORMAT to a format; false when it is not one
 * the server serves (colour maps, odd sizes). */
bool rfbfmt_from_wire(struct rfbfmt *f, const uint8_t w[16]);
void rfbfmt_to_wire(const struct rfbfmt *f, uint8_t w[16]);

/* Bytes per pixel on the wire. */
static inline unsigned rfbfmt_bytes(const struct rfbfmt *f)
{
    return f->bpp / 8u;
}

/* A snapshot of the screen, immutable while shared. */
struct rfbpic {
    atomic_int refs;
    uint16_t width, height;
    uint8_t bytes;   /* per pixel: 4 (x8r8g8b8) or 2 (r5g6b5) */
    uint32_t stride; /* bytes per row */
    uint8_t *pixels;
};

/* A picture of w x h (rows packed), one reference, all black. NULL on
 * failure. */
struct rfbpic *rfbpic_new(unsigned w, unsigned h, unsigned bytes);
struct rfbpic *rfbpic_ref(struct rfbpic *p);
void rfbpic_unref(struct rfbpic *p);

/* Pixel (x, y) as 8-bit red, green and blue. */
static inline void rfbpic_rgb(const struct rfbpic *p, unsigned x, unsigned y, uint8_t rgb[3])
{
    const uint8_t *s = p->pixels + (size_t)y * p->stride + (size_t)x * p->bytes;
    if (p->bytes == 4) {
        uint32_t v = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16;
        rgb[0] = (uint8_t)(v >> 16);
        rgb[1] = (uint8_t)(v >> 8);
        rgb[2] = (uint8_t)v;
    } else {
        unsigned v = (unsigned)s[0] | (unsigned)s[1] << 8;
        unsigned r = v >> 11, g = (v >> 5) & 63, b = v & 31;
        rgb[0] = (uint8_t)(r << 3 | r >> 2);
        rgb[1] = (uint8_t)(g << 2 | g >> 4);
        rgb[2] = (uint8_t)(b << 3 | b >> 2);
    }
}

/* Whether the picture's rows are already in format f (a copy will do). */
bool rfbpix_is_native(const struct rfbfmt *f, const struct rfbpic *p);

/* n pixels of row y from x, in format f, to dst (n * bytes of f). */
void rfbpix_convert(const struct rfbfmt *f, uint8_t *dst, const struct rfbpic *p, unsigned x,
                    unsigned y, unsigned n);

/* One pixel given as 8-bit red, green, blue, in format f. */
void rfbpix_pack(const struct rfbfmt *f, uint8_t *dst, const uint8_t rgb[3]);

/* A growing output buffer. On a failed allocation it keeps what it had
 * and sets failed; every later append does nothing. */
struct rfbbuf {
    uint8_t *data;
    size_t len, cap;
    bool failed;
};

/* Room for n more bytes at data + len (len unchanged); NULL on failure. */
uint8_t *rfbbuf_room(struct rfbbuf *b, size_t n);
void rfbbuf_put(struct rfbbuf *b, const void *p, size_t n);
void rfbbuf_u8(struct rfbbuf *b, uint8_t v);
void rfbbuf_u16(struct rfbbuf *b, uint16_t v); /* big endian, as RFB */
void rfbbuf_u32(struct rfbbuf *b, uint32_t v);
/* A rectangle's header: x, y, w, h, encoding (RFB 7.6.1). */
void rfbbuf_rect(struct rfbbuf *b, unsigned x, unsigned y, unsigned w, unsigned h, int32_t enc);
void rfbbuf_free(struct rfbbuf *b);

#endif
