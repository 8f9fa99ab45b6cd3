/* The VNC viewer: one RFB server per guest (rfbserver.h), shown exactly
 * the rectangles the guest reported as damage, in snapshots: the
 * reported pixels are copied out of the guest's pages when the core
 * hands them over (back.h, damaged), into a picture no encoder is
 * reading, and that picture is shown whole. An encoder thus reads a
 * picture nobody writes, and with a frontend that waits for the release
 * (protocol.md 2.5) one the guest drew completely: no torn frames.
 *
 * The guest paced by the viewers: while every viewer is busy encoding
 * or sending, what the guest reports is copied and shown as ever, but
 * its release is held (view_hold: the guest waits before drawing over
 * it) until a viewer takes a picture, or HOLD_MS at most (longer, up to
 * HOLD_FLAT_OUT_MS, while the guest draws flat out). A guest drawing
 * flat out thus draws a few frames per picture a viewer takes, and
 * costs a copy for each, rather than 8 to 13; and the copy is made
 * while the viewers are busy, so a viewer asking for the next picture
 * finds it ready.
 *
 * Listeners (--vnc): "ADDR:BASE" or "BASE" (TCP, port BASE + domid;
 * default 127.0.0.1:5900), or a Unix socket path where "%d" becomes the
 * domid. Any TCP address but loopback needs TLS and a password (VeNCrypt
 * X509Plain), or --insecure-no-auth. rfbguard does the handshake and
 * hands each viewer to the server.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/input-event-codes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <aml.h>
#include <pixman.h>

#include "backoff.h"
#include "strips.h"
#include "keymap.h"
#include "rfbguard.h"
#include "rfbpool.h"
#include "rfbserver.h"
#include "vnc_clip.h"
#include "serve.h"

#define MAX_HELD 16

/* changes are found in tiles of this side (a power of 2) */
#define TILE 32

/* what a viewer sees before the guest's framebuffer connects */
#define PLACEHOLDER_W 640
#define PLACEHOLDER_H 480

/* Snapshots per guest: the one shown, one being filled, and those
 * encoders of slower viewers still read. With more viewers behind than
 * that, the newest is filled again in place (such a viewer may then get
 * a torn frame). */
#define SNAPS 6

/* The longest the guest's release is held: a 240 Hz display's frame, so
 * that an animation at a display's rate never waits (a longer hold, 8 or
 * 16 ms, delayed 60 Hz frames in bench/compare). */
#define HOLD_MS 4
/* A guest whose next frame comes sooner than FLAT_OUT_GAP_MS after a
 * hold ended was waiting for it, drawing flat out: its holds double, up
 * to HOLD_FLAT_OUT_MS, so that it draws a few frames per picture a
 * viewer takes instead of 8 to 13, leaving the CPU to the encoders (its
 * X server waits that long per frame, as Xvnc's does while it encodes).
 * The gap is half a 60 Hz frame: drawing a whole 1920x1080 frame takes
 * 3 to 5 ms, so a guest drawing flat out reports its next frame well
 * within it, and one animating at 60 Hz (held HOLD_MS at most, a frame
 * every 16.7 ms) more than 12 ms after; that one is held HOLD_MS again. */
#define FLAT_OUT_GAP_MS  8
#define HOLD_FLAT_OUT_MS 32

/* How long a first viewer's picture may wait for the guest's answer to
 * being watched again (rfbserver_fresh): a give-up for a guest that
 * does not answer; one that does answers within a few ms. */
#define FRESH_WAIT_MS 1000

/* What every listener shares, set up by init. */
static struct {
    char addr[64];
    int base;
    const char *unix_path;
    bool auth;
    char password[256];
    struct rfbguard_tls *tls; /* with auth */
    struct keymap *km;
    struct rfbpool *pool; /* the encoder threads */
} g;

struct snap {
    struct rfbpic *pic; /* NULL: not allocated (yet) */
    /* where it differs from the newest picture shown */
    struct pixman_region16 stale;
};

