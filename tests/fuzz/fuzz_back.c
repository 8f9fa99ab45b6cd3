/* Fuzzing the backend core (libxfbback) with a hostile guest: the input
 * is a program of operations a guest (and a confused toolstack) can do,
 * run against the real core through xfb_back_open / xfb_back_dispatch:
 * write or remove its xenstore nodes, fire watches with any path, write
 * any bytes into the pages it grants or names by frame number (the shared
 * vfb and vkbd pages, the grant or frame directory, the rings; its
 * kernel's vfb and vkbd as well as xenfb's, the cursor's header and image,
 * the clipboard's buffers), notify its ports, flood them; and the viewer's
 * side: keys, pointer, wheels, refresh periods, clipboard text for the
 * guest; and failures of the Xen libraries. See README.md for the format.
 *
 * Besides crashes, leaks and sanitizer reports, the harness checks what
 * the core promises its viewers (back.h): a surface lies inside memory
 * the guest granted (its first and last pixel are read), a damaged
 * rectangle lies inside the surface (every row's ends are read), a cursor
 * is 1..64 pixels each way with its hotspot inside (every pixel is read),
 * clipboard text is at most 64 KiB of strict UTF-8 ending in a NUL, and
 * after xfb_back_close() no grant map, port or handle is left.
 */
#include "fake_xen.h"
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

#include "core/back.h"
#include "proto/clip.h"
#include "proto/cursor.h"
#include "proto/layout.h"

#define FE_VFB  "/local/domain/1/device/xenfb/0"
#define FE_VKBD "/local/domain/1/device/xenkbd/0"
#define BASE    "/local/domain/0/backend"
#define BE_VFB  BASE "/xenfb/1/0"
#define BE_VKBD BASE "/xenkbd/1/0"
/* the kernel's devices, as the daemon makes them for xen-fbfront and
 * xen-kbdfront: frame numbers for the vfb */
#define FE_KFB  "/local/domain/1/device/vfb/0"
#define FE_KKBD "/local/domain/1/device/vkbd/1"
#define BE_KFB  BASE "/" XFB_BACK_TYPE_KERNEL_FB "/1/0"
#define BE_KKBD BASE "/" XFB_BACK_TYPE_KERNEL_KBD "/1/1"
/* the clipboard device, as attach --clipboard both leaves it */
#define FE_CLIP "/local/domain/1/device/" XFB_TYPE_CLIP "/0"
#define BE_CLIP BASE "/" XFB_TYPE_CLIP "/1/0"

static const char *const nodes[] = {
    FE_VFB "/state",
    FE_VFB "/page-gref",
    FE_VFB "/event-channel",
    FE_VFB "/protocol",
    FE_VFB "/feature-update",
    FE_VFB "/page-ref",
    FE_VKBD "/state",
    FE_VKBD "/page-gref",
    FE_VKBD "/event-channel",
    FE_VKBD "/request-abs-pointer",
    FE_VKBD "/request-raw-pointer",
    FE_VKBD "/request-hwheel",
    BE_VFB "/max-width",
    BE_VFB "/max-height",
    BE_VFB "/frontend",
    BE_VFB "/state",
    BE_VKBD "/frontend",
    BE_VKBD "/state",
    BASE "/vinput/1/0/frontend",
    BASE "/xenfb/2/0/frontend",
    BASE "/xenfb/1/1/frontend",
    "/local/domain/1",
    FE_VFB,
    FE_VKBD,
    BE_VFB,
    BE_VKBD,
    "/local/domain/0/domid",
    FE_KFB "/state",
    FE_KFB "/page-ref",
    FE_KFB "/event-channel",
    FE_KFB "/protocol",
    FE_KFB "/backend",
    FE_KFB "/page-gref",
    BE_KFB "/frontend",
    BE_KFB "/state",
    BE_KFB "/max-width",
    BE_KFB "/max-height",
    FE_KKBD "/state",
    FE_KKBD "/page-gref",
    FE_KKBD "/event-channel",
    FE_KKBD "/request-abs-pointer",
    FE_KKBD "/backend",
    BE_KKBD "/frontend",
    BE_KKBD "/width",
    BE_KKBD "/height",
    BASE "/" XFB_BACK_TYPE_KERNEL_FB "/1/1/frontend",
    FE_KFB,
    BE_KFB,
    /* the extensions: new entries go last, so older inputs keep their
     * meaning */
    FE_VFB "/" XFB_NODE_CURSOR_GREF,
    FE_VFB "/" XFB_NODE_REQUEST_RELEASE,
    FE_CLIP "/state",
    FE_CLIP "/page-gref",
    FE_CLIP "/event-channel",
    BE_CLIP "/" XFB_NODE_CLIPBOARD_POLICY,
    BE_CLIP "/state",
    BE_CLIP "/frontend",
    FE_CLIP,
    BE_CLIP,
};
#define N_NODES (sizeof(nodes) / sizeof(nodes[0]))

