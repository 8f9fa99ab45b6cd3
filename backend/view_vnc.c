/* The VNC viewer: one neatvnc listener per guest, fed exactly the
 * rectangles the guest reported as damage, from snapshots: the reported
 * pixels are copied out of the guest's pages when the core hands them
 * over (back.h, damaged), into a buffer no encoder is reading, and that
 * buffer is fed whole. An encoder (a neatvnc worker thread) thus reads a
 * picture nobody writes, and with a frontend that waits for the release
 * (protocol.md 2.5) one the guest drew completely: no torn frames.
 *
 * Listeners (--vnc): "ADDR:BASE" or "BASE" (TCP, port BASE + domid;
 * default 127.0.0.1:5900), or a Unix socket path where "%d" becomes the
 * domid. Any TCP address but loopback needs TLS and a password (VeNCrypt
 * X509Plain), or --insecure-no-auth. The daemon listens there itself:
 * rfbguard does the handshake and checks every message before neatvnc,
 * which listens only on a private socket, sees it (rfbguard.h says why).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/input-event-codes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <aml.h>
#include <drm_fourcc.h>
#include <neatvnc.h>
#include <pixman.h>

#include "keymap.h"
#include "rfbguard.h"
#include "vnc_clip.h"
#include "vnc_cursor.h"
#include "serve.h"

#define MAX_HELD 16

#define INNER_SNDBUF (4 << 20)

/* what a viewer sees before the guest's framebuffer connects */
#define PLACEHOLDER_W 640
#define PLACEHOLDER_H 480

/* Snapshot buffers per guest: the one neatvnc shows, one being filled,
 * and those encoders of slower viewers still read. With more viewers
 * behind than that, the newest buffer is filled again in place (such a
 * viewer may then get a torn frame). */
#define SNAPS 6

/* What every listener shares, set up by init. */
static struct {
    char addr[64];
    int base;
    const char *unix_path;
    bool auth;
    char password[256];
    struct rfbguard_tls *tls; /* with auth */
    char private_dir[64];     /* neatvnc's sockets: only the daemon's user gets in */
    struct keymap *km;
} g;

struct vnc_client {
    struct vnc_view *v; /* NULL once the view is destroyed */
    struct vnc_client *next;
    struct nvnc_client *client;
};

/* A buffer of our own that neatvnc encodes from. */
struct snap {
    struct nvnc_fb *fb; /* NULL: not allocated (yet) */
    bool busy;          /* fed: neatvnc holds it until on_snap_release */
    /* where it differs from the newest picture fed */
    struct pixman_region16 stale;
};

