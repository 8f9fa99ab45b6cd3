/* The clipboard channel's helpers (proto/clip.c): a copy under the
 * sequence count that refuses what a lying writer leaves, strict UTF-8,
 * and the Latin-1 rule of RFB cut text. */
#include "proto/clip.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t *u(const char *s)
{
    return (const uint8_t *)s;
}

static void test_utf8(void)
{
    ok(xfb_clip_utf8_valid(u("plain text\n"), 11), "ASCII: valid");
    ok(xfb_clip_utf8_valid(u("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), 14),
       "two, three and four byte characters: valid");
    ok(!xfb_clip_utf8_valid(u("a\0b"), 3), "NUL: refused");
    ok(!xfb_clip_utf8_valid(u("\xc0\xaf"), 2), "overlong '/': refused");
    ok(!xfb_clip_utf8_valid(u("\xed\xa0\x80"), 3), "a surrogate: refused");
    ok(!xfb_clip_utf8_valid(u("\xf4\x90\x80\x80"), 4), "above U+10FFFF: refused");
    ok(!xfb_clip_utf8_valid(u("\xe2\x82"), 2), "cut short: refused");
    ok(!xfb_clip_utf8_valid(u("\xff"), 1), "0xff: refused");
}

static void test_latin1(void)
{
    char out[64];
    size_t rep;
    size_t n = xfb_clip_utf8_to_latin1(u("caf\xc3\xa9 \xe2\x82\xac!"), 10, out, &rep);
    ok(n == 7 && !memcmp(out, "caf\xe9 ?!", 7) && rep == 1,
       "é fits Latin-1, € becomes one '?', counted");
    uint8_t back[64];
    n = xfb_clip_latin1_to_utf8(u("caf\xe9\0x"), 6, back);
    ok(n == 6 && !memcmp(back, "caf\xc3\xa9x", 6), "Latin-1 é to UTF-8, NUL dropped");
}

static void test_copy(void)
{
    static uint8_t hdr[4096], buf[XFB_CLIP_MAX], out[XFB_CLIP_MAX];
    uint32_t wseq = 0, seen = 0, len = 0;
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_NONE, "nothing written: nothing read");
    xfb_clip_write(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, "hello", 5, &wseq);
    ok(wseq == 2, "the count ends even");
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_NEW, "a write is read");
    ok(len == 5 && !memcmp(out, "hello", 5), "as written");
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_NONE, "read once");
    hdr[XFB_CLIP_OUT_SEQ] = 3; /* a writer that stopped half way */
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_BUSY, "an odd count: not read");
    hdr[XFB_CLIP_OUT_SEQ] = 4;
    uint32_t huge = XFB_CLIP_MAX + 1;
    memcpy(hdr + XFB_CLIP_OUT_LEN, &huge, 4);
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_TOO_LONG, "a length above 64 KiB: refused");
    huge = 0xffffffffu;
    hdr[XFB_CLIP_OUT_SEQ] = 6;
    memcpy(hdr + XFB_CLIP_OUT_LEN, &huge, 4);
    is_int(xfb_clip_copy(hdr, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, buf, out, &len, &seen),
           XFB_CLIP_TOO_LONG, "a length of 2^32-1: refused, nothing copied past the buffer");
}

int main(void)
{
    plan(18);
    test_utf8();
    test_latin1();
    test_copy();
    return done_testing();
}
