/* The ZRLE encoder (backend/rfbzrle.c) against a decoder written here
 * from the protocol: one zlib inflater for the connection's life fed
 * every rectangle with Z_SYNC_FLUSH, as a viewer does, across updates
 * and parts; every pixel compared with what rfbpix_convert makes of the
 * picture. */
#include "rfbzrle.h"

#include "tap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* ---- pictures ---- */

static uint32_t rng_state = 2463534242u;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Pixel (x, y) of p to 0xRRGGBB; a 4-byte picture's padding byte gets
 * noise, which no viewer may see. */
static void set_px(struct rfbpic *p, unsigned x, unsigned y, uint32_t rgb)
{
    uint8_t *d = p->pixels + (size_t)y * p->stride + (size_t)x * p->bytes;
    if (p->bytes == 4) {
        d[0] = (uint8_t)rgb;
        d[1] = (uint8_t)(rgb >> 8);
        d[2] = (uint8_t)(rgb >> 16);
        d[3] = (uint8_t)rnd();
    } else {
        unsigned v = (rgb >> 19 & 31) << 11 | (rgb >> 10 & 63) << 5 | (rgb >> 3 & 31);
        d[0] = (uint8_t)v;
        d[1] = (uint8_t)(v >> 8);
    }
}

/* Colour i of set s: a fixed spread of colours. */
static uint32_t colour(unsigned s, unsigned i)
{
    return ((s + 1) * 0x9e3779b1u + i * 0x85ebca6bu) >> 8;
}

enum { PAT_SOLID, PAT_C2, PAT_C3, PAT_C5, PAT_C16, PAT_STRIPES, PAT_RUNS, PAT_GRADIENT, PAT_NOISE };
#define PATTERNS 9

/* What each 64x64 tile (of the picture's grid) holds: one kind of
 * content a tile at a time, so each subencoding gets its turn. */
static uint32_t pattern_px(unsigned x, unsigned y, unsigned seed)
{
    unsigned tx = x / 64, ty = y / 64, lx = x % 64, ly = y % 64;
    unsigned set = seed * 31 + tx * 7 + ty;
    switch ((tx + ty * 8) % PATTERNS) {
    case PAT_SOLID:
        return colour(set, 0);
    case PAT_C2:
        return colour(set, rnd() % 2);
    case PAT_C3:
        return colour(set, rnd() % 3);
    case PAT_C5:
        return colour(set, rnd() % 5);
    case PAT_C16:
        return colour(set, rnd() % 16);
    case PAT_STRIPES: /* runs of 8 from 40 colours: palette RLE */
        return colour(set, (lx / 8 + ly) % 40);
    case PAT_RUNS: /* 256 runs of 16, each its own colour: plain RLE */
        return (((ly * 64 + lx) / 16) * 7919u + seed * 0x10101u) & 0xffffff;
    case PAT_GRADIENT:
        return (lx * 4) << 16 | (ly * 4) << 8 | ((lx + ly + seed) & 255);
    default:
        return rnd() & 0xffffff;
    }
}

static void paint(struct rfbpic *p, unsigned x, unsigned y, unsigned w, unsigned h, unsigned seed)
{
    for (unsigned j = y; j < y + h; j++)
        for (unsigned i = x; i < x + w; i++)
            set_px(p, i, j, pattern_px(i, j, seed));
}

/* ---- the viewer ---- */

struct viewer {
    z_stream zs;
    struct rfbfmt f;
    unsigned w, h, bytes; /* the framebuffer, wire pixels */
    unsigned cp, first;   /* CPIXEL bytes, its first wire byte */
    uint8_t *fb;
    uint8_t *raw;
    size_t raw_cap;
    unsigned subenc[256]; /* tiles seen, by subencoding */
    unsigned rects;
    const char *err;
};

/* The CPIXEL rule as TigerVNC's decoder has it. */
static void viewer_cpixel(struct viewer *v)
{
    const struct rfbfmt *f = &v->f;
    v->cp = v->bytes;
    v->first = 0;
    if (f->bpp != 32 || f->depth > 24)
        return;
    uint32_t max = 0;
    for (int i = 0; i < 3; i++)
        max |= (uint32_t)f->max[i] << f->shift[i];
    bool ls3 = max < 1u << 24, ms3 = (max & 0xff) == 0;
    if ((ls3 && !f->big_endian) || (ms3 && f->big_endian)) {
        v->cp = 3;
    } else if ((ls3 && f->big_endian) || (ms3 && !f->big_endian)) {
        v->cp = 3;
        v->first = 1;
    }
}

