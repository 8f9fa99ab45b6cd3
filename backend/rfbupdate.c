/* A session's writer (rfbserver.h): it waits until its viewer asked for
 * an update and something changed, takes what it owes out of the shared
 * state under the lock, and encodes and sends it without the lock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rfbguard.h"
#include "rfbpool.h"
#include "rfbserver_int.h"
#include "rfbtight.h"
#include "rfbzrle.h"

/* ---- the writer: updates ---- */

static void job_done(struct job *j)
{
    rfbpic_unref(j->pic);
    free(j->cut);
    pixman_region_fini(&j->region);
}

static bool seg_add(struct session *ss, const void *p, size_t len)
{
    if (ss->n_segs == ss->cap_segs) {
        size_t cap = ss->cap_segs ? 2 * ss->cap_segs : 64;
        struct seg *n = realloc(ss->segs, cap * sizeof(*n));
        if (!n)
            return false;
        ss->segs = n;
        ss->cap_segs = cap;
    }
    ss->segs[ss->n_segs++] = (struct seg){p, len};
    return true;
}

static int send_segs(struct session *ss)
{
    int r = 0;
    for (size_t i = 0; i < ss->n_segs && r == 0; i++)
        r = rfbguard_send(ss->c, ss->segs[i].p, ss->segs[i].len, i + 1 < ss->n_segs);
    ss->n_segs = 0;
    return r;
}

/* Whether the viewer's size is not the picture's and it can be told. */
static bool size_differs(const struct session *ss, const struct rfbpic *p)
{
    return ss->w != p->width || ss->h != p->height;
}

/* Whether damage within the picture is within `within` too (NULL: the
 * picture alone). Under the lock, with no region made (this runs at
 * every wake of the writer). */
static bool damage_within(const struct session *ss, const pixman_region16_t *within)
{
    const struct rfbpic *p = ss->s->pic;
    int n;
    const pixman_box16_t *d = pixman_region_rectangles((pixman_region16_t *)&ss->damage, &n);
    for (int i = 0; i < n; i++) {
        pixman_box16_t b = {
            d[i].x1 > 0 ? d[i].x1 : 0,
            d[i].y1 > 0 ? d[i].y1 : 0,
            d[i].x2 < p->width ? d[i].x2 : (int16_t)p->width,
            d[i].y2 < p->height ? d[i].y2 : (int16_t)p->height,
        };
        if (b.x1 < b.x2 && b.y1 < b.y2 &&
            (!within || pixman_region_contains_rectangle((pixman_region16_t *)within, &b) !=
                            PIXMAN_REGION_OUT))
            return true;
    }
    return false;
}

/* Something to send: under the lock. */
static bool ready(const struct session *ss)
{
    const struct rfbserver *s = ss->s;
    if (ss->quit || ss->cut_gen != s->cut_gen || ss->ext_reply || size_differs(ss, s->pic) ||
        ss->clip_caps || ss->clip_request || ss->clip_notify || ss->clip_provide)
        return true;
    if (!ss->want)
        return false;
    if (ss->ahead_taken || ss->qemu_ack || (ss->has_cursor && ss->cursor_gen != s->cursor_gen))
        return true;
    if (s->stale)
        return false; /* nor a cursor drawn over it */
    if (!ss->has_cursor && ss->cursor_moved)
        return true;
    return damage_within(ss, &ss->requested);
}

/* Whether to encode the newest picture's update before the viewer asks
 * for it, so that it is encoded while the viewer still decodes the last
 * one: under the lock. Only while the guest draws flat out: the picture
 * is then the one the viewer would get anyway, and the viewer gets more
 * of them; a guest drawing at its own pace (an animation at 60 Hz) has
 * a newer one by the time a slow viewer asks, which is then the one to
 * encode. Only for a viewer that asks for the whole picture each time,
 * as viewers do, and only in Tight (its streams are reset when the
 * update is dropped instead: the viewer changed its format, or asked
 * for part of the picture). Raw costs little to encode; ZRLE, whose
 * pieces never refer back and so could be dropped as easily, measured
 * no more frames encoded ahead (its encoding, not the viewer's
 * decoding, takes most of a frame) and a third more latency. */
