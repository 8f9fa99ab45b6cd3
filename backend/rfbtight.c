/* Tight encoding of rectangles (rfbtight.h).
 *
 * What goes on the wire, per piece of at most TIGHT_MAX_WIDTH x
 * TIGHT_MAX_AREA pixels (a one-colour band may be taller):
 *
 *   fill     0x80, one TPIXEL
 *   JPEG     0x90, compact length, a JFIF image
 *   palette  stream << 4 | 0x40, filter 1, colours - 1, the TPIXELs,
 *            then the indices (1 bit a pixel MSB first, rows padded to
 *            a byte, for 2 colours; else 1 byte)
 *   copy     stream << 4, then the TPIXELs
 *
 * The data of palette and copy is sent as it is when under 12 bytes,
 * else deflated on the slot's zlib stream with a sync flush and
 * preceded by its compact length. Each slot keeps its deflate stream,
 * as the viewer keeps its inflate stream, until rfbtight_reset: then
 * the slot's next palette or copy piece carries the stream's reset bit
 * (1 << stream in its first byte) and a new zlib header.
 */
#include "config.h"

#include "rfbtight.h"

#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <zlib.h>

#include "rfbzlib.h"

/* TigerVNC refuses wider JPEG and basic rectangles (and wants to refuse
 * wider fills too); the area is the one TightVNC, libvncserver and
 * TigerVNC servers keep to, so every decoder has been tried with it. It
 * also keeps a 16-bit JPEG piece within libvncclient's 640x480-byte
 * scratch buffer, which it fills with 3 bytes a pixel unchecked. */
#define TIGHT_MAX_WIDTH 2048
#define TIGHT_MAX_AREA  65536

/* Data shorter than this is never deflated (fixed by the protocol). */
#define TIGHT_MIN_TO_COMPRESS 12

/* A compact length has 22 bits. */
#define TIGHT_MAX_LEN 0x3fffff

#define TIGHT_FILL           0x80
#define TIGHT_JPEG           0x90
#define TIGHT_EXPLICIT       0x40
#define TIGHT_FILTER_PALETTE 1

/* More colours than this go as they are (or as JPEG): counting them
 * stays cheap, and past it the palette seldom wins by much. */
#define PALETTE_MAX 16

/* One stream's state: only calls with its number touch it. Aligned so
 * that two threads never write the same cache line. */
struct slot {
    _Alignas(64) z_stream zs;
    bool zs_ready;
    bool zheader_sent; /* the zlib header, which the raw stream lacks */
    bool reset_owed;   /* the viewer is to reset its stream (rfbtight_reset) */
    int zlevel;
    tjhandle tj;
    uint8_t *raw; /* a piece's pixels, converted */
    size_t raw_cap;
    uint8_t *zbuf; /* its deflated data */
    size_t zbuf_cap;
    unsigned char *jpeg; /* from tjAlloc */
    unsigned long jpeg_cap;
};

struct rfbtight {
    struct slot slot[RFBTIGHT_STREAMS];
};

/* Viewer's quality level to libjpeg quality and chroma subsampling:
 * TigerVNC's table (from VirtualGL's measurements), so that a level
 * looks the same as against Xvnc.
 *   level    0   1   2   3   4   5   6   7   8   9
 *   quality 15  29  41  42  62  77  79  86  92 100
 *   chroma  4:2:0       4:2:2       4:4:4
 */
static const struct {
    int quality, subsamp;
} jpeg_conf[10] = {
    {15, TJSAMP_420}, {29, TJSAMP_420}, {41, TJSAMP_420}, {42, TJSAMP_422}, {62, TJSAMP_422},
    {77, TJSAMP_422}, {79, TJSAMP_444}, {86, TJSAMP_444}, {92, TJSAMP_444}, {100, TJSAMP_444},
};

struct rfbtight *rfbtight_new(void)
{
    size_t size = (sizeof(struct rfbtight) + 63) / 64 * 64;
    struct rfbtight *t = aligned_alloc(64, size);
    if (!t)
        return NULL;
    memset(t, 0, size);
    return t;
}

