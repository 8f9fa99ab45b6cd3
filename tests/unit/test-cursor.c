/* The cursor extension's header: what a reader accepts, and the
 * conversion to straight alpha (proto/cursor.c). */
#include "proto/cursor.h"

#include "tap.h"

#include <string.h>

static struct xfb_cursor_header hdr(uint32_t w, uint32_t h, uint32_t hx, uint32_t hy, uint32_t vis)
{
    struct xfb_cursor_header c;
    memset(&c, 0, sizeof(c));
    c.width = w;
    c.height = h;
    c.hot_x = hx;
    c.hot_y = hy;
    c.visible = vis;
    return c;
}

static void test_check(void)
{
    struct xfb_cursor_header c;
    c = hdr(0, 0, 0, 0, 0);
    ok(!xfb_cursor_header_check(&c), "no image, hidden: accepted");
    c = hdr(64, 64, 63, 63, 1);
    ok(!xfb_cursor_header_check(&c), "64x64 with the hotspot in the last pixel: accepted");
    c = hdr(1, 1, 0, 0, 1);
    ok(!xfb_cursor_header_check(&c), "1x1: accepted");
    c = hdr(65, 1, 0, 0, 1);
    ok(xfb_cursor_header_check(&c) != NULL, "65 wide: refused");
    c = hdr(1, 0xffffffffu, 0, 0, 1);
    ok(xfb_cursor_header_check(&c) != NULL, "2^32-1 high: refused");
    c = hdr(16, 0, 0, 0, 1);
    ok(xfb_cursor_header_check(&c) != NULL, "a width without a height: refused");
    c = hdr(16, 16, 16, 0, 1);
    ok(xfb_cursor_header_check(&c) != NULL, "hotspot at the width: refused");
    c = hdr(16, 16, 0, 0xffffffffu, 1);
    ok(xfb_cursor_header_check(&c) != NULL, "hotspot far below: refused");
    c = hdr(0, 0, 1, 0, 0);
    ok(xfb_cursor_header_check(&c) != NULL, "a hotspot without an image: refused");
    c = hdr(16, 16, 0, 0, 2);
    ok(xfb_cursor_header_check(&c) != NULL, "visible 2: refused");
}

static void test_unpremultiply(void)
{
    is_int(xfb_cursor_unpremultiply(0xff123456u), 0xff123456u, "opaque: unchanged");
    is_int(xfb_cursor_unpremultiply(0x00ffffffu), 0, "transparent: all 0");
    is_int(xfb_cursor_unpremultiply(0x80800000u), 0x80ff0000u, "half red: full red at half alpha");
    is_int(xfb_cursor_unpremultiply(0x10ffffffu), 0x10ffffffu,
           "colours above alpha (a lying peer) are clamped to alpha");
}

int main(void)
{
    plan(14);
    test_check();
    test_unpremultiply();
    return done_testing();
}
