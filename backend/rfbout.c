/* The boundaries of neatvnc's messages to a viewer (rfbout.h says why). */
#include "config.h"

#include <string.h>

#include "rfbout.h"

enum {
    O_INIT,     /* the ServerInit's fixed part */
    O_TYPE,     /* between two messages */
    O_UPDATE,   /* a framebuffer update's header */
    O_RECT,     /* a rectangle's header */
    O_CUT,      /* cut text's header */
    O_LEN32,    /* a 32-bit length (Open H.264: and flags), then that many bytes */
    O_TIGHT,    /* Tight's control byte */
    O_FILTER,   /* Tight's filter id */
    O_PALETTE,  /* Tight's palette size */
    O_COMPACT1, /* Tight's compact length, byte by byte */
    O_COMPACT2,
    O_COMPACT3,
    O_SKIP, /* payload */
};

enum { AFTER_RECT, AFTER_MESSAGE, AFTER_PALETTE };

#define ENC_RAW          0
#define ENC_TIGHT        7
#define ENC_ZRLE         16
#define ENC_H264         50
#define ENC_CURSOR       (-239)
#define ENC_DESKTOP_SIZE (-223)
#define ENC_LAST_RECT    (-224)
#define ENC_QEMU_KEY     (-258)

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void use_format(struct rfbout *o, const uint8_t *f)
{
    o->bpp = f[0] / 8;
    o->tpixel3 = f[0] == 32 && f[1] <= 24 && f[3] && be16(f + 4) == 255 && be16(f + 6) == 255 &&
                 be16(f + 8) == 255;
    if (o->bpp != 1 && o->bpp != 2 && o->bpp != 4)
        o->lost = true;
}

void rfbout_init(struct rfbout *o)
{
    memset(o, 0, sizeof(*o));
    o->state = O_INIT;
    o->want = 24;
}

void rfbout_set_format(struct rfbout *o, const uint8_t fmt[16])
{
    memcpy(o->next_fmt, fmt, 16);
    o->fmt_pending = true;
}

bool rfbout_at_boundary(const struct rfbout *o)
{
    return !o->lost && o->state == O_TYPE && o->have == 0;
}

/* Read a fixed part of `want` bytes next. */
static void expect(struct rfbout *o, int state, size_t want)
{
    o->state = state;
    o->have = 0;
    o->want = want;
}

/* A message is over: the next byte is a message type. */
static void end_message(struct rfbout *o)
{
    expect(o, O_TYPE, 1);
    o->ended = true;
}

/* A rectangle (its payload included) is over. */
static void rect_done(struct rfbout *o)
{
    if (o->rects)
        o->rects--;
    if (o->rects)
        expect(o, O_RECT, 12);
    else
        end_message(o);
}

/* Pass n payload bytes, then do `then`. */
static void skip_then(struct rfbout *o, uint64_t n, int then)
{
    o->skip = n;
    o->after = then;
    o->state = O_SKIP;
}

static void skip(struct rfbout *o, uint64_t n)
{
    skip_then(o, n, AFTER_RECT);
}

static unsigned tpixel(const struct rfbout *o)
{
    return o->tpixel3 ? 3 : o->bpp;
}

/* Tight's basic compression, once the filter is known: data under 12
 * bytes comes as it is, else a compact length and zlib data. */
static void tight_data(struct rfbout *o, uint64_t raw)
{
    if (raw < 12)
        skip(o, raw);
    else
        expect(o, O_COMPACT1, 1);
}

static void rect_header(struct rfbout *o)
{
    const uint8_t *h = o->hdr;
    uint64_t w = be16(h + 4), ht = be16(h + 6);
    o->rect_w = (uint16_t)w;
    o->rect_h = (uint16_t)ht;
    int32_t enc = (int32_t)be32(h + 8);
    if (enc == ENC_RAW || enc == ENC_TIGHT || enc == ENC_ZRLE || enc == ENC_H264)
        o->pictures++;
    switch (enc) {
    case ENC_RAW:
        skip(o, w * ht * o->bpp);
        break;
    case ENC_CURSOR:
        skip(o, w * ht * o->bpp + (w + 7) / 8 * ht);
        break;
    case ENC_TIGHT:
        expect(o, O_TIGHT, 1);
        break;
    case ENC_ZRLE:
        expect(o, O_LEN32, 4);
        break;
    case ENC_H264:
        expect(o, O_LEN32, 8); /* length, flags */
        break;
    case ENC_DESKTOP_SIZE:
    case ENC_QEMU_KEY:
        rect_done(o);
        break;
    case ENC_LAST_RECT:
        o->rects = 0;
        end_message(o);
        break;
    default:
        o->lost = true;
    }
}