void rfbtight_free(struct rfbtight *t)
{
    if (!t)
        return;
    for (int i = 0; i < RFBTIGHT_STREAMS; i++) {
        struct slot *s = &t->slot[i];
        if (s->zs_ready)
            deflateEnd(&s->zs);
        if (s->tj)
            tjDestroy(s->tj);
        tjFree(s->jpeg);
        free(s->raw);
        free(s->zbuf);
    }
    free(t);
}

void rfbtight_reset(struct rfbtight *t)
{
    for (int i = 0; i < RFBTIGHT_STREAMS; i++) {
        struct slot *s = &t->slot[i];
        if (!s->zheader_sent)
            continue; /* the viewer's stream is as new */
        /* deflateReset cannot fail on a stream deflateInit2 made */
        deflateReset(&s->zs);
        s->zheader_sent = false;
        s->reset_owed = true;
    }
}

/* A palette or copy piece's first byte: the stream, and its reset when
 * owed. */
static uint8_t stream_byte(struct slot *s, int stream)
{
    uint8_t b = (uint8_t)(stream << 4);
    if (s->reset_owed)
        b |= (uint8_t)(1u << stream);
    s->reset_owed = false;
    return b;
}

/* ---- pixels ---- */

/* The protocol's cut-down pixel: R, G, B bytes whatever the shifts and
 * byte order, when the format is 8 bits a channel in 24 of 32 bits
 * (libvncclient's and TigerVNC's test). */
static bool tpixel3(const struct rfbfmt *f)
{
    return f->bpp == 32 && f->depth == 24 && f->max[0] == 255 && f->max[1] == 255 &&
           f->max[2] == 255;
}

static unsigned tpixel_bytes(const struct rfbfmt *f)
{
    return tpixel3(f) ? 3 : rfbfmt_bytes(f);
}

/* n TPIXELs of row y from x to dst. */
static void tpixel_row(const struct rfbfmt *f, uint8_t *dst, const struct rfbpic *p, unsigned x,
                       unsigned y, unsigned n)
{
    if (!tpixel3(f)) {
        rfbpix_convert(f, dst, p, x, y, n);
        return;
    }
    if (p->bytes == 4) {
        const uint8_t *s = p->pixels + (size_t)y * p->stride + (size_t)x * 4;
        for (unsigned i = 0; i < n; i++, s += 4, dst += 3) {
            dst[0] = s[2];
            dst[1] = s[1];
            dst[2] = s[0];
        }
        return;
    }
    for (unsigned i = 0; i < n; i++, dst += 3)
        rfbpic_rgb(p, x + i, y, dst);
}

/* A picture's pixel as a number, without the padding byte: two pixels
 * of one colour compare equal. */
static uint32_t pic_value(const struct rfbpic *p, const uint8_t *s)
{
    if (p->bytes == 4)
        return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16;
    return (uint32_t)s[0] | (uint32_t)s[1] << 8;
}

static const uint8_t *pic_at(const struct rfbpic *p, unsigned x, unsigned y)
{
    return p->pixels + (size_t)y * p->stride + (size_t)x * p->bytes;
}

static bool is_solid(const struct rfbpic *p, unsigned x, unsigned y, unsigned w, unsigned h)
{
    uint32_t first = pic_value(p, pic_at(p, x, y));
    for (unsigned j = 0; j < h; j++) {
        const uint8_t *s = pic_at(p, x, y + j);
        for (unsigned i = 0; i < w; i++, s += p->bytes)
            if (pic_value(p, s) != first)
                return false;
    }
    return true;
}

/* ---- buffers and lengths ---- */

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return true;
    uint8_t *b = realloc(*buf, need);
    if (!b)
        return false;
    *buf = b;
    *cap = need;
    return true;
}

static int put_compact(struct rfbbuf *out, size_t n)
{
    if (n > TIGHT_MAX_LEN)
        return -1;
    uint8_t b[3] = {(uint8_t)(n & 0x7f), (uint8_t)(n >> 7 & 0x7f), (uint8_t)(n >> 14)};
    size_t len = 1;
    if (n > 0x7f) {
        b[0] |= 0x80;
        len = 2;
        if (n > 0x3fff) {
            b[1] |= 0x80;
            len = 3;
        }
    }
    rfbbuf_put(out, b, len);
    return 0;
}

