/* ZRLE encoding of rectangles (rfbzrle.h).
 *
 * A rectangle on the wire: its header (encoding 16), a 32-bit length,
 * then that many bytes of the connection's zlib stream, which inflate to
 * the rectangle's 64x64 tiles, left to right and top to bottom, each a
 * subencoding byte and its data:
 *
 *   0        raw: every pixel as a CPIXEL
 *   1        solid: one CPIXEL
 *   2..16    packed palette: that many CPIXELs, then the indices, 1, 2
 *            or 4 bits each (2, 3-4, 5-16 colours), most significant
 *            bits first, each row padded to a byte
 *   128      plain RLE: runs, each a CPIXEL and a length
 *   130..255 palette RLE: (n - 128) CPIXELs, then runs, each an index
 *            byte, with bit 7 set and a length when longer than 1
 *
 * A length is (run - 1) as bytes of 255 and a last byte below 255.
 * Runs go on from one row of the tile to the next. Each tile takes
 * whichever of these is the smallest before deflate, found from one
 * pass counting its runs and its colours (up to 127, the most a palette
 * RLE index can name).
 *
 * A CPIXEL is the viewer's pixel, except for 32 bits a pixel, depth 24
 * or less, when the colour bits all fit in the least or the most
 * significant 3 bytes: then it is the 3 bytes of the pixel that carry
 * them, in the pixel's byte order. Said in the order the bytes go on the
 * wire, as TigerVNC decides it: the first 3 bytes when the colours fit in
 * the low bytes of a little-endian pixel (the default format, BGR) or
 * the high bytes of a big-endian one; else the last 3 bytes when they
 * fit the other way. The colour bits are the maxima shifted into place,
 * as every decoder computes them. (libvncclient picks the same bytes but
 * ignores the depth: for a depth-32 format whose colours fit in 3 bytes
 * it expects 3-byte CPIXELs, where the protocol and TigerVNC have 4.)
 *
 * The zlib stream. The viewer has one inflater for the connection's life
 * and inflates every rectangle's bytes with Z_SYNC_FLUSH (libvncclient,
 * TigerVNC) or just until it has the bytes it needs (noVNC with pako).
 * Each part here owns a raw deflate stream (no zlib wrapper), reset at
 * the start of each call and ended with a sync flush after each
 * rectangle (the strips of one call refer back to each other, sent one
 * after the other): a call's output is a run of whole deflate blocks,
 * none final, ending on a byte boundary, and never refers back to bytes
 * before it. Such runs, in whatever order the calls' outputs are sent,
 * make one valid deflate stream,
 * so the parts can work at once on different threads. The zlib header
 * (0x78 0x01) goes first of all, inside the length-counted data of the
 * connection's first rectangle; the stream never ends, so no adler32
 * trailer is ever sent, and no decoder asks for one: inflate checks it
 * only after the final block, which never comes.
 *
 * The header's contract: the connection's first ZRLE rectangle sent
 * must come from part 0 (a caller with fewer rectangles than parts uses
 * the low-numbered ones). rfbzrle_begin notes, for the update, whether
 * the header is still due; part 0's first non-empty rectangle of that
 * update then carries it. Only rfbzrle_begin and part 0 look at it, so
 * parts need no lock.
 */
#include "config.h"

#include "rfbzrle.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rfbzlib.h"

#define ZRLE_ENCODING 16

#define TILE        64
#define TILE_PIXELS (TILE * TILE)

#define SUB_RAW         0
#define SUB_SOLID       1
#define SUB_RLE         128
#define SUB_PALETTE_RLE 128 /* plus the palette size */

/* Palette RLE indices have 7 bits; packed palettes stop at 4 bits. */
#define PALETTE_MAX 127
#define PACKED_MAX  16

/* Twice the most colours counted: linear probing stays short. */
#define HASH_SLOTS 256

/* The largest tile: raw, 4-byte CPIXELs. No other subencoding is taken
 * unless it is smaller. */
#define TILE_MAX (1 + TILE_PIXELS * 4)

/* Tile data is deflated once this much is staged: few deflate calls, yet
 * the staged bytes are still in cache when deflate reads them. */
#define STAGE_FLUSH (32 * 1024)
#define STAGE_SIZE  (STAGE_FLUSH + TILE_MAX)

