/* vfb out ring (fbring.c) on a page in ordinary memory: updates go out
 * one by one while there is room; when the ring is full they merge into
 * one bounding box sent when the backend frees space; refresh period 0
 * stops updates and a period after 0 sends the whole surface; resize is
 * bounded by the granted memory. */
#include "lib/private.h"
#include "tap.h"
#include "vfb-fixture.h"

#include <errno.h>
#include <xen/io/fbif.h>

static uint8_t page[4096] __attribute__((aligned(4096)));
static char last_log[512];

static void sink(void *data, int level, const char *msg)
{
    (void)data, (void)level;
    snprintf(last_log, sizeof(last_log), "%s", msg);
}

static struct xenfb_page *pg(void)
{
    return (struct xenfb_page *)(void *)page;
}

static void setup(struct xfb_front *f)
{
    vfb_fixture(f, page, sizeof(page), sink);
    vfb_fixture_connect(f);
}

static union xenfb_out_event out_at(uint32_t idx)
{
    union xenfb_out_event ev;
    memcpy(&ev, &XENFB_OUT_RING_REF(pg(), idx), sizeof(ev));
    return ev;
}

static void consume_all(void)
{
    pg()->out_cons = pg()->out_prod;
}

static void test_one_update_goes_out(void)
{
    struct xfb_front f;
    setup(&f);
    xfb_fbring_update(&f, (struct xfb_rect){10, 20, 30, 40});
    is_int(pg()->out_prod, 1, "one update: one event");
    union xenfb_out_event ev = out_at(0);
    ok(ev.type == XENFB_TYPE_UPDATE && ev.update.x == 10 && ev.update.y == 20 &&
           ev.update.width == 30 && ev.update.height == 40,
       "one update: the rectangle as given");
}

static void test_update_clipped(void)
{
    struct xfb_front f;
    setup(&f);
    xfb_fbring_update(&f, (struct xfb_rect){790, -5, 100, 10});
    union xenfb_out_event ev = out_at(0);
    ok(ev.update.x == 790 && ev.update.y == 0 && ev.update.width == 10 && ev.update.height == 5,
       "update clipped to the surface");
    xfb_fbring_update(&f, (struct xfb_rect){900, 0, 10, 10});
    is_int(pg()->out_prod, 1, "update outside the surface: nothing sent");
}

static void test_ring_full_coalesces(void)
{
    struct xfb_front f;
    setup(&f);
    for (int i = 0; i < (int)XENFB_OUT_RING_LEN; i++)
        xfb_fbring_update(&f, (struct xfb_rect){i, i, 1, 1});
    is_int(pg()->out_prod, XENFB_OUT_RING_LEN, "ring filled with separate updates");
    xfb_fbring_update(&f, (struct xfb_rect){100, 100, 10, 10});
    xfb_fbring_update(&f, (struct xfb_rect){300, 50, 20, 20});
    xfb_fbring_update(&f, (struct xfb_rect){200, 400, 5, 5});
    is_int(pg()->out_prod, XENFB_OUT_RING_LEN, "ring full: nothing more written");
    ok(f.pend.x == 100 && f.pend.y == 50 && f.pend.w == 220 && f.pend.h == 355,
       "ring full: pending merged into one bounding box");
    pg()->out_cons = 3;
    xfb_fbring_flush(&f);
    is_int(pg()->out_prod, XENFB_OUT_RING_LEN + 1, "space freed: one event for all pending");
    union xenfb_out_event ev = out_at(XENFB_OUT_RING_LEN);
    ok(ev.update.x == 100 && ev.update.y == 50 && ev.update.width == 220 && ev.update.height == 355,
       "space freed: the bounding box sent");
    ok(xfb_rect_empty(f.pend), "nothing pending after the flush");
}

static void test_refresh_period(void)
{
    struct xfb_front f;
    setup(&f);
    struct xenfb_refresh_period rp = {.type = XENFB_TYPE_REFRESH_PERIOD, .period = 0};
    memcpy(&XENFB_IN_RING_REF(pg(), 0), &rp, sizeof(rp));
    pg()->in_prod = 1;
    xfb_fbring_read(&f);
    is_int(f.refresh, 0, "refresh period 0 read");
    is_int(pg()->in_cons, 1, "in event consumed");
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 10, 10});
    is_int(pg()->out_prod, 0, "period 0: updates not sent");
    rp.period = 50;
    memcpy(&XENFB_IN_RING_REF(pg(), 1), &rp, sizeof(rp));
    pg()->in_prod = 2;
    xfb_fbring_read(&f);
    is_int(pg()->out_prod, 1, "period back: one update");
    union xenfb_out_event ev = out_at(0);
    ok(ev.update.x == 0 && ev.update.y == 0 && ev.update.width == 800 && ev.update.height == 600,
       "period back: the whole surface");
}