/* ---- zlib ---- */

/* Level 0 would store the data, bigger than sent as it is: the lowest
 * the viewer gets is zlib's fastest. */
static int zlib_level(int compress)
{
    return compress < 1 ? 1 : compress > 9 ? 9 : compress;
}

static int slot_deflate_ready(struct slot *s, int level)
{
    if (!s->zs_ready) {
        if (rfb_deflate_init(&s->zs, level) != Z_OK)
            return -1;
        s->zs_ready = true;
        s->zlevel = level;
    }
    return 0;
}

/* Deflate n bytes of s->raw on the slot's stream into s->zbuf; the
 * length of the output, -1 on failure. A change of level goes through
 * deflateParams, whose own output (if any) belongs to this piece. */
static long slot_deflate(struct slot *s, size_t n, int level)
{
    if (slot_deflate_ready(s, level) < 0)
        return -1;
    if (!grow(&s->zbuf, &s->zbuf_cap, n + n / 8 + 256))
        return -1;
    z_stream *zs = &s->zs;
    size_t len = 0;
    if (!s->zheader_sent) {
        memcpy(s->zbuf, rfb_zlib_header, sizeof(rfb_zlib_header));
        len = sizeof(rfb_zlib_header);
        s->zheader_sent = true;
    }
    zs->next_out = s->zbuf + len;
    zs->avail_out = (uInt)(s->zbuf_cap - len);
    if (level != s->zlevel) {
        if (deflateParams(zs, level, Z_DEFAULT_STRATEGY) != Z_OK)
            return -1;
        s->zlevel = level;
        len = s->zbuf_cap - zs->avail_out;
    }
    zs->next_in = s->raw;
    zs->avail_in = (uInt)n;
    for (;;) {
        if (len == s->zbuf_cap && !grow(&s->zbuf, &s->zbuf_cap, s->zbuf_cap * 2))
            return -1;
        zs->next_out = s->zbuf + len;
        zs->avail_out = (uInt)(s->zbuf_cap - len);
        int r = deflate(zs, Z_SYNC_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR)
            return -1;
        len = s->zbuf_cap - zs->avail_out;
        /* room left over: the flush is complete */
        if (zs->avail_out)
            break;
    }
    return zs->avail_in ? -1 : (long)len;
}

/* The n bytes of s->raw as a basic piece's data: as they are when
 * short, else deflated with their length first. */
static int put_data(struct slot *s, size_t n, int compress, struct rfbbuf *out)
{
    if (n < TIGHT_MIN_TO_COMPRESS) {
        rfbbuf_put(out, s->raw, n);
        return 0;
    }
    long len = slot_deflate(s, n, zlib_level(compress));
    if (len < 0 || put_compact(out, (size_t)len) < 0)
        return -1;
    rfbbuf_put(out, s->zbuf, (size_t)len);
    return 0;
}

/* ---- the kinds of piece ---- */

static void put_fill(const struct rfbpic *p, const struct rfbfmt *f, unsigned x, unsigned y,
                     struct rfbbuf *out)
{
    uint8_t px[4];
    tpixel_row(f, px, p, x, y, 1);
    rfbbuf_u8(out, TIGHT_FILL);
    rfbbuf_put(out, px, tpixel_bytes(f));
}

static int put_copy(struct slot *s, int stream, const struct rfbpic *p, const struct rfbfmt *f,
                    unsigned x, unsigned y, unsigned w, unsigned h, int compress,
                    struct rfbbuf *out)
{
    size_t row = (size_t)w * tpixel_bytes(f);
    if (!grow(&s->raw, &s->raw_cap, row * h))
        return -1;
    for (unsigned j = 0; j < h; j++)
        tpixel_row(f, s->raw + row * j, p, x, y + j, w);
    rfbbuf_u8(out, stream_byte(s, stream));
    return put_data(s, row * h, compress, out);
}

/* A piece's colours when 2..PALETTE_MAX: their values, and where each
 * is first seen so that its TPIXEL comes from the picture itself. */
struct palette {
    unsigned n;
    uint32_t value[PALETTE_MAX];
    unsigned x[PALETTE_MAX], y[PALETTE_MAX];
};