static bool ahead_ready(const struct session *ss)
{
    const struct rfbserver *s = ss->s;
    if (!s->flat_out || ss->want || ss->ahead_taken || ss->enc != ENC_TIGHT || !ss->asked_all ||
        s->stale || size_differs(ss, s->pic))
        return false;
    return (!ss->has_cursor && ss->cursor_moved) || damage_within(ss, NULL);
}

/* An ExtendedDesktopSize rectangle (rfbproto 7.8.2): the size, its one
 * screen. */
static void put_ext_size(struct rfbbuf *b, unsigned reason, unsigned status, unsigned w, unsigned h)
{
    rfbbuf_rect(b, reason, status, w, h, ENC_EXT_SIZE);
    rfbbuf_u8(b, 1); /* screens */
    rfbbuf_u8(b, 0);
    rfbbuf_u16(b, 0);
    rfbbuf_u32(b, 0); /* id */
    rfbbuf_u16(b, 0);
    rfbbuf_u16(b, 0);
    rfbbuf_u16(b, (uint16_t)w);
    rfbbuf_u16(b, (uint16_t)h);
    rfbbuf_u32(b, 0); /* flags */
}

/* A size change, in an update of its own; then the whole picture is
 * owed, asked for or not (every viewer takes an update it did not ask
 * for, and asks again after a size change anyway). Under the lock. */
static void take_size(struct session *ss, struct rfbbuf *b)
{
    struct rfbpic *p = ss->s->pic;
    ss->w = p->width;
    ss->h = p->height;
    if (ss->has_ext || ss->has_size) {
        rfbbuf_u8(b, 0);
        rfbbuf_u8(b, 0);
        rfbbuf_u16(b, 1);
        if (ss->has_ext)
            put_ext_size(b, 0, 0, ss->w, ss->h);
        else
            rfbbuf_rect(b, 0, 0, ss->w, ss->h, ENC_DESKTOP_SIZE);
        ss->ext_told = true;
    }
    pixman_region_fini(&ss->damage);
    pixman_region_init_rect(&ss->damage, 0, 0, ss->w, ss->h);
    pixman_region_fini(&ss->requested);
    pixman_region_init_rect(&ss->requested, 0, 0, ss->w, ss->h);
    ss->want = true;
}

/* For a viewer without the Cursor pseudo-encoding: the place the cursor
 * left is sent again, and the cursor drawn where it is now. Under the
 * lock. */
static void take_composite(struct session *ss, struct job *j)
{
    struct rfbserver *s = ss->s;
    if (ss->drawn_on)
        pixman_region_union_rect(&j->region, &j->region, ss->drawn.x1, ss->drawn.y1,
                                 (unsigned)(ss->drawn.x2 - ss->drawn.x1),
                                 (unsigned)(ss->drawn.y2 - ss->drawn.y1));
    ss->drawn_on = server_cursor_box(s, &ss->drawn, &j->cx, &j->cy);
    ss->cursor_moved = false;
    if (!ss->drawn_on)
        return;
    pixman_region_union_rect(&j->region, &j->region, ss->drawn.x1, ss->drawn.y1,
                             (unsigned)(ss->drawn.x2 - ss->drawn.x1),
                             (unsigned)(ss->drawn.y2 - ss->drawn.y1));
    j->composite = true;
    j->box = ss->drawn;
    j->cur = s->cursor;
}

static void take_text(struct job *j, const char *t, size_t len)
{
    j->cut = malloc(len ? len : 1);
    if (j->cut) {
        memcpy(j->cut, t, len);
        j->cut_len = len;
    }
}

/* The picture's part of an update: its damage within the picture (and
 * within `within` unless NULL), the cursor drawn over it for a viewer
 * that cannot draw its own. Under the lock; false when there is none
 * after all (a cursor moved that is not drawn, damage past a smaller
 * picture). */
static bool take_picture(struct session *ss, struct job *j, const pixman_region16_t *within)
{
    struct rfbserver *s = ss->s;
    j->pic = rfbpic_ref(s->pic);
    j->fmt = ss->fmt;
    j->ask_gen = ss->ask_gen;
    j->enc = ss->enc;
    j->quality = ss->quality;
    j->compress = ss->compress;
    pixman_region_intersect_rect(&j->region, &ss->damage, 0, 0, j->pic->width, j->pic->height);
    if (within)
        pixman_region_intersect(&j->region, &j->region, within);
    if (!ss->has_cursor)
        take_composite(ss, j);
    pixman_region_subtract(&ss->damage, &ss->damage, &j->region);
    return pixman_region_not_empty(&j->region);
}