static void viewer_init(struct viewer *v, const struct rfbfmt *f, unsigned w, unsigned h)
{
    memset(v, 0, sizeof(*v));
    v->f = *f;
    v->w = w;
    v->h = h;
    v->bytes = rfbfmt_bytes(f);
    viewer_cpixel(v);
    v->fb = calloc((size_t)w * h, v->bytes);
    if (inflateInit(&v->zs) != Z_OK || !v->fb)
        abort();
}

static void viewer_free(struct viewer *v)
{
    inflateEnd(&v->zs);
    free(v->fb);
    free(v->raw);
}

static unsigned be16(const uint8_t *s)
{
    return (unsigned)s[0] << 8 | s[1];
}

static uint32_t be32(const uint8_t *s)
{
    return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}

/* A reader of one rectangle's inflated bytes. */
struct rd {
    const uint8_t *p, *end;
    bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *s = r->p;
    r->p += n;
    return s;
}

static unsigned take8(struct rd *r)
{
    const uint8_t *s = take(r, 1);
    return s ? *s : 0;
}

static size_t take_length(struct rd *r)
{
    size_t len = 1;
    unsigned b;
    do {
        b = take8(r);
        len += b;
    } while (b == 255 && !r->bad);
    return len;
}

/* A CPIXEL to its wire pixel: the dropped byte is zero. */
static void take_cpixel(struct viewer *v, struct rd *r, uint8_t px[4])
{
    memset(px, 0, 4);
    const uint8_t *s = take(r, v->cp);
    if (s)
        memcpy(px + v->first, s, v->cp);
}

static void put(struct viewer *v, unsigned x, unsigned y, const uint8_t px[4])
{
    memcpy(v->fb + ((size_t)y * v->w + x) * v->bytes, px, v->bytes);
}

/* Pixels in tile order from the i-th on, n of them, colour px. */
static void put_run(struct viewer *v, unsigned x, unsigned y, unsigned tw, unsigned i, size_t n,
                    const uint8_t px[4])
{
    for (size_t k = 0; k < n; k++, i++)
        put(v, x + i % tw, y + i / tw, px);
}

static void tile_rle(struct viewer *v, struct rd *r, unsigned x, unsigned y, unsigned tw,
                     unsigned th, unsigned npal)
{
    uint8_t pal[128][4], px[4];
    for (unsigned i = 0; i < npal; i++)
        take_cpixel(v, r, pal[i]);
    for (unsigned i = 0, n = tw * th; i < n && !r->bad;) {
        size_t len = 1;
        if (npal) {
            unsigned b = take8(r);
            if ((b & 127) >= npal)
                r->bad = true;
            memcpy(px, pal[b & 127], 4);
            if (b & 128)
                len = take_length(r);
        } else {
            take_cpixel(v, r, px);
            len = take_length(r);
        }
        if (len > n - i)
            r->bad = true;
        if (r->bad)
            return;
        put_run(v, x, y, tw, i, len, px);
        i += (unsigned)len;
    }
}

static void tile_packed(struct viewer *v, struct rd *r, unsigned x, unsigned y, unsigned tw,
                        unsigned th, unsigned npal)
{
    uint8_t pal[16][4];
    unsigned bits = npal <= 2 ? 1 : npal <= 4 ? 2 : 4;
    for (unsigned i = 0; i < npal; i++)
        take_cpixel(v, r, pal[i]);
    for (unsigned j = 0; j < th; j++) {
        const uint8_t *row = take(r, (tw * bits + 7) / 8);
        if (!row)
            return;
        for (unsigned i = 0; i < tw; i++) {
            unsigned bit = i * bits;
            unsigned idx = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
            if (idx >= npal) {
                r->bad = true;
                return;
            }
            put(v, x + i, y + j, pal[idx]);
        }
    }
}