static int palette_index(struct palette *pal, uint32_t v, unsigned x, unsigned y)
{
    for (unsigned k = 0; k < pal->n; k++)
        if (pal->value[k] == v)
            return (int)k;
    if (pal->n == PALETTE_MAX)
        return -1;
    pal->value[pal->n] = v;
    pal->x[pal->n] = x;
    pal->y[pal->n] = y;
    return (int)pal->n++;
}

/* The index of every pixel to idx (w * h bytes); false when there are
 * too many colours. */
static bool palette_scan(struct palette *pal, uint8_t *idx, const struct rfbpic *p, unsigned x,
                         unsigned y, unsigned w, unsigned h)
{
    uint32_t last = 0;
    int last_k = -1;
    pal->n = 0;
    for (unsigned j = 0; j < h; j++) {
        const uint8_t *src = pic_at(p, x, y + j);
        for (unsigned i = 0; i < w; i++, src += p->bytes) {
            uint32_t v = pic_value(p, src);
            if (last_k < 0 || v != last) {
                last_k = palette_index(pal, v, x + i, y + j);
                if (last_k < 0)
                    return false;
                last = v;
            }
            *idx++ = (uint8_t)last_k;
        }
    }
    return true;
}

/* Two colours: 8 pixels a byte, the first the most significant bit,
 * every row starting on a byte. In place: a row's bits never overtake
 * its indices. Returns the length. */
static size_t pack_mono(uint8_t *idx, unsigned w, unsigned h)
{
    size_t row = (w + 7) / 8, o = 0;
    for (unsigned j = 0; j < h; j++) {
        const uint8_t *src = idx + (size_t)j * w;
        for (size_t b = 0; b < row; b++) {
            uint8_t byte = 0;
            for (unsigned i = 0; i < 8 && b * 8 + i < w; i++)
                byte |= (uint8_t)(src[b * 8 + i] << (7 - i));
            idx[o++] = byte;
        }
    }
    return o;
}

/* 1 when sent with a palette, 0 when the piece has too many colours
 * for one, -1 on failure. */
static int put_palette(struct slot *s, int stream, const struct rfbpic *p, const struct rfbfmt *f,
                       unsigned x, unsigned y, unsigned w, unsigned h, int compress,
                       struct rfbbuf *out)
{
    struct palette pal;
    if (!grow(&s->raw, &s->raw_cap, (size_t)w * h))
        return -1;
    if (!palette_scan(&pal, s->raw, p, x, y, w, h) || pal.n < 2)
        return 0;
    size_t n = pal.n == 2 ? pack_mono(s->raw, w, h) : (size_t)w * h;
    unsigned tb = tpixel_bytes(f);
    uint8_t *head = rfbbuf_room(out, 3 + (size_t)pal.n * tb);
    if (!head)
        return -1;
    head[0] = (uint8_t)(stream_byte(s, stream) | TIGHT_EXPLICIT);
    head[1] = TIGHT_FILTER_PALETTE;
    head[2] = (uint8_t)(pal.n - 1);
    for (unsigned k = 0; k < pal.n; k++)
        tpixel_row(f, head + 3 + k * tb, p, pal.x[k], pal.y[k], 1);
    out->len += 3 + (size_t)pal.n * tb;
    return put_data(s, n, compress, out) < 0 ? -1 : 1;
}