/* The update encoded ahead, if any, is dropped when it no longer
 * answers: the viewer changed its format or encodings, or asked for all
 * of a region (changed or not), or for part of the picture only; the
 * size changed. Its damage is owed
 * again, and the viewer's Tight streams are reset with the next
 * rectangles, having never seen what the encoder's took in. Under the
 * lock. */
static void ahead_check(struct session *ss)
{
    struct job *a = &ss->ahead;
    if (!ss->ahead_taken)
        return;
    bool keep = !ss->quit && a->ask_gen == ss->ask_gen && !size_differs(ss, ss->s->pic);
    if (keep && ss->want)
        keep = pixman_region_contains_rectangle(
                   &ss->requested, pixman_region_extents(&a->region)) == PIXMAN_REGION_IN;
    if (keep)
        return;
    pixman_region_union(&ss->damage, &ss->damage, &a->region);
    if (a->composite)
        ss->cursor_moved = true; /* drawn again, where it is then */
    job_done(a);
    ss->ahead_taken = false;
    rfbtight_reset(ss->tight);
}

/* Everything the next message needs, out of the shared state: under the
 * lock. Returns false when there is only a size change (in b). */
static bool take_job(struct session *ss, struct job *j, struct rfbbuf *b)
{
    struct rfbserver *s = ss->s;
    if (ss->cut_gen != s->cut_gen) {
        ss->cut_gen = s->cut_gen;
        if (ss->has_clip)
            ss->clip_notify = true; /* it asks for the text if it wants it */
        else
            take_text(j, s->cut, s->cut_len);
    }
    j->clip_caps = ss->clip_caps;
    j->clip_request = ss->clip_request;
    j->clip_notify = ss->clip_notify;
    j->clip_provide = ss->clip_provide && s->utf8;
    j->clip_text = s->utf8 != NULL;
    if (j->clip_provide)
        take_text(j, s->utf8, s->utf8_len);
    ss->clip_caps = ss->clip_request = ss->clip_notify = ss->clip_provide = false;
    if (size_differs(ss, s->pic)) {
        take_size(ss, b);
        return false;
    }
    j->ext_reply = ss->ext_reply;
    j->ext_reason = ss->ext_reason;
    j->ext_status = ss->ext_status;
    ss->ext_reply = false;
    if (!ss->want)
        return true;
    j->fmt = ss->fmt; /* (the ahead update's too, or it was dropped) */
    j->qemu_ack = ss->qemu_ack;
    ss->qemu_ack = false;
    if (ss->has_cursor && ss->cursor_gen != s->cursor_gen) {
        ss->cursor_gen = s->cursor_gen;
        j->cursor = true;
        j->cur = s->cursor;
    }
    pixman_box16_t all = {0, 0, (int16_t)s->pic->width, (int16_t)s->pic->height};
    ss->asked_all = pixman_region_contains_rectangle(&ss->requested, &all) == PIXMAN_REGION_IN;
    if (ss->ahead_taken) {
        /* encoded already: the cursor's shape and an ack go before it */
        struct job *a = &ss->ahead;
        j->pic = a->pic;
        a->pic = NULL;
        j->encoded = a->encoded;
        pixman_region_copy(&j->region, &a->region);
        job_done(a);
        ss->ahead_taken = false;
    } else {
        /* (a stale picture is not sent, nor a cursor drawn over it: only
         * the cursor's shape or an ack is) */
        bool any = !s->stale && take_picture(ss, j, &ss->requested);
        if (!any) {
            rfbpic_unref(j->pic);
            j->pic = NULL;
        }
        if (!any && !j->cursor && !j->qemu_ack)
            return true; /* the request waits for something */
    }
    pixman_region_clear(&ss->requested);
    ss->want = false;
    return true;
}

/* The newest picture's update, to encode before it is asked for
 * (ahead_ready): under the lock. */