static void tile(struct viewer *v, struct rd *r, unsigned x, unsigned y, unsigned tw, unsigned th)
{
    unsigned sub = take8(r);
    uint8_t px[4];
    if (r->bad)
        return;
    v->subenc[sub]++;
    if (sub == 0) {
        for (unsigned i = 0; i < tw * th && !r->bad; i++) {
            take_cpixel(v, r, px);
            put(v, x + i % tw, y + i / tw, px);
        }
    } else if (sub == 1) {
        take_cpixel(v, r, px);
        put_run(v, x, y, tw, 0, (size_t)tw * th, px);
    } else if (sub <= 16) {
        tile_packed(v, r, x, y, tw, th, sub);
    } else if (sub == 128) {
        tile_rle(v, r, x, y, tw, th, 0);
    } else if (sub >= 130) {
        tile_rle(v, r, x, y, tw, th, sub - 128);
    } else {
        r->bad = true; /* 17..127 and 129: never sent */
    }
}

/* Inflate one rectangle's data, as libvncclient does: all its bytes at
 * once, Z_SYNC_FLUSH, the stream must not end. */
static bool viewer_inflate(struct viewer *v, const uint8_t *data, size_t len, size_t bound,
                           size_t *got)
{
    if (v->raw_cap < bound + 1) {
        free(v->raw);
        v->raw_cap = bound + 1;
        v->raw = malloc(v->raw_cap);
        if (!v->raw)
            abort();
    }
    v->zs.next_in = (Bytef *)data;
    v->zs.avail_in = (uInt)len;
    v->zs.next_out = v->raw;
    v->zs.avail_out = (uInt)v->raw_cap;
    int rc = inflate(&v->zs, Z_SYNC_FLUSH);
    *got = v->raw_cap - v->zs.avail_out;
    if (rc != Z_OK || v->zs.avail_in) {
        v->err = rc == Z_STREAM_END ? "the zlib stream ended" : "inflate failed";
        return false;
    }
    if (*got > bound) {
        v->err = "more data than raw tiles";
        return false;
    }
    return true;
}

/* One rectangle at s; its size, 0 on an error (v->err says which). */
static size_t viewer_rect(struct viewer *v, const uint8_t *s, size_t n)
{
    if (n < 16) {
        v->err = "short rectangle header";
        return 0;
    }
    unsigned x = be16(s), y = be16(s + 2), w = be16(s + 4), h = be16(s + 6);
    uint32_t enc = be32(s + 8), len = be32(s + 12);
    if (enc != 16 || x + w > v->w || y + h > v->h || len > n - 16) {
        v->err = "bad rectangle header";
        return 0;
    }
    size_t tiles = (size_t)((w + 63) / 64) * ((h + 63) / 64), got;
    if (!viewer_inflate(v, s + 16, len, tiles + (size_t)w * h * v->cp, &got))
        return 0;
    struct rd r = {v->raw, v->raw + got, false};
    for (unsigned ty = 0; ty < h; ty += 64)
        for (unsigned tx = 0; tx < w; tx += 64)
            tile(v, &r, x + tx, y + ty, w - tx < 64 ? w - tx : 64, h - ty < 64 ? h - ty : 64);
    if (r.bad || r.p != r.end) {
        v->err = r.bad ? "tile data malformed" : "bytes left after the tiles";
        return 0;
    }
    v->rects++;
    return 16 + len;
}

/* Every rectangle in buf (an update's rectangles, back to back). */
static bool viewer_update(struct viewer *v, const uint8_t *buf, size_t n)
{
    for (size_t off = 0; off < n;) {
        size_t used = viewer_rect(v, buf + off, n - off);
        if (!used)
            return false;
        off += used;
    }
    return true;
}

/* A wire pixel's value, only its colour bits: a depth-32 viewer gets
 * whatever the picture's padding byte held, or zero. */
static uint32_t colour_bits(const struct viewer *v, const uint8_t *px)
{
    uint32_t val = 0, bits = 0;
    for (unsigned i = 0; i < v->bytes; i++)
        val |= (uint32_t)px[i] << 8 * (v->f.big_endian ? v->bytes - 1 - i : i);
    for (int i = 0; i < 3; i++) {
        uint32_t m = v->f.max[i];
        while (m & (m + 1))
            m |= m >> 1;
        bits |= m << v->f.shift[i];
    }
    return val & bits;
}

