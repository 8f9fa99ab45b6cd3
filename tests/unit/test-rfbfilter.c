/* The viewer's messages on their way to the RFB server (backend/rfbfilter.c):
 * what passes byte for byte, what is mended, what ends the connection;
 * the same whatever the pieces the stream arrives in and however little
 * room the caller gives. */
#include "rfbfilter.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define BIG (1 << 16)

static uint8_t out[BIG];

/* Feed in[0..n) in pieces of step bytes with at most cap bytes of room
 * per call (draining it in between, as the guard does); the output in
 * out, its length returned, -1 on an error. */
static ssize_t run(struct rfbfilter *f, const uint8_t *in, size_t n, size_t step, size_t cap)
{
    size_t total = 0;
    for (size_t off = 0; off < n;) {
        size_t piece = n - off < step ? n - off : step;
        size_t used = 0;
        while (used < piece) {
            size_t len = 0;
            ssize_t r = rfbfilter_feed(f, in + off + used, piece - used, out + total, &len, cap);
            if (r < 0)
                return -1;
            total += len;
            used += (size_t)r;
            if (r == 0 && len == 0)
                return -2; /* no progress: would spin */
        }
        off += piece;
    }
    return (ssize_t)total;
}

static struct rfbfilter fresh(void)
{
    struct rfbfilter f;
    rfbfilter_init(&f);
    f.max_w = 1024;
    f.max_h = 768;
    return f;
}

/* Every valid message of a session, in order. */
/* clang-format off */
static const uint8_t session[] = {
    0,   0,    0,    0,    32,   24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, /* pixfmt */
    0,   0,    0,    0,    16,   16, 0, 1, 0, 31,  0, 63,  0, 31,  11, 5, 0, 0, 0, 0, /* 565 */
    0,   0,    0,    0,    8,    8,  0, 1, 0, 7,   0, 7,   0, 3,   0,  3, 6, 0, 0, 0, /* bgr233 */
    2,   0,    0,    3,    0,    0,  0, 7, 0, 0,   0, 0,   0xff, 0xff, 0xff, 0x21, /* Tight, Raw, DesktopSize */
    3,   0,    0,    0,    0,    0,  4, 0, 3, 0,   /* full request 1024x768 */
    3,   1,    0,    10,   0,    20, 0, 30, 0, 40, /* incremental */
    4,   1,    0,    0,    0,    0,  0, 0x61,     /* key 'a' down */
    5,   1,    1,    0,    2,    0,                /* pointer */
    6,   0,    0,    0,    0,    0,  0, 5, 'h', 'e', 'l', 'l', 'o', /* cut text */
    255, 0,    0,    1,    0,    0,  0, 0x61, 0, 0, 0, 30, /* QEMU key event, code 30 */
};
/* clang-format on */

static void test_valid_passes(void)
{
    struct rfbfilter f = fresh();
    ssize_t n = run(&f, session, sizeof(session), sizeof(session), BIG);
    is_int(n, sizeof(session), "a session of valid messages passes whole");
    ok(n == sizeof(session) && !memcmp(out, session, sizeof(session)), "byte for byte");

    size_t steps[] = {1, 2, 3, 7, 13};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        f = fresh();
        n = run(&f, session, sizeof(session), steps[i], 20);
        ok(n == sizeof(session) && !memcmp(out, session, sizeof(session)),
           "the same in pieces of %zu bytes with 20 bytes of room", steps[i]);
    }
}

