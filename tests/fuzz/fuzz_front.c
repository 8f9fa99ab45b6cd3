/* Fuzzing libxenfbfront with a hostile backend: the input is a program
 * of what a backend domain can do, run against the real library through
 * xfb_front_open / xfb_front_dispatch: write or remove its xenstore nodes
 * (state, feature-*, request-update, width, height), fire watches, write
 * any bytes into the shared page it maps (ring indices, in-ring events:
 * refresh periods, keys, motion, positions, wheels; its liveness byte),
 * notify our port or flood it; and the caller's side: updates and
 * resizes; and failures of the Xen libraries. The first byte picks the
 * device: even = vfb, odd = vkbd. See README.md for the format.
 *
 * Besides crashes, leaks and sanitizer reports, the harness checks what
 * front.h promises: key codes <= KEY_MAX, positions inside [0, max],
 * states 1..6, and after xfb_front_close() no grant, port, handle or
 * published node left behind and the state Closed.
 *
 * Each input runs twice: through xfb_front_open(), then through a hotplug
 * handle (XFB_FRONT_HOTPLUG), for which the toolstack's nodes the input
 * writes (backend, backend-id, state) make the device come, go, be made
 * anew or be taken by another writer, and the caller's resizes are
 * re-grants half of the time. A hotplug caller copies its picture out of
 * the memory a device event says is going (ASan sees a late read), and
 * after a device was lost the nodes are no longer the library's to clean.
 */
#include "fake_xen.h"
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

#include "xenfb/front.h"

#define FE_VFB  "/local/domain/1/device/xenfb/0"
#define FE_VKBD "/local/domain/1/device/xenkbd/0"
#define BE_VFB  "/local/domain/0/backend/xenfb/1/0"
#define BE_VKBD "/local/domain/0/backend/xenkbd/1/0"

static const char *const be_nodes[] = {
    "state",
    "feature-gref",
    "feature-resize",
    "request-update",
    "feature-abs-pointer",
    "feature-raw-pointer",
    "feature-hwheel",
    "width",
    "height",
    "hotplug-status",
    "",
};
#define N_BE_NODES (sizeof(be_nodes) / sizeof(be_nodes[0]))

static const char *const fe_nodes[] = {"state", "backend", "backend-id", "page-ref"};
#define N_FE_NODES (sizeof(fe_nodes) / sizeof(fe_nodes[0]))

/* what the library publishes, gone after close */
static const char *const published[] = {
    "page-gref",           "event-channel",       "protocol",       "feature-update",
    "request-abs-pointer", "request-raw-pointer", "request-hwheel",
};