static const char *const values[] = {
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "x86_64-abi",
    "x86_32-abi",
    "arm-abi",
    "",
    "-1",
    "+1",
    " 1",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "1x",
    FE_VFB,
    FE_VKBD,
    "/local/domain/1/device/xenfb/0/../../x",
    "/local/domain/2/device/xenfb/0",
    "256",
    "192",
    "32768",
    "32769",
    "0x10",
    "1099511627775",
    "1099511627776",
    "18446744073709551615",
    FE_KFB,
    FE_KKBD,
    BE_KFB,
    BE_VFB,
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

static const char *const fire_paths[] = {
    BASE,
    BASE "/xenfb",
    BASE "/xenfb/1",
    BE_VFB,
    BE_VFB "/frontend",
    BE_VFB "/online",
    BE_VFB "/state",
    BE_VKBD,
    BASE "/vinput/1/0",
    BASE "/xenkbd",
    FE_VFB "/state",
    FE_VKBD "/state",
    "@releaseDomain",
    BASE "/xenfb/01/0",
    BASE "/xenfb/1/99999999999",
    BASE "/xenfb/1/0/",
    BASE "/" XFB_BACK_TYPE_KERNEL_FB,
    BE_KFB,
    BASE "/" XFB_BACK_TYPE_KERNEL_KBD "/1",
    FE_KFB "/state",
    FE_KKBD "/state",
    BASE "/" XFB_TYPE_CLIP,
    BE_CLIP,
    FE_CLIP "/state",
};
#define N_FIRE (sizeof(fire_paths) / sizeof(fire_paths[0]))

static const char *const tokens[] = {"b", "f", "r", "x"};

enum op {
    OP_WRITE,      /* node, value */
    OP_RM,         /* node */
    OP_FIRE,       /* token, path */
    OP_PAGE_W32,   /* page, offset u16, value u32 */
    OP_PAGE_BYTES, /* page, offset u16, len u8, bytes */
    OP_NOTIFY,     /* the guest's port u8 */
    OP_DISPATCH,
    OP_VIEWER, /* what, args */
    OP_FAULT,  /* which */
    OP_RESTART,
    OP_FLOOD,     /* port u8, rounds u8 */
    OP_OUT_EVENT, /* page, 40 bytes: one vfb out event, out_prod++ */
    OP_CLIP_SEND, /* len u16, n u8, n bytes: a viewer's text for the guest */
    OP_COUNT
};

static volatile uint8_t sink;

static void touch(const void *p)
{
    sink ^= *(const volatile uint8_t *)p;
}

static void check_surface(struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    if (!s || s != xfb_back_guest_surface(g) || (s->depth != 16 && s->depth != 32) || !s->width ||
        !s->height || s->stride < s->width * (s->depth / 8)) {
        fprintf(stderr, "fuzz-back: a surface the viewer cannot use\n");
        abort();
    }
    const uint8_t *px = s->pixels;
    touch(px);
    touch(px + (size_t)(s->height - 1) * s->stride + (size_t)s->width * (s->depth / 8) - 1);
}

static void on_surface(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "back: surface %ux%u depth %u stride %u\n", s ? s->width : 0,
                s ? s->height : 0, s ? s->depth : 0, s ? s->stride : 0);
    check_surface(g, s);
}

static void on_damaged(void *data, struct xfb_back_guest *g, int x, int y, int w, int h)
{
    (void)data;
    const struct xfb_back_surface *s = xfb_back_guest_surface(g);
    if (!s || x < 0 || y < 0 || w <= 0 || h <= 0 || (uint32_t)x + (uint32_t)w > s->width ||
        (uint32_t)y + (uint32_t)h > s->height) {
        fprintf(stderr, "fuzz-back: damage %d,%d %dx%d outside the surface\n", x, y, w, h);
        abort();
    }
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "back: damaged %d,%d %dx%d\n", x, y, w, h);
    const uint8_t *px = s->pixels;
    size_t bpp = s->depth / 8;
    for (int r = y; r < y + h; r++) {
        touch(px + (size_t)r * s->stride + (size_t)x * bpp);
        touch(px + (size_t)r * s->stride + (size_t)(x + w) * bpp - 1);
    }
}

