/* The RFB server of one guest (rfbserver.h says how it works). */
#include "config.h"

#include "rfbserver.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <aml.h>
#include <zlib.h>

#include "rfbfilter.h"
#include "rfbguard.h"
#include "rfbkeys.h"
#include "rfbpool.h"
#include "rfbtight.h"
#include "rfbzrle.h"

#define ENC_RAW          0
#define ENC_TIGHT        7
#define ENC_ZRLE         16
#define ENC_CURSOR       (-239)
#define ENC_DESKTOP_SIZE (-223)
#define ENC_LAST_RECT    (-224)
#define ENC_QEMU_KEY     (-258)
#define ENC_EXT_SIZE     (-308)
#define ENC_EXT_CLIP     ((int32_t)0xc0a1e5ce)

/* The extended clipboard's flags (rfbproto 7.7.27): the action in the
 * top byte, the formats in the low ones; text is the one served. */
#define CLIP_TEXT    (1u << 0)
#define CLIP_CAPS    (1u << 24)
#define CLIP_REQUEST (1u << 25)
#define CLIP_PEEK    (1u << 26)
#define CLIP_NOTIFY  (1u << 27)
#define CLIP_PROVIDE (1u << 28)
/* The most text a viewer may provide, inflated (the guest takes less:
 * the view says so in its log) */
#define CLIP_MAX (1u << 20)

#define BANDS        4
#define BAND_MIN     (256 * 256) /* pixels: smaller updates are one band */
#define MAX_RECTS    256         /* more pieces than this: their bounding box */
#define IN_SIZE      16384
#define CURSOR_MAX   64
#define THREAD_STACK (1024 * 1024)
#define PIPE_SIZE    (1 << 20)

enum ev_type { EV_KEY_CODE, EV_KEYSYM, EV_POINTER, EV_CUT, EV_RESIZE, EV_VIEWERS };

/* A viewer's doing, to the loop's thread. */
struct ev {
    uint8_t type;
    bool down;
    uint16_t x, y;
    uint32_t a;
    char *text; /* EV_CUT: the loop frees it */
    size_t len;
    bool utf8; /* EV_CUT: UTF-8 (the extended clipboard), else Latin-1 */
};

struct cursor {
    bool on;
    uint16_t w, h, hot_x, hot_y;
    uint32_t pixels[CURSOR_MAX * CURSOR_MAX];
};

struct session;

struct rfbserver {
    atomic_int refs;
    char name[96];
    struct rfbpool *pool;
    const struct rfbserver_ops *ops;
    void *data;
    int ev[2];
    struct aml_handler *ev_h;
    pthread_mutex_t lock; /* everything below */
    bool closed, resizable;
    struct rfbpic *pic;
    struct cursor cursor;
    unsigned cursor_gen;
    /* where viewers last put the pointer: the cursor is drawn there for
     * those that cannot draw it themselves */
    int ptr_x, ptr_y;
    bool ptr_known;
    char *cut; /* the guest's text, Latin-1 */
    size_t cut_len;
    char *utf8; /* and as it is, for viewers with the extended clipboard */
    size_t utf8_len;
    unsigned cut_gen;
    struct session *sessions;
};

/* What the writer sends next, taken under the lock. */
struct job {
    struct rfbpic *pic;
    struct rfbfmt fmt;
    int enc, quality, compress;
    pixman_region16_t region;
    bool cursor, qemu_ack, ext_reply;
    unsigned ext_reason, ext_status;
    struct cursor cur;
    bool composite; /* cur drawn over the picture at box, in Raw */
    pixman_box16_t box;
    int cx, cy; /* the image's top left corner, maybe off the picture */
    char *cut;
    size_t cut_len;
    bool clip_caps, clip_request, clip_notify, clip_provide;
    bool clip_text; /* the guest has text to offer */
};

/* A piece of an update on its way out: bytes of a buffer or of the
 * picture itself. */
struct seg {
    const uint8_t *p;
    size_t len;
};

struct session {
    struct rfbserver *s;
    struct rfbguard_conn *c;
    const char *peer;
    struct session *next;
    pthread_t writer;
    pthread_cond_t wake;
    /* under s->lock */
    bool quit;
    struct rfbfmt fmt;
    int enc, quality, compress;
    bool compress_given;
    bool has_cursor, has_size, has_ext, has_qemu;
    bool qemu_ack, ext_reply, ext_told;
    unsigned ext_reason, ext_status;
    unsigned cursor_gen, cut_gen;
    /* the extended clipboard: what the writer owes the viewer */
    bool has_clip, clip_caps, clip_request, clip_notify, clip_provide;
    bool want; /* an update request is waiting */
    /* without the Cursor pseudo-encoding: the cursor drawn into what
     * this viewer gets, where it was drawn last */
    bool cursor_moved, drawn_on;
    pixman_box16_t drawn;
    pixman_region16_t damage, requested;
    unsigned w, h; /* the size this viewer knows */
    /* the reader's */
    struct rfbfilter filter;
    uint8_t in[IN_SIZE];
    uint8_t out[IN_SIZE + RFBFILTER_OUT_SLACK];
    struct rfbbuf msgs; /* filtered bytes not yet acted on */
    char told[96];      /* what the log last said the viewer gets */
    /* the writer's */
    struct rfbtight *tight;
    struct rfbzrle *zrle;
    struct rfbbuf band[BANDS], head, comp;
    int band_rects[BANDS];
    struct seg *segs;
    size_t n_segs, cap_segs;
};