static void test_encodings(void)
{
    uint8_t in[4 + 4 * 40];
    in[0] = 2;
    in[1] = 0;
    in[2] = 0;
    in[3] = 40;
    for (int i = 0; i < 39; i++) { /* unknown ones */
        uint32_t e = 1000 + (uint32_t)i;
        uint8_t be[4] = {(uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8), (uint8_t)e};
        memcpy(in + 4 + 4 * i, be, 4);
    }
    memset(in + 4 + 4 * 39, 0, 4); /* Raw, the 40th */
    struct rfbfilter f = fresh();
    ssize_t n = run(&f, in, sizeof(in), 5, BIG);
    static const uint8_t want[] = {2, 0, 0, 1, 0, 0, 0, 0};
    ok(n == sizeof(want) && !memcmp(out, want, sizeof(want)),
       "40 encodings, 39 unknown: Raw kept, the count rewritten");

    /* 35 known ones: the first 32 kept */
    uint8_t in2[4 + 4 * 35];
    in2[0] = 2;
    in2[1] = 0;
    in2[2] = 0;
    in2[3] = 35;
    for (int i = 0; i < 35; i++) {
        int32_t e = i % 2 ? 7 : -23 - (i % 10); /* Tight and JPEG levels */
        uint32_t u = (uint32_t)e;
        uint8_t be[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
        memcpy(in2 + 4 + 4 * i, be, 4);
    }
    f = fresh();
    n = run(&f, in2, sizeof(in2), sizeof(in2), BIG);
    is_int(n, 4 + 4 * 32, "35 known encodings: 32 kept");
    ok(n == 4 + 4 * 32 && out[3] == 32 && !memcmp(out + 4, in2 + 4, 4 * 32),
       "the first 32 in order");
}

static void test_cut_text_over_limit(void)
{
    uint32_t len = RFBFILTER_MAX_CUT_TEXT + 1;
    uint8_t head[8] = {
        6, 0, 0, 0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    uint8_t *in = calloc(1, 8 + (size_t)len + 8);
    memcpy(in, head, 8);
    static const uint8_t key[8] = {4, 0, 0, 0, 0, 0, 0, 0x62};
    memcpy(in + 8 + len, key, 8);
    struct rfbfilter f = fresh();
    ssize_t n = run(&f, in, 8 + (size_t)len + 8, 65536, BIG);
    ok(n == 8 && !memcmp(out, key, 8), "cut text over the limit is skipped, the key after it kept");
    is_int(f.dropped, len, "and its length reported");
    free(in);
}

static void test_mended(void)
{
    struct rfbfilter f = fresh();
    static const uint8_t req[] = {3,    0, 0x03, 0xe8, 0x02,
                                  0xbc, 0, 100,  0,    100}; /* 1000,700 100x100 */
    static const uint8_t clipped[] = {3, 0, 0x03, 0xe8, 0x02, 0xbc, 0, 24, 0, 68}; /* 24x68 */
    ssize_t n = run(&f, req, sizeof(req), sizeof(req), BIG);
    ok(n == sizeof(req) && !memcmp(out, clipped, sizeof(req)),
       "a request past the bound is clipped");
    static const uint8_t far[] = {3, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t far_clipped[] = {3, 0, 0x04, 0x00, 0, 0, 0, 0, 0x03, 0x00};
    f = fresh();
    n = run(&f, far, sizeof(far), 1, BIG);
    ok(n == sizeof(far) && !memcmp(out, far_clipped, sizeof(far)),
       "one beyond it covers nothing (x 1024, width 0)");
    static const uint8_t qemu[] = {255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0x01, 0x2c}; /* code 300 */
    static const uint8_t qemu0[] = {255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0};
    f = fresh();
    n = run(&f, qemu, sizeof(qemu), 1, BIG);
    ok(n == sizeof(qemu) && !memcmp(out, qemu0, sizeof(qemu)),
       "a QEMU key code past the table becomes 0 (no key)");
}

static void refused(const uint8_t *in, size_t n, const char *what, const char *why_has)
{
    struct rfbfilter f = fresh();
    ssize_t r = run(&f, in, n, 1, BIG);
    ok(r == -1 && strstr(f.why, why_has), "%s: refused (%s)", what, f.why);
    size_t len = 0;
    ok(rfbfilter_feed(&f, in, n, out, &len, BIG) == -1 && len == 0, "and nothing more is read");
}

static void test_refused(void)
{
    static const uint8_t t7[] = {7, 1, 2, 3};
    refused(t7, sizeof(t7), "message type 7", "type 7");
    static const uint8_t t150[] = {150, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    refused(t150, sizeof(t150), "EnableContinuousUpdates (not offered)", "type 150");
    static const uint8_t bpp13[] = {0,   0,   0,   0,   13,  99,  1,   1, 255, 255,
                                    255, 255, 255, 255, 200, 200, 200, 0, 0,   0};
    refused(bpp13, sizeof(bpp13), "13 bits per pixel", "13 bits per pixel");
    static const uint8_t map[] = {0, 0, 0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    refused(map, sizeof(map), "a colour map", "pixel format");
    static const uint8_t shift[] = {0, 0,   0, 0,   32, 24, 0, 1, 0, 255,
                                    0, 255, 0, 255, 30, 8,  0, 0, 0, 0};
    refused(shift, sizeof(shift), "red shifted past the pixel", "pixel format");
    static const uint8_t max[] = {0, 0,   0, 0,   32, 24, 0, 1, 1, 0,
                                  0, 255, 0, 255, 16, 8,  0, 0, 0, 0};
    refused(max, sizeof(max), "a channel of 256 levels", "pixel format");
    static const uint8_t audio[] = {255, 1, 0, 0};
    refused(audio, sizeof(audio), "a QEMU audio message", "subtype 1");
    static const uint8_t flagless[] = {6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe, 1, 2};
    refused(flagless, sizeof(flagless), "an extended cut text of 2 bytes", "without its flags");
}

/* The extended clipboard's cut text: a negative length, flags, data. */
static void test_extended_cut(void)
{
    static const uint8_t m[] = {6,    0, 0, 0, 0xff, 0xff, 0xff, 0xf8, /* -8 */
                                0x1f, 0, 0, 1, 0,    1,    0,    0,    /* caps, text */
                                6,    0, 0, 0, 0xff, 0xff, 0xff, 0xfc, /* -4 */
                                0x08, 0, 0, 1,                         /* notify */
                                4,    1, 0, 0, 0,    0,    0,    0x61};
    size_t steps[] = {1, 3, sizeof(m)};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct rfbfilter f = fresh();
        ssize_t n = run(&f, m, sizeof(m), steps[i], 20);
        ok(n == sizeof(m) && !memcmp(out, m, sizeof(m)),
           "extended cut text passes whole, and the stream stays in step (pieces of %zu)",
           steps[i]);
    }
}

int main(void)
{
    plan(34);
    test_valid_passes();
    test_encodings();
    test_cut_text_over_limit();
    test_mended();
    test_refused();
    test_extended_cut();
    return done_testing();
}
