/* vkbd in ring (protocol.md 3): keys, absolute positions and relative
 * motion from the backend, each copied out once, validated and handed to
 * the caller in ring order. */
#include "private.h"

#include "proto/ring.h"

#include <string.h>
#include <xen/io/kbdif.h>

#define KEY_MAX_CODE 0x2ffu /* KEY_MAX of <linux/input-event-codes.h> */
#define RAW_MAX      0x7fff

#define PAGE(f) ((struct xenkbd_page *)(void *)(f)->page)

static int32_t clamp(int32_t v, int32_t max)
{
    return v < 0 ? 0 : v > max ? max : v;
}

/* Only a backend we asked may use the reserved word (protocol.md 3). */
static int32_t hwheel(const union xenkbd_in_event *in, const struct xfb_kbd_range *range)
{
    int32_t w = 0;
    if (range->hwheel)
        memcpy(&w, (const char *)in + XFB_KBD_HWHEEL_OFFS, sizeof(w));
    return w;
}

enum xfb_kbd_verdict xfb_kbd_validate(const union xenkbd_in_event *in,
                                      const struct xfb_kbd_range *range,
                                      struct xfb_front_event *out)
{
    memset(out, 0, sizeof(*out));
    switch (in->type) {
    case XENKBD_TYPE_KEY:
        if (in->key.keycode > KEY_MAX_CODE)
            return XFB_KBD_BAD_KEYCODE;
        out->type = XFB_FRONT_EV_KEY;
        out->key.code = in->key.keycode;
        /* any non-zero is a press: a key-up must never be lost to a
         * strict check, and 0 is the only value that means up */
        out->key.pressed = in->key.pressed != 0;
        return XFB_KBD_OK;
    case XENKBD_TYPE_POS:
        out->type = XFB_FRONT_EV_POS;
        out->pos.x_max = range->x_max;
        out->pos.y_max = range->y_max;
        out->pos.x = clamp(in->pos.abs_x, range->x_max);
        out->pos.y = clamp(in->pos.abs_y, range->y_max);
        out->pos.z = in->pos.rel_z;
        out->pos.w = hwheel(in, range);
        return XFB_KBD_OK;
    case XENKBD_TYPE_MOTION:
        out->type = XFB_FRONT_EV_MOTION;
        out->motion.dx = in->motion.rel_x;
        out->motion.dy = in->motion.rel_y;
        out->motion.dz = in->motion.rel_z;
        out->motion.dw = hwheel(in, range);
        return XFB_KBD_OK;
    default:
        return XFB_KBD_UNKNOWN_TYPE;
    }
}

static struct xfb_kbd_range current_range(const struct xfb_front *f)
{
    struct xfb_kbd_range r = {
        .abs = f->use_abs, .hwheel = f->use_hwheel, .x_max = RAW_MAX, .y_max = RAW_MAX};
    if (f->use_abs && !f->use_raw) {
        if (f->be_width > 0)
            r.x_max = f->be_width;
        if (f->be_height > 0)
            r.y_max = f->be_height;
    }
    return r;
}

static void report_dropped(struct xfb_front *f, enum xfb_kbd_verdict v,
                           const union xenkbd_in_event *in)
{
    if (v == XFB_KBD_UNKNOWN_TYPE)
        xfb_log_rated(f, &f->rate[0], XFB_LOG_WARNING,
                      "[XFB-010] %s %u: dropped an in-ring event of unknown type %u", f->name,
                      f->devid, in->type);
    else
        xfb_log_rated(f, &f->rate[1], XFB_LOG_WARNING,
                      "[XFB-011] %s %u: dropped a key event with code 0x%x (above KEY_MAX 0x2ff)",
                      f->name, f->devid, in->key.keycode);
}

bool xfb_kbdring_read(struct xfb_front *f)
{
    struct xenkbd_page *p = PAGE(f);
    uint32_t prod = xfb_ring_load(&p->in_prod);
    int avail = xfb_ring_avail(prod, f->in_cons, XENKBD_IN_RING_LEN);
    if (avail < 0) {
        xfb_log(f, XFB_LOG_ERROR,
                "[XFB-009] %s %u: the backend broke the in ring (prod %u, cons %u, %u slots): "
                "ignoring it until it reconnects",
                f->name, f->devid, prod, f->in_cons, (unsigned)XENKBD_IN_RING_LEN);
        f->broken = true;
        f->connected = false;
        return false;
    }
    struct xfb_kbd_range range = current_range(f);
    int n = avail > XFB_EVENTS_PER_DISPATCH ? XFB_EVENTS_PER_DISPATCH : avail;
    for (int i = 0; i < n; i++) {
        union xenkbd_in_event in;
        memcpy(&in, &XENKBD_IN_RING_REF(p, f->in_cons), sizeof(in));
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        f->in_cons++;
        struct xfb_front_event ev;
        enum xfb_kbd_verdict v = xfb_kbd_validate(&in, &range, &ev);
        if (v == XFB_KBD_OK)
            xfb_front_emit(f, &ev);
        else
            report_dropped(f, v, &in);
    }
    if (n) {
        xfb_ring_store(&p->in_cons, f->in_cons);
        /* the backend queues rather than drops: tell it there is room */
        xfb_grant_notify(f);
    }
    return avail > n;
}

void xfb_kbdring_reset(struct xfb_front *f)
{
    struct xenkbd_page *p = PAGE(f);
    f->in_cons = xfb_ring_load(&p->in_prod);
    xfb_ring_store(&p->in_cons, f->in_cons);
    xfb_ring_store(&p->out_cons, xfb_ring_load(&p->out_prod));
}

void xfb_kbdring_init_page(struct xfb_front *f)
{
    struct xenkbd_page *p = PAGE(f);
    p->in_cons = p->in_prod = 0;
    p->out_cons = p->out_prod = 0;
    f->in_cons = 0;
}
