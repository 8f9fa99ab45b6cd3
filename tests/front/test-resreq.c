/* Size requests on the vfb in ring (lib/resreq.c, fbring.c), on a page
 * in ordinary memory: a request reaches the caller as one event; a pass
 * over the ring hands over only the latest; zero and huge sizes are
 * dropped with a rate-limited line; a size beyond the backend's limits
 * is cut to them; nothing comes to a caller that did not ask. */
#include "lib/private.h"
#include "tap.h"
#include "vfb-fixture.h"

#include <xen/io/fbif.h>

static uint8_t page[4096] __attribute__((aligned(4096)));
static char last_log[512];
static unsigned n_logs, n_requests;
static uint32_t got_w, got_h;

static void sink(void *data, int level, const char *msg)
{
    (void)data;
    if (level > XFB_LOG_WARNING)
        return;
    snprintf(last_log, sizeof(last_log), "%s", msg);
    n_logs++;
}

static void on_event(void *data, const struct xfb_front_event *ev)
{
    (void)data;
    if (ev->type != XFB_FRONT_EV_RESIZE_REQUEST)
        return;
    n_requests++;
    got_w = ev->resize_request.width;
    got_h = ev->resize_request.height;
}

static struct xenfb_page *pg(void)
{
    return (struct xenfb_page *)(void *)page;
}

static void setup(struct xfb_front *f, bool asked)
{
    vfb_fixture(f, page, sizeof(page), sink);
    f->event_fn = on_event;
    f->use_resreq = asked;
    vfb_fixture_connect(f);
    n_logs = n_requests = 0;
    got_w = got_h = 0;
    last_log[0] = 0;
}

/* the backend's side: one request into the next slot */
static void send(uint32_t w, uint32_t h)
{
    uint32_t prod = pg()->in_prod;
    xfb_resreq_fill(&XENFB_IN_RING_REF(pg(), prod), w, h);
    pg()->in_prod = prod + 1;
}

static void test_one_request(void)
{
    struct xfb_front f;
    setup(&f, true);
    send(1023, 767);
    xfb_fbring_read(&f);
    is_int(n_requests, 1, "one request: one event");
    ok(got_w == 1023 && got_h == 767, "one request: the size as sent (odd is fine)");
    is_int(pg()->in_cons, 1, "the request consumed");
    is_int(n_logs, 0, "nothing logged");
}

static void test_latest_of_a_pass(void)
{
    struct xfb_front f;
    setup(&f, true);
    send(640, 480);
    send(0, 480);
    send(1280, 720);
    send(0xffffffffu, 5);
    xfb_fbring_read(&f);
    is_int(n_requests, 1, "four in a pass: one event");
    ok(got_w == 1280 && got_h == 720, "the latest valid one");
}

static void test_hostile(void)
{
    static const struct {
        uint32_t w, h;
        const char *log;
    } cases[] = {
        {0, 600, "[XFB-017] vfb 0: dropped a size request for 0x600: a width or height of 0"},
        {800, 0, "[XFB-017] vfb 0: dropped a size request for 800x0: a width or height of 0"},
        {32768, 600, "[XFB-017] vfb 0: dropped a size request for 32768x600: beyond 32767 pixels"},
        {4294967295u, 4294967295u,
         "[XFB-017] vfb 0: dropped a size request for 4294967295x4294967295: beyond 32767 "
         "pixels"},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xfb_front f;
        setup(&f, true);
        send(cases[i].w, cases[i].h);
        xfb_fbring_read(&f);
        is_int(n_requests, 0, "%ux%u: no event", cases[i].w, cases[i].h);
        is_str(last_log, cases[i].log, "%ux%u: the line", cases[i].w, cases[i].h);
    }
}

static void test_flood_rate_limited(void)
{
    struct xfb_front f;
    setup(&f, true);
    for (int round = 0; round < 40; round++) {
        for (unsigned i = 0; i < XENFB_IN_RING_LEN; i++)
            send(0, i);
        while (xfb_fbring_read(&f))
            ;
    }
    is_int(n_requests, 0, "1000 zero requests: no event");
    is_int(n_logs, 1, "and one line (the rest counted for the next)");
    send(800, 600);
    xfb_fbring_read(&f);
    is_int(n_requests, 1, "a good request after the flood still comes");
}

static void test_backend_limits(void)
{
    struct xfb_front f;
    setup(&f, true);
    f.be_max_width = 1920;
    f.be_max_height = 1080;
    send(4000, 900);
    xfb_fbring_read(&f);
    ok(got_w == 1920 && got_h == 900, "beyond max-width: cut to it");
}

static void test_not_asked(void)
{
    struct xfb_front f;
    setup(&f, false);
    send(1024, 768);
    xfb_fbring_read(&f);
    is_int(n_requests, 0, "a caller that did not ask gets nothing");
    is_int(pg()->in_cons, 1, "the event is consumed all the same");
}

int main(void)
{
    test_one_request();
    test_latest_of_a_pass();
    test_hostile();
    test_flood_rate_limited();
    test_backend_limits();
    test_not_asked();
    return done_testing();
}
