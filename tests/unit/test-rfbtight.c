/* Tight rectangles (backend/rfbtight.c), read back by a decoder of the
 * test's own, written from the protocol as libvncclient and TigerVNC
 * read it: lossless kinds give back exactly what rfbpix_convert makes,
 * JPEG comes close, pieces keep within the decoders' limits and tile
 * the rectangle asked for, and streams work side by side on threads. */
#include "rfbtight.h"

#include "tap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <zlib.h>

/* ---- the decoder ---- */

enum { K_FILL, K_JPEG, K_PALETTE, K_COPY, K_KINDS };

/* A viewer and its connection's encoder: their zlib streams go
 * together from the first rectangle on. */
struct dec {
    struct rfbtight *t;
    struct rfbfmt f;
    unsigned w, h;
    uint8_t *fb;     /* the viewer's framebuffer, in format f */
    uint16_t *cover; /* how many rectangles wrote each pixel */
    z_stream zs[4];
    bool zs_ready[4];
    tjhandle tj;
    unsigned kinds[K_KINDS];
    unsigned rects, too_big, resets;
    const char *err;
};

struct rd {
    const uint8_t *p;
    size_t left;
};

static bool take(struct rd *r, void *dst, size_t n)
{
    if (r->left < n)
        return false;
    if (dst)
        memcpy(dst, r->p, n);
    r->p += n;
    r->left -= n;
    return true;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static long compact(struct rd *r)
{
    uint8_t b;
    if (!take(r, &b, 1))
        return -1;
    long n = b & 0x7f;
    if (b & 0x80) {
        if (!take(r, &b, 1))
            return -1;
        n |= (long)(b & 0x7f) << 7;
        if (b & 0x80) {
            if (!take(r, &b, 1))
                return -1;
            n |= (long)b << 14;
        }
    }
    return n;
}

static bool is888(const struct rfbfmt *f)
{
    return f->bpp == 32 && f->depth == 24 && f->max[0] == 255 && f->max[1] == 255 &&
           f->max[2] == 255;
}

static unsigned tpixel_size(const struct rfbfmt *f)
{
    return is888(f) ? 3 : f->bpp / 8u;
}

static void store(const struct rfbfmt *f, uint8_t *dst, uint32_t v)
{
    unsigned n = f->bpp / 8u;
    for (unsigned i = 0; i < n; i++) {
        unsigned sh = f->big_endian ? 8 * (n - 1 - i) : 8 * i;
        dst[i] = (uint8_t)(v >> sh);
    }
}

/* A TPIXEL to the viewer's pixel (n bytes of format f). */
static void from_tpixel(const struct rfbfmt *f, uint8_t *dst, const uint8_t *tp)
{
    if (!is888(f)) {
        memcpy(dst, tp, f->bpp / 8u);
        return;
    }
    uint32_t v = (uint32_t)tp[0] << f->shift[0] | (uint32_t)tp[1] << f->shift[1] |
                 (uint32_t)tp[2] << f->shift[2];
    store(f, dst, v);
}

static void from_rgb(const struct rfbfmt *f, uint8_t *dst, const uint8_t *rgb)
{
    uint32_t v = 0;
    for (int c = 0; c < 3; c++)
        v |= ((uint32_t)rgb[c] * f->max[c] + 127) / 255 << f->shift[c];
    store(f, dst, v);
}

static uint8_t *fb_at(struct dec *d, unsigned x, unsigned y)
{
    return d->fb + ((size_t)y * d->w + x) * (d->f.bpp / 8u);
}

static void dec_init(struct dec *d, const struct rfbfmt *f, unsigned w, unsigned h)
{
    memset(d, 0, sizeof(*d));
    d->f = *f;
    d->w = w;
    d->h = h;
    d->fb = calloc((size_t)w * h, f->bpp / 8u);
    d->cover = calloc((size_t)w * h, sizeof(*d->cover));
    d->tj = tjInitDecompress();
    d->t = rfbtight_new();
}

static void dec_clear(struct dec *d)
{
    memset(d->cover, 0, (size_t)d->w * d->h * sizeof(*d->cover));
    memset(d->kinds, 0, sizeof(d->kinds));
    d->rects = d->too_big = 0;
}

static void dec_free(struct dec *d)
{
    for (int i = 0; i < 4; i++)
        if (d->zs_ready[i])
            inflateEnd(&d->zs[i]);
    tjDestroy(d->tj);
    rfbtight_free(d->t);
    free(d->fb);
    free(d->cover);
}

/* Exactly n bytes of pixel data, deflated or not, to buf. */
static bool read_data(struct dec *d, struct rd *r, int stream, uint8_t *buf, size_t n)
{
    if (n < 12)
        return take(r, buf, n);
    long len = compact(r);
    if (len <= 0 || (size_t)len > r->left)
        return false;
    z_stream *zs = &d->zs[stream];
    if (!d->zs_ready[stream]) {
        if (inflateInit(zs) != Z_OK)
            return false;
        d->zs_ready[stream] = true;
    }
    zs->next_in = (Bytef *)r->p;
    zs->avail_in = (uInt)len;
    zs->next_out = buf;
    zs->avail_out = (uInt)n + 1; /* room for one byte too many */
    int e = inflate(zs, Z_SYNC_FLUSH);
    r->p += len;
    r->left -= (size_t)len;
    return (e == Z_OK || e == Z_BUF_ERROR) && zs->avail_in == 0 && zs->avail_out == 1;
}

static bool dec_jpeg(struct dec *d, struct rd *r, unsigned x, unsigned y, unsigned w, unsigned h)
{
    long len = compact(r);
    if (len <= 0 || (size_t)len > r->left)
        return false;
    int jw, jh, sub, cs;
    if (tjDecompressHeader3(d->tj, r->p, (unsigned long)len, &jw, &jh, &sub, &cs) != 0 ||
        (unsigned)jw != w || (unsigned)jh != h)
        return false;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    bool ok = rgb && !tjDecompress2(d->tj, r->p, (unsigned long)len, rgb, (int)w, (int)w * 3,
                                    (int)h, TJPF_RGB, 0);
    for (unsigned j = 0; ok && j < h; j++)
        for (unsigned i = 0; i < w; i++)
            from_rgb(&d->f, fb_at(d, x + i, y + j), rgb + ((size_t)j * w + i) * 3);
    free(rgb);
    r->p += len;
    r->left -= (size_t)len;
    return ok;
}

static bool dec_basic(struct dec *d, struct rd *r, uint8_t ctl, unsigned x, unsigned y, unsigned w,
                      unsigned h)
{
    int stream = ctl >> 4 & 3;
    unsigned tp = tpixel_size(&d->f), colours = 0;
    uint8_t pal[256 * 4];
    if (ctl & 0x40) {
        uint8_t filter, n;
        if (!take(r, &filter, 1) || filter != 1 || !take(r, &n, 1))
            return false;
        colours = n + 1u;
        if (colours < 2 || !take(r, pal, colours * tp))
            return false;
    }
    size_t row = colours == 2 ? (w + 7) / 8 : colours ? w : (size_t)w * tp;
    uint8_t *buf = malloc(row * h + 1);
    bool ok = buf && read_data(d, r, stream, buf, row * h);
    for (unsigned j = 0; ok && j < h; j++) {
        const uint8_t *s = buf + row * j;
        for (unsigned i = 0; ok && i < w; i++) {
            unsigned k = colours == 2 ? s[i / 8] >> (7 - i % 8) & 1 : colours ? s[i] : 0;
            if (colours && k >= colours)
                ok = false;
            else
                from_tpixel(&d->f, fb_at(d, x + i, y + j), colours ? pal + k * tp : s + i * tp);
        }
    }
    free(buf);
    d->kinds[colours ? K_PALETTE : K_COPY]++;
    return ok;
}

static bool dec_rect(struct dec *d, struct rd *r)
{
    uint8_t hd[12], ctl;
    if (!take(r, hd, 12) || !take(r, &ctl, 1))
        return false;
    unsigned x = be16(hd), y = be16(hd + 2), w = be16(hd + 4), h = be16(hd + 6);
    uint32_t enc = (uint32_t)hd[8] << 24 | (uint32_t)hd[9] << 16 | (uint32_t)hd[10] << 8 | hd[11];
    if (enc != 7 || !w || !h || x + w > d->w || y + h > d->h) {
        d->err = "bad header";
        return false;
    }
    d->rects++;
    for (unsigned j = 0; j < h; j++)
        for (unsigned i = 0; i < w; i++)
            d->cover[(size_t)(y + j) * d->w + x + i]++;
    for (int i = 0; i < 4; i++) {
        if (ctl >> i & 1) {
            d->resets++;
            if (d->zs_ready[i])
                inflateReset(&d->zs[i]);
        }
    }
    uint8_t type = ctl >> 4;
    if (w > 2048 || (type != 8 && (size_t)w * h > 65536))
        d->too_big++;
    if (type == 8) {
        uint8_t tp[4];
        if (!take(r, tp, tpixel_size(&d->f)))
            return false;
        for (unsigned j = 0; j < h; j++)
            for (unsigned i = 0; i < w; i++)
                from_tpixel(&d->f, fb_at(d, x + i, y + j), tp);
        d->kinds[K_FILL]++;
        return true;
    }
    if (type == 9) {
        d->kinds[K_JPEG]++;
        return d->f.bpp != 8 && dec_jpeg(d, r, x, y, w, h);
    }
    if (type > 7) {
        d->err = "unknown compression";
        return false;
    }
    return dec_basic(d, r, ctl, x, y, w, h);
}

/* All of buf as rectangles; their number, -1 when anything is wrong. */
static int dec_run(struct dec *d, const struct rfbbuf *b)
{
    struct rd r = {b->data, b->len};
    unsigned before = d->rects;
    while (r.left)
        if (!dec_rect(d, &r))
            return -1;
    return (int)(d->rects - before);
}

/* Whether the rectangle is covered once and the rest not at all. */
static bool tiled(const struct dec *d, unsigned x, unsigned y, unsigned w, unsigned h)
{
    for (unsigned j = 0; j < d->h; j++)
        for (unsigned i = 0; i < d->w; i++) {
            bool in = i >= x && i < x + w && j >= y && j < y + h;
            if (d->cover[(size_t)j * d->w + i] != (in ? 1 : 0))
                return false;
        }
    return true;
}

/* Whether the viewer has the rectangle as rfbpix_convert makes it. */
static bool same(struct dec *d, const struct rfbpic *p, unsigned x, unsigned y, unsigned w,
                 unsigned h)
{
    size_t n = (size_t)w * (d->f.bpp / 8u);
    uint8_t *want = malloc(n);
    bool ok = want != NULL;
    for (unsigned j = 0; ok && j < h; j++) {
        rfbpix_convert(&d->f, want, p, x, y + j, w);
        ok = !memcmp(want, fb_at(d, x, y + j), n);
    }
    free(want);
    return ok;
}

/* ---- pictures ---- */

static uint32_t seed = 12345;

static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void put_rgb(struct rfbpic *p, unsigned x, unsigned y, uint32_t rgb)
{
    uint8_t *d = p->pixels + (size_t)y * p->stride + (size_t)x * p->bytes;
    if (p->bytes == 4) {
        d[0] = (uint8_t)rgb;
        d[1] = (uint8_t)(rgb >> 8);
        d[2] = (uint8_t)(rgb >> 16);
        d[3] = 0;
    } else {
        unsigned v = (rgb >> 19 & 31) << 11 | (rgb >> 10 & 63) << 5 | (rgb >> 3 & 31);
        d[0] = (uint8_t)v;
        d[1] = (uint8_t)(v >> 8);
    }
}

enum { P_RANDOM, P_GRADIENT, P_SMOOTH, P_TWO, P_FIVE };

static struct rfbpic *picture(unsigned w, unsigned h, unsigned bytes, int kind)
{
    struct rfbpic *p = rfbpic_new(w, h, bytes);
    static const uint32_t five[5] = {0xffffff, 0x000000, 0x3366cc, 0xdd2211, 0x7f7f7f};
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            uint32_t c;
            switch (kind) {
            case P_RANDOM:
                c = rnd() & 0xffffff;
                break;
            case P_GRADIENT:
                c = (x * 7 & 255) << 16 | (y * 3 & 255) << 8 | ((x + y) & 255);
                break;
            case P_SMOOTH: /* photo-like: slow ramps */
                c = (128 + x / 2 % 128) << 16 | (64 + y / 2 % 128) << 8 | (x + y) / 4 % 256;
                break;
            case P_TWO:
                c = (x * x + y) % 7 < 3 ? 0x102030 : 0xf0e0d0;
                break;
            default:
                c = five[(x / 3 + y * y) % 5];
                break;
            }
            put_rgb(p, x, y, c);
        }
    return p;
}

