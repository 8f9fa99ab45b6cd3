/* Where neatvnc's messages end (backend/rfbout.c): a stream of every
 * message and encoding it sends, cut anywhere, has its boundaries found
 * at the same places; a new pixel format applies from the next update;
 * an encoding it does not know loses it for good. */
#include "rfbout.h"

#include "tap.h"

#include <string.h>

static uint8_t s[4096];
static size_t len;
static size_t ends[64];
static size_t n_ends;

static void put(const void *p, size_t n)
{
    memcpy(s + len, p, n);
    len += n;
}

static void u8(unsigned v)
{
    s[len++] = (uint8_t)v;
}

static void be16(unsigned v)
{
    u8(v >> 8);
    u8(v);
}

static void be32(uint32_t v)
{
    be16(v >> 16);
    be16(v & 0xffff);
}

static void rect(unsigned w, unsigned h, int32_t enc)
{
    be16(0);
    be16(0);
    be16(w);
    be16(h);
    be32((uint32_t)enc);
}

static void bytes(size_t n)
{
    memset(s + len, 0x5a, n);
    len += n;
}

static void end(void)
{
    ends[n_ends++] = len;
}

static const uint8_t fmt32[16] = {32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
static const uint8_t fmt16[16] = {16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0};

/* Everything neatvnc sends, with the offset at which each message ends. */
static void build(void)
{
    len = n_ends = 0;
    be16(1024); /* ServerInit */
    be16(768);
    put(fmt32, 16);
    be32(5);
    put("guest", 5);
    end();
    u8(0); /* an update of 8 rectangles */
    u8(0);
    be16(8);
    rect(2, 2, 0); /* Raw */
    bytes(16);
    rect(64, 64, 7); /* Tight fill: a 3-byte pixel */
    u8(0x80);
    bytes(3);
    rect(1, 2, 7); /* Tight basic, 6 bytes: sent as they are */
    u8(0x00);
    bytes(6);
    rect(10, 10, 7); /* Tight basic, 300 bytes: compact length 200, zlib data */
    u8(0x10);
    u8(0xc8);
    u8(0x01);
    bytes(200);
    rect(64, 64, 7); /* Tight JPEG, 3 bytes */
    u8(0x90);
    u8(3);
    bytes(3);
    rect(16, 4, 7); /* Tight palette of 2: palette 6 bytes, 8 bytes of bits */
    u8(0x40);
    u8(1);
    u8(1);
    bytes(6 + 8);
    rect(16, 16, 7); /* Tight palette of 4: 12 bytes, then 256 in a compact length */
    u8(0x40);
    u8(1);
    u8(3);
    bytes(12);
    u8(0x0b);
    bytes(11);
    rect(64, 64, 16); /* ZRLE */
    be32(5);
    bytes(5);
    end();
    u8(2); /* bell */
    end();
    u8(0); /* cursor and desktop size */
    u8(0);
    be16(2);
    rect(2, 2, -239);
    bytes(16 + 2);
    rect(800, 600, -223);
    end();
    u8(3); /* cut text */
    bytes(3);
    be32(2);
    put("hi", 2);
    end();
    u8(0); /* LastRect ends an update of unknown length */
    u8(0);
    be16(0xffff);
    rect(0, 0, -258);
    rect(0, 0, -224);
    end();
}

/* Feed s in pieces of `step`; the offsets where messages ended. */
static int run(size_t step, size_t *got, struct rfbout *o)
{
    int n = 0;
    rfbout_init(o);
    for (size_t off = 0; off < len;) {
        size_t piece = len - off < step ? len - off : step;
        size_t k = rfbout_feed(o, s + off, piece);
        off += k;
        if (rfbout_at_boundary(o) && o->ended)
            got[n++] = off;
        if (o->lost)
            return -1;
    }
    return n;
}

static void test_boundaries(void)
{
    build();
    size_t steps[] = {1, 2, 3, 7, 64, 4096};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t got[64];
        struct rfbout o;
        int n = run(steps[i], got, &o);
        ok(n == (int)n_ends && !memcmp(got, ends, n_ends * sizeof(got[0])),
           "every message's end found, in pieces of %zu bytes (%d of %zu)", steps[i], n, n_ends);
    }
}

static void test_format(void)
{
    len = n_ends = 0;
    be16(64);
    be16(64);
    put(fmt32, 16);
    be32(0);
    end();
    u8(0);
    u8(0);
    be16(1);
    rect(2, 2, 0);
    bytes(8); /* 16 bits per pixel */
    end();
    struct rfbout o;
    rfbout_init(&o);
    size_t k = rfbout_feed(&o, s, ends[0]);
    rfbout_set_format(&o, fmt16);
    size_t k2 = rfbout_feed(&o, s + k, len - k);
    ok(k == ends[0] && k + k2 == len && rfbout_at_boundary(&o),
       "a new pixel format applies from the next update: Raw of 2 bytes a pixel");
}

static void test_lost(void)
{
    len = n_ends = 0;
    be16(64);
    be16(64);
    put(fmt32, 16);
    be32(0);
    u8(0);
    u8(0);
    be16(1);
    rect(2, 2, 99);
    bytes(40);
    struct rfbout o;
    rfbout_init(&o);
    size_t off = 0;
    while (off < len)
        off += rfbout_feed(&o, s + off, len - off);
    ok(o.lost && !rfbout_at_boundary(&o), "an encoding it does not know: lost");
    rfbout_feed(&o, s, 4);
    ok(o.lost && !rfbout_at_boundary(&o), "and for good");
}

int main(void)
{
    plan(9);
    test_boundaries();
    test_format();
    test_lost();
    return done_testing();
}
