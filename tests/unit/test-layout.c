/* pd[] layouts per ABI, the grant-directory arithmetic, and the frame
 * directories of the standard protocol. */
#include "proto/layout.h"

#include "tap.h"

#include <xen/io/protocols.h>

static void test_layout_protocols(void)
{
    struct xfb_layout l;
    ok(xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_32, &l) == 0 && l.pd_offset == 36 &&
           l.pd_size == 4 && l.pd_slots == 247,
       "x86_32-abi: pd at 36, 247 4-byte slots");
    ok(xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_64, &l) == 0 && l.pd_offset == 40 &&
           l.pd_size == 8 && l.pd_slots == 123,
       "x86_64-abi: pd at 40, 123 8-byte slots");
    struct xfb_layout n;
    xfb_layout_native(&n);
    ok(xfb_layout_from_protocol(NULL, &l) == 0 && l.pd_offset == n.pd_offset,
       "no protocol means native");
    ok(xfb_layout_from_protocol("vax-abi", &l) < 0, "unknown protocol is refused");
}

static void test_layout_pd_roundtrip(void)
{
    static unsigned char page[4096];
    struct xfb_layout l32, l64;
    xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_32, &l32);
    xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_64, &l64);
    uint32_t high = 1;
    xfb_layout_pd_set(&l32, page, 246, 0xdeadbeef);
    is_int(xfb_layout_pd_get(&l32, page, 246, &high), 0xdeadbeef, "32-bit last slot round trip");
    ok(36 + 247 * 4 <= 1024, "the last 32-bit slot ends before the in ring");
    is_int(high, 0, "32-bit slot has no high half");
    xfb_layout_pd_set(&l64, page, 3, 77);
    is_int(xfb_layout_pd_get(&l64, page, 3, &high), 77, "64-bit slot round trip");
    is_int(high, 0, "64-bit slot written by us has a zero high half");
    page[40 + 3 * 8 + 4] = 1;
    xfb_layout_pd_get(&l64, page, 3, &high);
    is_int(high, 1, "a non-zero high half is reported");
}

static void test_layout_pages(void)
{
    is_int(xfb_fb_pages(1920 * 1080 * 4), 2025, "1920x1080x32 needs 2025 pages");
    is_int(xfb_fb_pages(1), 1, "one byte needs a page");
    is_int(xfb_dir_pages(2025), 2, "2025 pages need 2 directory pages");
    is_int(xfb_dir_pages(1024), 1, "1024 pages fit one directory page");
    struct xfb_layout l64;
    xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_64, &l64);
    is_int(xfb_dir_pages(xfb_layout_max_fb_pages(&l64)), 123,
           "the 64-bit maximum fills the 123 usable slots");
}

/* Linux's xen-fbfront: pd[] and the directory pages hold unsigned long
 * frame numbers of the guest's ABI. */
static void test_layout_frames(void)
{
    static unsigned char page[4096], dir[2 * 4096];
    struct xfb_layout l32, l64;
    xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_32, &l32);
    xfb_layout_from_protocol(XEN_IO_PROTO_ABI_X86_64, &l64);
    is_int(xfb_layout_frames_per_dir(&l64), 512, "x86_64-abi: 512 frame numbers a directory page");
    is_int(xfb_layout_frames_per_dir(&l32), 1024,
           "x86_32-abi: 1024 frame numbers a directory page");
    xfb_layout_pd_set_frame(&l64, page, 2, 0x123456789aULL);
    ok(xfb_layout_pd_get_frame(&l64, page, 2) == 0x123456789aULL,
       "a 64-bit pd[] slot holds a frame number above 2^32");
    ok(page[40 + 2 * 8 + 4] == 0x12, "at offset 40 + 8 i, little-endian");
    xfb_layout_pd_set_frame(&l32, page, 5, 0x80001234u);
    ok(xfb_layout_pd_get_frame(&l32, page, 5) == 0x80001234u, "a 32-bit slot holds 32 bits");
    xfb_layout_dir_set_frame(&l64, dir, 512, 99);
    ok(xfb_layout_dir_get_frame(&l64, dir, 512) == 99 && dir[4096] == 99,
       "64-bit entry 512 is the first of the second directory page");
    xfb_layout_dir_set_frame(&l32, dir, 1023, 7);
    ok(xfb_layout_dir_get_frame(&l32, dir, 1023) == 7 && dir[4092] == 7,
       "32-bit entry 1023 is the last of the first");
}

int main(void)
{
    plan(22);
    test_layout_protocols();
    test_layout_pd_roundtrip();
    test_layout_pages();
    test_layout_frames();
    return done_testing();
}