static const char *const values[] = {
    "0",          "1",          "2",          "3",
    "4",          "5",          "6",          "7",
    "",           "-1",         "+1",         " 1",
    "4294967295", "2147483647", "2147483648", "99999999999999999999",
    "1x",         "800",        "600",        "32767",
    "32768",      BE_VFB,       BE_VKBD,      "/local/domain/0/backend/xenfb/1/1",
    "0x4",
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

static const char *const fire_paths[] = {
    BE_VFB, BE_VFB "/state", BE_VKBD, BE_VKBD "/state", FE_VFB, FE_VKBD, "/local/domain/0",
};
#define N_FIRE (sizeof(fire_paths) / sizeof(fire_paths[0]))

enum op {
    OP_BE_WRITE,   /* node, value */
    OP_BE_RM,      /* node */
    OP_FE_WRITE,   /* node, value: the toolstack's nodes of the device */
    OP_FIRE,       /* token, path */
    OP_PAGE_W32,   /* offset u16, value u32 */
    OP_PAGE_BYTES, /* offset u16, len u8, bytes */
    OP_NOTIFY,
    OP_DISPATCH,
    OP_CALLER,   /* what, args */
    OP_FAULT,    /* which */
    OP_RESTART,  /* close the handle, or open a new one */
    OP_FLOOD,    /* rounds u8: notify and dispatch */
    OP_IN_EVENT, /* 40 bytes: one in-ring event, in_prod++ */
    OP_ALIVE,    /* the backend's liveness byte */
    OP_COUNT
};

static enum xfb_front_kind kind;
static bool hotplug;
/* a hotplug handle let go of a device in this run: what it had written
 * there is not its to clean any more (removed, or another writer's),
 * and a later handle may never take that device */
static bool lost;
static struct xfb_front *cur; /* the handle events come from */

static void fail(const char *what)
{
    fprintf(stderr, "fuzz-front: %s\n", what);
    abort();
}

/* The backend path of the device the handle last took. */
static char attached_be[128];

static void on_event(void *data, const struct xfb_front_event *ev)
{
    (void)data;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "front: event %d (%d %d %d %d)\n", ev->type, ev->pos.x, ev->pos.y,
                ev->pos.x_max, ev->pos.y_max);
    switch (ev->type) {
    case XFB_FRONT_EV_KEY:
        if (ev->key.code > 0x2ff)
            fail("a key code above KEY_MAX");
        break;
    case XFB_FRONT_EV_POS:
        if (ev->pos.x_max <= 0 || ev->pos.y_max <= 0 || ev->pos.x < 0 || ev->pos.y < 0 ||
            ev->pos.x > ev->pos.x_max || ev->pos.y > ev->pos.y_max)
            fail("a position outside [0, max]");
        break;
    case XFB_FRONT_EV_MOTION:
    case XFB_FRONT_EV_REFRESH:
        break;
    case XFB_FRONT_EV_CLIPBOARD:
        fail("a clipboard event from a vfb or vkbd handle");
        break;
    case XFB_FRONT_EV_RESIZE_REQUEST:
        if (ev->resize_request.width < 1 || ev->resize_request.height < 1 ||
            ev->resize_request.width > 32767 || ev->resize_request.height > 32767)
            fail("a size request outside 1..32767");
        break;
    case XFB_FRONT_EV_STATE:
        if (ev->state.state < 1 || ev->state.state > 6 ||
            ev->state.connected != (ev->state.state == 4))
            fail("a state outside 1..6");
        break;
    case XFB_FRONT_EV_DEVICE: {
        if (!hotplug)
            fail("a device event from a handle without the hotplug flag");
        struct xfb_front_fb fb;
        if (kind == XFB_FRONT_VFB && cur && xfb_front_get_fb(cur, &fb) == 0 && fb.pixels) {
            /* what a caller does: its picture in, or out before it goes */
            volatile uint8_t sum = 0;
            for (uint32_t i = 0; i < fb.mem_length; i += 509)
                sum ^= ((const uint8_t *)fb.pixels)[i];
            (void)sum;
            if ((uint64_t)fb.offset + (uint64_t)fb.stride * fb.height > fb.mem_length)
                fail("a mode beyond the granted memory at a device event");
        }
        if (!ev->device.present)
            lost = true;
        else
            snprintf(attached_be, sizeof(attached_be), "%s", ev->device.backend);
        return;
    }
    default:
        fail("an event of unknown type");
    }
    if (kind == XFB_FRONT_VFB && ev->type != XFB_FRONT_EV_REFRESH &&
        ev->type != XFB_FRONT_EV_STATE && ev->type != XFB_FRONT_EV_RESIZE_REQUEST)
        fail("an input event from a vfb");
    if (kind != XFB_FRONT_VFB && ev->type == XFB_FRONT_EV_RESIZE_REQUEST)
        fail("a size request from a vkbd");
    if (kind == XFB_FRONT_VKBD && ev->type == XFB_FRONT_EV_REFRESH)
        fail("a refresh period from a vkbd");
}

static void on_log(void *data, int level, const char *msg)
{
    (void)data;
    (void)level;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "front: %s\n", msg);
}

static struct xfb_front *open_front(void)
{
    struct xfb_front_opts o = {
        .kind = kind,
        .devid = 0,
        .width = 64,
        .height = 48,
        .max_width = 128,
        .max_height = 96,
        .log_fn = on_log,
        .event_fn = on_event,
    };
    /* a vfb takes size requests: the in ring's bytes reach their parser */
    unsigned flags =
        (hotplug ? XFB_FRONT_HOTPLUG : 0) | (kind == XFB_FRONT_VFB ? XFB_FRONT_RESIZE_REQUEST : 0);
    cur = xfb_front_open_flags(&o, flags);
    /* the backend the handle took at the open, if it took one (a
     * hotplug handle may take its device later: its device events say) */
    const char *be = fx_read(kind == XFB_FRONT_VFB ? FE_VFB "/backend" : FE_VKBD "/backend");
    snprintf(attached_be, sizeof(attached_be), "%s",
             cur && be && xfb_front_state(cur) != 0 ? be : "");
    return cur;
}