/* The most pixels in one rectangle sent (see rfbzrle_encode). */
#define STRIP_PIXELS 65536

/* How one viewer format's pixels become CPIXELs. */
struct cfmt {
    unsigned bytes;  /* of the format's pixel */
    bool big_endian; /* the format's */
    unsigned cp;     /* bytes of a CPIXEL */
    uint8_t sh[4];   /* CPIXEL byte i is the pixel value >> sh[i] */
    uint32_t keep;   /* the bits of a pixel value a CPIXEL carries */
    bool direct;     /* the picture's rows are in the format, 4 bytes a pixel */
};

/* What one pass over a tile found. */
struct tilestats {
    unsigned colours; /* PALETTE_MAX + 1: more than a palette can hold */
    size_t runs;
    size_t singles;  /* runs of one pixel */
    size_t lenbytes; /* run length bytes of plain RLE, all runs */
};

/* One part's state: only calls with its number touch it. Aligned (and
 * allocated on its own) so that two threads never write the same cache
 * line. */
struct part {
    _Alignas(64) z_stream zs;
    bool zs_ready;
    int level;
    size_t staged;
    unsigned ncolours;
    uint32_t palette[PALETTE_MAX];
    uint32_t slot_key[HASH_SLOTS];
    uint8_t slot_idx[HASH_SLOTS]; /* palette index + 1, 0 when free */
    uint32_t keys[TILE_PIXELS];   /* the tile's pixel values, row by row */
    uint8_t row[TILE * 4];        /* one row of the tile, converted */
    uint8_t stage[STAGE_SIZE];    /* tile data waiting for deflate */
};

struct rfbzrle {
    bool header_due;  /* this update: part 0 sends the zlib header */
    bool header_sent; /* written by part 0 only */
    struct part *parts[RFBZRLE_PARTS];
};

struct rfbzrle *rfbzrle_new(void)
{
    struct rfbzrle *z = calloc(1, sizeof(*z));
    if (z)
        z->header_due = true; /* even when the caller skips rfbzrle_begin once */
    return z;
}

void rfbzrle_free(struct rfbzrle *z)
{
    if (!z)
        return;
    for (int i = 0; i < RFBZRLE_PARTS; i++) {
        if (z->parts[i] && z->parts[i]->zs_ready)
            deflateEnd(&z->parts[i]->zs);
        free(z->parts[i]);
    }
    free(z);
}

void rfbzrle_begin(struct rfbzrle *z)
{
    z->header_due = !z->header_sent;
}

/* ---- the wire format ---- */

/* Every bit at or below the highest bit of v. */
static uint32_t fill_down(uint32_t v)
{
    v |= v >> 1;
    v |= v >> 2;
    v |= v >> 4;
    v |= v >> 8;
    v |= v >> 16;
    return v;
}

static void cfmt_init(struct cfmt *c, const struct rfbfmt *f, const struct rfbpic *p)
{
    c->bytes = rfbfmt_bytes(f);
    c->big_endian = f->big_endian;
    c->direct = p->bytes == 4 && rfbpix_is_native(f, p);

    /* The pixel value bits any colour can set (put_pixel drops those
     * above bpp), and the maxima in place for the CPIXEL rule. */
    uint32_t bits = 0, maxima = 0;
    for (int i = 0; i < 3; i++) {
        bits |= fill_down(f->max[i]) << f->shift[i];
        maxima |= (uint32_t)f->max[i] << f->shift[i];
    }
    if (f->bpp < 32)
        bits &= (1u << f->bpp) - 1;

    /* Wire byte i of the pixel is value >> wire[i]. */
    uint8_t wire[4];
    for (unsigned i = 0; i < c->bytes; i++)
        wire[i] = (uint8_t)(8 * (c->big_endian ? c->bytes - 1 - i : i));

    unsigned first = 0; /* the first wire byte of the CPIXEL */
    c->cp = c->bytes;
    if (f->bpp == 32 && f->depth <= 24) {
        bool low3 = maxima < 1u << 24, high3 = (maxima & 0xff) == 0;
        if ((low3 && !f->big_endian) || (high3 && f->big_endian)) {
            c->cp = 3;
        } else if (low3 || high3) {
            c->cp = 3;
            first = 1;
        }
    }
    c->keep = 0;
    for (unsigned i = 0; i < c->cp; i++) {
        c->sh[i] = wire[first + i];
        c->keep |= 0xffu << c->sh[i];
    }
    c->keep &= bits;
}

