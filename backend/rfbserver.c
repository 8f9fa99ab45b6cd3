/* The RFB server of one guest (rfbserver.h says how it works): the
 * server, what the loop's thread hands it, the sessions and what their
 * viewers send. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <aml.h>

#include "rfbguard.h"
#include "rfbkeys.h"
#include "rfbserver_int.h"
#include "rfbtight.h"
#include "rfbzrle.h"

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
bool server_post_locked(struct rfbserver *s, const struct ev *e)
{
    bool ok = !s->closed && write(s->ev[1], e, sizeof(*e)) == (ssize_t)sizeof(*e);
    if (!ok)
        free(e->text);
    return ok;
}

bool server_post(struct rfbserver *s, const struct ev *e)
{
    pthread_mutex_lock(&s->lock);
    bool ok = server_post_locked(s, e);
    pthread_mutex_unlock(&s->lock);
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
        case EV_HUNGRY:
            if (o->hungry)
                o->hungry(s->data);
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
bool server_cursor_box(const struct rfbserver *s, pixman_box16_t *b, int *cx, int *cy)
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
    s->stale = false;
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

void rfbserver_cut_text(struct rfbserver *s, const char *utf8, size_t utf8_len, const char *latin1,
                        size_t len)
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

void rfbserver_fresh(struct rfbserver *s)
{
    pthread_mutex_lock(&s->lock);
    if (s->stale) {
        s->stale = false;
        wake_all(s);
    }
    pthread_mutex_unlock(&s->lock);
}

bool rfbserver_hold(struct rfbserver *s, bool flat_out)
{
    pthread_mutex_lock(&s->lock);
    s->flat_out = flat_out;
    bool hungry = !s->sessions;
    for (struct session *ss = s->sessions; ss && !hungry; ss = ss->next)
        hungry = ss->waiting && ss->want;
    s->holding = !hungry;
    pthread_mutex_unlock(&s->lock);
    return !hungry;
}

void rfbserver_unhold(struct rfbserver *s)
{
    pthread_mutex_lock(&s->lock);
    s->holding = false;
    pthread_mutex_unlock(&s->lock);
}

void rfbserver_set_resizable(struct rfbserver *s, bool yes)
{
    pthread_mutex_lock(&s->lock);
    s->resizable = yes;
    pthread_mutex_unlock(&s->lock);
}

/* ---- the reader: the viewer's messages ---- */

/* SetEncodings: the first of those served in the viewer's order, and
 * the pseudo-encodings. Under the lock. */
static void set_encodings(struct session *ss, const uint8_t *e, unsigned n)
{
    bool had_ext = ss->has_ext, had_qemu = ss->has_qemu, had_clip = ss->has_clip;
    ss->ask_gen++;
    ss->enc = -1;
    ss->quality = -1;
    ss->compress = 1;
    ss->compress_given = false;
    ss->has_cursor = ss->has_size = ss->has_ext = ss->has_qemu = ss->has_clip = false;
    for (unsigned i = 0; i < n; i++) {
        int32_t v = (int32_t)rfb_be32(e + 4 * i);
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
    if (ss->has_clip && !had_clip) {
        ss->clip_caps = true;                  /* then the viewer sends its own */
        ss->clip_notify = ss->s->utf8 != NULL; /* the guest's text, if any */
    }
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
    static const char *const names[] = {
        [ENC_RAW] = "Raw", [ENC_TIGHT] = "Tight", [ENC_ZRLE] = "ZRLE"};
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
    unsigned x = rfb_be16(m + 2), y = rfb_be16(m + 4), w = rfb_be16(m + 6), h = rfb_be16(m + 8);
    pixman_region_union_rect(&ss->requested, &ss->requested, (int)x, (int)y, w, h);
    if (!m[1]) { /* not incremental: all of it, changed or not */
        pixman_region_union_rect(&ss->damage, &ss->damage, (int)x, (int)y, w, h);
        ss->ask_gen++;
    }
    ss->want = true;
}

static void ev_key(struct session *ss, enum ev_type t, uint32_t a, bool down)
{
    struct ev e = {.type = (uint8_t)t, .down = down, .a = a};
    server_post(ss->s, &e);
}

static size_t cut_len(const uint8_t *m)
{
    int32_t len = (int32_t)rfb_be32(m + 4);
    return len < 0 ? (size_t)(-(int64_t)len) : (size_t)len;
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
        need = len >= 4 ? 4 + 4 * (size_t)rfb_be16(m + 2) : 4;
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
        ss->ask_gen++;
        pthread_mutex_unlock(&s->lock);
        break;
    case 2:
        pthread_mutex_lock(&s->lock);
        set_encodings(ss, m + 4, rfb_be16(m + 2));
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
        ev_key(ss, EV_KEYSYM, rfb_be32(m + 4), m[1]);
        break;
    case 5: {
        struct ev e = {.type = EV_POINTER, .x = rfb_be16(m + 2), .y = rfb_be16(m + 4), .a = m[1]};
        pthread_mutex_lock(&s->lock);
        if (!s->ptr_known || s->ptr_x != e.x || s->ptr_y != e.y) {
            s->ptr_x = e.x;
            s->ptr_y = e.y;
            s->ptr_known = true;
            cursor_changed(s);
        }
        pthread_mutex_unlock(&s->lock);
        server_post(s, &e);
        break;
    }
    case 6: {
        if ((int32_t)rfb_be32(m + 4) < 0) {
            extclip_received(ss, m + 8, need - 8);
            break;
        }
        struct ev e = {.type = EV_CUT, .text = malloc(need - 8 + 1), .len = need - 8};
        if (e.text) {
            memcpy(e.text, m + 8, need - 8);
            server_post(s, &e);
        }
        break;
    }
    default: {
        unsigned code = rfbkeys_qnum_to_evdev(rfb_be32(m + 8));
        if (code)
            ev_key(ss, EV_KEY_CODE, code, rfb_be16(m + 2) != 0);
        else
            ev_key(ss, EV_KEYSYM, rfb_be32(m + 4), rfb_be16(m + 2) != 0);
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
        if (!server_post(s, &e))
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
    server_post(s, &e);
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
        if (!s->sessions)
            s->stale = true;
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
    int e = pthread_create(&ss->writer, &a, session_writer, ss);
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