struct vnc_view {
    struct view_guest *vg;
    struct rfbserver *server;
    struct rfbguard *guard;
    struct snap snap[SNAPS];
    int cur;  /* the snapshot shown last; -1: none */
    int fill; /* the one taking this pass's rectangles; -1: none yet */
    uint16_t snap_w, snap_h;
    uint8_t snap_bytes;
    struct xfb_back_surface surf;
    /* the guest's rectangles since the last picture shown, already
     * copied into snap[fill]: one dispatch of the core may bring many,
     * shown as one picture */
    struct pixman_region16 pending;
    struct aml_idle *flush;
    bool flush_started;
    /* pending waiting for the rest of an image drawn in strips */
    struct strips strips;
    struct aml_timer *strip_end; /* started: pending waits */
    struct aml_timer *fresh_end; /* a first viewer waits for the guest */
    /* the guest's release held (view_hold) while every viewer is busy */
    bool holding;
    struct aml_timer *hold_end;
    unsigned hold_ms;      /* how long this hold may last */
    int64_t released_at;   /* ms, monotonic: the last hold's end */
    pixman_box16_t *tiles; /* the changed tiles of a pass */
    size_t tiles_cap;
    uint8_t buttons;
    /* keysym-only clients: what we pressed for each held keysym */
    struct {
        uint32_t sym;
        int code;
        unsigned mods;
    } held[MAX_HELD];
    unsigned mods_down;
};

/* ---- options ---- */

static int parse_listen(const char *spec)
{
    if (!spec) {
        strcpy(g.addr, "127.0.0.1");
        g.base = 5900;
        return 0;
    }
    if (spec[0] == '/') {
        g.unix_path = spec;
        return 0;
    }
    const char *colon = strrchr(spec, ':');
    const char *port = colon ? colon + 1 : spec;
    size_t alen = colon ? (size_t)(colon - spec) : 0;
    if (alen >= 2 && spec[0] == '[' && spec[alen - 1] == ']') {
        spec++;
        alen -= 2;
    }
    if (alen >= sizeof(g.addr))
        return -1;
    if (colon) {
        memcpy(g.addr, spec, alen);
        g.addr[alen] = '\0';
    } else {
        strcpy(g.addr, "127.0.0.1");
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 1 || p > 65535)
        return -1;
    g.base = (int)p;
    struct in6_addr a;
    if (inet_pton(AF_INET, g.addr, &a) != 1 && inet_pton(AF_INET6, g.addr, &a) != 1)
        return -1;
    return 0;
}

