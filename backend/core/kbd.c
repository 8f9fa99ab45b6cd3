/* The vkbd device: keys and pointer events down the in-ring, through a
 * bounded queue so that a slow frontend loses nothing. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ring.h"

#define RAW_MAX 0x7fff

int xfb_kbd_connect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref, port, v;
    if (xfb_xs_read_uint(b, d->fpath, XENKBD_FIELD_RING_GREF, UINT32_MAX, &gref) < 0 ||
        xfb_xs_read_uint(b, d->fpath, XENKBD_FIELD_EVT_CHANNEL, UINT32_MAX, &port) < 0) {
        xfb_log(XFB_LOG_ERROR, d,
                "frontend's page-gref or event-channel is missing or not a "
                "number");
        return -1;
    }
    d->abs = xfb_xs_read_uint(b, d->fpath, XENKBD_FIELD_REQ_ABS_POINTER, 1, &v) == 0 && v;
    d->raw = xfb_xs_read_uint(b, d->fpath, XENKBD_FIELD_REQ_RAW_POINTER, 1, &v) == 0 && v;
    d->hwheel = xfb_xs_read_uint(b, d->fpath, XFB_NODE_REQUEST_HWHEEL, 1, &v) == 0 && v;
    if (!d->queue) {
        d->queue = calloc(XFB_BACK_KBD_QUEUE, sizeof(*d->queue));
        if (!d->queue) {
            xfb_log(XFB_LOG_ERROR, d, "out of memory");
            return -1;
        }
    }
    if (xfb_dev_map_page(d, gref, port) < 0) {
        /* only a disconnect frees it, and we never connected */
        free(d->queue);
        d->queue = NULL;
        return -1;
    }
    volatile struct xenkbd_page *pg = (volatile struct xenkbd_page *)d->page;
    d->in_prod = xfb_ring_load(&pg->in_prod);
    d->out_cons = xfb_ring_load(&pg->out_cons);
    d->seen_in_cons = xfb_ring_load(&pg->in_cons);
    d->q_head = d->q_len = 0;
    d->last_x = d->last_y = 0;
    d->connected = true;
    xfb_log(XFB_LOG_INFO, d, "connected: %s pointer%s", d->abs ? "absolute" : "relative",
            d->raw ? ", raw" : "");
    if (b->ops && b->ops->kbd_connected)
        b->ops->kbd_connected(b->data, d->g, d->abs, d->raw);
    return 0;
}

void xfb_kbd_disconnect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    d->connected = false;
    d->q_len = 0;
    if (b->ops && b->ops->kbd_disconnected)
        b->ops->kbd_disconnected(b->data, d->g);
    xfb_dev_unmap_page(d);
    free(d->queue);
    d->queue = NULL;
}

/* Move queued events into the ring while it has room. false: the
 * frontend moved in_cons where it cannot be (the device is closed). */
static bool flush(struct xfb_dev *d)
{
    volatile struct xenkbd_page *pg = (volatile struct xenkbd_page *)d->page;
    uint32_t cons = xfb_ring_load(&pg->in_cons);
    unsigned sent = 0;
    while (d->q_len) {
        bool bad;
        if (!xfb_ring_can_produce(d->in_prod, cons, XENKBD_IN_RING_LEN, &bad)) {
            if (bad) {
                xfb_dev_fail(d, "in_cons is not behind in_prod");
                return false;
            }
            break;
        }
        memcpy((void *)&XENKBD_IN_RING_REF(pg, d->in_prod), &d->queue[d->q_head],
               sizeof(d->queue[0]));
        d->in_prod++;
        d->q_head = (d->q_head + 1) % XFB_BACK_KBD_QUEUE;
        d->q_len--;
        sent++;
    }
    if (sent) {
        xfb_ring_store(&pg->in_prod, d->in_prod);
        xfb_dev_notify(d);
    }
    return true;
}

void xfb_kbd_event(struct xfb_dev *d)
{
    if (!d->connected)
        return;
    if (!xfb_dev_front_alive(d)) {
        xfb_dev_gone(d);
        return;
    }
    volatile struct xenkbd_page *pg = (volatile struct xenkbd_page *)d->page;
    /* Nothing we use travels frontend to backend (LED events are not
     * defined by this kbdif.h); the out ring is emptied unread. */
    uint32_t prod = xfb_ring_load(&pg->out_prod);
    int n = xfb_ring_avail(prod, d->out_cons, XENKBD_OUT_RING_LEN);
    if (n < 0) {
        xfb_dev_fail(d, "out_prod is more than a ring ahead of out_cons");
        return;
    }
    if (n > 0) {
        d->out_cons = prod;
        xfb_ring_store(&pg->out_cons, prod);
    }
    uint32_t cons = xfb_ring_load(&pg->in_cons);
    if (d->in_prod - cons > XENKBD_IN_RING_LEN) {
        xfb_dev_fail(d, "in_cons is not behind in_prod");
        return;
    }
    bool progress = n > 0 || cons != d->seen_in_cons;
    d->seen_in_cons = cons;
    if (!flush(d))
        return;
    if (!xfb_dev_wakeup(d, progress))
        xfb_dev_fail(d, "flood of event notifications");
}