static void on_log(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                   const char *msg)
{
    (void)data;
    (void)level;
    (void)domid;
    (void)file;
    (void)line;
    (void)msg;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "back: %s\n", msg);
}

static void on_cursor(void *data, struct xfb_back_guest *g, const struct xfb_back_cursor *c)
{
    (void)data;
    if (c != xfb_back_guest_cursor(g)) {
        fprintf(stderr, "fuzz-back: the cursor passed is not the guest's\n");
        abort();
    }
    if (!c)
        return;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "back: cursor %ux%u hot %u,%u %s\n", c->width, c->height, c->hot_x,
                c->hot_y, c->visible ? "shown" : "hidden");
    bool none = !c->width && !c->height;
    if (!none &&
        (!c->width || !c->height || c->width > XFB_CURSOR_MAX || c->height > XFB_CURSOR_MAX ||
         c->hot_x >= c->width || c->hot_y >= c->height || !c->pixels)) {
        fprintf(stderr, "fuzz-back: a cursor the viewer cannot use\n");
        abort();
    }
    for (uint32_t i = 0; !none && i < c->width * c->height; i++)
        touch(&c->pixels[i]);
}

static void on_clipboard(void *data, struct xfb_back_guest *g, const char *utf8, size_t len)
{
    (void)data;
    (void)g;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "back: clipboard %zu bytes\n", len);
    if (len > XFB_CLIP_MAX || utf8[len] != '\0' ||
        !xfb_clip_utf8_valid((const uint8_t *)utf8, len)) {
        fprintf(stderr, "fuzz-back: clipboard text that is not what back.h promises\n");
        abort();
    }
}

static const struct xfb_back_ops ops = {
    .fb_connected = on_surface,
    .resized = on_surface,
    .damaged = on_damaged,
    .cursor = on_cursor,
    .clipboard = on_clipboard,
};

static const struct xfb_back_opts opts = {
    .ops = &ops,
    .backend_domid = 0,
    .refresh_ms = 30,
    .log_fn = on_log,
    .log_level = XFB_LOG_DEBUG,
};

/* One of xenfb's devices as attach makes it: both directories, both at
 * Initialising. */
/* What attach leaves for a guest with a vfb, a vkbd and a clipboard. */
static void attach(void)
{
    fx_set_home("/local/domain/0");
    fx_write_str("/local/domain/1/name", "guest");
    fx_write_str(BE_VFB "/max-width", "256");
    fx_write_str(BE_VFB "/max-height", "192");
    fx_attach_device(FE_VFB, BE_VFB);
    fx_attach_device(FE_VKBD, BE_VKBD);
    fx_write_str(BE_CLIP "/" XFB_NODE_CLIPBOARD_POLICY, "both");
    fx_attach_device(FE_CLIP, BE_CLIP);
    fx_write_str(FE_KFB "/backend", BE_KFB);
    fx_write_str(FE_KFB "/state", "1");
    fx_write_str(BE_KFB "/frontend", FE_KFB);
    fx_write_str(BE_KFB "/frontend-id", "1");
    fx_write_str(BE_KFB "/max-width", "256");
    fx_write_str(BE_KFB "/max-height", "192");
    fx_write_str(BE_KFB "/state", "1");
    fx_write_str(FE_KKBD "/backend", BE_KKBD);
    fx_write_str(FE_KKBD "/state", "1");
    fx_write_str(BE_KKBD "/frontend", FE_KKBD);
    fx_write_str(BE_KKBD "/frontend-id", "1");
    fx_write_str(BE_KKBD "/width", "32767");
    fx_write_str(BE_KKBD "/height", "32767");
    fx_write_str(BE_KKBD "/state", "1");
}

