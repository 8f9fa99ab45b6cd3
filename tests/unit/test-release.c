/* The backend core's release (protocol.md 2.5, back.h xfb_back_hold):
 * the release index the guest reads never covers an update whose damaged
 * callbacks have not all returned, even when a viewer lets the guest go
 * from within one of them; the release made there takes effect at the
 * end of the pass. The real core, against the in-memory fakes of the Xen
 * libraries the fuzz harnesses use (tests/fuzz/fake_xen.h). */
#include "fake_xen.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <xen/io/fbif.h>
#include <xen/io/protocols.h>

#include "core/back.h"
#include "proto/layout.h"

#define FE_VFB   "/local/domain/1/device/xenfb/0"
#define BE_VFB   "/local/domain/0/backend/xenfb/1/0"
#define VFB_PAGE 1 /* the guest's grant references, as pages of the fake */
#define DIR_PAGE 2
#define PORT     5

static struct xenfb_page *page(void)
{
    return (struct xenfb_page *)(void *)fx_guest_page(VFB_PAGE);
}

static uint32_t released(void)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)page() + XFB_REL_IDX_OFFS, sizeof(v));
    return v;
}

/* What each damaged callback does, and what it saw. */
static struct {
    int calls;
    int release_at;   /* this call releases, from within the callback */
    int hold_at;      /* this call holds */
    uint32_t seen[8]; /* the release index at the end of each call */
} cb;

static void on_damaged(void *data, struct xfb_back_guest *g, int x, int y, int w, int h)
{
    (void)data, (void)x, (void)y, (void)w, (void)h;
    int n = ++cb.calls;
    if (n == cb.hold_at)
        ok(xfb_back_hold(g), "a viewer holds the release from within its callback");
    if (n == cb.release_at)
        xfb_back_release(g);
    if (n <= 8)
        cb.seen[n - 1] = released();
}

static void on_log(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                   const char *msg)
{
    (void)data, (void)level, (void)domid, (void)file, (void)line, (void)msg;
}

static const struct xfb_back_ops ops = {.damaged = on_damaged};

static void update(int x, int y, int w, int h)
{
    struct xenfb_page *pg = page();
    union xenfb_out_event ev = {.update = {XENFB_TYPE_UPDATE, x, y, w, h}};
    XENFB_OUT_RING_REF(pg, pg->out_prod) = ev;
    pg->out_prod++;
}

static void wire(const char *node, const char *val)
{
    char p[128];
    snprintf(p, sizeof(p), FE_VFB "/%s", node);
    fx_write_str(p, val);
}

int main(void)
{
    plan(9);
    fx_reset();
    fx_set_home("/local/domain/0");
    fx_write_str("/local/domain/1/name", "guest");
    fx_write_str(BE_VFB "/max-width", "64");
    fx_write_str(BE_VFB "/max-height", "48");
    fx_attach_device(FE_VFB, BE_VFB);
    const struct xfb_back_opts opts = {
        .ops = &ops, .refresh_ms = 30, .log_fn = on_log, .log_level = XFB_LOG_ERROR};
    struct xfb_back *b = xfb_back_open(&opts);
    if (!b) {
        printf("Bail out! xfb_back_open failed\n");
        return 1;
    }
    xfb_back_dispatch(b);

    /* a 64x48 frontend with the release extension (as make-seeds.py's) */
    struct xenfb_page *pg = page();
    pg->width = 64;
    pg->height = 48;
    pg->line_length = 64 * 4;
    pg->mem_length = 64 * 48 * 4;
    pg->depth = 32;
    pg->pd[0] = DIR_PAGE;
    uint32_t *dir = (uint32_t *)(void *)fx_guest_page(DIR_PAGE);
    for (uint32_t i = 0; i < 3; i++)
        dir[i] = 10 + i;
    uint8_t *alive = (uint8_t *)pg + XFB_ALIVE_FRONT_OFFS;
    alive[0] = alive[1] = 1;
    wire("page-gref", "1");
    wire("event-channel", "5");
    wire(XFB_NODE_REQUEST_RELEASE, "1");
    wire("protocol", XEN_IO_PROTO_ABI_X86_64);
    wire("state", "3");
    xfb_back_dispatch(b);
    struct xfb_back_guest *g = xfb_back_find(b, 1, 0);
    is_str(fx_read(BE_VFB "/state"), "4", "the vfb connects");
    if (!g || !xfb_back_guest_surface(g)) {
        printf("Bail out! the vfb did not connect\n");
        return 1;
    }

    /* update 1: the callback holds it */
    cb.hold_at = 1;
    update(0, 0, 8, 8);
    fx_notify_remote(PORT);
    xfb_back_dispatch(b);
    is_int(cb.calls, 1, "update 1 reported");
    is_int(released(), 0, "held: update 1 not released after its pass");

    /* updates 2 and 3 in one pass; the viewer lets go within the first
     * callback (as a viewer that stops waiting for a picture does) */
    cb.release_at = 2;
    update(8, 0, 8, 8);
    update(16, 0, 8, 8);
    fx_notify_remote(PORT);
    xfb_back_dispatch(b);
    is_int(cb.calls, 3, "updates 2 and 3 reported");
    ok(cb.seen[1] < 2, "update 2 not released while its callback runs (index %u)", cb.seen[1]);
    ok(cb.seen[2] < 3, "update 3 not released before its callback (index %u)", cb.seen[2]);
    is_int(released(), 3, "all three released at the end of the pass");

    /* with nothing held, the pass releases what it reported */
    update(24, 0, 8, 8);
    fx_notify_remote(PORT);
    xfb_back_dispatch(b);
    is_int(released(), 4, "update 4, not held, released by its pass");

    xfb_back_close(b);
    return done_testing();
}