static void server_unref(struct rfbserver *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (int i = 0; i < 2; i++)
        if (s->ev[i] >= 0)
            close(s->ev[i]);
    rfbpic_unref(s->pic);
    free(s->cut);
    free(s->utf8);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* ---- to the loop's thread ---- */

/* false when the loop is that far behind (the pipe holds 1 MB). */
static bool post(struct rfbserver *s, const struct ev *e)
{
    pthread_mutex_lock(&s->lock);
    bool ok = !s->closed && write(s->ev[1], e, sizeof(*e)) == (ssize_t)sizeof(*e);
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        free(e->text);
    return ok;
}

/* Every event waiting: acted on, or only freed once closed. */
static void drain(struct rfbserver *s)
{
    struct ev e;
    while (read(s->ev[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
        const struct rfbserver_ops *o = s->closed ? NULL : s->ops;
        switch (o ? e.type : 0xff) {
        case EV_KEY_CODE:
            o->key_code(s->data, e.a, e.down);
            break;
        case EV_KEYSYM:
            o->keysym(s->data, e.a, e.down);
            break;
        case EV_POINTER:
            o->pointer(s->data, e.x, e.y, (uint8_t)e.a);
            break;
        case EV_CUT:
            o->cut_text(s->data, e.text, e.len, e.utf8);
            break;
        case EV_RESIZE:
            o->resize(s->data, e.x, e.y);
            break;
        case EV_VIEWERS:
            o->viewers(s->data, e.down ? 1 : -1);
            break;
        }
        free(e.text);
    }
}

static void on_events(void *obj)
{
    drain(aml_get_userdata(obj));
}

/* ---- the loop's side ---- */

struct rfbserver *rfbserver_new(const char *name, struct rfbpool *pool,
                                const struct rfbserver_ops *ops, void *data)
{
    struct rfbserver *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    atomic_init(&s->refs, 1);
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->pool = pool;
    s->ops = ops;
    s->data = data;
    s->ev[0] = s->ev[1] = -1;
    pthread_mutex_init(&s->lock, NULL);
    s->pic = rfbpic_new(640, 480, 4);
    /* the loop never waits for a session, nor a session for the loop */
    if (!s->pic || pipe2(s->ev, O_CLOEXEC | O_NONBLOCK) < 0)
        goto fail;
    fcntl(s->ev[1], F_SETPIPE_SZ, PIPE_SIZE);
    s->ev_h = aml_handler_new(s->ev[0], on_events, s, NULL);
    if (!s->ev_h || aml_start(aml_get_default(), s->ev_h) < 0)
        goto fail;
    return s;
fail:
    if (s->ev_h)
        aml_unref(s->ev_h);
    server_unref(s);
    errno = ENOMEM;
    return NULL;
}

void rfbserver_close(struct rfbserver *s)
{
    pthread_mutex_lock(&s->lock);
    s->closed = true;
    for (struct session *ss = s->sessions; ss; ss = ss->next) {
        ss->quit = true;
        pthread_cond_signal(&ss->wake);
        rfbguard_hang_up(ss->c); /* the reader wakes and ends it */
    }
    pthread_mutex_unlock(&s->lock);
    aml_stop(aml_get_default(), s->ev_h);
    aml_unref(s->ev_h);
    s->ev_h = NULL;
    drain(s);
    server_unref(s);
}

static void wake_all(struct rfbserver *s)
{
    for (struct session *ss = s->sessions; ss; ss = ss->next)
        pthread_cond_signal(&ss->wake);
}

/* Where the cursor image goes in the picture for viewers that cannot
 * draw it (cx, cy: its top left corner); false when nowhere. Under the
 * lock. */
static bool cursor_box(const struct rfbserver *s, pixman_box16_t *b, int *cx, int *cy)
{
    const struct cursor *c = &s->cursor;
    *b = (pixman_box16_t){0, 0, 0, 0};
    if (!c->on || !s->ptr_known)
        return false;
    *cx = s->ptr_x - c->hot_x;
    *cy = s->ptr_y - c->hot_y;
    int x1 = *cx > 0 ? *cx : 0, y1 = *cy > 0 ? *cy : 0;
    int x2 = *cx + c->w, y2 = *cy + c->h;
    if (x2 > s->pic->width)
        x2 = s->pic->width;
    if (y2 > s->pic->height)
        y2 = s->pic->height;
    if (x1 >= x2 || y1 >= y2)
        return false;
    *b = (pixman_box16_t){(int16_t)x1, (int16_t)y1, (int16_t)x2, (int16_t)y2};
    return true;
}

/* The cursor moved or changed: viewers that get it in their pixels are
 * owed the places it left and went to. Under the lock. */
static void cursor_changed(struct rfbserver *s)
{
    for (struct session *ss = s->sessions; ss; ss = ss->next)
        if (!ss->has_cursor && (s->cursor.on || ss->drawn_on)) {
            ss->cursor_moved = true;
            pthread_cond_signal(&ss->wake);
        }
}

void rfbserver_show(struct rfbserver *s, struct rfbpic *pic, pixman_region16_t *damage)
{
    pthread_mutex_lock(&s->lock);
    struct rfbpic *old = s->pic;
    s->pic = pic;
    for (struct session *ss = s->sessions; ss; ss = ss->next)
        pixman_region_union(&ss->damage, &ss->damage, damage);
    wake_all(s);
    pthread_mutex_unlock(&s->lock);
    rfbpic_unref(old);
}

void rfbserver_cursor(struct rfbserver *s, const struct xfb_back_cursor *c)
{
    pthread_mutex_lock(&s->lock);
    struct cursor *cur = &s->cursor;
    cur->on = c && c->visible && c->width && c->height && c->width <= CURSOR_MAX &&
              c->height <= CURSOR_MAX;
    if (cur->on) {
        cur->w = (uint16_t)c->width;
        cur->h = (uint16_t)c->height;
        cur->hot_x = (uint16_t)c->hot_x;
        cur->hot_y = (uint16_t)c->hot_y;
        memcpy(cur->pixels, c->pixels, (size_t)c->width * c->height * 4);
    }
    s->cursor_gen++;
    wake_all(s);
    cursor_changed(s);
    pthread_mutex_unlock(&s->lock);
}

void rfbserver_cut_text(struct rfbserver *s, const char *utf8, size_t utf8_len,
                        const char *latin1, size_t len)
{
    char *t = malloc(len ? len : 1), *u = malloc(utf8_len ? utf8_len : 1);
    if (!t || !u) {
        free(t);
        free(u);
        return;
    }
    memcpy(t, latin1, len);
    memcpy(u, utf8, utf8_len);
    pthread_mutex_lock(&s->lock);
    free(s->cut);
    free(s->utf8);
    s->cut = t;
    s->cut_len = len;
    s->utf8 = u;
    s->utf8_len = utf8_len;
    s->cut_gen++;
    wake_all(s);
    pthread_mutex_unlock(&s->lock);
}

void rfbserver_set_resizable(struct rfbserver *s, bool yes)
{
    pthread_mutex_lock(&s->lock);
    s->resizable = yes;
    pthread_mutex_unlock(&s->lock);
}

/* ---- the writer: updates ---- */

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

/* Something to send: under the lock. */
static bool ready(const struct session *ss)
{
    const struct rfbserver *s = ss->s;
    if (ss->quit || ss->cut_gen != s->cut_gen || ss->ext_reply || size_differs(ss, s->pic) ||
        ss->clip_caps || ss->clip_request || ss->clip_notify || ss->clip_provide)
        return true;
    if (!ss->want)
        return false;
    if (ss->qemu_ack || (ss->has_cursor && ss->cursor_gen != s->cursor_gen) ||
        (!ss->has_cursor && ss->cursor_moved))
        return true;
    pixman_region16_t r;
    pixman_region_init(&r);
    pixman_region_intersect(&r, (pixman_region16_t *)&ss->damage,
                            (pixman_region16_t *)&ss->requested);
    pixman_region_intersect_rect(&r, &r, 0, 0, s->pic->width, s->pic->height);
    bool any = pixman_region_not_empty(&r);
    pixman_region_fini(&r);
    return any;
}

/* An ExtendedDesktopSize rectangle (rfbproto 7.8.2): the size, its one
 * screen. */
static void put_ext_size(struct rfbbuf *b, unsigned reason, unsigned status, unsigned w,
                         unsigned h)
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
    ss->drawn_on = cursor_box(s, &ss->drawn, &j->cx, &j->cy);
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
    j->pic = rfbpic_ref(s->pic);
    j->fmt = ss->fmt;
    j->enc = ss->enc;
    j->quality = ss->quality;
    j->compress = ss->compress;
    j->qemu_ack = ss->qemu_ack;
    ss->qemu_ack = false;
    if (ss->has_cursor && ss->cursor_gen != s->cursor_gen) {
        ss->cursor_gen = s->cursor_gen;
        j->cursor = true;
        j->cur = s->cursor;
    }
    pixman_region_intersect(&j->region, &ss->damage, &ss->requested);
    pixman_region_intersect_rect(&j->region, &j->region, 0, 0, j->pic->width, j->pic->height);
    if (!ss->has_cursor)
        take_composite(ss, j);
    if (!pixman_region_not_empty(&j->region) && !j->cursor && !j->qemu_ack) {
        /* nothing after all (a cursor moved that is not drawn, damage
         * past a smaller picture): the request waits for something */
        rfbpic_unref(j->pic);
        j->pic = NULL;
        return true;
    }
    pixman_region_subtract(&ss->damage, &ss->damage, &j->region);
    pixman_region_clear(&ss->requested);
    ss->want = false;
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
    uint8_t m[8] = {3, 0, 0, 0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                    (uint8_t)len};
    if (rfbguard_send(ss->c, m, sizeof(m), len > 0) < 0)
        return -1;
    return len ? rfbguard_send(ss->c, t, len, false) : 0;
}

/* An extended clipboard message: ServerCutText with the length
 * negative, the flags, then data. */
static int send_ext_cut(struct session *ss, uint32_t flags, const void *data, size_t len)
{
    uint32_t n = (uint32_t)(-(int64_t)(4 + len));
    uint8_t m[12] = {3,
                     0,
                     0,
                     0,
                     (uint8_t)(n >> 24),
                     (uint8_t)(n >> 16),
                     (uint8_t)(n >> 8),
                     (uint8_t)n,
                     (uint8_t)(flags >> 24),
                     (uint8_t)(flags >> 16),
                     (uint8_t)(flags >> 8),
                     (uint8_t)flags};
    if (rfbguard_send(ss->c, m, sizeof(m), len > 0) < 0)
        return -1;
    return len ? rfbguard_send(ss->c, data, len, false) : 0;
}

/* The guest's text as the extended clipboard provides it: its size and
 * the text with CRLF line ends and a NUL, deflated as one stream. */
static int send_provide(struct session *ss, const char *t, size_t len)
{
    size_t lf = 0;
    for (size_t i = 0; i < len; i++)
        lf += t[i] == '\n';
    size_t n = len + lf + 1;
    uint8_t *raw = malloc(4 + n);
    uLongf zlen = compressBound((uLong)(4 + n));
    uint8_t *z = malloc(zlen);
    int r = -1;
    if (raw && z) {
        raw[0] = (uint8_t)(n >> 24);
        raw[1] = (uint8_t)(n >> 16);
        raw[2] = (uint8_t)(n >> 8);
        raw[3] = (uint8_t)n;
        uint8_t *d = raw + 4;
        for (size_t i = 0; i < len; i++) {
            if (t[i] == '\n' && (i == 0 || t[i - 1] != '\r'))
                *d++ = '\r';
            *d++ = (uint8_t)t[i];
        }
        *d++ = 0;
        if (compress2(z, &zlen, raw, (uLong)(d - raw), 1) == Z_OK)
            r = send_ext_cut(ss, CLIP_PROVIDE | CLIP_TEXT, z, zlen);
    }
    free(raw);
    free(z);
    return r;
}

/* What the extended clipboard owes the viewer: our capabilities (text,
 * every action, up to CLIP_MAX bytes), a request for its text, word that
 * the guest has new text, the text. */
static int send_clip(struct session *ss, const struct job *j)
{
    int r = 0;
    if (j->clip_caps) {
        uint8_t max[4] = {(uint8_t)(CLIP_MAX >> 24), (uint8_t)(CLIP_MAX >> 16),
                          (uint8_t)(CLIP_MAX >> 8), (uint8_t)CLIP_MAX};
        r = send_ext_cut(ss,
                         CLIP_CAPS | CLIP_REQUEST | CLIP_PEEK | CLIP_NOTIFY | CLIP_PROVIDE |
                             CLIP_TEXT,
                         max, sizeof(max));
    }
    if (r == 0 && j->clip_request)
        r = send_ext_cut(ss, CLIP_REQUEST | CLIP_TEXT, NULL, 0);
    if (r == 0 && j->clip_notify)
        r = send_ext_cut(ss, CLIP_NOTIFY | (j->clip_text ? CLIP_TEXT : 0), NULL, 0);
    if (r == 0 && j->clip_provide && j->cut)
        r = send_provide(ss, j->cut, j->cut_len);
    return r;
}

/* One update: pseudo-rectangles, then the picture's. */
static int send_update(struct session *ss, struct job *j)
{
    struct rfbbuf *h = &ss->head;
    h->len = 0;
    ss->n_segs = 0;
    unsigned count = 0;
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
    if (h->failed || !seg_add(ss, NULL, 0)) /* the head: its address once it is whole */
        return -1;
    int n = j->pic ? encode(ss, j) : 0;
    if (n < 0)
        return -1;
    count += (unsigned)n;
    if (j->composite) {
        ss->comp.len = 0;
        put_composite(&ss->comp, j);
        if (ss->comp.failed || !seg_add(ss, ss->comp.data, ss->comp.len))
            return -1;
        count++;
    }
    if (!count)
        return 0;
    if (count > 0xffff)
        return -1;
    h->data[2] = (uint8_t)(count >> 8);
    h->data[3] = (uint8_t)count;
    ss->segs[0] = (struct seg){h->data, h->len};
    return send_segs(ss);
}

static void job_done(struct job *j)
{
    rfbpic_unref(j->pic);
    free(j->cut);
    pixman_region_fini(&j->region);
}

static void *writer(void *arg)
{
    struct session *ss = arg;
    struct rfbserver *s = ss->s;
    int r = 0;
    while (r == 0) {
        struct job j = {.pic = NULL};
        pixman_region_init(&j.region);
        struct rfbbuf *size = &ss->head;
        size->len = 0;
        pthread_mutex_lock(&s->lock);
        while (!ready(ss))
            pthread_cond_wait(&ss->wake, &s->lock);
        bool quit = ss->quit, whole = !quit && take_job(ss, &j, size);
        pthread_mutex_unlock(&s->lock);
        if (quit) {
            job_done(&j);
            break;
        }
        if (j.cut && !j.clip_provide)
            r = send_cut(ss, j.cut, j.cut_len);
        if (r == 0)
            r = send_clip(ss, &j);
        if (r == 0 && !whole && size->len)
            r = rfbguard_send(ss->c, size->data, size->len, false);
        if (r == 0 && whole)
            r = send_update(ss, &j);
        job_done(&j);
    }
    rfbguard_hang_up(ss->c); /* the reader stops too */
    return NULL;
}

/* ---- the reader: the viewer's messages ---- */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SetEncodings: the first of those served in the viewer's order, and
 * the pseudo-encodings. Under the lock. */
static void set_encodings(struct session *ss, const uint8_t *e, unsigned n)
{
    bool had_ext = ss->has_ext, had_qemu = ss->has_qemu, had_clip = ss->has_clip;
    ss->enc = -1;
    ss->quality = -1;
    ss->compress = 1;
    ss->compress_given = false;
    ss->has_cursor = ss->has_size = ss->has_ext = ss->has_qemu = ss->has_clip = false;
    for (unsigned i = 0; i < n; i++) {
        int32_t v = (int32_t)be32(e + 4 * i);
        if (ss->enc < 0 && (v == ENC_RAW || v == ENC_TIGHT || v == ENC_ZRLE))
            ss->enc = v;
        else if (v >= -32 && v <= -23 && ss->quality < 0)
            ss->quality = v + 32;
        else if (v >= -256 && v <= -247 && !ss->compress_given) {
            ss->compress = v + 256;
            ss->compress_given = true;
        }
        ss->has_cursor |= v == ENC_CURSOR;
        ss->has_size |= v == ENC_DESKTOP_SIZE;
        ss->has_ext |= v == ENC_EXT_SIZE;
        ss->has_qemu |= v == ENC_QEMU_KEY;
        ss->has_clip |= v == ENC_EXT_CLIP;
    }
    if (ss->enc < 0)
        ss->enc = ENC_RAW;
    if (ss->has_clip && !had_clip)
        ss->clip_caps = true; /* then the viewer sends its own */
    if (ss->has_qemu && !had_qemu)
        ss->qemu_ack = true; /* the viewer learns it may send them */
    if (ss->has_cursor)
        ss->cursor_gen = ss->s->cursor_gen - 1; /* the cursor is owed */
    if (ss->has_cursor && ss->drawn_on) {
        /* drawn into its pixels so far: the place is owed without it */
        pixman_region_union_rect(&ss->damage, &ss->damage, ss->drawn.x1, ss->drawn.y1,
                                 (unsigned)(ss->drawn.x2 - ss->drawn.x1),
                                 (unsigned)(ss->drawn.y2 - ss->drawn.y1));
        ss->drawn_on = false;
    }
    if (!ss->has_cursor)
        ss->cursor_moved = true; /* drawn from the next update on */
    if (ss->has_ext && !had_ext && !ss->ext_told) {
        ss->ext_reply = true; /* the size, so that it may ask for another */
        ss->ext_reason = ss->ext_status = 0;
        ss->ext_told = true;
    }
}

/* What the viewer gets, in one line when it changes: what to look at
 * first when a viewer shows something unexpected. The reader's own
 * fields, read without the lock: only the reader writes them. */
static void log_encodings(struct session *ss)
{
    static const char *const names[] = {[ENC_RAW] = "Raw", [ENC_TIGHT] = "Tight",
                                        [ENC_ZRLE] = "ZRLE"};
    char d[sizeof(ss->told)];
    int n = snprintf(d, sizeof(d), "%s", names[ss->enc]);
    if (ss->enc == ENC_TIGHT && ss->quality >= 0 && n < (int)sizeof(d))
        n += snprintf(d + n, sizeof(d) - (size_t)n, ", JPEG quality %d", ss->quality);
    if (ss->compress_given && ss->enc != ENC_RAW && n < (int)sizeof(d))
        n += snprintf(d + n, sizeof(d) - (size_t)n, ", compression level %d", ss->compress);
    if (n < (int)sizeof(d))
        snprintf(d + n, sizeof(d) - (size_t)n, ", %s",
                 ss->has_cursor ? "its own cursor" : "the cursor in its pixels");
    if (!strcmp(d, ss->told))
        return;
    memcpy(ss->told, d, sizeof(d));
    rfbguard_log(ss->c, XFB_LOG_INFO, "VNC viewer from %s gets %s", ss->peer, d);
}

/* FramebufferUpdateRequest: under the lock. */
static void request(struct session *ss, const uint8_t *m)
{
    unsigned x = be16(m + 2), y = be16(m + 4), w = be16(m + 6), h = be16(m + 8);
    pixman_region_union_rect(&ss->requested, &ss->requested, (int)x, (int)y, w, h);
    if (!m[1]) /* not incremental: all of it, changed or not */
        pixman_region_union_rect(&ss->damage, &ss->damage, (int)x, (int)y, w, h);
    ss->want = true;
}

static void ev_key(struct session *ss, enum ev_type t, uint32_t a, bool down)
{
    struct ev e = {.type = (uint8_t)t, .down = down, .a = a};
    post(ss->s, &e);
}

static size_t cut_len(const uint8_t *m)
{
    int32_t len = (int32_t)be32(m + 4);
    return len < 0 ? (size_t)(-(int64_t)len) : (size_t)len;
}

/* The text of an extended clipboard Provide (a zlib stream of a size
 * and the text, for each format flagged; text the first), at most
 * CLIP_MAX bytes; NULL when it is not that. */
static char *provided_text(const uint8_t *z, size_t zlen, size_t *len)
{
    uint8_t *out = malloc(4 + CLIP_MAX + 1);
    z_stream zs = {.next_in = (Bytef *)z, .avail_in = (uInt)zlen};
    if (!out || inflateInit(&zs) != Z_OK) {
        free(out);
        return NULL;
    }
    zs.next_out = out;
    zs.avail_out = 4 + CLIP_MAX + 1;
    int r = inflate(&zs, Z_FINISH);
    size_t got = 4 + CLIP_MAX + 1 - zs.avail_out;
    inflateEnd(&zs);
    uint32_t n = got >= 4 ? be32(out) : 0;
    if ((r != Z_STREAM_END && r != Z_BUF_ERROR) || got < 4 || n > got - 4 || n > CLIP_MAX) {
        free(out);
        return NULL;
    }
    /* CRLF to LF, and no NUL: the guest's own text */
    size_t o = 0;
    for (size_t i = 4; i < 4 + n && out[i]; i++)
        if (!(out[i] == '\r' && i + 1 < 4 + n && out[i + 1] == '\n'))
            out[o++] = out[i];
    *len = o;
    return (char *)out;
}

/* An extended clipboard message from the viewer (flags, then data). */
static void ext_cut(struct session *ss, const uint8_t *p, size_t len)
{
    struct rfbserver *s = ss->s;
    uint32_t flags = be32(p), action = flags & 0xff000000u;
    bool text = flags & CLIP_TEXT;
    if (action == CLIP_PROVIDE && text) {
        struct ev e = {.type = EV_CUT, .utf8 = true};
        e.text = provided_text(p + 4, len - 4, &e.len);
        if (e.text)
            post(s, &e);
        else
            rfbguard_log(ss->c, XFB_LOG_WARNING,
                         "VNC viewer from %s: clipboard text not zlib or over %u bytes: skipped",
                         ss->peer, CLIP_MAX);
        return;
    }
    if (action & CLIP_CAPS)
        return; /* it takes what it says; we ask it for text only */
    pthread_mutex_lock(&s->lock);
    if (action == CLIP_REQUEST && text)
        ss->clip_provide = true;
    else if (action == CLIP_PEEK)
        ss->clip_notify = true;
    else if (action == CLIP_NOTIFY && text)
        ss->clip_request = true; /* its text, please */
    pthread_cond_signal(&ss->wake);
    pthread_mutex_unlock(&s->lock);
}

/* One whole message of the filtered stream; its length, 0 if it is not
 * all there yet. */
static size_t act(struct session *ss, const uint8_t *m, size_t len)
{
    struct rfbserver *s = ss->s;
    size_t need;
    switch (m[0]) {
    case 0:
        need = 20;
        break;
    case 2:
        need = len >= 4 ? 4 + 4 * (size_t)be16(m + 2) : 4;
        break;
    case 3:
        need = 10;
        break;
    case 4:
        need = 8;
        break;
    case 5:
        need = 6;
        break;
    case 6: /* a negative length: the extended clipboard's */
        need = len >= 8 ? 8 + cut_len(m) : 8;
        break;
    default: /* 255: the QEMU key event, the one QEMU message the filter passes */
        need = 12;
        break;
    }
    if (len < need)
        return 0;
    struct rfbfmt f;
    switch (m[0]) {
    case 0:
        pthread_mutex_lock(&s->lock);
        if (rfbfmt_from_wire(&f, m + 4))
            ss->fmt = f; /* from the next update on */
        pthread_mutex_unlock(&s->lock);
        break;
    case 2:
        pthread_mutex_lock(&s->lock);
        set_encodings(ss, m + 4, be16(m + 2));
        pthread_cond_signal(&ss->wake);
        pthread_mutex_unlock(&s->lock);
        log_encodings(ss);
        break;
    case 3:
        pthread_mutex_lock(&s->lock);
        request(ss, m);
        pthread_cond_signal(&ss->wake);
        pthread_mutex_unlock(&s->lock);
        break;
    case 4:
        ev_key(ss, EV_KEYSYM, be32(m + 4), m[1]);
        break;
    case 5: {
        struct ev e = {.type = EV_POINTER, .x = be16(m + 2), .y = be16(m + 4), .a = m[1]};
        pthread_mutex_lock(&s->lock);
        if (!s->ptr_known || s->ptr_x != e.x || s->ptr_y != e.y) {
            s->ptr_x = e.x;
            s->ptr_y = e.y;
            s->ptr_known = true;
            cursor_changed(s);
        }
        pthread_mutex_unlock(&s->lock);
        post(s, &e);
        break;
    }
    case 6: {
        if ((int32_t)be32(m + 4) < 0) {
            ext_cut(ss, m + 8, need - 8);
            break;
        }
        struct ev e = {.type = EV_CUT, .text = malloc(need - 8 + 1), .len = need - 8};
        if (e.text) {
            memcpy(e.text, m + 8, need - 8);
            post(s, &e);
        }
        break;
    }
    default: {
        unsigned code = rfbkeys_qnum_to_evdev(be32(m + 8));
        if (code)
            ev_key(ss, EV_KEY_CODE, code, be16(m + 2) != 0);
        else
            ev_key(ss, EV_KEYSYM, be32(m + 4), be16(m + 2) != 0);
        break;
    }
    }
    return need;
}

/* A SetDesktopSize, already read by the filter: answered at once, and
 * handed to the loop. */
static void asked_size(struct session *ss)
{
    struct rfbserver *s = ss->s;
    struct rfbfilter *f = &ss->filter;
    pthread_mutex_lock(&s->lock);
    unsigned status = f->ask_status;
    if (!status && !s->resizable)
        status = 1; /* the guest takes no size requests */
    pthread_mutex_unlock(&s->lock);
    if (!status) {
        struct ev e = {.type = EV_RESIZE, .x = f->ask_w, .y = f->ask_h};
        if (!post(s, &e))
            status = 2; /* the loop is that far behind: out of resources */
    }
    rfbguard_log(ss->c, XFB_LOG_INFO, "VNC viewer from %s asks for %ux%u: %s", ss->peer, f->ask_w,
                 f->ask_h,
                 status == 0   ? "asking the guest"
                 : status == 1 ? "refused, the guest takes no size requests"
                 : status == 2 ? "refused, too many requests"
                               : "refused, an invalid screen layout");
    pthread_mutex_lock(&s->lock);
    ss->ext_reply = true;
    ss->ext_reason = 1;
    ss->ext_status = status;
    pthread_cond_signal(&ss->wake);
    pthread_mutex_unlock(&s->lock);
}

/* The filtered bytes, message by message; what is left waits for more. */
static void act_all(struct session *ss)
{
    struct rfbbuf *b = &ss->msgs;
    size_t off = 0;
    for (size_t n; off < b->len && (n = act(ss, b->data + off, b->len - off)); off += n)
        ;
    if (!off)
        return;
    memmove(b->data, b->data + off, b->len - off);
    b->len -= off;
}

/* The viewer's messages, checked (rfbfilter), until it leaves. */
static void read_viewer(struct session *ss)
{
    struct rfbfilter *f = &ss->filter;
    rfbfilter_init(f);
    for (;;) {
        ssize_t n = rfbguard_recv(ss->c, ss->in, sizeof(ss->in));
        if (n <= 0)
            return;
        for (size_t off = 0; off < (size_t)n;) {
            size_t len = 0;
            pthread_mutex_lock(&ss->s->lock);
            f->max_w = ss->s->pic->width;
            f->max_h = ss->s->pic->height;
            pthread_mutex_unlock(&ss->s->lock);
            ssize_t r =
                rfbfilter_feed(f, ss->in + off, (size_t)n - off, ss->out, &len, sizeof(ss->out));
            rfbbuf_put(&ss->msgs, ss->out, len);
            if (ss->msgs.failed)
                return;
            act_all(ss);
            if (f->dropped) {
                rfbguard_log(ss->c, XFB_LOG_WARNING,
                             "VNC viewer from %s: cut text of %u bytes skipped (the limit is %u)",
                             ss->peer, f->dropped, RFBFILTER_MAX_CUT_TEXT);
                f->dropped = 0;
            }
            if (r < 0) {
                rfbguard_log(ss->c, XFB_LOG_WARNING, "VNC viewer from %s sent %s: disconnected",
                             ss->peer, f->why);
                return;
            }
            if (f->event == RFBFILTER_RESIZE)
                asked_size(ss);
            off += (size_t)r;
        }
    }
}

/* ---- sessions ---- */

/* ServerInit (RFB 7.3.2): the size, the format, the name. Under the
 * lock, so that the size is the one the session starts from. */
static int server_init(struct session *ss)
{
    struct rfbserver *s = ss->s;
    uint8_t m[24 + sizeof(s->name)];
    size_t nlen = strlen(s->name);
    ss->w = s->pic->width;
    ss->h = s->pic->height;
    m[0] = (uint8_t)(ss->w >> 8);
    m[1] = (uint8_t)ss->w;
    m[2] = (uint8_t)(ss->h >> 8);
    m[3] = (uint8_t)ss->h;
    rfbfmt_to_wire(&rfbfmt_default, m + 4);
    m[20] = m[21] = 0;
    m[22] = (uint8_t)(nlen >> 8);
    m[23] = (uint8_t)nlen;
    memcpy(m + 24, s->name, nlen);
    return rfbguard_send(ss->c, m, 24 + nlen, false);
}

static void session_free(struct session *ss)
{
    pixman_region_fini(&ss->damage);
    pixman_region_fini(&ss->requested);
    pthread_cond_destroy(&ss->wake);
    rfbtight_free(ss->tight);
    rfbzrle_free(ss->zrle);
    for (int k = 0; k < BANDS; k++)
        rfbbuf_free(&ss->band[k]);
    rfbbuf_free(&ss->head);
    rfbbuf_free(&ss->comp);
    rfbbuf_free(&ss->msgs);
    free(ss->segs);
    free(ss);
}

static void viewers(struct rfbserver *s, bool joined)
{
    struct ev e = {.type = EV_VIEWERS, .down = joined};
    post(s, &e);
}

void rfbserver_session(struct rfbserver *s, struct rfbguard_conn *c, const char *peer)
{
    struct session *ss = calloc(1, sizeof(*ss));
    if (!ss)
        return;
    ss->s = s;
    ss->c = c;
    ss->peer = peer;
    ss->fmt = rfbfmt_default;
    ss->enc = ENC_RAW;
    ss->quality = -1;
    ss->compress = 1;
    pthread_cond_init(&ss->wake, NULL);
    pixman_region_init(&ss->damage);
    pixman_region_init(&ss->requested);
    ss->tight = rfbtight_new();
    ss->zrle = rfbzrle_new();
    if (!ss->tight || !ss->zrle) {
        session_free(ss);
        return;
    }
    pthread_mutex_lock(&s->lock);
    bool ok = !s->closed && server_init(ss) == 0;
    if (ok) {
        ss->cursor_gen = s->cursor_gen;
        ss->cut_gen = s->cut_gen;
        ss->next = s->sessions;
        s->sessions = ss;
        atomic_fetch_add(&s->refs, 1);
    }
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        session_free(ss);
        return;
    }
    viewers(s, true);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, THREAD_STACK);
    int e = pthread_create(&ss->writer, &a, writer, ss);
    pthread_attr_destroy(&a);
    if (e)
        rfbguard_log(c, XFB_LOG_ERROR, "VNC viewer from %s: no thread to serve it: %s", peer,
                     strerror(e));
    else
        read_viewer(ss);
    /* before the loop hears of it: the line comes before what that does */
    rfbguard_log(c, XFB_LOG_INFO, "VNC viewer from %s left", peer);
    pthread_mutex_lock(&s->lock);
    ss->quit = true;
    pthread_cond_signal(&ss->wake);
    pthread_mutex_unlock(&s->lock);
    rfbguard_hang_up(c);
    if (!e)
        pthread_join(ss->writer, NULL);
    pthread_mutex_lock(&s->lock);
    for (struct session **p = &s->sessions; *p; p = &(*p)->next)
        if (*p == ss) {
            *p = ss->next;
            break;
        }
    pthread_mutex_unlock(&s->lock);
    viewers(s, false);
    session_free(ss);
    server_unref(s);
}