/* ---- the checks ---- */

static const struct rfbfmt fmt_bgr = {32, 24, false, {255, 255, 255}, {0, 8, 16}};
static const struct rfbfmt fmt_be = {32, 24, true, {255, 255, 255}, {16, 8, 0}};
static const struct rfbfmt fmt_d32 = {32, 32, false, {255, 255, 255}, {0, 8, 16}};
static const struct rfbfmt fmt_565 = {16, 16, false, {31, 63, 31}, {11, 5, 0}};
static const struct rfbfmt fmt_233 = {8, 8, false, {7, 7, 3}, {0, 3, 6}};

static void test_fill(void)
{
    struct rfbpic *p = rfbpic_new(200, 100, 4);
    for (unsigned y = 0; y < 100; y++)
        for (unsigned x = 0; x < 200; x++)
            put_rgb(p, x, y, 0x123456);
    struct rfbbuf b = {0};
    struct dec d;
    dec_init(&d, &rfbfmt_default, 200, 100);
    int n = rfbtight_encode(d.t, 0, p, &rfbfmt_default, 10, 20, 100, 50, -1, 6, &b);
    static const uint8_t want[] = {0, 10, 0, 20, 0, 100, 0, 50, 0, 0, 0, 7, 0x80, 0x12, 0x34, 0x56};
    ok(n == 1 && b.len == sizeof(want) && !memcmp(b.data, want, sizeof(want)),
       "one colour: one fill, its TPIXEL as R, G, B");
    ok(dec_run(&d, &b) == 1 && tiled(&d, 10, 20, 100, 50) && same(&d, p, 10, 20, 100, 50),
       "and it decodes to the picture");
    dec_free(&d);

    b.len = 0;
    dec_init(&d, &fmt_565, 200, 100);
    n = rfbtight_encode(d.t, 0, p, &fmt_565, 0, 0, 200, 100, 5, 6, &b);
    ok(n == 1 && b.len == 12 + 1 + 2 && b.data[12] == 0x80 && dec_run(&d, &b) == 1 &&
           same(&d, p, 0, 0, 200, 100),
       "a fill at 16 bits has a 2-byte TPIXEL, JPEG asked or not");
    dec_free(&d);

    b.len = 0;
    struct rfbpic *tall = rfbpic_new(100, 1000, 4);
    dec_init(&d, &rfbfmt_default, 100, 1000);
    n = rfbtight_encode(d.t, 0, tall, &rfbfmt_default, 0, 0, 100, 1000, -1, 6, &b);
    ok(n == 1 && dec_run(&d, &b) == 1 && d.kinds[K_FILL] == 1 && tiled(&d, 0, 0, 100, 1000),
       "a one-colour area over 65536 pixels is still one fill");
    dec_free(&d);
    rfbpic_unref(tall);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

static void lossless(const struct rfbfmt *f, const char *name, unsigned bytes, int kind,
                     const char *what, int want_kind)
{
    unsigned w = 301, h = 201;
    struct rfbpic *p = picture(w, h, bytes, kind);
    struct rfbbuf b = {0};
    struct dec d;
    dec_init(&d, f, w, h);
    int n = rfbtight_encode(d.t, 1, p, f, 3, 5, 290, 190, -1, 6, &b);
    int got = dec_run(&d, &b);
    ok(n > 0 && got == n && tiled(&d, 3, 5, 290, 190) && same(&d, p, 3, 5, 290, 190) &&
           d.kinds[want_kind] > 0 && !d.too_big,
       "%s, %s from a %u-byte picture: exact (%d rects, %zu bytes)", name, what, bytes, n, b.len);
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

static void test_lossless(void)
{
    static const struct {
        const struct rfbfmt *f;
        const char *name;
    } fmts[] = {
        {&rfbfmt_default, "default"}, {&fmt_bgr, "BGR 32"},        {&fmt_be, "big-endian 32"},
        {&fmt_d32, "depth 32"},       {&fmt_565, "16-bit r5g6b5"}, {&fmt_233, "8-bit bgr233"},
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        lossless(fmts[i].f, fmts[i].name, 4, P_RANDOM, "random", K_COPY);
        lossless(fmts[i].f, fmts[i].name, 4, P_GRADIENT, "gradient", K_COPY);
        lossless(fmts[i].f, fmts[i].name, 4, P_TWO, "two colours", K_PALETTE);
        lossless(fmts[i].f, fmts[i].name, 4, P_FIVE, "five colours", K_PALETTE);
    }
    lossless(&fmt_565, "16-bit r5g6b5", 2, P_RANDOM, "random", K_COPY);
    lossless(&rfbfmt_default, "default", 2, P_RANDOM, "random", K_COPY);
    lossless(&fmt_233, "8-bit bgr233", 2, P_GRADIENT, "gradient", K_COPY);
    lossless(&fmt_be, "big-endian 32", 2, P_FIVE, "five colours", K_PALETTE);
}

static void test_small(void)
{
    struct rfbpic *p = picture(40, 40, 4, P_RANDOM);
    struct dec d;
    dec_init(&d, &rfbfmt_default, 40, 40);
    struct rfbbuf b = {0};
    bool good = true;
    for (unsigned w = 1; w <= 5; w++)
        for (unsigned h = 1; h <= 5; h++) {
            b.len = 0;
            dec_clear(&d);
            int n = rfbtight_encode(d.t, 2, p, &rfbfmt_default, 30, 30, w, h, -1, 1, &b);
            good = good && n == 1 && dec_run(&d, &b) == 1 && tiled(&d, 30, 30, w, h) &&
                   same(&d, p, 30, 30, w, h);
        }
    ok(good, "every size from 1x1 to 5x5: exact, short data sent as it is");
    b.len = 0;
    dec_clear(&d);
    int n = rfbtight_encode(d.t, 2, p, &rfbfmt_default, 35, 38, 10, 10, -1, 1, &b);
    ok(n == 1 && dec_run(&d, &b) == 1 && tiled(&d, 35, 38, 5, 2),
       "a rectangle past the picture's edge is cut to it");
    b.len = 0;
    ok(rfbtight_encode(d.t, 2, p, &rfbfmt_default, 0, 0, 0, 5, -1, 1, &b) == 0 && b.len == 0,
       "an empty rectangle: nothing");
    ok(rfbtight_encode(d.t, RFBTIGHT_STREAMS, p, &rfbfmt_default, 0, 0, 5, 5, -1, 1, &b) == -1,
       "a stream out of range fails");
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

static void test_levels(void)
{
    struct rfbpic *p = picture(256, 64, 4, P_GRADIENT);
    struct dec d;
    dec_init(&d, &fmt_bgr, 256, 64);
    struct rfbbuf b = {0};
    bool good = true;
    static const int levels[] = {0, 9, 9, 1, 5, 3, 12, -3};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        b.len = 0;
        dec_clear(&d);
        memset(d.fb, 0, (size_t)256 * 64 * 4);
        int n = rfbtight_encode(d.t, 3, p, &fmt_bgr, 0, 0, 256, 64, -1, levels[i], &b);
        good = good && n > 0 && dec_run(&d, &b) == n && same(&d, p, 0, 0, 256, 64);
    }
    ok(good, "the compression level changes between calls on one stream: still exact");
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

static void test_split(void)
{
    struct rfbpic *p = picture(5000, 40, 4, P_RANDOM);
    struct dec d;
    dec_init(&d, &rfbfmt_default, 5000, 40);
    struct rfbbuf b = {0};
    int n = rfbtight_encode(d.t, 0, p, &rfbfmt_default, 1, 2, 4990, 37, -1, 2, &b);
    ok(n == 5 && dec_run(&d, &b) == n && !d.too_big && tiled(&d, 1, 2, 4990, 37) &&
           same(&d, p, 1, 2, 4990, 37),
       "4990x37: 5 pieces of at most 2048 wide and 65536 pixels, tiling it, exact");
    dec_free(&d);
    rfbpic_unref(p);

    p = picture(1000, 300, 4, P_GRADIENT);
    dec_init(&d, &fmt_565, 1000, 300);
    b.len = 0;
    n = rfbtight_encode(d.t, 0, p, &fmt_565, 0, 0, 1000, 300, -1, 2, &b);
    ok(n == 5 && dec_run(&d, &b) == n && !d.too_big && tiled(&d, 0, 0, 1000, 300) &&
           same(&d, p, 0, 0, 1000, 300),
       "300000 pixels: pieces of at most 65536, tiling it, exact (%d)", n);
    dec_free(&d);
    rfbpic_unref(p);

    p = picture(2500, 300, 4, P_SMOOTH);
    dec_init(&d, &rfbfmt_default, 2500, 300);
    b.len = 0;
    n = rfbtight_encode(d.t, 0, p, &rfbfmt_default, 0, 0, 2500, 300, 7, 2, &b);
    ok(n > 0 && dec_run(&d, &b) == n && !d.too_big && d.kinds[K_JPEG] == (unsigned)n &&
           tiled(&d, 0, 0, 2500, 300),
       "JPEG over 2048 wide and 65536 pixels: pieces within the limits, tiling it (%d)", n);
    dec_free(&d);
    rfbpic_unref(p);
    rfbbuf_free(&b);
}

/* The largest and the mean difference of a channel. */
static void jpeg_error(struct dec *d, const struct rfbpic *p, unsigned *max, double *mean)
{
    unsigned long sum = 0;
    *max = 0;
    for (unsigned y = 0; y < d->h; y++)
        for (unsigned x = 0; x < d->w; x++) {
            uint8_t src[3], got[3];
            uint8_t want[4];
            rfbpic_rgb(p, x, y, src);
            /* back to RGB through the viewer's format, as the source */
            uint32_t v = 0;
            unsigned nb = d->f.bpp / 8u;
            const uint8_t *s = fb_at(d, x, y);
            for (unsigned i = 0; i < nb; i++)
                v |= (uint32_t)s[i] << (d->f.big_endian ? 8 * (nb - 1 - i) : 8 * i);
            rfbpix_pack(&d->f, want, src);
            uint32_t w = 0;
            for (unsigned i = 0; i < nb; i++)
                w |= (uint32_t)want[i] << (d->f.big_endian ? 8 * (nb - 1 - i) : 8 * i);
            for (int c = 0; c < 3; c++) {
                unsigned m = d->f.max[c];
                got[c] = (uint8_t)((v >> d->f.shift[c] & m) * 255 / m);
                src[c] = (uint8_t)((w >> d->f.shift[c] & m) * 255 / m);
                unsigned e = got[c] > src[c] ? got[c] - src[c] : src[c] - got[c];
                sum += e;
                if (e > *max)
                    *max = e;
            }
        }
    *mean = (double)sum / (3.0 * d->w * d->h);
}

static void jpeg(const struct rfbfmt *f, const char *name, unsigned bytes, int quality,
                 unsigned max_bound, double mean_bound)
{
    unsigned w = 320, h = 200;
    struct rfbpic *p = picture(w, h, bytes, P_SMOOTH);
    struct dec d;
    dec_init(&d, f, w, h);
    struct rfbbuf b = {0};
    int n = rfbtight_encode(d.t, 1, p, f, 0, 0, w, h, quality, 6, &b);
    unsigned max = 999;
    double mean = 999;
    bool decoded = n > 0 && dec_run(&d, &b) == n && d.kinds[K_JPEG] == (unsigned)n;
    if (decoded)
        jpeg_error(&d, p, &max, &mean);
    ok(decoded && tiled(&d, 0, 0, w, h) && max <= max_bound && mean <= mean_bound &&
           b.len < (size_t)w * h * 3,
       "%s JPEG from a %u-byte picture at quality %d: error max %u mean %.2f, %zu bytes", name,
       bytes, quality, max, mean, b.len);
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

static void test_jpeg(void)
{
    jpeg(&rfbfmt_default, "default", 4, 9, 8, 1.0);
    jpeg(&rfbfmt_default, "default", 4, 0, 80, 8.0);
    jpeg(&fmt_be, "big-endian 32", 4, 9, 8, 1.0);
    jpeg(&fmt_565, "16-bit", 4, 9, 12, 3.0);
    jpeg(&fmt_565, "16-bit", 2, 5, 40, 5.0);
    jpeg(&rfbfmt_default, "default", 2, 9, 8, 1.0);

    /* 8 bits a pixel: libvncclient has no JPEG there */
    struct rfbpic *p = picture(64, 64, 4, P_RANDOM);
    struct dec d;
    dec_init(&d, &fmt_233, 64, 64);
    struct rfbbuf b = {0};
    int n = rfbtight_encode(d.t, 1, p, &fmt_233, 0, 0, 64, 64, 5, 6, &b);
    ok(n == 1 && dec_run(&d, &b) == 1 && !d.kinds[K_JPEG] && same(&d, p, 0, 0, 64, 64),
       "8-bit viewer with a quality level: lossless instead of JPEG");
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);

    /* few colours stay exact though JPEG is on */
    p = picture(64, 64, 4, P_FIVE);
    dec_init(&d, &rfbfmt_default, 64, 64);
    n = rfbtight_encode(d.t, 1, p, &rfbfmt_default, 0, 0, 64, 64, 3, 6, &b);
    ok(n == 1 && dec_run(&d, &b) == 1 && d.kinds[K_PALETTE] == 1 && same(&d, p, 0, 0, 64, 64),
       "five colours with a quality level: palette, exact");
    dec_free(&d);
    rfbbuf_free(&b);
    rfbpic_unref(p);
}

struct job {
    struct rfbtight *t;
    int stream;
    const struct rfbpic *p;
    unsigned y;
    struct rfbbuf b[8];
    int n[8];
};

static void *encode_job(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < 8; i++)
        j->n[i] = rfbtight_encode(j->t, j->stream, j->p, &fmt_bgr, 0, j->y, 640, 240,
                                  i % 2 ? 8 : -1, i, &j->b[i]);
    return NULL;
}

static void test_threads(void)
{
    struct rfbpic *p = picture(640, 480, 4, P_GRADIENT);
    struct dec d;
    dec_init(&d, &fmt_bgr, 640, 480);
    struct job jobs[2] = {{.t = d.t, .stream = 0, .p = p, .y = 0},
                          {.t = d.t, .stream = 1, .p = p, .y = 240}};
    pthread_t th[2];
    bool run[2];
    for (int i = 0; i < 2; i++)
        run[i] = !pthread_create(&th[i], NULL, encode_job, &jobs[i]);
    for (int i = 0; i < 2; i++)
        if (run[i])
            pthread_join(th[i], NULL);
    bool good = run[0] && run[1];
    /* each stream's outputs in its own order; the two interleaved */
    for (int i = 0; i < 8 && good; i++) {
        dec_clear(&d);
        for (int k = 0; k < 2; k++)
            good = good && jobs[k].n[i] > 0 && dec_run(&d, &jobs[k].b[i]) == jobs[k].n[i];
        good = good && tiled(&d, 0, 0, 640, 480) && (i % 2 || same(&d, p, 0, 0, 640, 480));
    }
    ok(good, "streams 0 and 1 from two threads at once: all decodes, lossless exact");
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 8; i++)
            rfbbuf_free(&jobs[k].b[i]);
    dec_free(&d);
    rfbpic_unref(p);
}

static void test_resets(void)
{
    /* no rectangle asks for a reset until one is owed */
    struct rfbpic *p = picture(100, 100, 4, P_RANDOM), *q = picture(100, 100, 4, P_GRADIENT);
    struct dec d;
    dec_init(&d, &rfbfmt_default, 100, 100);
    struct rfbbuf b = {0}, dropped = {0};
    for (int i = 0; i < 3; i++)
        rfbtight_encode(d.t, i, p, &rfbfmt_default, 0, 0, 100, 100, -1, 6, &b);
    ok(dec_run(&d, &b) == 3 && d.resets == 0 && same(&d, p, 0, 0, 100, 100),
       "three streams used: no stream reset sent");

    /* an update encoded on streams 0 and 1 and never sent: the viewer's
     * streams did not see it */
    for (int i = 0; i < 2; i++)
        rfbtight_encode(d.t, i, q, &rfbfmt_default, 0, 50 * (unsigned)i, 100, 50, -1, 6, &dropped);
    rfbtight_reset(d.t);
    b.len = 0;
    dec_clear(&d);
    for (int i = 0; i < 2; i++)
        rfbtight_encode(d.t, i, q, &rfbfmt_default, 0, 50 * (unsigned)i, 100, 50, -1, 6, &b);
    ok(dec_run(&d, &b) == 2 && d.resets == 2 && same(&d, q, 0, 0, 100, 100),
       "after an update dropped: a reset on each stream's next piece, and it decodes");
    b.len = 0;
    dec_clear(&d);
    for (int i = 0; i < 3; i++)
        rfbtight_encode(d.t, i, p, &rfbfmt_default, 0, 0, 100, 100, -1, 6, &b);
    ok(dec_run(&d, &b) == 3 && d.resets == 3 && same(&d, p, 0, 0, 100, 100),
       "once: only stream 2, not used since, still owed its reset");
    b.len = 0;
    dec_clear(&d);
    rfbtight_encode(d.t, 0, p, &rfbfmt_default, 0, 0, 100, 100, -1, 6, &b);
    ok(dec_run(&d, &b) == 1 && d.resets == 3 && same(&d, p, 0, 0, 100, 100), "and none after");
    dec_free(&d);
    rfbbuf_free(&b);
    rfbbuf_free(&dropped);
    rfbpic_unref(p);
    rfbpic_unref(q);
}

int main(void)
{
    plan(54);
    struct rfbtight *t = rfbtight_new();
    ok(t != NULL, "an encoder");
    rfbtight_free(t);
    rfbtight_free(NULL);
    test_fill();
    test_lossless();
    test_small();
    test_levels();
    test_split();
    test_jpeg();
    test_threads();
    test_resets();
    return done_testing();
}