static int read_password(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    bool ok = fgets(g.password, sizeof(g.password), f) != NULL;
    fclose(f);
    g.password[strcspn(g.password, "\r\n")] = '\0';
    if (!ok || !g.password[0]) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int vnc_init(struct xfb_serve *s)
{
    const struct serve_opts *o = serve_opts(s);
    if (parse_listen(o->vnc) < 0) {
        view_log(NULL, XFB_LOG_ERROR, "bad --vnc '%s': want ADDR:PORT, PORT or /PATH", o->vnc);
        return -1;
    }
    if (g.unix_path && o->domid < 0 && !strstr(g.unix_path, "%d")) {
        view_log(NULL, XFB_LOG_ERROR, "--vnc %s: a socket path needs %%d unless --domid is given",
                 g.unix_path);
        return -1;
    }
    int given = !!o->tls_cert + !!o->tls_key + !!o->password_file;
    if (given != 0 && given != 3) {
        view_log(NULL, XFB_LOG_ERROR,
                 "--tls-cert, --tls-key and --password-file go together: all three or none");
        return -1;
    }
    bool remote = !g.unix_path && !serve_addr_is_loopback(g.addr);
    if (given == 3) {
        if (read_password(o->password_file) < 0) {
            view_log(NULL, XFB_LOG_ERROR, "cannot read a password from %s: %s", o->password_file,
                     strerror(errno));
            return -1;
        }
        g.tls = rfbguard_tls_load(o->tls_cert, o->tls_key);
        if (!g.tls) {
            view_log(NULL, XFB_LOG_ERROR, "cannot load the TLS certificate %s or key %s",
                     o->tls_cert, o->tls_key);
            return -1;
        }
        g.auth = true;
    } else if (remote && !o->insecure_no_auth) {
        view_log(NULL, XFB_LOG_ERROR,
                 "refusing to listen on %s without TLS and a password: give --tls-cert, "
                 "--tls-key and --password-file, or --insecure-no-auth",
                 g.addr);
        return -1;
    } else if (remote) {
        view_log(NULL, XFB_LOG_WARNING,
                 "listening on %s with no authentication: anyone who reaches it controls "
                 "the guests",
                 g.addr);
    }
    g.km = keymap_new(o->keymap ? o->keymap : "us");
    if (!g.km) {
        view_log(NULL, XFB_LOG_ERROR, "unknown keymap '%s'", o->keymap ? o->keymap : "us");
        return -1;
    }
    /* the loop's thread and a session's writer encode too: threads for
     * the other CPUs */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    g.pool = rfbpool_new(cpus > 1 ? (unsigned)cpus - 1 : 0);
    if (!g.pool) {
        view_log(NULL, XFB_LOG_ERROR, "cannot start the encoder threads: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void vnc_fini(struct xfb_serve *s)
{
    (void)s;
    keymap_free(g.km);
    g.km = NULL;
    memset(g.password, 0, sizeof(g.password));
    /* g.tls and g.pool stay: sessions still ending use them until exit */
}

/* ---- input ---- */

static void key(struct vnc_view *v, unsigned code, bool down)
{
    view_key(v->vg, code, down);
}

static void on_key_code(void *data, unsigned code, bool down)
{
    struct vnc_view *v = data;
    if (code > 0 && code <= KEY_MAX)
        key(v, code, down);
}

static void set_mods(struct vnc_view *v, unsigned want)
{
    static const struct {
        unsigned bit, code;
    } m[] = {{KEYMAP_SHIFT, KEY_LEFTSHIFT}, {KEYMAP_ALTGR, KEY_RIGHTALT}};
    for (size_t i = 0; i < 2; i++)
        if ((want & m[i].bit) != (v->mods_down & m[i].bit))
            key(v, m[i].code, want & m[i].bit);
    v->mods_down = want;
}

/* A keysym from a client without extended key events: the key of our
 * keymap that types it, with Shift/AltGr pressed around it as needed
 * (the client's own modifier keys are keysyms too and pass through). */
static void on_keysym(void *data, uint32_t sym, bool down)
{
    struct vnc_view *v = data;
    int slot = -1;
    for (int i = 0; i < MAX_HELD; i++)
        if (v->held[i].code && v->held[i].sym == sym)
            slot = i;
    if (!down) {
        if (slot < 0)
            return;
        key(v, (unsigned)v->held[slot].code, false);
        v->held[slot].code = 0;
        set_mods(v, 0);
        return;
    }
    unsigned mods;
    int code = keymap_lookup(g.km, sym, &mods);
    if (code <= 0)
        return;
    bool modifier = code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT || code == KEY_LEFTCTRL ||
                    code == KEY_RIGHTCTRL || code == KEY_LEFTALT || code == KEY_RIGHTALT ||
                    code == KEY_LEFTMETA || code == KEY_RIGHTMETA;
    if (slot < 0)
        for (int i = 0; i < MAX_HELD && slot < 0; i++)
            if (!v->held[i].code)
                slot = i;
    if (slot < 0)
        return;
    if (!modifier)
        set_mods(v, mods);
    key(v, (unsigned)code, true);
    v->held[slot].sym = sym;
    v->held[slot].code = code;
    v->held[slot].mods = mods;
}

static void on_pointer(void *data, unsigned x, unsigned y, uint8_t mask)
{
    struct vnc_view *v = data;
    view_pointer(v->vg, (int)x, (int)y);
    static const unsigned buttons[8] = {BTN_LEFT, BTN_MIDDLE, BTN_RIGHT, 0, 0, 0, 0, BTN_SIDE};
    uint8_t changed = mask ^ v->buttons;
    for (int i = 0; i < 8; i++) {
        uint8_t bit = (uint8_t)(1u << i);
        if (!(changed & bit))
            continue;
        bool down = mask & bit;
        if (buttons[i])
            key(v, buttons[i], down);
        else if ((i == 3 || i == 4) && down)
            view_wheel(v->vg, i == 3 ? 1 : -1);
    }
    v->buttons = mask;
}

static void on_cut_text(void *data, const char *text, size_t len, bool utf8)
{
    struct vnc_view *v = data;
    vnc_clip_received(v->vg, text, len, utf8);
}

/* A VNC viewer's SetDesktopSize (the server answered it already). */
static void on_viewer_resize(void *data, unsigned w, unsigned h)
{
    struct vnc_view *v = data;
    view_request_size(v->vg, (int)w, (int)h, "a VNC viewer");
}

static void on_viewers(void *data, int change)
{
    struct vnc_view *v = data;
    bool watched = v->vg->watchers > 0;
    view_watchers(v->vg, change);
    /* the core learns whether the guest takes size requests after it
     * hands over the surface: a viewer connecting asks it again */
    rfbserver_set_resizable(v->server, view_takes_sizes(v->vg));
    /* A first viewer: while nobody watched, the guest was asked for no
     * updates, so the picture may be old; asked again now, it sends its
     * whole screen, the first picture this viewer gets. No wait when
     * another view kept the picture new, or without a surface. */
    if (change > 0) {
        if (watched || !v->surf.width)
            rfbserver_fresh(v->server);
        else
            aml_start(aml_get_default(), v->fresh_end);
    }
}

static void on_fresh_end(void *obj)
{
    struct vnc_view *v = aml_get_userdata(obj);
    rfbserver_fresh(v->server);
}

static void hold_end(struct vnc_view *v);

/* Nothing pending waits for the rest of an image any more. */
static void strip_stop(struct vnc_view *v)
{
    aml_stop(aml_get_default(), v->strip_end); /* -1 when not started */
}

static void on_hungry(void *data)
{
    hold_end(data);
}

static const struct rfbserver_ops server_ops = {
    .key_code = on_key_code,
    .keysym = on_keysym,
    .pointer = on_pointer,
    .cut_text = on_cut_text,
    .resize = on_viewer_resize,
    .viewers = on_viewers,
    .hungry = on_hungry,
};

/* ---- pictures ---- */

/* Let go of every snapshot: each is freed when the last encoder reading
 * it is done. */
static void snaps_drop(struct vnc_view *v)
{
    for (int i = 0; i < SNAPS; i++) {
        struct snap *sn = &v->snap[i];
        rfbpic_unref(sn->pic);
        sn->pic = NULL;
        pixman_region_clear(&sn->stale);
    }
    v->cur = v->fill = -1;
}

static bool snap_alloc(struct vnc_view *v, struct snap *sn)
{
    sn->pic = rfbpic_new(v->snap_w, v->snap_h, v->snap_bytes);
    if (!sn->pic)
        return false;
    /* nothing in it yet: all of it differs */
    pixman_region_fini(&sn->stale);
    pixman_region_init_rect(&sn->stale, 0, 0, v->snap_w, v->snap_h);
    return true;
}

/* The snapshot this pass's rectangles go into: one no encoder reads, not
 * the one shown; the one shown when every other is busy. */
static int snap_fill(struct vnc_view *v)
{
    if (v->fill >= 0)
        return v->fill;
    for (int i = 0; i < SNAPS; i++) {
        struct snap *sn = &v->snap[i];
        if (i == v->cur || (sn->pic && rfbserver_pic_busy(sn->pic)))
            continue;
        if (!sn->pic && !snap_alloc(v, sn))
            break;
        return v->fill = i;
    }
    if (v->cur < 0)
        return -1;
    view_log(v->vg, XFB_LOG_DEBUG, "every snapshot is being encoded: filling the shown one");
    return v->fill = v->cur;
}

static void copy_box(struct rfbpic *to, const void *from, uint32_t from_stride,
                     const pixman_box16_t *b)
{
    size_t len = (size_t)(b->x2 - b->x1) * to->bytes;
    for (int y = b->y1; y < b->y2; y++)
        memcpy(to->pixels + (size_t)y * to->stride + (size_t)b->x1 * to->bytes,
               (const uint8_t *)from + (size_t)y * from_stride + (size_t)b->x1 * to->bytes, len);
}

static void copy_region(struct rfbpic *to, const struct rfbpic *from, struct pixman_region16 *r)
{
    int n;
    const pixman_box16_t *b = pixman_region_rectangles(r, &n);
    for (int i = 0; i < n; i++)
        copy_box(to, from->pixels, from->stride, &b[i]);
}

/* Bring snap[fill] up to date outside this pass's rectangles (from the
 * one shown, which is whole), show it, and note where the others now
 * differ. */
static void snap_show(struct vnc_view *v, struct pixman_region16 *damage)
{
    int f = v->fill;
    struct snap *sn = &v->snap[f];
    if (f != v->cur) {
        pixman_region_subtract(&sn->stale, &sn->stale, damage);
        if (v->cur >= 0 && pixman_region_not_empty(&sn->stale))
            copy_region(sn->pic, v->snap[v->cur].pic, &sn->stale);
        pixman_region_clear(&sn->stale);
    }
    for (int i = 0; i < SNAPS; i++)
        if (i != f && v->snap[i].pic)
            pixman_region_union(&v->snap[i].stale, &v->snap[i].stale, damage);
    v->cur = f;
    v->fill = -1;
    rfbserver_show(v->server, rfbpic_ref(sn->pic), damage);
}

/* New snapshots for a surface (or the black placeholder without one),
 * shown whole. */
static void vnc_surface(void *view, const struct xfb_back_surface *s)
{
    struct vnc_view *v = view;
    pixman_region_clear(&v->pending); /* the whole picture shown below covers it */
    strip_stop(v);
    hold_end(v);
    snaps_drop(v);
    if (s) {
        v->snap_w = (uint16_t)s->width;
        v->snap_h = (uint16_t)s->height;
        v->snap_bytes = s->depth == 16 ? 2 : 4;
        v->surf = *s;
    } else {
        /* no guest pages (yet, or any more: they are about to be
         * unmapped): black, so that a viewer may connect before the
         * guest's X server */
        v->snap_w = v->surf.width ? (uint16_t)v->surf.width : PLACEHOLDER_W;
        v->snap_h = v->surf.height ? (uint16_t)v->surf.height : PLACEHOLDER_H;
        v->snap_bytes = 4;
        memset(&v->surf, 0, sizeof(v->surf));
    }
    strips_reset(&v->strips, v->snap_w, v->snap_h);
    if (snap_fill(v) < 0) {
        view_log(v->vg, XFB_LOG_ERROR, "out of memory for a %ux%u picture", v->snap_w, v->snap_h);
        return;
    }
    struct rfbpic *pic = v->snap[v->fill].pic;
    pixman_box16_t all = {0, 0, (int16_t)v->snap_w, (int16_t)v->snap_h};
    if (s)
        copy_box(pic, s->pixels, s->stride, &all); /* else black, as made */
    struct pixman_region16 r;
    pixman_region_init_rect(&r, 0, 0, v->snap_w, v->snap_h);
    snap_show(v, &r);
    pixman_region_fini(&r);
}

/* Whether the box's pixels differ between two pictures of one size. */
static bool box_differs(const struct rfbpic *a, const struct rfbpic *b, const pixman_box16_t *x)
{
    size_t off = (size_t)x->y1 * a->stride + (size_t)x->x1 * a->bytes;
    size_t len = (size_t)(x->x2 - x->x1) * a->bytes;
    for (int y = x->y1; y < x->y2; y++, off += a->stride)
        if (memcmp(a->pixels + off, b->pixels + off, len) != 0)
            return true;
    return false;
}

/* What the guest reported, cut to the tiles whose pixels changed from
 * the picture shown: a guest reports what it drew, and redrawing the
 * same pixels (a clock's face, a blinking caret's line, a whole window
 * repainted for one word) is common. Each viewer then gets only the
 * changes, for the price of reading the pixels once more. */
static void keep_changed(struct vnc_view *v, struct pixman_region16 *r)
{
    if (v->cur < 0 || v->cur == v->fill)
        return;
    const struct rfbpic *now = v->snap[v->fill].pic, *before = v->snap[v->cur].pic;
    int n;
    size_t kept = 0;
    const pixman_box16_t *b = pixman_region_rectangles(r, &n);
    for (int i = 0; i < n; i++)
        for (int ty = b[i].y1 & ~(TILE - 1); ty < b[i].y2; ty += TILE)
            for (int tx = b[i].x1 & ~(TILE - 1); tx < b[i].x2; tx += TILE) {
                pixman_box16_t t = {
                    (int16_t)(tx > b[i].x1 ? tx : b[i].x1),
                    (int16_t)(ty > b[i].y1 ? ty : b[i].y1),
                    (int16_t)(tx + TILE < b[i].x2 ? tx + TILE : b[i].x2),
                    (int16_t)(ty + TILE < b[i].y2 ? ty + TILE : b[i].y2),
                };
                if (!box_differs(now, before, &t))
                    continue;
                if (kept == v->tiles_cap) {
                    size_t cap = v->tiles_cap ? 2 * v->tiles_cap : 256;
                    pixman_box16_t *m = realloc(v->tiles, cap * sizeof(*m));
                    if (!m)
                        return; /* all of it, then */
                    v->tiles = m;
                    v->tiles_cap = cap;
                }
                v->tiles[kept++] = t;
            }
    /* one region made of them all, rather than a union per tile */
    pixman_region_fini(r);
    pixman_region_init_rects(r, v->tiles, (int)kept);
}

/* Whether pending waits for the rest of an image the guest draws in
 * strips (strips.h), with the timer armed for as long as it may. */
static bool strip_wait(struct vnc_view *v)
{
    int ms = strips_wait(&v->strips, backoff_now_ms());
    strip_stop(v);
    if (ms <= 0)
        return false;
    aml_set_duration(v->strip_end, (uint32_t)ms);
    return aml_start(aml_get_default(), v->strip_end) == 0;
}

static void show_pending(struct vnc_view *v)
{
    if (v->fill >= 0 && pixman_region_not_empty(&v->pending)) {
        keep_changed(v, &v->pending);
        if (pixman_region_not_empty(&v->pending))
            snap_show(v, &v->pending);
    }
    pixman_region_clear(&v->pending);
}

static void on_flush(void *obj)
{
    struct vnc_view *v = aml_get_userdata(obj);
    aml_stop(aml_get_default(), v->flush);
    v->flush_started = false;
    if (!pixman_region_not_empty(&v->pending) || !strip_wait(v))
        show_pending(v);
    else
        hold_end(v); /* the rest of an image is awaited: let the guest draw it */
}

/* The rest of the image did not come in time: show what did (unless
 * the tracker, told of strips since, says the wait goes on). */
static void on_strip_end(void *obj)
{
    struct vnc_view *v = aml_get_userdata(obj);
    if (strip_wait(v))
        return;
    strips_gave_up(&v->strips);
    show_pending(v);
}

static void flush_soon(struct vnc_view *v)
{
    if (!v->flush_started && aml_start(aml_get_default(), v->flush) == 0)
        v->flush_started = true;
    else if (!v->flush_started)
        on_flush(v->flush);
}

/* Hold the guest's release of what it reports from now on, when no
 * viewer waits for a picture and the guest waits for releases. */
static bool hold_begin(struct vnc_view *v)
{
    bool flat_out = backoff_now_ms() - v->released_at < FLAT_OUT_GAP_MS;
    if (!rfbserver_hold(v->server, flat_out))
        return false;
    v->hold_ms = !flat_out                           ? HOLD_MS
                 : v->hold_ms * 2 < HOLD_FLAT_OUT_MS ? v->hold_ms * 2
                                                     : HOLD_FLAT_OUT_MS;
    aml_set_duration(v->hold_end, v->hold_ms);
    if (!view_hold(v->vg) || aml_start(aml_get_default(), v->hold_end) < 0) {
        view_release(v->vg);
        rfbserver_unhold(v->server);
        return false;
    }
    v->holding = true;
    return true;
}

/* The hold is over (a viewer took a picture, or the guest waited long
 * enough): it may draw over what it reported. */
static void hold_end(struct vnc_view *v)
{
    if (!v->holding)
        return;
    v->holding = false;
    aml_stop(aml_get_default(), v->hold_end);
    rfbserver_unhold(v->server);
    view_release(v->vg);
    v->released_at = backoff_now_ms();
}

static void on_hold_end(void *obj)
{
    hold_end(aml_get_userdata(obj));
}

/* Copied now, while the guest keeps the pixels still (back.h), and shown
 * once the loop has handled everything that is ready: exactly the
 * rectangles reported, fewer pictures. While every viewer is busy, the
 * guest's release is held besides, until a viewer takes a picture. */
static void vnc_damage(void *view, int x, int y, int w, int h)
{
    struct vnc_view *v = view;
    if (!v->surf.width)
        return;
    int64_t now = backoff_now_ms();
    strips_report(&v->strips, x, y, w, h, now);
    if (snap_fill(v) >= 0) {
        pixman_box16_t b = {(int16_t)x, (int16_t)y, (int16_t)(x + w), (int16_t)(y + h)};
        copy_box(v->snap[v->fill].pic, v->surf.pixels, v->surf.stride, &b);
        pixman_region_union_rect(&v->pending, &v->pending, x, y, (unsigned)w, (unsigned)h);
        flush_soon(v);
    }
    /* not while the rest of an image is awaited: the guest must draw it
     * (on_flush lets it go, once the pass is over) */
    if (!v->holding && strips_wait(&v->strips, now) == 0)
        hold_begin(v);
}

/* ---- life ---- */

static int listen_on(const struct sockaddr *a, socklen_t len)
{
    int fd = socket(a->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (a->sa_family != AF_UNIX)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a, len) < 0 || listen(fd, 16) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int listen_tcp(const char *addr, int port)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    char service[12];
    snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(addr, service, &hints, &ai) != 0) {
        errno = EINVAL;
        return -1;
    }
    int fd = listen_on(ai->ai_addr, ai->ai_addrlen);
    int e = errno;
    freeaddrinfo(ai);
    errno = e;
    return fd;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(a.sun_path, path);
    unlink(path); /* a socket left by an earlier run */
    return listen_on((struct sockaddr *)&a, sizeof(a));
}

/* The viewers' listener: the port or path of this guest. */
static int open_listener(struct vnc_view *v)
{
    struct view_guest *vg = v->vg;
    if (g.unix_path) {
        char path[sizeof(vg->vnc_path)];
        const char *pct = strstr(g.unix_path, "%d");
        if (pct)
            snprintf(path, sizeof(path), "%.*s%d%s", (int)(pct - g.unix_path), g.unix_path,
                     vg->domid, pct + 2);
        else
            snprintf(path, sizeof(path), "%s", g.unix_path);
        snprintf(vg->vnc_path, sizeof(vg->vnc_path), "%s", path);
        return listen_unix(path);
    }
    int port = g.base + vg->domid;
    if (port > 65535) {
        errno = ERANGE;
        return -1;
    }
    snprintf(vg->vnc_host, sizeof(vg->vnc_host), "%s", g.addr);
    vg->vnc_port = port;
    return listen_tcp(g.addr, port);
}

static void serve_viewer(void *data, struct rfbguard_conn *c, const char *peer)
{
    rfbserver_session(data, c, peer);
}

/* The server, and the guard on the viewers' listener. */
static int open_servers(struct vnc_view *v)
{
    int fd = open_listener(v);
    if (fd < 0)
        return -1;
    v->server = rfbserver_new(v->vg->name, g.pool, &server_ops, v);
    if (!v->server) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    struct rfbguard_opts o = {
        .domid = v->vg->domid,
        .tls = g.tls,
        .password = g.password,
        .log = view_log_domid,
        .serve = serve_viewer,
        .serve_data = v->server,
    };
    v->guard = rfbguard_new(fd, &o);
    if (!v->guard) {
        int e = errno;
        rfbserver_close(v->server);
        v->server = NULL;
        errno = e;
        return -1;
    }
    return 0;
}

static void publish(struct vnc_view *v)
{
    struct view_guest *vg = v->vg;
    if (vg->vnc_path[0])
        view_announce(vg, vg->vnc_path, 0);
    else
        view_announce(vg, vg->vnc_host, vg->vnc_port);
}

static void *vnc_attach(struct view_guest *vg)
{
    struct vnc_view *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->vg = vg;
    pixman_region_init(&v->pending);
    for (int i = 0; i < SNAPS; i++)
        pixman_region_init(&v->snap[i].stale);
    v->cur = v->fill = -1;
    v->flush = aml_idle_new(on_flush, v, NULL);
    v->hold_end = aml_timer_new(HOLD_MS, on_hold_end, v, NULL);
    v->strip_end = aml_timer_new(STRIPS_MAX_MS, on_strip_end, v, NULL);
    v->fresh_end = aml_timer_new(FRESH_WAIT_MS, on_fresh_end, v, NULL);
    if (!v->flush || !v->hold_end || !v->strip_end || !v->fresh_end || open_servers(v) < 0) {
        int e = v->flush && v->hold_end && v->strip_end && v->fresh_end ? errno : ENOMEM;
        view_log(vg, XFB_LOG_ERROR, "cannot listen for VNC on %s%s%s:%d: %s", vg->vnc_path,
                 vg->vnc_path[0] ? "" : g.addr, "", vg->vnc_port, strerror(e));
        if (v->flush)
            aml_unref(v->flush);
        if (v->hold_end)
            aml_unref(v->hold_end);
        if (v->strip_end)
            aml_unref(v->strip_end);
        if (v->fresh_end)
            aml_unref(v->fresh_end);
        pixman_region_fini(&v->pending);
        for (int i = 0; i < SNAPS; i++)
            pixman_region_fini(&v->snap[i].stale);
        free(v);
        errno = e;
        return NULL;
    }
    vnc_surface(v, NULL);
    publish(v);
    if (vg->vnc_path[0])
        view_log(vg, XFB_LOG_INFO, "VNC on %s%s", vg->vnc_path, g.auth ? " (TLS + password)" : "");
    else
        view_log(vg, XFB_LOG_INFO, "VNC on %s:%d%s", vg->vnc_host, vg->vnc_port,
                 g.auth ? " (TLS + password)" : "");
    return v;
}

static void vnc_cursor(void *view, const struct xfb_back_cursor *c)
{
    struct vnc_view *v = view;
    rfbserver_cursor(v->server, c);
}

static void vnc_clipboard(void *view, const char *utf8, size_t len)
{
    struct vnc_view *v = view;
    vnc_clip_send(v->server, v->vg, utf8, len);
}

static void vnc_gone(void *view)
{
    struct vnc_view *v = view;
    view_announce(v->vg, NULL, 0);
}

static void vnc_destroy(void *view)
{
    struct vnc_view *v = view;
    if (v->flush_started)
        aml_stop(aml_get_default(), v->flush);
    aml_unref(v->flush);
    hold_end(v);
    aml_unref(v->hold_end);
    strip_stop(v);
    aml_unref(v->strip_end);
    aml_stop(aml_get_default(), v->fresh_end);
    aml_unref(v->fresh_end);
    pixman_region_fini(&v->pending);
    /* the listener first, then every session: each ends as its viewer's
     * connection is hung up; the loop hears nothing more of them */
    rfbguard_close(v->guard);
    rfbserver_close(v->server);
    snaps_drop(v);
    for (int i = 0; i < SNAPS; i++)
        pixman_region_fini(&v->snap[i].stale);
    if (v->vg->vnc_path[0])
        unlink(v->vg->vnc_path);
    free(v->tiles);
    free(v);
}

const struct view_ops view_vnc_ops = {
    .name = "VNC",
    .init = vnc_init,
    .fini = vnc_fini,
    .attach = vnc_attach,
    .surface = vnc_surface,
    .damage = vnc_damage,
    .gone = vnc_gone,
    .destroy = vnc_destroy,
    .cursor = vnc_cursor,
    .clipboard = vnc_clipboard,
};