struct vnc_view {
    struct view_guest *vg;
    struct nvnc *server;
    struct rfbguard *guard;
    char inner[108]; /* neatvnc's socket */
    struct nvnc_display *display;
    struct snap snap[SNAPS];
    int cur;  /* the snapshot fed last; -1: none */
    int fill; /* the one taking this pass's rectangles; -1: none yet */
    uint16_t snap_w, snap_h;
    /* every snapshot's memory holds this many pixels (the largest size
     * so far): neatvnc 0.5.4 encodes a viewer's requested rectangle
     * without clipping it to the picture, and the guard clips requests
     * to the size shown when it reads them, which may be an older, larger
     * picture by the time neatvnc encodes (a rectangle inside any size
     * shown so far stays inside this memory, at any stride up to it) */
    uint16_t alloc_w, alloc_h;
    uint32_t snap_fourcc;
    struct xfb_back_surface surf;
    /* the guest's rectangles since the last feed, already copied into
     * snap[fill]: one dispatch of the core may bring many, and every
     * feed makes neatvnc hash the tiles */
    struct pixman_region16 pending;
    struct aml_idle *flush;
    bool flush_started;
    struct vnc_client *client_list;
    int clients;
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

static void nvnc_log_sink(const struct nvnc_log_data *d, const char *msg)
{
    enum xfb_log_level l = d->level <= NVNC_LOG_ERROR     ? XFB_LOG_ERROR
                           : d->level == NVNC_LOG_WARNING ? XFB_LOG_WARNING
                                                          : XFB_LOG_DEBUG;
    char line[256];
    snprintf(line, sizeof(line), "neatvnc: %s", msg);
    line[strcspn(line, "\n")] = '\0';
    view_log(NULL, l, "%s", line);
}

/* The directory of neatvnc's sockets, reached by nobody but the
 * daemon's user: owned by the user it becomes (--user), mode 0700. The
 * sockets inside are created 0666 so that it can connect to those made
 * before it dropped root. */
static int make_private_dir(const char *user)
{
    const char *base = getenv("RUNTIME_DIRECTORY"); /* systemd's, when given */
    snprintf(g.private_dir, sizeof(g.private_dir), "%s/xenfb-vnc.XXXXXX",
             base && strlen(base) < 40 ? base : "/tmp");
    if (!mkdtemp(g.private_dir)) {
        g.private_dir[0] = '\0';
        return -1;
    }
    struct passwd *pw = user ? getpwnam(user) : NULL;
    if (pw && geteuid() == 0 && chown(g.private_dir, pw->pw_uid, pw->pw_gid) < 0) {
        int e = errno;
        rmdir(g.private_dir);
        g.private_dir[0] = '\0';
        errno = e;
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
    if (make_private_dir(o->user) < 0) {
        view_log(NULL, XFB_LOG_ERROR, "cannot make a private directory for the VNC servers: %s",
                 strerror(errno));
        return -1;
    }
    nvnc_set_log_fn(nvnc_log_sink);
    nvnc_set_log_level(o->verbose ? NVNC_LOG_DEBUG : NVNC_LOG_WARNING);
    return 0;
}

static void vnc_fini(struct xfb_serve *s)
{
    (void)s;
    keymap_free(g.km);
    g.km = NULL;
    memset(g.password, 0, sizeof(g.password));
    /* g.tls stays: connections still relaying use it until exit */
    if (g.private_dir[0])
        rmdir(g.private_dir);
    g.private_dir[0] = '\0';
}

/* ---- clients ---- */

static void on_client_gone(struct nvnc_client *client)
{
    struct vnc_client *c = nvnc_get_userdata(client);
    if (!c)
        return;
    struct vnc_view *v = c->v;
    nvnc_set_userdata(client, NULL, NULL);
    if (!v) {
        /* closed with its view, but an encoder still held it then */
        free(c);
        return;
    }
    for (struct vnc_client **p = &v->client_list; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    v->clients--;
    view_watchers(v->vg, -1);
    free(c);
}

/* neatvnc's side of each connection from the guard is a Unix socket,
 * whose send buffer is net.core.wmem_default (208 KB on Debian): a raw
 * 1920x1080 frame (8 MB) then leaves neatvnc in some 40 turns of the
 * loop, each behind a copy of the guest's next frame, and a viewer gets
 * a third of the frames it got over TCP (bench/compare/README.md). Ask
 * for 4 MB: granted while root (SO_SNDBUFFORCE), else up to twice
 * net.core.wmem_max. neatvnc does not tell its sockets: they are the
 * connected ones named by its private path (an accepted Unix socket
 * carries its listener's name); setting it twice does no harm. */
static void widen_inner_buffers(const struct vnc_view *v)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int fd = atoi(e->d_name), listening = 0, size = INNER_SNDBUF;
        struct sockaddr_un a;
        socklen_t len = sizeof(a), ll = sizeof(listening);
        if (fd == dirfd(d) || getsockname(fd, (struct sockaddr *)&a, &len) < 0 ||
            a.sun_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path) ||
            strncmp(a.sun_path, v->inner, sizeof(a.sun_path)) != 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) < 0 || listening)
            continue;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    }
    closedir(d);
}

static void on_new_client(struct nvnc_client *client)
{
    struct vnc_view *v = nvnc_get_userdata(nvnc_client_get_server(client));
    struct vnc_client *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    c->v = v;
    c->client = client;
    widen_inner_buffers(v);
    rfbguard_set_resizable(v->guard, view_takes_sizes(v->vg));
    nvnc_set_userdata(client, c, NULL);
    nvnc_set_client_cleanup_fn(client, on_client_gone);
    c->next = v->client_list;
    v->client_list = c;
    v->clients++;
    view_watchers(v->vg, +1);
}

/* ---- input ---- */

static void key(struct vnc_view *v, unsigned code, bool down)
{
    view_key(v->vg, code, down);
}