static bool take_ahead(struct session *ss)
{
    struct job *a = &ss->ahead;
    *a = (struct job){.encoded = -1};
    pixman_region_init(&a->region);
    if (!take_picture(ss, a, NULL)) {
        job_done(a);
        return false;
    }
    ss->ahead_taken = true;
    return true;
}

/* The Cursor pseudo-encoding (rfbproto 7.8.3): the image in the viewer's
 * format and a bit mask of the pixels shown; 0 x 0 for none. */
static void put_cursor(struct rfbbuf *b, const struct cursor *c, const struct rfbfmt *f)
{
    if (!c->on) {
        rfbbuf_rect(b, 0, 0, 0, 0, ENC_CURSOR);
        return;
    }
    rfbbuf_rect(b, c->hot_x, c->hot_y, c->w, c->h, ENC_CURSOR);
    unsigned bytes = rfbfmt_bytes(f), row = (c->w + 7u) / 8u;
    uint8_t *d = rfbbuf_room(b, (size_t)c->w * c->h * bytes + (size_t)row * c->h);
    if (!d)
        return;
    for (unsigned i = 0; i < (unsigned)c->w * c->h; i++, d += bytes) {
        uint32_t v = c->pixels[i];
        uint8_t rgb[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        rfbpix_pack(f, d, rgb);
    }
    memset(d, 0, (size_t)row * c->h);
    for (unsigned y = 0; y < c->h; y++)
        for (unsigned x = 0; x < c->w; x++)
            if (c->pixels[y * c->w + x] >> 24 >= 0x80)
                d[y * row + x / 8] |= (uint8_t)(0x80 >> (x % 8));
    b->len += (size_t)c->w * c->h * bytes + (size_t)row * c->h;
}

struct bands {
    struct session *ss;
    struct job *j;
    const pixman_box16_t *boxes;
    int n;
    int y0, y1; /* the rows cut into bands */
    unsigned count;
};

/* One rectangle in Raw, converted to the viewer's format. */
static int put_raw(struct rfbbuf *b, const struct job *j, unsigned x, unsigned y, unsigned w,
                   unsigned h)
{
    rfbbuf_rect(b, x, y, w, h, ENC_RAW);
    size_t row = (size_t)w * rfbfmt_bytes(&j->fmt);
    uint8_t *d = rfbbuf_room(b, row * h);
    if (!d)
        return -1;
    for (unsigned i = 0; i < h; i++, d += row)
        rfbpix_convert(&j->fmt, d, j->pic, x, y + i, w);
    b->len += row * h;
    return 1;
}

static void encode_band(void *ctx, unsigned k)
{
    struct bands *bd = ctx;
    struct session *ss = bd->ss;
    struct job *j = bd->j;
    int top = bd->y0 + (int)((int64_t)(bd->y1 - bd->y0) * k / bd->count);
    int bottom = bd->y0 + (int)((int64_t)(bd->y1 - bd->y0) * (k + 1) / bd->count);
    struct rfbbuf *out = &ss->band[k];
    ss->band_rects[k] = 0;
    for (int i = 0; i < bd->n && ss->band_rects[k] >= 0; i++) {
        const pixman_box16_t *b = &bd->boxes[i];
        int y1 = b->y1 > top ? b->y1 : top, y2 = b->y2 < bottom ? b->y2 : bottom;
        if (y1 >= y2)
            continue;
        unsigned x = (unsigned)b->x1, y = (unsigned)y1, w = (unsigned)(b->x2 - b->x1),
                 h = (unsigned)(y2 - y1);
        int r;
        if (j->enc == ENC_TIGHT)
            r = rfbtight_encode(ss->tight, (int)k, j->pic, &j->fmt, x, y, w, h, j->quality,
                                j->compress, out);
        else if (j->enc == ENC_ZRLE)
            r = rfbzrle_encode(ss->zrle, (int)k, j->pic, &j->fmt, x, y, w, h,
                               j->compress < 1 ? 1 : j->compress, out);
        else
            r = put_raw(out, j, x, y, w, h);
        ss->band_rects[k] = r < 0 || out->failed ? -1 : ss->band_rects[k] + r;
    }
}

/* Raw in the picture's own format: the rows go out of the picture. */
static int raw_direct(struct session *ss, const struct job *j, const pixman_box16_t *b, int n)
{
    const struct rfbpic *p = j->pic;
    struct rfbbuf *h = &ss->band[0];
    if (!rfbbuf_room(h, (size_t)n * 12))
        return -1;
    for (int i = 0; i < n; i++) {
        unsigned w = (unsigned)(b[i].x2 - b[i].x1);
        uint8_t *hd = h->data + h->len;
        rfbbuf_rect(h, (unsigned)b[i].x1, (unsigned)b[i].y1, w, (unsigned)(b[i].y2 - b[i].y1),
                    ENC_RAW);
        if (!seg_add(ss, hd, 12))
            return -1;
        const uint8_t *row = p->pixels + (size_t)b[i].y1 * p->stride + (size_t)b[i].x1 * p->bytes;
        size_t len = (size_t)w * p->bytes;
        if (len == p->stride) {
            if (!seg_add(ss, row, len * (size_t)(b[i].y2 - b[i].y1)))
                return -1;
            continue;
        }
        for (int y = b[i].y1; y < b[i].y2; y++, row += p->stride)
            if (!seg_add(ss, row, len))
                return -1;
    }
    return n;
}

/* The update's rectangles: segments to send, and how many. */
static int encode(struct session *ss, struct job *j)
{
    int n;
    pixman_box16_t ext;
    const pixman_box16_t *boxes = pixman_region_rectangles(&j->region, &n);
    if (n > MAX_RECTS) {
        ext = *pixman_region_extents(&j->region);
        boxes = &ext;
        n = 1;
    }
    if (n == 0)
        return 0;
    for (int k = 0; k < BANDS; k++)
        ss->band[k].len = 0;
    if (j->enc == ENC_RAW && rfbpix_is_native(&j->fmt, j->pic))
        return raw_direct(ss, j, boxes, n);
    const pixman_box16_t *e = pixman_region_extents(&j->region);
    uint64_t area = 0;
    for (int i = 0; i < n; i++)
        area += (uint64_t)(boxes[i].x2 - boxes[i].x1) * (uint64_t)(boxes[i].y2 - boxes[i].y1);
    struct bands bd = {
        .ss = ss,
        .j = j,
        .boxes = boxes,
        .n = n,
        .y0 = e->y1,
        .y1 = e->y2,
        .count = area < BAND_MIN || e->y2 - e->y1 < BANDS ? 1 : BANDS,
    };
    if (j->enc == ENC_ZRLE)
        rfbzrle_begin(ss->zrle);
    rfbpool_run(ss->s->pool, bd.count, encode_band, &bd);
    int total = 0;
    for (unsigned k = 0; k < bd.count; k++) {
        if (ss->band_rects[k] < 0)
            return -1;
        total += ss->band_rects[k];
        if (ss->band[k].len && !seg_add(ss, ss->band[k].data, ss->band[k].len))
            return -1;
    }
    return total;
}

/* The cursor drawn over the picture at j->box, in Raw: after the
 * picture's own rectangles, which it overwrites. */
static void put_composite(struct rfbbuf *b, const struct job *j)
{
    const pixman_box16_t *x = &j->box;
    unsigned w = (unsigned)(x->x2 - x->x1), h = (unsigned)(x->y2 - x->y1);
    unsigned bytes = rfbfmt_bytes(&j->fmt);
    rfbbuf_rect(b, (unsigned)x->x1, (unsigned)x->y1, w, h, ENC_RAW);
    uint8_t *d = rfbbuf_room(b, (size_t)w * h * bytes);
    if (!d)
        return;
    for (int py = x->y1; py < x->y2; py++)
        for (int px = x->x1; px < x->x2; px++, d += bytes) {
            uint32_t c = j->cur.pixels[(py - j->cy) * j->cur.w + (px - j->cx)];
            unsigned a = c >> 24;
            uint8_t rgb[3];
            rfbpic_rgb(j->pic, (unsigned)px, (unsigned)py, rgb);
            for (int i = 0; i < 3; i++) {
                unsigned v = (c >> (16 - 8 * i)) & 0xff;
                rgb[i] = (uint8_t)((v * a + rgb[i] * (255 - a) + 127) / 255);
            }
            rfbpix_pack(&j->fmt, d, rgb);
        }
    b->len += (size_t)w * h * bytes;
}

static int send_cut(struct session *ss, const char *t, size_t len)
{
    uint8_t m[8] = {
        3, 0, 0, 0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    if (rfbguard_send(ss->c, m, sizeof(m), len > 0) < 0)
        return -1;
    return len ? rfbguard_send(ss->c, t, len, false) : 0;
}

/* The picture's rectangles of an update, as segments after one left for
 * its head; how many, -1 on failure. */
static int prepare(struct session *ss, struct job *j)
{
    ss->n_segs = 0;
    if (!seg_add(ss, NULL, 0)) /* the head: its address once it is whole */
        return -1;
    int n = encode(ss, j);
    if (n < 0)
        return -1;
    if (j->composite) {
        ss->comp.len = 0;
        put_composite(&ss->comp, j);
        if (ss->comp.failed || !seg_add(ss, ss->comp.data, ss->comp.len))
            return -1;
        n++;
    }
    return n;
}

/* One update: pseudo-rectangles, then the picture's (encoded now, or
 * ahead). */
static int send_update(struct session *ss, struct job *j)
{
    int n = j->encoded;
    if (n < 0 && j->pic && (n = prepare(ss, j)) < 0)
        return -1;
    unsigned count = n > 0 ? (unsigned)n : 0;
    struct rfbbuf *h = &ss->head;
    h->len = 0;
    rfbbuf_u32(h, 0); /* type, padding, count: filled in below */
    if (j->ext_reply) {
        put_ext_size(h, j->ext_reason, j->ext_status, ss->w, ss->h);
        count++;
    }
    if (j->qemu_ack) {
        rfbbuf_rect(h, 0, 0, 0, 0, ENC_QEMU_KEY);
        count++;
    }
    if (j->cursor) {
        put_cursor(h, &j->cur, &j->fmt);
        count++;
    }
    if (h->failed || count > 0xffff)
        return -1;
    if (!count)
        return 0;
    h->data[2] = (uint8_t)(count >> 8);
    h->data[3] = (uint8_t)count;
    if (!j->pic) /* (the segments may hold an update encoded ahead) */
        return rfbguard_send(ss->c, h->data, h->len, false);
    ss->segs[0] = (struct seg){h->data, h->len};
    return send_segs(ss);
}

void *session_writer(void *arg)
{
    struct session *ss = arg;
    struct rfbserver *s = ss->s;
    int r = 0;
    while (r == 0) {
        struct job j = {.encoded = -1};
        pixman_region_init(&j.region);
        struct rfbbuf *size = &ss->head;
        size->len = 0;
        pthread_mutex_lock(&s->lock);
        while (!ready(ss) && !ahead_ready(ss)) {
            /* asking for a picture the loop holds back: once per hold */
            if (ss->want && s->holding) {
                s->holding = false;
                server_post_locked(s, &(struct ev){.type = EV_HUNGRY});
            }
            ss->waiting = true;
            pthread_cond_wait(&ss->wake, &s->lock);
            ss->waiting = false;
        }
        ahead_check(ss);
        bool quit = ss->quit, whole = !quit && take_job(ss, &j, size);
        bool ahead = !quit && ahead_ready(ss) && take_ahead(ss);
        if ((whole || ahead) && s->holding) {
            /* took a picture while the loop holds the guest back: it may
             * draw the next one while this one is encoded */
            s->holding = false;
            server_post_locked(s, &(struct ev){.type = EV_HUNGRY});
        }
        pthread_mutex_unlock(&s->lock);
        if (quit) {
            job_done(&j);
            break;
        }
        if (j.cut && !j.clip_provide)
            r = send_cut(ss, j.cut, j.cut_len);
        if (r == 0)
            r = extclip_send(ss, &j);
        if (r == 0 && !whole && size->len)
            r = rfbguard_send(ss->c, size->data, size->len, false);
        if (r == 0 && whole)
            r = send_update(ss, &j);
        if (r == 0 && ahead && (ss->ahead.encoded = prepare(ss, &ss->ahead)) < 0)
            r = -1;
        job_done(&j);
    }
    if (ss->ahead_taken)
        job_done(&ss->ahead);
    rfbguard_hang_up(ss->c); /* the reader stops too */
    return NULL;
}