/* The device as the toolstack leaves it for the guest. */
static void attach(const char *fe, const char *be)
{
    fx_link_device(fe, be);
}

static void check_closed(const char *fe, bool was_open)
{
    char p[128];
    cur = NULL;
    /* a device let go of is not ours to clean: removed, or another
     * writer's now */
    if (lost)
        return;
    for (size_t i = 0; i < sizeof(published) / sizeof(published[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", fe, published[i]);
        if (fx_read(p)) {
            fprintf(stderr, "fuzz-front: %s is left after close\n", p);
            abort();
        }
    }
    /* a device another backend now has (made anew there, as after a
     * restore) is not written into: the library leaves its state be */
    snprintf(p, sizeof(p), "%s/backend", fe);
    const char *be = fx_read(p);
    if (!be || strcmp(be, attached_be))
        return;
    snprintf(p, sizeof(p), "%s/state", fe);
    const char *st = fx_read(p);
    if (was_open && (!st || strcmp(st, "6")))
        fail("the state after close is not Closed");
}

/* Close f and check what it left; a hotplug handle without a device (state
 * 0) has written nothing to take back. */
static void close_and_check(struct xfb_front *f, const char *fe)
{
    bool had = xfb_front_state(f) != 0;
    fx_clear_faults();
    xfb_front_close(f);
    check_closed(fe, had);
}

static void caller(struct xfb_front *f, struct fin *in)
{
    uint8_t what = fin_u8(in);
    int16_t a = (int16_t)fin_u16(in), b = (int16_t)fin_u16(in);
    int16_t c = (int16_t)fin_u16(in), d = (int16_t)fin_u16(in);
    struct xfb_front_fb fb;
    switch (what % 4) {
    case 0:
        xfb_front_update(f, a, b, c, d);
        break;
    case 1: {
        /* a mode from the small set the X driver uses, or anything */
        uint32_t w = (uint16_t)a, h = (uint16_t)b, depth = (c & 1) ? 16 : 32;
        uint32_t stride = (c & 2) ? w * (depth / 8) : (uint16_t)d;
        if (hotplug && (c & 16))
            xfb_front_regrant(f, w, h, stride, (c & 4) ? (uint32_t)(uint16_t)c : depth);
        else
            xfb_front_resize(f, w, h, stride, (c & 4) ? (uint32_t)(uint16_t)c : depth,
                             (c & 8) ? (uint32_t)(uint16_t)d : 0);
        break;
    }
    case 2:
        if (xfb_front_get_fb(f, &fb) == 0) {
            if (kind != XFB_FRONT_VFB)
                fail("a framebuffer from a vkbd");
            if (fb.pixels && (uint64_t)fb.offset + (uint64_t)fb.stride * fb.height > fb.mem_length)
                fail("a mode beyond the granted memory");
            if (!fb.pixels && (!hotplug || fb.mem_length))
                fail("no memory without the hotplug flag, or a length without memory");
            /* the caller draws into all of it */
            if (fb.pixels)
                memset(fb.pixels, a, fb.mem_length);
        }
        break;
    case 3:
        xfb_front_refresh_period(f);
        /* 0: a hotplug handle without its device */
        if (xfb_front_state(f) < (hotplug ? 0 : 1) || xfb_front_state(f) > 6)
            fail("a state outside 1..6");
        break;
    }
}

static void one_run(const uint8_t *data, size_t size)
{
    struct fin in = {data, size};
    lost = false;
    char buf[64], path[160];
    fx_reset();
    kind = (fin_u8(&in) & 1) ? XFB_FRONT_VKBD : XFB_FRONT_VFB;
    const char *fe = kind == XFB_FRONT_VFB ? FE_VFB : FE_VKBD;
    const char *be = kind == XFB_FRONT_VFB ? BE_VFB : BE_VKBD;
    attach(fe, be);
    fx_set_home("/local/domain/1");
    struct xfb_front *f = open_front();

    while (fin_more(&in)) {
        uint8_t op = fin_u8(&in) % OP_COUNT;
        uint8_t *pg = fx_shared_page();
        switch (op) {
        case OP_BE_WRITE:
        case OP_BE_RM: {
            const char *node = be_nodes[fin_u8(&in) % N_BE_NODES];
            snprintf(path, sizeof(path), *node ? "%s/%s" : "%s", be, node);
            if (op == OP_BE_WRITE)
                fx_write_str(path, fin_str(&in, values, N_VALUES, buf));
            else
                fx_rm(path);
            break;
        }
        case OP_FE_WRITE: {
            const char *node = fe_nodes[fin_u8(&in) % N_FE_NODES];
            snprintf(path, sizeof(path), "%s/%s", fe, node);
            fx_write_str(path, fin_str(&in, values, N_VALUES, buf));
            break;
        }
        case OP_FIRE: {
            const char *token = (fin_u8(&in) & 1) ? "x" : "xfb-backend";
            fx_fire(fin_str(&in, fire_paths, N_FIRE, buf), token);
            break;
        }
        case OP_PAGE_W32: {
            uint16_t off = fin_u16(&in) % (FX_PAGE - 3);
            uint32_t v = fin_u32(&in);
            if (pg)
                memcpy(pg + off, &v, 4);
            break;
        }
        case OP_PAGE_BYTES: {
            uint16_t off = fin_u16(&in) % FX_PAGE;
            size_t len = fin_u8(&in);
            if (len > FX_PAGE - off)
                len = FX_PAGE - off;
            uint8_t tmp[256];
            fin_bytes(&in, tmp, len);
            if (pg)
                memcpy(pg + off, tmp, len);
            break;
        }
        case OP_NOTIFY:
            if (fx_unbound_port() >= 0)
                fx_pend((uint32_t)fx_unbound_port());
            break;
        case OP_DISPATCH:
            if (f && xfb_front_dispatch(f) < 0) {
                /* the handle is unusable: its owner closes it */
                close_and_check(f, fe);
                f = NULL;
            }
            break;
        case OP_CALLER:
            if (f)
                caller(f, &in);
            else
                fin_bytes(&in, buf, 9);
            break;
        case OP_FAULT:
            fx_fail((enum fx_fault)(fin_u8(&in) % FX_FAULTS));
            break;
        case OP_RESTART:
            /* close, or open again: a fault armed in between hits the open */
            if (f) {
                close_and_check(f, fe);
                f = NULL;
            } else {
                f = open_front();
            }
            break;
        case OP_FLOOD: {
            /* the library has no flood limit to reach, only its
             * per-dispatch bound: a few rounds do */
            unsigned rounds = fin_u8(&in) % 16u;
            for (unsigned i = 0; f && i < rounds; i++) {
                if (fx_unbound_port() >= 0)
                    fx_pend((uint32_t)fx_unbound_port());
                if (xfb_front_dispatch(f) < 0) {
                    close_and_check(f, fe);
                    f = NULL;
                }
            }
            break;
        }
        case OP_IN_EVENT: {
            uint8_t ev[40];
            fin_bytes(&in, ev, sizeof(ev));
            if (!pg)
                break;
            /* both pages start with in_cons, in_prod; both in rings at 1024 */
            uint32_t prod;
            memcpy(&prod, pg + 4, 4);
            if (kind == XFB_FRONT_VFB)
                memcpy(&XENFB_IN_RING_REF((struct xenfb_page *)(void *)pg, prod), ev, sizeof(ev));
            else
                memcpy(&XENKBD_IN_RING_REF((struct xenkbd_page *)(void *)pg, prod), ev, sizeof(ev));
            prod++;
            memcpy(pg + 4, &prod, 4);
            break;
        }
        case OP_ALIVE: {
            uint8_t v = fin_u8(&in);
            if (pg)
                pg[4095] = v;
            break;
        }
        }
    }
    if (f) {
        xfb_front_dispatch(f);
        close_and_check(f, fe);
    } else {
        check_closed(fe, false);
    }
    unsigned live = fx_reset();
    if (live) {
        fprintf(stderr, "fuzz-front: %u handles, grants or ports left after close%s\n", live,
                hotplug ? " (hotplug)" : "");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hotplug = false;
    one_run(data, size);
    hotplug = true;
    one_run(data, size);
    return 0;
}
