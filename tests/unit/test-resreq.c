/* Size requests' event (proto/resreq.c): what a backend writes is read
 * back as written; a zero or a huge size is told apart, whatever else
 * the slot holds. */
#include "proto/resreq.h"

#include "tap.h"

#include <string.h>

static void test_round_trip(void)
{
    uint8_t slot[40];
    memset(slot, 0xa5, sizeof(slot));
    xfb_resreq_fill(slot, 1023, 767);
    uint32_t w, h;
    is_int(slot[0], XFB_TYPE_RESIZE_REQUEST, "the type byte");
    is_int(slot[12] | slot[39], 0, "the rest is zero");
    is_int(xfb_resreq_parse(slot, &w, &h), XFB_RESREQ_OK, "an odd size is a size");
    ok(w == 1023 && h == 767, "read back as written");
    is_int(slot[4] | slot[5] << 8, 1023, "little-endian at offset 4");
}

static void test_hostile(void)
{
    static const struct {
        uint32_t w, h;
        enum xfb_resreq_verdict want;
    } cases[] = {
        {0, 600, XFB_RESREQ_ZERO},
        {800, 0, XFB_RESREQ_ZERO},
        {0, 0, XFB_RESREQ_ZERO},
        {32768, 600, XFB_RESREQ_HUGE},
        {800, 0xffffffffu, XFB_RESREQ_HUGE},
        {0x80000000u, 0x80000000u, XFB_RESREQ_HUGE},
        {1, 1, XFB_RESREQ_OK},
        {32767, 32767, XFB_RESREQ_OK},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t slot[40];
        xfb_resreq_fill(slot, cases[i].w, cases[i].h);
        uint32_t w, h;
        is_int(xfb_resreq_parse(slot, &w, &h), cases[i].want, "%ux%u", cases[i].w, cases[i].h);
    }
}

int main(void)
{
    test_round_trip();
    test_hostile();
    return done_testing();
}