/* Pixels of the framebuffer that differ from the picture converted. */
static unsigned viewer_diff(struct viewer *v, const struct rfbpic *p)
{
    unsigned bad = 0, bytes = v->bytes;
    uint8_t *row = malloc((size_t)p->width * bytes);
    if (!row)
        abort();
    for (unsigned y = 0; y < p->height; y++) {
        rfbpix_convert(&v->f, row, p, 0, y, p->width);
        for (unsigned x = 0; x < p->width; x++) {
            const uint8_t *got = v->fb + ((size_t)y * v->w + x) * bytes;
            if (colour_bits(v, got) != colour_bits(v, row + (size_t)x * bytes) && !bad++)
                diag("first difference at (%u, %u)", x, y);
        }
    }
    free(row);
    return bad;
}

/* ---- helpers ---- */

struct rect {
    unsigned x, y, w, h;
};

/* The rectangles a w x h rectangle goes as: strips of at most 65536
 * pixels. */
static int strips(unsigned w, unsigned h)
{
    unsigned sh = 65536 / w ? 65536 / w : 1;
    return (int)((h + sh - 1) / sh);
}

/* Encode rects with part `part` into out; false on a failure. */
static bool encode(struct rfbzrle *z, int part, const struct rfbpic *p, const struct rfbfmt *f,
                   const struct rect *r, unsigned n, int level, struct rfbbuf *out)
{
    for (unsigned i = 0; i < n; i++)
        if (rfbzrle_encode(z, part, p, f, r[i].x, r[i].y, r[i].w, r[i].h, level, out) !=
            strips(r[i].w, r[i].h))
            return false;
    return true;
}

static const struct rfbfmt fmt_bgr = {32, 24, false, {255, 255, 255}, {0, 8, 16}};
static const struct rfbfmt fmt_be32 = {32, 24, true, {255, 255, 255}, {16, 8, 0}};
static const struct rfbfmt fmt_high = {32, 24, false, {255, 255, 255}, {24, 16, 8}};
static const struct rfbfmt fmt_high_be = {32, 24, true, {255, 255, 255}, {24, 16, 8}};
static const struct rfbfmt fmt_r10 = {32, 30, false, {1023, 1023, 1023}, {20, 10, 0}};
static const struct rfbfmt fmt_deep = {32, 32, false, {255, 255, 255}, {16, 8, 0}};
static const struct rfbfmt fmt_565 = {16, 16, false, {31, 63, 31}, {11, 5, 0}};
static const struct rfbfmt fmt_565_be = {16, 16, true, {31, 63, 31}, {11, 5, 0}};
static const struct rfbfmt fmt_555 = {16, 15, false, {31, 31, 31}, {10, 5, 0}};
static const struct rfbfmt fmt_bgr233 = {8, 8, false, {7, 7, 3}, {0, 3, 6}};

/* ---- tests ---- */

static void test_subencodings(void)
{
    struct rfbpic *p = rfbpic_new(576, 192, 4);
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    struct viewer v;
    viewer_init(&v, &rfbfmt_default, p->width, p->height);
    paint(p, 0, 0, p->width, p->height, 1);

    rfbzrle_begin(z);
    is_int(rfbzrle_encode(z, 0, p, &rfbfmt_default, 0, 0, p->width, p->height, 6, &out), 2,
           "the whole picture (576x192) as two strips of at most 65536 pixels");
    is_int(out.len > 12 ? (int)be16(out.data + 6) : 0, 113, "the first strip 113 rows high");
    ok(out.len > 18 && out.data[16] == 0x78 && out.data[17] == 0x01,
       "the first rectangle's data begins with the zlib header");
    ok(viewer_update(&v, out.data, out.len), "it decodes (%s)", v.err ? v.err : "fine");
    is_int(viewer_diff(&v, p), 0, "every pixel as rfbpix_convert has it");
    is_int(v.subenc[1], 3, "solid tiles");
    ok(v.subenc[2] && v.subenc[3] && v.subenc[5] && v.subenc[16],
       "packed palettes of 2, 3, 5 and 16 colours (%u %u %u %u)", v.subenc[2], v.subenc[3],
       v.subenc[5], v.subenc[16]);
    ok(v.subenc[128 + 40], "palette RLE for runs in 40 colours");
    ok(v.subenc[128], "plain RLE for runs in 256 colours");
    ok(v.subenc[0] >= 4, "raw for gradients and noise (%u)", v.subenc[0]);
    rfbzrle_free(z);
    rfbbuf_free(&out);
    viewer_free(&v);
    rfbpic_unref(p);
}