static void viewer(struct xfb_back *b, struct fin *in)
{
    uint8_t what = fin_u8(in);
    int16_t a = (int16_t)fin_u16(in), c = (int16_t)fin_u16(in);
    /* the X screen's devices, or the kernel's */
    struct xfb_back_guest *g = what & 0x80 ? xfb_back_find_kernel(b, 1) : xfb_back_find(b, 1, 0);
    if (!g)
        return;
    switch (what % 9) {
    case 8:
        /* a position in the other guest's picture */
        xfb_back_pointer_in(g, a, c, (uint16_t)a, (uint16_t)c);
        break;
    case 0:
        xfb_back_key(g, (uint16_t)a, c & 1);
        break;
    case 1:
        xfb_back_pointer(g, a, c);
        break;
    case 2:
        xfb_back_pointer_raw(g, a, c);
        break;
    case 3:
        xfb_back_motion(g, a, c);
        break;
    case 4:
        xfb_back_wheel(g, a);
        break;
    case 5:
        xfb_back_hwheel(g, a);
        break;
    case 6:
        xfb_back_set_refresh(g, (uint16_t)a);
        break;
    case 7:
        /* a viewer typing fast: many keys at once fill the queue */
        for (int i = 0; i < (uint8_t)a * 32; i++)
            xfb_back_key(g, (unsigned)i % 128, i & 1);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = {data, size};
    fx_reset();
    attach();
    struct xfb_back *b = xfb_back_open(&opts);
    char buf[64], buf2[64];

    while (fin_more(&in)) {
        uint8_t op = fin_u8(&in) % OP_COUNT;
        switch (op) {
        case OP_WRITE: {
            const char *node = nodes[fin_u8(&in) % N_NODES];
            const char *val = fin_str(&in, values, N_VALUES, buf);
            fx_write_str(node, val);
            break;
        }
        case OP_RM:
            fx_rm(nodes[fin_u8(&in) % N_NODES]);
            break;
        case OP_FIRE: {
            const char *token = tokens[fin_u8(&in) % 4];
            fx_fire(fin_str(&in, fire_paths, N_FIRE, buf2), token);
            break;
        }
        case OP_PAGE_W32: {
            uint8_t *pg = fx_guest_page(fin_u8(&in));
            uint16_t off = fin_u16(&in) % (FX_PAGE - 3);
            uint32_t v = fin_u32(&in);
            memcpy(pg + off, &v, 4);
            break;
        }
        case OP_PAGE_BYTES: {
            uint8_t *pg = fx_guest_page(fin_u8(&in));
            uint16_t off = fin_u16(&in) % FX_PAGE;
            size_t len = fin_u8(&in);
            if (len > FX_PAGE - off)
                len = FX_PAGE - off;
            fin_bytes(&in, pg + off, len);
            break;
        }
        case OP_NOTIFY:
            fx_notify_remote(fin_u8(&in));
            break;
        case OP_DISPATCH:
            if (b && xfb_back_dispatch(b) < 0) {
                /* the daemon's context failed: it exits, a new one starts */
                xfb_back_close(b);
                b = NULL;
            }
            break;
        case OP_VIEWER:
            if (b)
                viewer(b, &in);
            else
                fin_bytes(&in, buf, 5);
            break;
        case OP_FAULT:
            fx_fail((enum fx_fault)(fin_u8(&in) % FX_FAULTS));
            break;
        case OP_RESTART:
            xfb_back_close(b);
            b = xfb_back_open(&opts);
            break;
        case OP_FLOOD: {
            uint8_t port = fin_u8(&in);
            unsigned rounds = (fin_u8(&in) % 100u) * 64u;
            for (unsigned i = 0; b && i < rounds; i++) {
                fx_notify_remote(port);
                if (xfb_back_dispatch(b) < 0) {
                    xfb_back_close(b);
                    b = NULL;
                }
            }
            break;
        }
        case OP_OUT_EVENT: {
            struct xenfb_page *pg = (struct xenfb_page *)(void *)fx_guest_page(fin_u8(&in));
            union xenfb_out_event ev;
            fin_bytes(&in, &ev, sizeof(ev));
            memcpy(&XENFB_OUT_RING_REF(pg, pg->out_prod), &ev, sizeof(ev));
            pg->out_prod++;
            break;
        }
        case OP_CLIP_SEND: {
            /* any bytes, any length: the core takes what a viewer gives
             * and keeps to its limits. len 0xffff stands for one byte
             * past the limit; n bytes from the input, then 'x' */
            static uint8_t text[XFB_CLIP_MAX + 1];
            size_t len = fin_u16(&in), n = fin_u8(&in);
            if (len == UINT16_MAX)
                len = XFB_CLIP_MAX + 1;
            if (n > len)
                n = len;
            memset(text, 'x', len);
            fin_bytes(&in, text, n);
            struct xfb_back_guest *g = b ? xfb_back_find(b, 1, 0) : NULL;
            if (g)
                xfb_back_clip_send(g, (const char *)text, len);
            break;
        }
        }
    }
    if (b)
        xfb_back_dispatch(b);
    fx_clear_faults();
    xfb_back_close(b);
    unsigned live = fx_reset();
    if (live) {
        fprintf(stderr, "fuzz-back: %u handles, grant maps or ports left after close\n", live);
        abort();
    }
    return 0;
}