static void tight_control(struct rfbout *o, uint8_t c)
{
    unsigned kind = c >> 4;
    if (kind == 8) /* fill */
        skip(o, tpixel(o));
    else if (kind == 9 || kind == 10) /* JPEG, PNG */
        expect(o, O_COMPACT1, 1);
    else if (kind > 10)
        o->lost = true;
    else if (c & 0x40) /* a filter id follows */
        expect(o, O_FILTER, 1);
    else
        tight_data(o, (uint64_t)o->rect_w * o->rect_h * tpixel(o));
}

static void tight_filter(struct rfbout *o, uint8_t id)
{
    if (id == 1)
        expect(o, O_PALETTE, 1);
    else if (id == 0 || id == 2)
        tight_data(o, (uint64_t)o->rect_w * o->rect_h * tpixel(o));
    else
        o->lost = true;
}

/* The palette, then the data: as they are when the data is under 12
 * bytes, else a compact length after the palette. */
static void tight_palette(struct rfbout *o, unsigned colours)
{
    uint64_t data =
        colours == 2 ? (uint64_t)(o->rect_w + 7) / 8 * o->rect_h : (uint64_t)o->rect_w * o->rect_h;
    uint64_t palette = (uint64_t)colours * tpixel(o);
    if (data < 12)
        skip(o, palette + data);
    else
        skip_then(o, palette, AFTER_PALETTE);
}

static void compact(struct rfbout *o, uint8_t b)
{
    int i = o->state - O_COMPACT1;
    if (i == 0)
        o->len = 0;
    o->len |= (uint64_t)(b & (i == 2 ? 0xff : 0x7f)) << (7 * i);
    if (i < 2 && (b & 0x80))
        expect(o, o->state + 1, 1);
    else
        skip(o, o->len);
}

static void fixed_done(struct rfbout *o)
{
    const uint8_t *h = o->hdr;
    switch (o->state) {
    case O_INIT:
        use_format(o, h + 4);
        skip_then(o, be32(h + 20), AFTER_MESSAGE); /* the desktop's name */
        break;
    case O_TYPE:
        if (h[0] == 0)
            expect(o, O_UPDATE, 3);
        else if (h[0] == 2) /* bell */
            end_message(o);
        else if (h[0] == 3)
            expect(o, O_CUT, 7);
        else
            o->lost = true;
        break;
    case O_UPDATE:
        if (o->fmt_pending) {
            use_format(o, o->next_fmt);
            o->fmt_pending = false;
        }
        o->rects = be16(h + 1);
        if (o->rects)
            expect(o, O_RECT, 12);
        else
            end_message(o);
        break;
    case O_RECT:
        rect_header(o);
        break;
    case O_CUT:
        skip_then(o, be32(h + 3), AFTER_MESSAGE);
        break;
    case O_LEN32:
        skip(o, be32(h));
        break;
    case O_TIGHT:
        tight_control(o, h[0]);
        break;
    case O_FILTER:
        tight_filter(o, h[0]);
        break;
    case O_PALETTE:
        tight_palette(o, h[0] + 1u);
        break;
    case O_COMPACT1:
    case O_COMPACT2:
    case O_COMPACT3:
        compact(o, h[0]);
        break;
    }
}

static void skip_done(struct rfbout *o)
{
    if (o->after == AFTER_PALETTE)
        expect(o, O_COMPACT1, 1);
    else if (o->after == AFTER_MESSAGE)
        end_message(o);
    else
        rect_done(o);
}

size_t rfbout_feed(struct rfbout *o, const uint8_t *in, size_t n)
{
    size_t i = 0;
    o->ended = false;
    while (!o->lost && !o->ended) {
        if (o->state == O_SKIP) {
            uint64_t take = o->skip < n - i ? o->skip : n - i;
            o->skip -= take;
            i += (size_t)take;
            if (o->skip)
                break; /* the input ran out */
            skip_done(o);
            continue;
        }
        if (i == n)
            break;
        size_t take = o->want - o->have < n - i ? o->want - o->have : n - i;
        memcpy(o->hdr + o->have, in + i, take);
        o->have += take;
        i += take;
        if (o->have == o->want)
            fixed_done(o);
    }
    return o->lost ? n : i;
}