/* Three updates on one connection: the whole picture, a part of it at
 * odd offsets, several small rectangles from part 0 (only the very
 * first rectangle carries the zlib header). */
static void run_format(const char *name, const struct rfbfmt *f, unsigned bytes)
{
    struct rfbpic *p = rfbpic_new(130, 67, bytes);
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    struct viewer v;
    viewer_init(&v, f, p->width, p->height);
    paint(p, 0, 0, p->width, p->height, 2);

    static const struct rect whole = {0, 0, 130, 67};
    static const struct rect odd = {3, 5, 70, 60};
    static const struct rect small[] = {
        {0, 0, 1, 1}, {129, 66, 1, 1}, {64, 0, 66, 3}, {10, 20, 65, 47}};
    bool good = true;
    unsigned diff = 0;

    rfbzrle_begin(z);
    good = encode(z, 0, p, f, &whole, 1, 1, &out) && viewer_update(&v, out.data, out.len);
    diff += viewer_diff(&v, p);

    out.len = 0;
    paint(p, odd.x, odd.y, odd.w, odd.h, 3);
    rfbzrle_begin(z);
    good = good && encode(z, 0, p, f, &odd, 1, 9, &out) && viewer_update(&v, out.data, out.len);
    diff += viewer_diff(&v, p);

    out.len = 0;
    for (unsigned i = 0; i < 4; i++)
        paint(p, small[i].x, small[i].y, small[i].w, small[i].h, 4 + i);
    rfbzrle_begin(z);
    good = good && encode(z, 0, p, f, small, 4, 5, &out) && viewer_update(&v, out.data, out.len);
    diff += viewer_diff(&v, p);

    ok(good && !diff && v.rects == 6, "%s: 130x67 over three updates (%s, %u pixels differ)", name,
       v.err ? v.err : "decoded", diff);
    rfbzrle_free(z);
    rfbbuf_free(&out);
    viewer_free(&v);
    rfbpic_unref(p);
}

static void test_formats(void)
{
    run_format("default", &rfbfmt_default, 4);
    run_format("BGR", &fmt_bgr, 4);
    run_format("big-endian", &fmt_be32, 4);
    run_format("colours in the high 3 bytes", &fmt_high, 4);
    run_format("colours in the high 3 bytes, big-endian", &fmt_high_be, 4);
    run_format("10 bits a colour (4-byte CPIXEL)", &fmt_r10, 4);
    run_format("depth 32 (4-byte CPIXEL)", &fmt_deep, 4);
    run_format("r5g6b5", &fmt_565, 4);
    run_format("r5g6b5 big-endian", &fmt_565_be, 4);
    run_format("r5g5b5", &fmt_555, 4);
    run_format("bgr233", &fmt_bgr233, 4);
    run_format("r5g6b5 picture, default format", &rfbfmt_default, 2);
    run_format("r5g6b5 picture, r5g6b5", &fmt_565, 2);
    run_format("r5g6b5 picture, big-endian", &fmt_be32, 2);
    run_format("r5g6b5 picture, bgr233", &fmt_bgr233, 2);

    struct viewer v;
    viewer_init(&v, &fmt_high, 1, 1);
    ok(v.cp == 3 && v.first == 1, "the high-bytes format has 3-byte CPIXELs, its last 3 bytes");
    viewer_free(&v);
    viewer_init(&v, &fmt_be32, 1, 1);
    ok(v.cp == 3 && v.first == 1, "big-endian x8r8g8b8 has its last 3 bytes");
    viewer_free(&v);
}

struct job {
    struct rfbzrle *z;
    int part;
    const struct rfbpic *p;
    const struct rfbfmt *f;
    struct rect r[2];
    unsigned n;
    int level;
    struct rfbbuf out;
    bool good;
};

static void *job_run(void *arg)
{
    struct job *j = arg;
    j->good = encode(j->z, j->part, j->p, j->f, j->r, j->n, j->level, &j->out);
    return NULL;
}

/* An update of `parts` bands, each in two rectangles, on as many threads,
 * sent in part order; the picture changes in every band first. */