static int push(struct xfb_back_guest *g, const union xenkbd_in_event *ev)
{
    struct xfb_dev *d = &g->kbd;
    if (!d->connected) {
        errno = ENOTCONN;
        return -1;
    }
    if (d->q_len >= XFB_BACK_KBD_QUEUE) {
        errno = EAGAIN;
        return -1;
    }
    d->queue[(d->q_head + d->q_len) % XFB_BACK_KBD_QUEUE] = *ev;
    d->q_len++;
    flush(d);
    return 0;
}

int xfb_back_key(struct xfb_back_guest *g, unsigned code, bool pressed)
{
    if (code > KEY_MAX) {
        errno = EINVAL;
        return -1;
    }
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.key.type = XENKBD_TYPE_KEY;
    ev.key.pressed = pressed;
    ev.key.keycode = code;
    return push(g, &ev);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int send_pos(struct xfb_back_guest *g, int x, int y, int z)
{
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.pos.type = XENKBD_TYPE_POS;
    ev.pos.abs_x = x;
    ev.pos.abs_y = y;
    ev.pos.rel_z = z;
    if (push(g, &ev) < 0)
        return -1;
    g->kbd.last_x = x;
    g->kbd.last_y = y;
    return 0;
}

/* v in [0, from - 1] to [0, to]: the ends map to the ends. */
static int scale(int v, uint32_t from, uint32_t to)
{
    if (from <= 1)
        return 0;
    return (int)(((int64_t)v * to + (from - 1) / 2) / (from - 1));
}

int xfb_back_pointer(struct xfb_back_guest *g, int x, int y)
{
    const struct xfb_back_surface *s = xfb_back_guest_surface(g);
    return xfb_back_pointer_in(g, x, y, s ? s->width : g->kbd.kbd_width,
                               s ? s->height : g->kbd.kbd_height);
}

int xfb_back_pointer_in(struct xfb_back_guest *g, int x, int y, uint32_t w, uint32_t h)
{
    if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    x = clampi(x, 0, (int)w - 1);
    y = clampi(y, 0, (int)h - 1);
    if (g->kbd.raw)
        return send_pos(g, scale(x, w, RAW_MAX), scale(y, h, RAW_MAX), 0);
    if (g->kbd.abs)
        return send_pos(g, scale(x, w, g->kbd.abs_max_x), scale(y, h, g->kbd.abs_max_y), 0);
    int dx = x - g->kbd.last_x, dy = y - g->kbd.last_y;
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.motion.type = XENKBD_TYPE_MOTION;
    ev.motion.rel_x = dx;
    ev.motion.rel_y = dy;
    if (push(g, &ev) < 0)
        return -1;
    g->kbd.last_x = x;
    g->kbd.last_y = y;
    return 0;
}

int xfb_back_pointer_raw(struct xfb_back_guest *g, int x, int y)
{
    return send_pos(g, clampi(x, 0, RAW_MAX), clampi(y, 0, RAW_MAX), 0);
}

int xfb_back_motion(struct xfb_back_guest *g, int dx, int dy)
{
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.motion.type = XENKBD_TYPE_MOTION;
    ev.motion.rel_x = dx;
    ev.motion.rel_y = dy;
    return push(g, &ev);
}

int xfb_back_hwheel(struct xfb_back_guest *g, int dw)
{
    if (!g->kbd.hwheel) {
        /* a frontend that did not ask would read it as reserved */
        errno = EOPNOTSUPP;
        return -1;
    }
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    if (g->kbd.abs) {
        ev.pos.type = XENKBD_TYPE_POS;
        ev.pos.abs_x = g->kbd.last_x;
        ev.pos.abs_y = g->kbd.last_y;
    } else {
        ev.motion.type = XENKBD_TYPE_MOTION;
    }
    int32_t w = dw;
    memcpy((char *)&ev + XFB_KBD_HWHEEL_OFFS, &w, sizeof(w));
    return push(g, &ev);
}

int xfb_back_wheel(struct xfb_back_guest *g, int dz)
{
    /* dz counts up as positive, as Linux's REL_WHEEL and xenkbd do;
     * xen-kbdfront reports REL_WHEEL = -rel_z (QEMU's up is -1) */
    if (g->kind == XFB_BACK_KERNEL)
        dz = -dz;
    if (g->kbd.abs)
        return send_pos(g, g->kbd.last_x, g->kbd.last_y, dz);
    union xenkbd_in_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.motion.type = XENKBD_TYPE_MOTION;
    ev.motion.rel_z = dz;
    return push(g, &ev);
}
