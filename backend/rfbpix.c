/* Pictures, pixel formats and output buffers (rfbpix.h). */
#include "config.h"

#include "rfbpix.h"

#include <stdlib.h>
#include <string.h>

const struct rfbfmt rfbfmt_default = {
    .bpp = 32,
    .depth = 24,
    .big_endian = false,
    .max = {255, 255, 255},
    .shift = {16, 8, 0},
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

bool rfbfmt_from_wire(struct rfbfmt *f, const uint8_t w[16])
{
    struct rfbfmt n = {
        .bpp = w[0],
        .depth = w[1],
        .big_endian = w[2] != 0,
        .max = {get16(w + 4), get16(w + 6), get16(w + 8)},
        .shift = {w[10], w[11], w[12]},
    };
    if (n.bpp != 8 && n.bpp != 16 && n.bpp != 32)
        return false;
    if (!w[3]) /* colour maps: no viewer in use needs one */
        return false;
    for (int i = 0; i < 3; i++)
        if (n.shift[i] >= n.bpp || !n.max[i])
            return false;
    *f = n;
    return true;
}

void rfbfmt_to_wire(const struct rfbfmt *f, uint8_t w[16])
{
    memset(w, 0, 16);
    w[0] = f->bpp;
    w[1] = f->depth;
    w[2] = f->big_endian;
    w[3] = 1;
    for (int i = 0; i < 3; i++) {
        w[4 + 2 * i] = (uint8_t)(f->max[i] >> 8);
        w[5 + 2 * i] = (uint8_t)f->max[i];
        w[10 + i] = f->shift[i];
    }
}

struct rfbpic *rfbpic_new(unsigned w, unsigned h, unsigned bytes)
{
    struct rfbpic *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->pixels = calloc((size_t)(w ? w : 1) * (h ? h : 1), bytes);
    if (!p->pixels) {
        free(p);
        return NULL;
    }
    atomic_init(&p->refs, 1);
    p->width = (uint16_t)w;
    p->height = (uint16_t)h;
    p->bytes = (uint8_t)bytes;
    p->stride = w * bytes;
    return p;
}

struct rfbpic *rfbpic_ref(struct rfbpic *p)
{
    atomic_fetch_add(&p->refs, 1);
    return p;
}

void rfbpic_unref(struct rfbpic *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    free(p->pixels);
    free(p);
}

bool rfbpix_is_native(const struct rfbfmt *f, const struct rfbpic *p)
{
    if (p->bytes == 4)
        return f->bpp == 32 && !f->big_endian && f->max[0] == 255 && f->max[1] == 255 &&
               f->max[2] == 255 && f->shift[0] == 16 && f->shift[1] == 8 && f->shift[2] == 0;
    return f->bpp == 16 && !f->big_endian && f->max[0] == 31 && f->max[1] == 63 &&
           f->max[2] == 31 && f->shift[0] == 11 && f->shift[1] == 5 && f->shift[2] == 0;
}

static void put_pixel(const struct rfbfmt *f, uint8_t *dst, uint32_t v)
{
    switch (f->bpp) {
    case 8:
        dst[0] = (uint8_t)v;
        break;
    case 16:
        if (f->big_endian) {
            dst[0] = (uint8_t)(v >> 8);
            dst[1] = (uint8_t)v;
        } else {
            dst[0] = (uint8_t)v;
            dst[1] = (uint8_t)(v >> 8);
        }
        break;
    default:
        if (f->big_endian) {
            dst[0] = (uint8_t)(v >> 24);
            dst[1] = (uint8_t)(v >> 16);
            dst[2] = (uint8_t)(v >> 8);
            dst[3] = (uint8_t)v;
        } else {
            memcpy(dst, &v, 4); /* x86 and arm64 Linux: little endian */
        }
        break;
    }
}

static uint32_t pack(const struct rfbfmt *f, const uint8_t rgb[3])
{
    uint32_t v = 0;
    for (int i = 0; i < 3; i++)
        v |= ((uint32_t)rgb[i] * f->max[i] + 127) / 255 << f->shift[i];
    return v;
}

void rfbpix_pack(const struct rfbfmt *f, uint8_t *dst, const uint8_t rgb[3])
{
    put_pixel(f, dst, pack(f, rgb));
}

void rfbpix_convert(const struct rfbfmt *f, uint8_t *dst, const struct rfbpic *p, unsigned x,
                    unsigned y, unsigned n)
{
    const uint8_t *src = p->pixels + (size_t)y * p->stride + (size_t)x * p->bytes;
    if (rfbpix_is_native(f, p)) {
        memcpy(dst, src, (size_t)n * p->bytes);
        return;
    }
    unsigned out = rfbfmt_bytes(f);
    bool full = f->max[0] == 255 && f->max[1] == 255 && f->max[2] == 255;
    if (p->bytes == 4 && full && f->bpp == 32) {
        /* 8 bits a channel, shifted elsewhere (BGR, big endian): the
         * common case of a viewer's own choice, without the scaling */
        for (unsigned i = 0; i < n; i++, src += 4, dst += 4) {
            uint32_t v = (uint32_t)src[2] << f->shift[0] | (uint32_t)src[1] << f->shift[1] |
                         (uint32_t)src[0] << f->shift[2];
            put_pixel(f, dst, v);
        }
        return;
    }
    for (unsigned i = 0; i < n; i++, dst += out) {
        uint8_t rgb[3];
        rfbpic_rgb(p, x + i, y, rgb);
        put_pixel(f, dst, pack(f, rgb));
    }
}

/* ---- buffers ---- */

uint8_t *rfbbuf_room(struct rfbbuf *b, size_t n)
{
    if (b->failed)
        return NULL;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return NULL;
        }
        b->data = d;
        b->cap = cap;
    }
    return b->data + b->len;
}

void rfbbuf_put(struct rfbbuf *b, const void *p, size_t n)
{
    uint8_t *d = rfbbuf_room(b, n);
    if (!d)
        return;
    memcpy(d, p, n);
    b->len += n;
}

void rfbbuf_u8(struct rfbbuf *b, uint8_t v)
{
    rfbbuf_put(b, &v, 1);
}

void rfbbuf_u16(struct rfbbuf *b, uint16_t v)
{
    uint8_t d[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    rfbbuf_put(b, d, 2);
}

void rfbbuf_u32(struct rfbbuf *b, uint32_t v)
{
    uint8_t d[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    rfbbuf_put(b, d, 4);
}

void rfbbuf_rect(struct rfbbuf *b, unsigned x, unsigned y, unsigned w, unsigned h, int32_t enc)
{
    rfbbuf_u16(b, (uint16_t)x);
    rfbbuf_u16(b, (uint16_t)y);
    rfbbuf_u16(b, (uint16_t)w);
    rfbbuf_u16(b, (uint16_t)h);
    rfbbuf_u32(b, (uint32_t)enc);
}

void rfbbuf_free(struct rfbbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