static void test_resize(void)
{
    struct xfb_front f;
    setup(&f);
    is_int(xfb_fbring_resize(&f, 1024, 768, 4096, 32, 0), 0, "resize to the largest mode");
    union xenfb_out_event ev = out_at(0);
    ok(ev.type == XENFB_TYPE_RESIZE && ev.resize.width == 1024 && ev.resize.height == 768 &&
           ev.resize.stride == 4096 && ev.resize.depth == 32,
       "resize event sent");
    ev = out_at(1);
    ok(ev.type == XENFB_TYPE_UPDATE && ev.update.width == 1024 && ev.update.height == 768,
       "followed by a full update");
    is_int(pg()->width, 1024, "page width follows the mode");
    errno = 0;
    is_int(xfb_fbring_resize(&f, 1280, 1024, 5120, 32, 0), -1, "resize beyond the grant fails");
    is_int(errno, E2BIG, "with E2BIG");
    is_str(last_log,
           "[XFB-008] vfb 0: mode 1280x1024 (stride 5120, offset 0) needs 5242880 bytes, "
           "3145728 were granted: open with a larger largest mode",
           "and the log line");
    errno = 0;
    is_int(xfb_fbring_resize(&f, 100, 100, 399, 32, 0), -1, "stride too small fails");
    is_int(errno, EINVAL, "with EINVAL");
    f.be_resize = false;
    errno = 0;
    is_int(xfb_fbring_resize(&f, 640, 480, 2560, 32, 0), -1, "no feature-resize fails");
    is_int(errno, EOPNOTSUPP, "with EOPNOTSUPP");
    is_int(f.width, 1024, "mode unchanged");
}

static void test_resize_queued_when_full(void)
{
    struct xfb_front f;
    setup(&f);
    for (int i = 0; i < (int)XENFB_OUT_RING_LEN; i++)
        xfb_fbring_update(&f, (struct xfb_rect){i, i, 1, 1});
    is_int(xfb_fbring_resize(&f, 640, 480, 2560, 32, 0), 0, "resize with a full ring accepted");
    ok(f.pend_resize, "resize pending");
    consume_all();
    xfb_fbring_flush(&f);
    union xenfb_out_event ev = out_at(XENFB_OUT_RING_LEN);
    ok(ev.type == XENFB_TYPE_RESIZE && ev.resize.width == 640, "resize sent when space came");
    ev = out_at(XENFB_OUT_RING_LEN + 1);
    ok(ev.type == XENFB_TYPE_UPDATE && ev.update.width == 640 && ev.update.height == 480,
       "then the whole new surface");
}

static void test_bad_out_cons(void)
{
    struct xfb_front f;
    setup(&f);
    pg()->out_cons = 1000;
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 1, 1});
    ok(f.broken, "out_cons ahead of out_prod: the backend is broken");
    is_str(last_log,
           "[XFB-009] vfb 0: the backend broke the out ring (prod 0, cons 1000, 51 slots): "
           "ignoring it until it reconnects",
           "and says so");
    is_int(pg()->out_prod, 0, "nothing written");
}

static void test_not_requested(void)
{
    struct xfb_front f;
    setup(&f);
    f.be_request_update = false;
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 1, 1});
    is_int(pg()->out_prod, 0, "no request-update: nothing sent");
}

static void test_update_rects(void)
{
    struct xfb_front f;
    setup(&f);
    struct xfb_front_rect r[3] = {{0, 0, 10, 10}, {900, 0, 5, 5}, {790, 590, 20, 20}};
    xfb_fbring_update_rects(&f, r, 3);
    is_int(pg()->out_prod, 2, "rects: one event each, the one outside dropped, published at once");
    union xenfb_out_event ev = out_at(1);
    ok(ev.update.x == 790 && ev.update.y == 590 && ev.update.width == 10 && ev.update.height == 10,
       "rects: each clipped to the surface");
    struct xfb_front_rect many[XENFB_OUT_RING_LEN + 2];
    for (int i = 0; i < (int)XENFB_OUT_RING_LEN + 2; i++)
        many[i] = (struct xfb_front_rect){i, 100, 1, 1};
    consume_all();
    xfb_fbring_update_rects(&f, many, XENFB_OUT_RING_LEN + 2);
    is_int(pg()->out_prod, 2 + XENFB_OUT_RING_LEN, "rects: the ring filled");
    ok(f.pend.x == (int)XENFB_OUT_RING_LEN && f.pend.w == 2,
       "rects: the rest merged into the pending box");
}