static bool threaded_update(struct rfbzrle *z, struct viewer *v, struct rfbpic *p,
                            const struct rfbfmt *f, int parts, int level, unsigned seed)
{
    struct job jobs[RFBZRLE_PARTS];
    pthread_t th[RFBZRLE_PARTS];
    unsigned band = p->height / (unsigned)parts;
    bool good = true;

    rfbzrle_begin(z);
    for (int i = 0; i < parts; i++) {
        unsigned y = band * (unsigned)i, h = i == parts - 1 ? p->height - y : band;
        unsigned half = p->width / 2 + 7;
        jobs[i] = (struct job){
            z, i, p, f, {{0, y, half, h}, {half, y, p->width - half, h}}, 2, level, {0}, false};
        paint(p, 0, y, p->width, h, seed + (unsigned)i);
    }
    for (int i = 0; i < parts; i++)
        if (pthread_create(&th[i], NULL, job_run, &jobs[i]))
            abort();
    for (int i = 0; i < parts; i++)
        pthread_join(th[i], NULL);
    struct rfbbuf all = {0};
    for (int i = 0; i < parts; i++) {
        good = good && jobs[i].good;
        rfbbuf_put(&all, jobs[i].out.data, jobs[i].out.len);
        rfbbuf_free(&jobs[i].out);
    }
    good = good && viewer_update(v, all.data, all.len);
    rfbbuf_free(&all);
    return good;
}

static void test_threads(void)
{
    const struct rfbfmt *fmts[] = {&rfbfmt_default, &fmt_565};
    for (unsigned k = 0; k < 2; k++) {
        struct rfbpic *p = rfbpic_new(1000, 600, 4);
        struct rfbzrle *z = rfbzrle_new();
        struct viewer v;
        viewer_init(&v, fmts[k], p->width, p->height);
        static const int levels[] = {1, 9, 6, 6};
        static const int parts[] = {4, 4, 2, 4};
        bool good = true;
        unsigned diff = 0;
        for (unsigned u = 0; u < 4; u++) {
            good = good && threaded_update(z, &v, p, fmts[k], parts[u], levels[u], 10 * u);
            diff += viewer_diff(&v, p);
        }
        ok(good && !diff, "%s: 4 updates, 4 parts on 4 threads, one inflater (%s, %u differ)",
           k ? "r5g6b5" : "default", v.err ? v.err : "decoded", diff);
        rfbzrle_free(z);
        viewer_free(&v);
        rfbpic_unref(p);
    }
}

static void test_compression(void)
{
    struct rfbpic *p = rfbpic_new(1920, 1080, 4);
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    struct viewer v;
    viewer_init(&v, &rfbfmt_default, p->width, p->height);
    for (unsigned y = 0; y < p->height; y++)
        for (unsigned x = 0; x < p->width; x++)
            set_px(p, x, y, x > 200 && x < 900 && y > 100 && y < 700 ? 0xffffff : 0x3b6ea5);

    rfbzrle_begin(z);
    rfbzrle_encode(z, 0, p, &rfbfmt_default, 0, 0, p->width, p->height, 1, &out);
    ok(out.len < 1920 * 1080 * 3 / 500, "a flat 1920x1080 deflates to %zu bytes", out.len);
    ok(viewer_update(&v, out.data, out.len) && !viewer_diff(&v, p), "and decodes");
    rfbzrle_free(z);
    rfbbuf_free(&out);
    viewer_free(&v);
    rfbpic_unref(p);
}

static void test_edges(void)
{
    struct rfbpic *p = rfbpic_new(100, 50, 4);
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    const struct rfbfmt *f = &rfbfmt_default;
    rfbzrle_begin(z);
    is_int(rfbzrle_encode(z, 0, p, f, 1, 0, 100, 50, 1, &out), -1, "a rectangle past the right");
    is_int(rfbzrle_encode(z, 0, p, f, 0, 50, 1, 1, 1, &out), -1, "one below the bottom");
    is_int(rfbzrle_encode(z, 0, p, f, 4000000000u, 0, 1, 1, 1, &out), -1, "no wrap-around");
    is_int(rfbzrle_encode(z, RFBZRLE_PARTS, p, f, 0, 0, 1, 1, 1, &out), -1, "no such part");
    is_int(rfbzrle_encode(z, 0, p, f, 5, 5, 0, 10, 1, &out), 0, "an empty rectangle: none");
    is_int(out.len, 0, "and nothing appended");

    /* the header waits for part 0's first non-empty rectangle */
    struct viewer v;
    viewer_init(&v, f, p->width, p->height);
    paint(p, 0, 0, 100, 50, 9);
    is_int(rfbzrle_encode(z, 0, p, f, 0, 0, 100, 50, 0, &out), 1, "level 0 is taken as 1");
    ok(viewer_update(&v, out.data, out.len) && !viewer_diff(&v, p), "and decodes (%s)",
       v.err ? v.err : "fine");
    viewer_free(&v);
    rfbzrle_free(z);
    rfbbuf_free(&out);
    rfbpic_unref(p);
}