static void on_key_code(struct nvnc_client *client, uint32_t code, bool down)
{
    struct vnc_view *v = nvnc_get_userdata(nvnc_client_get_server(client));
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
static void on_keysym(struct nvnc_client *client, uint32_t sym, bool down)
{
    struct vnc_view *v = nvnc_get_userdata(nvnc_client_get_server(client));
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

static void on_pointer(struct nvnc_client *client, uint16_t x, uint16_t y,
                       enum nvnc_button_mask mask)
{
    struct vnc_view *v = nvnc_get_userdata(nvnc_client_get_server(client));
    view_pointer(v->vg, x, y);
    static const unsigned buttons[8] = {BTN_LEFT, BTN_MIDDLE, BTN_RIGHT, 0, 0, 0, 0, BTN_SIDE};
    uint8_t now = (uint8_t)mask, changed = now ^ v->buttons;
    for (int i = 0; i < 8; i++) {
        uint8_t bit = (uint8_t)(1u << i);
        if (!(changed & bit))
            continue;
        bool down = now & bit;
        if (buttons[i])
            key(v, buttons[i], down);
        else if ((i == 3 || i == 4) && down)
            view_wheel(v->vg, i == 3 ? 1 : -1);
    }
    v->buttons = now;
}

/* ---- frames ---- */

static void on_snap_release(struct nvnc_fb *fb, void *data)
{
    struct snap *sn = data;
    (void)fb;
    sn->busy = false;
}

/* Let go of every snapshot: neatvnc frees one when its encoders are
 * done with it, and tells us nothing more. */
static void snaps_drop(struct vnc_view *v)
{
    for (int i = 0; i < SNAPS; i++) {
        struct snap *sn = &v->snap[i];
        if (sn->fb) {
            nvnc_fb_set_release_fn(sn->fb, NULL, NULL);
            nvnc_fb_unref(sn->fb);
        }
        sn->fb = NULL;
        sn->busy = false;
        pixman_region_clear(&sn->stale);
    }
    v->cur = v->fill = -1;
}

static bool snap_alloc(struct vnc_view *v, struct snap *sn)
{
    if (v->snap_w > v->alloc_w)
        v->alloc_w = v->snap_w;
    if (v->snap_h > v->alloc_h)
        v->alloc_h = v->snap_h;
    void *mem = calloc((size_t)v->alloc_w * v->alloc_h, 4);
    sn->fb = mem ? nvnc_fb_from_buffer(mem, v->snap_w, v->snap_h, v->snap_fourcc, v->snap_w) : NULL;
    if (!sn->fb) {
        free(mem);
        return false;
    }
    nvnc_set_userdata(sn->fb, mem, free); /* freed with the fb */
    nvnc_fb_set_release_fn(sn->fb, on_snap_release, sn);
    sn->busy = false;
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
        if (i == v->cur || (sn->fb && sn->busy))
            continue;
        if (!sn->fb && !snap_alloc(v, sn))
            break;
        return v->fill = i;
    }
    if (v->cur < 0)
        return -1;
    view_log(v->vg, XFB_LOG_DEBUG, "every snapshot is being encoded: filling the shown one");
    return v->fill = v->cur;
}

static void copy_box(struct nvnc_fb *to, const void *from, uint32_t from_stride, int bpp,
                     const pixman_box16_t *b)
{
    uint8_t *dst = nvnc_fb_get_addr(to);
    size_t dst_stride = (size_t)nvnc_fb_get_stride(to) * (size_t)bpp;
    size_t len = (size_t)(b->x2 - b->x1) * (size_t)bpp;
    for (int y = b->y1; y < b->y2; y++)
        memcpy(dst + (size_t)y * dst_stride + (size_t)b->x1 * bpp,
               (const uint8_t *)from + (size_t)y * from_stride + (size_t)b->x1 * bpp, len);
}

static void copy_region(struct nvnc_fb *to, const void *from, uint32_t from_stride, int bpp,
                        struct pixman_region16 *r)
{
    int n;
    const pixman_box16_t *b = pixman_region_rectangles(r, &n);
    for (int i = 0; i < n; i++)
        copy_box(to, from, from_stride, bpp, &b[i]);
}

/* Bring snap[fill] up to date outside this pass's rectangles (from the
 * one shown, which is whole), show it, and note where the others now
 * differ. */
static void snap_feed(struct vnc_view *v, struct pixman_region16 *damage)
{
    int f = v->fill;
    struct snap *sn = &v->snap[f];
    int bpp = nvnc_fb_get_pixel_size(sn->fb);
    if (f != v->cur) {
        pixman_region_subtract(&sn->stale, &sn->stale, damage);
        if (v->cur >= 0 && pixman_region_not_empty(&sn->stale)) {
            struct nvnc_fb *shown = v->snap[v->cur].fb;
            copy_region(sn->fb, nvnc_fb_get_addr(shown),
                        (uint32_t)(nvnc_fb_get_stride(shown) * bpp), bpp, &sn->stale);
        }
        pixman_region_clear(&sn->stale);
    }
    for (int i = 0; i < SNAPS; i++)
        if (i != f && v->snap[i].fb)
            pixman_region_union(&v->snap[i].stale, &v->snap[i].stale, damage);
    sn->busy = true; /* until neatvnc's release */
    v->cur = f;
    v->fill = -1;
    nvnc_display_feed_buffer(v->display, sn->fb, damage);
    /* every picture neatvnc may encode from now on holds this much */
    rfbguard_set_bound(v->guard, v->snap_w, v->snap_h);
    /* the core learns whether the guest takes size requests after it
     * hands over the surface: a picture later, or a viewer connecting,
     * the guard knows it */
    rfbguard_set_resizable(v->guard, view_takes_sizes(v->vg));
}

/* New snapshots for a surface (or the black placeholder without one),
 * shown whole. */
static void vnc_surface(void *view, const struct xfb_back_surface *s)
{
    struct vnc_view *v = view;
    pixman_region_clear(&v->pending); /* the full feed below covers it */
    snaps_drop(v);
    if (s) {
        v->snap_w = (uint16_t)s->width;
        v->snap_h = (uint16_t)s->height;
        v->snap_fourcc = s->depth == 16 ? DRM_FORMAT_RGB565 : DRM_FORMAT_XRGB8888;
        v->surf = *s;
    } else {
        /* no guest pages (yet, or any more: they are about to be
         * unmapped): black, so that a viewer may connect before the
         * guest's X server */
        v->snap_w = v->surf.width ? (uint16_t)v->surf.width : PLACEHOLDER_W;
        v->snap_h = v->surf.height ? (uint16_t)v->surf.height : PLACEHOLDER_H;
        v->snap_fourcc = DRM_FORMAT_XRGB8888;
        memset(&v->surf, 0, sizeof(v->surf));
    }
    if (snap_fill(v) < 0) {
        view_log(v->vg, XFB_LOG_ERROR, "out of memory for a %ux%u picture", v->snap_w, v->snap_h);
        return;
    }
    struct nvnc_fb *fb = v->snap[v->fill].fb;
    int bpp = nvnc_fb_get_pixel_size(fb);
    pixman_box16_t all = {0, 0, (int16_t)v->snap_w, (int16_t)v->snap_h};
    if (s)
        copy_box(fb, s->pixels, s->stride, bpp, &all);
    else
        memset(nvnc_fb_get_addr(fb), 0, (size_t)v->snap_w * v->snap_h * (size_t)bpp);
    struct pixman_region16 r;
    pixman_region_init_rect(&r, 0, 0, v->snap_w, v->snap_h);
    snap_feed(v, &r);
    pixman_region_fini(&r);
}

static void on_flush(void *obj)
{
    struct vnc_view *v = aml_get_userdata(obj);
    aml_stop(aml_get_default(), v->flush);
    v->flush_started = false;
    if (v->fill >= 0 && pixman_region_not_empty(&v->pending))
        snap_feed(v, &v->pending);
    pixman_region_clear(&v->pending);
}

/* Copied now, while the guest keeps the pixels still (back.h), and fed
 * once the loop has handled everything that is ready: exactly the
 * rectangles reported, fewer feeds. */
static void vnc_damage(void *view, int x, int y, int w, int h)
{
    struct vnc_view *v = view;
    if (!v->surf.width || snap_fill(v) < 0)
        return;
    struct nvnc_fb *fb = v->snap[v->fill].fb;
    pixman_box16_t b = {(int16_t)x, (int16_t)y, (int16_t)(x + w), (int16_t)(y + h)};
    copy_box(fb, v->surf.pixels, v->surf.stride, nvnc_fb_get_pixel_size(fb), &b);
    pixman_region_union_rect(&v->pending, &v->pending, x, y, (unsigned)w, (unsigned)h);
    if (!v->flush_started && aml_start(aml_get_default(), v->flush) == 0)
        v->flush_started = true;
    else if (!v->flush_started)
        on_flush(v->flush);
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

/* A VNC viewer's SetDesktopSize (the guard answered it already). */
static void on_viewer_resize(void *data, unsigned w, unsigned h)
{
    struct vnc_view *v = data;
    view_request_size(v->vg, (int)w, (int)h, "a VNC viewer");
}

/* neatvnc on its private socket, the guard on the viewers' listener. */
static int open_servers(struct vnc_view *v)
{
    int fd = open_listener(v);
    if (fd < 0)
        return -1;
    snprintf(v->inner, sizeof(v->inner), "%s/dom%d", g.private_dir, v->vg->domid);
    unlink(v->inner);
    v->server = nvnc_open_unix(v->inner);
    if (!v->server || chmod(v->inner, 0666) < 0) {
        int e = v->server ? errno : EADDRNOTAVAIL;
        if (v->server)
            nvnc_close(v->server);
        v->server = NULL;
        close(fd);
        errno = e;
        return -1;
    }
    struct rfbguard_opts o = {
        .domid = v->vg->domid,
        .inner = v->inner,
        .tls = g.tls,
        .password = g.password,
        .log = view_log_domid,
        .resize = on_viewer_resize,
        .resize_data = v,
    };
    v->guard = rfbguard_new(fd, &o);
    if (!v->guard) {
        int e = errno;
        nvnc_close(v->server);
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

static void on_cut_text(struct nvnc *server, const char *text, uint32_t len)
{
    struct vnc_view *v = nvnc_get_userdata(server);
    if (v)
        vnc_clip_received(v->vg, text, len);
}

static void *vnc_attach(struct view_guest *vg)
{
    struct vnc_view *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->vg = vg;
    if (open_servers(v) < 0) {
        int e = errno;
        view_log(vg, XFB_LOG_ERROR, "cannot listen for VNC on %s%s%s:%d: %s", vg->vnc_path,
                 vg->vnc_path[0] ? "" : g.addr, "", vg->vnc_port, strerror(e));
        free(v);
        errno = e;
        return NULL;
    }
    char name[96];
    snprintf(name, sizeof(name), "%s", vg->name);
    nvnc_set_name(v->server, name);
    nvnc_set_userdata(v->server, v, NULL);
    nvnc_set_new_client_fn(v->server, on_new_client);
    nvnc_set_key_fn(v->server, on_keysym);
    nvnc_set_key_code_fn(v->server, on_key_code);
    nvnc_set_pointer_fn(v->server, on_pointer);
    nvnc_set_cut_text_receive_fn(v->server, on_cut_text);
    v->display = nvnc_display_new(0, 0);
    v->flush = aml_idle_new(on_flush, v, NULL);
    if (!v->display || !v->flush) {
        if (v->display)
            nvnc_display_unref(v->display);
        if (v->flush)
            aml_unref(v->flush);
        rfbguard_close(v->guard);
        nvnc_close(v->server);
        free(v);
        errno = ENOMEM;
        return NULL;
    }
    pixman_region_init(&v->pending);
    for (int i = 0; i < SNAPS; i++)
        pixman_region_init(&v->snap[i].stale);
    v->cur = v->fill = -1;
    nvnc_add_display(v->server, v->display);
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
    vnc_cursor_set(v->server, c);
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
    pixman_region_fini(&v->pending);
    /* closing runs the cleanup of every client it can free now, which
     * counts watchers down; one an encoder still holds is cleaned up
     * later, after the view and the guest are gone; the guard's
     * connections end as neatvnc closes its side */
    rfbguard_close(v->guard);
    nvnc_close(v->server);
    for (struct vnc_client *c = v->client_list; c; c = c->next)
        c->v = NULL;
    nvnc_display_unref(v->display);
    snaps_drop(v);
    for (int i = 0; i < SNAPS; i++)
        pixman_region_fini(&v->snap[i].stale);
    if (v->vg->vnc_path[0])
        unlink(v->vg->vnc_path);
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