/* Release (protocol.md 2.5): the backend's index in the page's word. */
static void set_released(uint32_t idx)
{
    memcpy(page + XFB_REL_IDX_OFFS, &idx, sizeof(idx));
}

static void setup_release(struct xfb_front *f)
{
    setup(f);
    f->use_release = true;
    page[XFB_ALIVE_BACK_OFFS] = 1;
}

static int wait_rel(struct xfb_front *f, int32_t x, int32_t y, int32_t w, int32_t h)
{
    return xfb_fbring_wait_release(f, (struct xfb_rect){x, y, w, h}, 20);
}

static void test_release_held_until_released(void)
{
    struct xfb_front f;
    setup_release(&f);
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 100, 100});
    xfb_fbring_update(&f, (struct xfb_rect){200, 200, 50, 50});
    consume_all();
    is_int(wait_rel(&f, 400, 400, 10, 10), 0, "release: a rectangle no update covers is free");
    set_released(1);
    is_int(wait_rel(&f, 50, 50, 10, 10), 0,
           "release: the first update released, its rectangle free");
    is_int(wait_rel(&f, 190, 190, 20, 20), 1, "release: an overlap with one still held times out");
    ok(strstr(last_log, "did not release") != NULL, "release: the time out is logged");
    last_log[0] = '\0';
    is_int(xfb_fbring_wait_release(&f, (struct xfb_rect){240, 240, 5, 5}, 60000), 1,
           "release: after a time out, no waiting again until the backend caught up");
    set_released(2);
    is_int(wait_rel(&f, 240, 240, 5, 5), 0, "release: caught up, everything free");
    is_int((int)f.held_n, 0, "release: nothing held any more");
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 10, 10});
    consume_all();
    is_int(xfb_fbring_wait_release(&f, (struct xfb_rect){0, 0, 1, 1}, 60000), 1,
           "release: caught up, but still no waiting right after a time out");
    f.stall_until_ms = 0; /* as if the period had passed */
    set_released(3);
    is_int(wait_rel(&f, 0, 0, 1, 1), 0, "release: caught up after the period");
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 10, 10});
    consume_all();
    is_int(wait_rel(&f, 0, 0, 1, 1), 1, "release: and waiting again");
    ok(last_log[0] == '\0' || strstr(last_log, "did not release") != NULL,
       "release: said again only at debug level");
}

static void test_release_hostile_index(void)
{
    struct xfb_front f;
    setup_release(&f);
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 100, 100});
    set_released(0x80000000u);
    is_int(wait_rel(&f, 0, 0, 10, 10), 0,
           "release: an index beyond what was sent releases all (no wait)");
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 100, 100});
    page[XFB_ALIVE_BACK_OFFS] = 0;
    set_released(0);
    is_int(wait_rel(&f, 0, 0, 10, 10), 1, "release: a backend gone is not waited for");
}

static void test_release_many_held(void)
{
    struct xfb_front f;
    setup_release(&f);
    for (int i = 0; i < 3 * XFB_HELD_MAX; i++) {
        xfb_fbring_update(&f, (struct xfb_rect){i, 0, 1, 1});
        consume_all();
    }
    ok(f.held_n <= XFB_HELD_MAX, "release: what is held stays bounded");
    is_int(xfb_fbring_wait_release(&f, (struct xfb_rect){0, 0, 1, 1}, 0), 1,
           "release: the oldest update is still held");
    is_int(xfb_fbring_wait_release(&f, (struct xfb_rect){3 * XFB_HELD_MAX - 1, 0, 1, 1}, 0), 1,
           "release: and the newest");
    set_released(pg()->out_prod);
    is_int(wait_rel(&f, 0, 0, 1000, 1), 0, "release: all released, all free");
}

static void test_release_not_offered(void)
{
    struct xfb_front f;
    setup(&f);
    page[XFB_ALIVE_BACK_OFFS] = 1;
    xfb_fbring_update(&f, (struct xfb_rect){0, 0, 100, 100});
    is_int((int)f.held_n, 0, "no release offered: nothing held");
    is_int(wait_rel(&f, 0, 0, 10, 10), 0, "no release offered: never a wait");
}

int main(void)
{
    test_one_update_goes_out();
    test_update_clipped();
    test_ring_full_coalesces();
    test_refresh_period();
    test_resize();
    test_resize_queued_when_full();
    test_bad_out_cons();
    test_not_requested();
    test_update_rects();
    test_release_held_until_released();
    test_release_hostile_index();
    test_release_many_held();
    test_release_not_offered();
    return done_testing();
}