static int put_jpeg(struct slot *s, const struct rfbpic *p, unsigned x, unsigned y, unsigned w,
                    unsigned h, int quality, struct rfbbuf *out)
{
    int q = quality > 9 ? 9 : quality;
    int subsamp = jpeg_conf[q].subsamp;
    if (!s->tj && !(s->tj = tjInitCompress()))
        return -1;
    unsigned long need = tjBufSize((int)w, (int)h, subsamp);
    if (need == (unsigned long)-1)
        return -1;
    if (need > s->jpeg_cap) {
        tjFree(s->jpeg);
        s->jpeg = NULL;
        s->jpeg_cap = 0;
        if (need > (unsigned long)INT32_MAX || !(s->jpeg = tjAlloc((int)need)))
            return -1;
        s->jpeg_cap = need;
    }

    const uint8_t *src;
    int pitch, format;
    if (p->bytes == 4) {
        /* x8r8g8b8 in little-endian memory: B, G, R, X */
        src = pic_at(p, x, y);
        pitch = (int)p->stride;
        format = TJPF_BGRX;
    } else {
        if (!grow(&s->raw, &s->raw_cap, (size_t)w * h * 3))
            return -1;
        for (unsigned j = 0; j < h; j++)
            for (unsigned i = 0; i < w; i++)
                rfbpic_rgb(p, x + i, y + j, s->raw + ((size_t)j * w + i) * 3);
        src = s->raw;
        pitch = (int)w * 3;
        format = TJPF_RGB;
    }
    unsigned long len = s->jpeg_cap;
    if (tjCompress2(s->tj, src, (int)w, pitch, (int)h, format, &s->jpeg, &len, subsamp,
                    jpeg_conf[q].quality, TJFLAG_NOREALLOC) != 0)
        return -1;
    rfbbuf_u8(out, TIGHT_JPEG);
    if (put_compact(out, len) < 0)
        return -1;
    rfbbuf_put(out, s->jpeg, len);
    return 0;
}

/* One piece within the limits, with its header. */
static int put_piece(struct slot *s, int stream, const struct rfbpic *p, const struct rfbfmt *f,
                     unsigned x, unsigned y, unsigned w, unsigned h, int quality, int compress,
                     struct rfbbuf *out)
{
    rfbbuf_rect(out, x, y, w, h, 7);
    if (is_solid(p, x, y, w, h)) {
        put_fill(p, f, x, y, out);
        return 0;
    }
    /* few colours: lossless and smaller than JPEG would be */
    int r = put_palette(s, stream, p, f, x, y, w, h, compress, out);
    if (r != 0)
        return r < 0 ? -1 : 0;
    /* libvncclient has no JPEG for 8 bits a pixel */
    if (quality >= 0 && (f->bpp == 16 || f->bpp == 32))
        return put_jpeg(s, p, x, y, w, h, quality, out);
    return put_copy(s, stream, p, f, x, y, w, h, compress, out);
}

/* Rows of a piece of width w. JPEG pieces end on a whole number of
 * 16-row MCUs, so that no seam falls inside one. */
static unsigned piece_rows(unsigned w, bool jpeg)
{
    unsigned rows = TIGHT_MAX_AREA / w;
    if (jpeg && rows >= 16)
        rows -= rows % 16;
    return rows;
}

int rfbtight_encode(struct rfbtight *t, int stream, const struct rfbpic *p, const struct rfbfmt *f,
                    unsigned x, unsigned y, unsigned w, unsigned h, int quality, int compress,
                    struct rfbbuf *out)
{
    if (!t || stream < 0 || stream >= RFBTIGHT_STREAMS || out->failed)
        return -1;
    /* never read outside the picture, whatever the caller asked */
    if (!w || !h || x >= p->width || y >= p->height)
        return 0;
    if (w > p->width - x)
        w = p->width - x;
    if (h > p->height - y)
        h = p->height - y;

    struct slot *s = &t->slot[stream];
    bool jpeg = quality >= 0 && (f->bpp == 16 || f->bpp == 32);
    int n = 0;
    for (unsigned cx = 0; cx < w; cx += TIGHT_MAX_WIDTH) {
        unsigned cw = w - cx < TIGHT_MAX_WIDTH ? w - cx : TIGHT_MAX_WIDTH;
        /* a one-colour band of any height is one fill */
        if (is_solid(p, x + cx, y, cw, h)) {
            rfbbuf_rect(out, x + cx, y, cw, h, 7);
            put_fill(p, f, x + cx, y, out);
            n++;
            continue;
        }
        unsigned rows = piece_rows(cw, jpeg);
        for (unsigned cy = 0; cy < h; cy += rows, n++) {
            unsigned ch = h - cy < rows ? h - cy : rows;
            if (put_piece(s, stream, p, f, x + cx, y + cy, cw, ch, quality, compress, out) < 0)
                return -1;
        }
    }
    return out->failed ? -1 : n;
}