/* A desktop: flat background, windows with text-like lines, a photo-ish
 * gradient with noise, a taskbar. */
static void paint_desktop(struct rfbpic *p)
{
    for (unsigned y = 0; y < p->height; y++) {
        for (unsigned x = 0; x < p->width; x++) {
            uint32_t c = 0x3b6ea5;
            if (y + 40 >= p->height) {
                unsigned g = 40 + (y + 40 - p->height) * 2;
                c = g << 16 | g << 8 | g;
            } else if (x >= 100 && x < 1100 && y >= 80 && y < 900) {
                c = 0xffffff;
                if (y < 110)
                    c = 0xdde4ee;
                else if (y % 20 < 12 && x % 600 < 560 && rnd() % 4 == 0)
                    c = (rnd() & 1) ? 0x000000 : 0x777777;
            } else if (x >= 1200 && x < 1800 && y >= 200 && y < 650) {
                c = (x - 1200) * 255 / 600 << 16 | (y - 200) * 255 / 450 << 8 | (rnd() & 15);
            }
            set_px(p, x, y, c);
        }
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_speed(void)
{
    struct rfbpic *p = rfbpic_new(1920, 1080, 4);
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    struct viewer v;
    viewer_init(&v, &rfbfmt_default, p->width, p->height);
    paint_desktop(p);
    const unsigned frames = 10;
    bool good = true;
    double spent = 0;
    for (unsigned i = 0; i < frames; i++) {
        out.len = 0;
        double t = now();
        rfbzrle_begin(z);
        good = good && rfbzrle_encode(z, 0, p, &rfbfmt_default, 0, 0, 1920, 1080, 1, &out) == 32;
        spent += now() - t;
        good = good && viewer_update(&v, out.data, out.len);
    }
    diag("1920x1080 desktop, level 1, one thread: %.1f ms a frame, %zu bytes", spent / frames * 1e3,
         out.len);
    ok(good && !viewer_diff(&v, p), "the desktop decodes, frame after frame");
    rfbzrle_free(z);
    rfbbuf_free(&out);
    viewer_free(&v);
    rfbpic_unref(p);
}

/* A picture whose every 64x64 tile has 4096 colours, repeating every
 * 256 pixels across (bench/compare's frames): deflate finds the repeat
 * only when 4 tiles fit in its 32 KiB window, as they do in strips. */
static void test_strips(void)
{
    struct rfbpic *p = rfbpic_new(1920, 1080, 4);
    for (unsigned y = 0; y < p->height; y++) {
        uint32_t *row = (uint32_t *)(p->pixels + (size_t)y * p->stride);
        for (unsigned x = 0; x < p->width; x++)
            row[x] = (x & 0xff) << 16 | (y & 0xff) << 8 | ((x ^ y) & 0xff);
    }
    struct rfbzrle *z = rfbzrle_new();
    struct rfbbuf out = {0};
    struct viewer v;
    viewer_init(&v, &rfbfmt_default, p->width, p->height);
    rfbzrle_begin(z);
    bool good = rfbzrle_encode(z, 0, p, &rfbfmt_default, 0, 0, 1920, 1080, 1, &out) == 32 &&
                viewer_update(&v, out.data, out.len) && !viewer_diff(&v, p);
    ok(good, "a 1920x1080 picture of 4096-colour tiles decodes");
    ok(out.len < 2000000, "and deflate finds its repeats across tiles: %zu bytes, not 6 MB",
       out.len);
    rfbzrle_free(z);
    rfbbuf_free(&out);
    viewer_free(&v);
    rfbpic_unref(p);
}

int main(void)
{
    test_subencodings();
    test_formats();
    test_threads();
    test_compression();
    test_strips();
    test_edges();
    test_speed();
    return done_testing();
}