static inline uint32_t le32(const uint8_t *s)
{
    return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

static inline uint32_t be32(const uint8_t *s)
{
    return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | (uint32_t)s[3];
}

/* n wire pixels of s as values, with only the bits CPIXELs carry: equal
 * values are then exactly the pixels that look the same to the viewer
 * (the picture's padding byte, for one, is dropped). */
static void load_row(const struct cfmt *c, uint32_t *k, const uint8_t *s, unsigned n)
{
    uint32_t keep = c->keep;
    switch (c->bytes * 2 + c->big_endian) {
    case 8:
        for (unsigned i = 0; i < n; i++)
            k[i] = le32(s + 4 * i) & keep;
        break;
    case 9:
        for (unsigned i = 0; i < n; i++)
            k[i] = be32(s + 4 * i) & keep;
        break;
    case 4:
        for (unsigned i = 0; i < n; i++)
            k[i] = ((uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8) & keep;
        break;
    case 5:
        for (unsigned i = 0; i < n; i++)
            k[i] = ((uint32_t)s[2 * i] << 8 | (uint32_t)s[2 * i + 1]) & keep;
        break;
    default:
        for (unsigned i = 0; i < n; i++)
            k[i] = s[i] & keep;
        break;
    }
}

static void load_tile(struct part *pt, const struct cfmt *c, const struct rfbpic *p,
                      const struct rfbfmt *f, unsigned x, unsigned y, unsigned tw, unsigned th)
{
    for (unsigned j = 0; j < th; j++) {
        const uint8_t *s;
        if (c->direct) {
            s = p->pixels + (size_t)(y + j) * p->stride + (size_t)x * 4;
        } else {
            rfbpix_convert(f, pt->row, p, x, y + j, tw);
            s = pt->row;
        }
        load_row(c, pt->keys + (size_t)j * tw, s, tw);
    }
}

static inline uint8_t *put_cpixel(const struct cfmt *c, uint8_t *d, uint32_t v)
{
    for (unsigned i = 0; i < c->cp; i++)
        *d++ = (uint8_t)(v >> c->sh[i]);
    return d;
}

/* A run of len >= 1 pixels: len - 1 as 255s and a remainder. */
static inline uint8_t *put_length(uint8_t *d, size_t len)
{
    len--;
    while (len >= 255) {
        *d++ = 255;
        len -= 255;
    }
    *d++ = (uint8_t)len;
    return d;
}

/* ---- colours ---- */

static inline unsigned slot_of(uint32_t v)
{
    return (v * 0x9e3779b1u) >> 24;
}

static void palette_clear(struct part *pt)
{
    memset(pt->slot_idx, 0, sizeof(pt->slot_idx));
    pt->ncolours = 0;
}

/* Adds v to the palette if new; false when it is full and v is not in
 * it. */
static inline bool palette_add(struct part *pt, uint32_t v)
{
    unsigned s = slot_of(v);
    while (pt->slot_idx[s]) {
        if (pt->slot_key[s] == v)
            return true;
        s = (s + 1) & (HASH_SLOTS - 1);
    }
    if (pt->ncolours == PALETTE_MAX)
        return false;
    pt->palette[pt->ncolours++] = v;
    pt->slot_key[s] = v;
    pt->slot_idx[s] = (uint8_t)pt->ncolours;
    return true;
}

/* The palette index of v, which is in the palette. */
static inline unsigned palette_index(const struct part *pt, uint32_t v)
{
    unsigned s = slot_of(v);
    while (pt->slot_key[s] != v || !pt->slot_idx[s])
        s = (s + 1) & (HASH_SLOTS - 1);
    return pt->slot_idx[s] - 1u;
}

static inline void count_run(struct tilestats *st, size_t len)
{
    st->runs++;
    st->singles += len == 1;
    st->lenbytes += (len - 1) / 255 + 1;
}

/* One pass: the runs, and the colours while there are few. Colours are
 * looked up only where a run starts, so flat areas cost a compare a
 * pixel. */
static void analyse(struct part *pt, unsigned n, struct tilestats *st)
{
    const uint32_t *k = pt->keys;
    bool counting = true;
    *st = (struct tilestats){0};
    palette_clear(pt);
    palette_add(pt, k[0]);
    uint32_t prev = k[0];
    unsigned start = 0;
    for (unsigned i = 1; i < n; i++) {
        if (k[i] == prev)
            continue;
        count_run(st, i - start);
        prev = k[i];
        start = i;
        if (counting)
            counting = palette_add(pt, prev);
    }
    count_run(st, n - start);
    st->colours = counting ? pt->ncolours : PALETTE_MAX + 1;
}

/* ---- subencodings ---- */

static unsigned packed_bits(unsigned colours)
{
    return colours <= 2 ? 1 : colours <= 4 ? 2 : 4;
}

static uint8_t *put_palette(const struct part *pt, const struct cfmt *c, uint8_t *d)
{
    for (unsigned i = 0; i < pt->ncolours; i++)
        d = put_cpixel(c, d, pt->palette[i]);
    return d;
}

static uint8_t *put_raw(const struct cfmt *c, uint8_t *d, const uint32_t *k, unsigned n)
{
    *d++ = SUB_RAW;
    uint8_t s0 = c->sh[0], s1 = c->sh[1], s2 = c->sh[2], s3 = c->sh[3];
    switch (c->cp) {
    case 3:
        for (unsigned i = 0; i < n; i++, d += 3) {
            d[0] = (uint8_t)(k[i] >> s0);
            d[1] = (uint8_t)(k[i] >> s1);
            d[2] = (uint8_t)(k[i] >> s2);
        }
        break;
    case 4:
        for (unsigned i = 0; i < n; i++, d += 4) {
            d[0] = (uint8_t)(k[i] >> s0);
            d[1] = (uint8_t)(k[i] >> s1);
            d[2] = (uint8_t)(k[i] >> s2);
            d[3] = (uint8_t)(k[i] >> s3);
        }
        break;
    case 2:
        for (unsigned i = 0; i < n; i++, d += 2) {
            d[0] = (uint8_t)(k[i] >> s0);
            d[1] = (uint8_t)(k[i] >> s1);
        }
        break;
    default:
        for (unsigned i = 0; i < n; i++)
            *d++ = (uint8_t)k[i];
        break;
    }
    return d;
}

static uint8_t *put_packed(const struct part *pt, const struct cfmt *c, uint8_t *d, unsigned tw,
                           unsigned th)
{
    unsigned bits = packed_bits(pt->ncolours);
    const uint32_t *k = pt->keys;
    uint32_t prev = k[0];
    unsigned idx = palette_index(pt, prev);
    *d++ = (uint8_t)pt->ncolours;
    d = put_palette(pt, c, d);
    for (unsigned j = 0; j < th; j++) {
        unsigned acc = 0, nbits = 0;
        for (unsigned i = 0; i < tw; i++, k++) {
            if (*k != prev) {
                prev = *k;
                idx = palette_index(pt, prev);
            }
            acc = acc << bits | idx;
            nbits += bits;
            if (nbits == 8) {
                *d++ = (uint8_t)acc;
                acc = nbits = 0;
            }
        }
        if (nbits)
            *d++ = (uint8_t)(acc << (8 - nbits));
    }
    return d;
}

static inline uint8_t *put_run(const struct part *pt, const struct cfmt *c, uint8_t *d, bool pal,
                               uint32_t v, size_t len)
{
    if (!pal)
        return put_length(put_cpixel(c, d, v), len);
    unsigned idx = palette_index(pt, v);
    if (len == 1) {
        *d++ = (uint8_t)idx;
        return d;
    }
    *d++ = (uint8_t)(idx | 0x80);
    return put_length(d, len);
}

/* Plain RLE, or palette RLE when pal. */
static uint8_t *put_rle(const struct part *pt, const struct cfmt *c, uint8_t *d, unsigned n,
                        bool pal)
{
    const uint32_t *k = pt->keys;
    if (pal) {
        *d++ = (uint8_t)(SUB_PALETTE_RLE + pt->ncolours);
        d = put_palette(pt, c, d);
    } else {
        *d++ = SUB_RLE;
    }
    uint32_t prev = k[0];
    unsigned start = 0;
    for (unsigned i = 1; i < n; i++) {
        if (k[i] == prev)
            continue;
        d = put_run(pt, c, d, pal, prev, i - start);
        prev = k[i];
        start = i;
    }
    return put_run(pt, c, d, pal, prev, n - start);
}

enum choice { CHOOSE_RAW, CHOOSE_SOLID, CHOOSE_PACKED, CHOOSE_PALETTE_RLE, CHOOSE_RLE };

/* The subencoding that makes the tile smallest. On a tie the earlier
 * one tried wins: palettes first, they deflate better. */
static enum choice choose(const struct tilestats *st, unsigned cp, unsigned tw, unsigned th)
{
    if (st->colours == 1)
        return CHOOSE_SOLID;
    size_t palette = (size_t)st->colours * cp;
    size_t best = SIZE_MAX;
    enum choice pick = CHOOSE_RAW;
    if (st->colours <= PACKED_MAX) {
        best = palette + th * ((tw * packed_bits(st->colours) + 7) / 8);
        pick = CHOOSE_PACKED;
    }
    if (st->colours <= PALETTE_MAX) {
        size_t size = palette + st->runs + st->lenbytes - st->singles;
        if (size < best) {
            best = size;
            pick = CHOOSE_PALETTE_RLE;
        }
    }
    size_t rle = st->runs * cp + st->lenbytes;
    if (rle < best) {
        best = rle;
        pick = CHOOSE_RLE;
    }
    if ((size_t)tw * th * cp < best)
        pick = CHOOSE_RAW;
    return pick;
}

static void encode_tile(struct part *pt, const struct cfmt *c, const struct rfbpic *p,
                        const struct rfbfmt *f, unsigned x, unsigned y, unsigned tw, unsigned th)
{
    struct tilestats st;
    unsigned n = tw * th;
    uint8_t *d = pt->stage + pt->staged;

    load_tile(pt, c, p, f, x, y, tw, th);
    analyse(pt, n, &st);
    switch (choose(&st, c->cp, tw, th)) {
    case CHOOSE_SOLID:
        *d++ = SUB_SOLID;
        d = put_cpixel(c, d, pt->keys[0]);
        break;
    case CHOOSE_PACKED:
        d = put_packed(pt, c, d, tw, th);
        break;
    case CHOOSE_PALETTE_RLE:
        d = put_rle(pt, c, d, n, true);
        break;
    case CHOOSE_RLE:
        d = put_rle(pt, c, d, n, false);
        break;
    default:
        d = put_raw(c, d, pt->keys, n);
        break;
    }
    pt->staged = (size_t)(d - pt->stage);
}

/* ---- deflate ---- */

static int clamp_level(int level)
{
    return level < 1 ? 1 : level > 9 ? 9 : level;
}

/* The part's stream, forgetting everything before: a new rectangle may
 * not refer back to data the viewer got from another part in between. */
static int stream_restart(struct part *pt, int level)
{
    level = clamp_level(level);
    if (!pt->zs_ready) {
        if (rfb_deflate_init(&pt->zs, level) != Z_OK)
            return -1;
        pt->zs_ready = true;
        pt->level = level;
        return 0;
    }
    if (deflateReset(&pt->zs) != Z_OK)
        return -1;
    if (level == pt->level)
        return 0;
    /* Whatever deflateParams might emit goes to a scratch buffer, then is
     * thrown away by a second reset: the new level stays. */
    uint8_t scratch[64];
    pt->zs.next_in = NULL;
    pt->zs.avail_in = 0;
    pt->zs.next_out = scratch;
    pt->zs.avail_out = sizeof(scratch);
    if (deflateParams(&pt->zs, level, Z_DEFAULT_STRATEGY) != Z_OK || deflateReset(&pt->zs) != Z_OK)
        return -1;
    pt->level = level;
    return 0;
}

/* Deflate the staged bytes to out. */
static int stream_deflate(struct part *pt, struct rfbbuf *out, int flush)
{
    z_stream *zs = &pt->zs;
    zs->next_in = pt->stage;
    zs->avail_in = (uInt)pt->staged;
    do {
        /* deflateBound covers the data; a sync flush adds a few bytes */
        size_t room = deflateBound(zs, zs->avail_in) + 16;
        uint8_t *d = rfbbuf_room(out, room);
        if (!d)
            return -1;
        zs->next_out = d;
        zs->avail_out = (uInt)room;
        int r = deflate(zs, flush);
        if (r != Z_OK && r != Z_BUF_ERROR)
            return -1;
        out->len += room - zs->avail_out;
    } while (zs->avail_out == 0 || zs->avail_in);
    pt->staged = 0;
    return 0;
}

/* ---- rectangles ---- */

static struct part *part_get(struct rfbzrle *z, int part)
{
    if (!z->parts[part]) {
        /* sizeof is a multiple of the alignment, as aligned_alloc wants */
        struct part *pt = aligned_alloc(_Alignof(struct part), sizeof(*pt));
        if (!pt)
            return NULL;
        memset(pt, 0, sizeof(*pt));
        z->parts[part] = pt;
    }
    return z->parts[part];
}

static void put_be32_at(struct rfbbuf *out, size_t at, uint32_t v)
{
    out->data[at] = (uint8_t)(v >> 24);
    out->data[at + 1] = (uint8_t)(v >> 16);
    out->data[at + 2] = (uint8_t)(v >> 8);
    out->data[at + 3] = (uint8_t)v;
}

static int encode_tiles(struct part *pt, const struct cfmt *c, const struct rfbpic *p,
                        const struct rfbfmt *f, unsigned x, unsigned y, unsigned w, unsigned h,
                        struct rfbbuf *out)
{
    pt->staged = 0;
    for (unsigned ty = 0; ty < h; ty += TILE) {
        unsigned th = h - ty < TILE ? h - ty : TILE;
        for (unsigned tx = 0; tx < w; tx += TILE) {
            unsigned tw = w - tx < TILE ? w - tx : TILE;
            if (pt->staged > STAGE_FLUSH && stream_deflate(pt, out, Z_NO_FLUSH) < 0)
                return -1;
            encode_tile(pt, c, p, f, x + tx, y + ty, tw, th);
        }
    }
    return stream_deflate(pt, out, Z_SYNC_FLUSH);
}

/* One ZRLE rectangle, its tiles deflated on from what the part sent
 * before in this call. */
static int encode_rect(struct rfbzrle *z, int part, struct part *pt, const struct cfmt *c,
                       const struct rfbpic *p, const struct rfbfmt *f, unsigned x, unsigned y,
                       unsigned w, unsigned h, struct rfbbuf *out)
{
    rfbbuf_rect(out, x, y, w, h, ZRLE_ENCODING);
    size_t len_at = out->len;
    rfbbuf_u32(out, 0);
    if (part == 0 && z->header_due) {
        rfbbuf_put(out, rfb_zlib_header, sizeof(rfb_zlib_header));
        z->header_due = false;
        z->header_sent = true;
    }
    if (encode_tiles(pt, c, p, f, x, y, w, h, out) < 0 || out->failed)
        return -1;
    size_t len = out->len - len_at - 4;
    if (len > UINT32_MAX)
        return -1;
    put_be32_at(out, len_at, (uint32_t)len);
    return 0;
}

int rfbzrle_encode(struct rfbzrle *z, int part, const struct rfbpic *p, const struct rfbfmt *f,
                   unsigned x, unsigned y, unsigned w, unsigned h, int level, struct rfbbuf *out)
{
    if (part < 0 || part >= RFBZRLE_PARTS || w > p->width || x > p->width - w || h > p->height ||
        y > p->height - h)
        return -1;
    if (!w || !h)
        return 0; /* nothing to draw: a tile-less rectangle helps no viewer */
    struct part *pt = part_get(z, part);
    if (!pt || stream_restart(pt, level) < 0)
        return -1;

    struct cfmt c;
    cfmt_init(&c, f, p);
    /* Strips of at most STRIP_PIXELS, as TigerVNC cuts rectangles: the
     * tiles of a strip are less tall than 64 rows when the rectangle is
     * wide, so that deflate's window reaches further along the strip. The
     * strips of one call go on in one stream, each ending on a sync flush
     * as every rectangle's data must. */
    unsigned sh = STRIP_PIXELS / w ? STRIP_PIXELS / w : 1;
    int n = 0;
    for (unsigned sy = 0; sy < h; sy += sh, n++)
        if (encode_rect(z, part, pt, &c, p, f, x, y + sy, w, h - sy < sh ? h - sy : sh, out) < 0)
            return -1;
    return n;
}
