/* The VNC viewer: one neatvnc listener per guest, fed the guest's mapped
 * pages as they are (nvnc_fb_from_buffer, no copy) and exactly the
 * rectangles the guest reported as damage.
 *
 * Listeners (--vnc): "ADDR:BASE" or "BASE" (TCP, port BASE + domid;
 * default 127.0.0.1:5900), or a Unix socket path where "%d" becomes the
 * domid. Any TCP address but loopback needs TLS and a password (VeNCrypt
 * X509Plain, the one scheme neatvnc 0.5.4 offers), or --insecure-no-auth.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/input-event-codes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <aml.h>
#include <drm_fourcc.h>
#include <neatvnc.h>
#include <pixman.h>

#include "keymap.h"
#include "vnc_cursor.h"
#include "serve.h"

/* Failed logins, per listener: after AUTH_BURST failures within
 * AUTH_WINDOW seconds every login is refused for AUTH_LOCKOUT seconds,
 * right password or not. */
#define AUTH_BURST   3
#define AUTH_WINDOW  60
#define AUTH_LOCKOUT 30

#define MAX_HELD 16

/* what a viewer sees before the guest's framebuffer connects */
#define PLACEHOLDER_W 640
#define PLACEHOLDER_H 480

/* how long a vfb disconnect waits for encoders to let go of the pages */
#define DRAIN_MS 2000

/* What every listener shares, set up by init. */
static struct {
    char addr[64];
    int base;
    const char *unix_path;
    bool auth;
    char password[256];
    struct keymap *km;
} g;

struct vnc_client {
    struct vnc_view *v; /* NULL once the view is destroyed */
    struct vnc_client *next;
    struct nvnc_client *client;
    int fd;
    char addr[80];
};

struct vnc_view {
    struct view_guest *vg;
    struct nvnc *server;
    struct nvnc_display *display;
    struct nvnc_fb *fb;
    struct xfb_back_surface surf;
    /* the guest's rectangles since the last feed: one dispatch of the
     * core may bring many, and every feed makes neatvnc hash the tiles */
    struct pixman_region16 pending;
    struct aml_idle *flush;
    bool flush_started;
    struct vnc_client *client_list;
    /* the guest fb neatvnc still holds while its pages are going away */
    struct nvnc_fb *draining;
    int clients;
    uint8_t buttons;
    /* keysym-only clients: what we pressed for each held keysym */
    struct {
        uint32_t sym;
        int code;
        unsigned mods;
    } held[MAX_HELD];
    unsigned mods_down;
    /* auth rate limit */
    time_t fail_start, locked_until;
    int fails;
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
        if (!nvnc_has_auth()) {
            view_log(NULL, XFB_LOG_ERROR,
                     "this neatvnc was built without TLS: cannot authenticate viewers");
            return -1;
        }
        if (read_password(o->password_file) < 0) {
            view_log(NULL, XFB_LOG_ERROR, "cannot read a password from %s: %s", o->password_file,
                     strerror(errno));
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
}

/* ---- clients ---- */

/* neatvnc 0.5.4 tells nothing about a client's socket: find the
 * connected socket on our listening port (or path) that no known client
 * owns yet. */
static bool socket_is_ours(int fd, const struct vnc_view *v)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return false;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port) == v->vg->vnc_port;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) == v->vg->vnc_port;
    if (ss.ss_family == AF_UNIX)
        return !strcmp(((struct sockaddr_un *)&ss)->sun_path, v->vg->vnc_path);
    return false;
}

static void describe_peer(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "?";
    snprintf(out, size, "an unknown address");
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
        snprintf(out, size, "%s:%u", host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
        snprintf(out, size, "[%s]:%u", host, ntohs(a->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        struct ucred cr;
        socklen_t cl = sizeof(cr);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
            snprintf(out, size, "a local process (pid %d, uid %u)", (int)cr.pid, (unsigned)cr.uid);
    }
}

/* The fds of the clients we know, so a new one is told apart. */
static int known_fds[1024];
static int n_known;

static int find_client_fd(struct vnc_view *v)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
            continue;
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0 || !socket_is_ours(fd, v))
            continue;
        bool known = false;
        for (int i = 0; i < n_known && !known; i++)
            known = known_fds[i] == fd;
        if (!known && fd > found)
            found = fd;
    }
    closedir(d);
    return found;
}

static void forget_fd(int fd)
{
    for (int i = 0; i < n_known; i++)
        if (known_fds[i] == fd) {
            known_fds[i] = known_fds[--n_known];
            return;
        }
}

static void on_client_gone(struct nvnc_client *client)
{
    struct vnc_client *c = nvnc_get_userdata(client);
    if (!c)
        return;
    struct vnc_view *v = c->v;
    forget_fd(c->fd);
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
    view_log(v->vg, XFB_LOG_INFO, "VNC viewer from %s left", c->addr);
    v->clients--;
    view_watchers(v->vg, -1);
    free(c);
}

static void on_new_client(struct nvnc_client *client)
{
    struct vnc_view *v = nvnc_get_userdata(nvnc_client_get_server(client));
    struct vnc_client *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    c->v = v;
    c->client = client;
    c->fd = find_client_fd(v);
    if (c->fd >= 0 && n_known < (int)(sizeof(known_fds) / sizeof(known_fds[0])))
        known_fds[n_known++] = c->fd;
    describe_peer(c->fd, c->addr, sizeof(c->addr));
    nvnc_set_userdata(client, c, NULL);
    nvnc_set_client_cleanup_fn(client, on_client_gone);
    c->next = v->client_list;
    v->client_list = c;
    v->clients++;
    view_log(v->vg, XFB_LOG_INFO, "VNC viewer connected from %s", c->addr);
    view_watchers(v->vg, +1);
}

static bool on_auth(const char *user, const char *password, void *data)
{
    struct vnc_view *v = data;
    time_t now = time(NULL);
    if (now < v->locked_until) {
        view_log(v->vg, XFB_LOG_WARNING,
                 "VNC login as '%.32s' refused: too many wrong passwords, locked for %ld s", user,
                 (long)(v->locked_until - now));
        return false;
    }
    size_t a = strlen(password), b = strlen(g.password);
    unsigned diff = a != b;
    for (size_t i = 0; i < a && i < b; i++)
        diff |= (unsigned char)(password[i] ^ g.password[i]);
    if (!diff) {
        v->fails = 0;
        return true;
    }
    if (now - v->fail_start > AUTH_WINDOW) {
        v->fail_start = now;
        v->fails = 0;
    }
    v->fails++;
    view_log(v->vg, XFB_LOG_WARNING, "VNC login as '%.32s': wrong password, disconnected", user);
    if (v->fails >= AUTH_BURST) {
        v->locked_until = now + AUTH_LOCKOUT;
        view_log(v->vg, XFB_LOG_WARNING, "%d wrong passwords: refusing every login for %d s",
                 v->fails, AUTH_LOCKOUT);
        v->fails = 0;
    }
    return false;
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

static void feed(struct vnc_view *v, int x, int y, int w, int h)
{
    struct pixman_region16 r;
    pixman_region_init_rect(&r, x, y, (unsigned)w, (unsigned)h);
    nvnc_display_feed_buffer(v->display, v->fb, &r);
    pixman_region_fini(&r);
}

static void on_fb_release(struct nvnc_fb *fb, void *data)
{
    struct vnc_view *v = data;
    if (fb == v->draining)
        v->draining = NULL;
}

/* The guest's pages are unmapped as soon as this callback returns, but
 * an encoder thread may still be reading them: neatvnc holds the fb until
 * the encoder is done. Run the loop (without the core, which is in the
 * middle of a callback) until it lets go, as neatvnc itself drains its
 * encoders when closing. */
static void drain(struct vnc_view *v)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    view_log(v->vg, XFB_LOG_DEBUG, "waiting for the encoders to let go of the guest's pages");
    serve_pause_core(v->vg->serve, true);
    while (v->draining) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= DRAIN_MS)
            break;
        aml_poll(aml_get_default(), (int)(DRAIN_MS - ms));
        aml_dispatch(aml_get_default());
    }
    serve_pause_core(v->vg->serve, false);
    clock_gettime(CLOCK_MONOTONIC, &now);
    view_log(v->vg, v->draining ? XFB_LOG_ERROR : XFB_LOG_DEBUG, "encoders %s after %ld us",
             v->draining ? "still hold the guest's pages" : "done",
             (long)((now.tv_sec - t0.tv_sec) * 1000000 + (now.tv_nsec - t0.tv_nsec) / 1000));
    v->draining = NULL;
}

static void vnc_surface(void *view, const struct xfb_back_surface *s)
{
    struct vnc_view *v = view;
    struct nvnc_fb *old = v->fb;
    pixman_region_clear(&v->pending); /* the full feed below covers it */
    if (s) {
        uint32_t fourcc = s->depth == 16 ? DRM_FORMAT_RGB565 : DRM_FORMAT_XRGB8888;
        uint32_t bpp = s->depth / 8;
        /* neatvnc reads the pages only: the mapping is read-only, so a
         * write would fault rather than reach the guest */
        v->fb = nvnc_fb_from_buffer((void *)s->pixels, (uint16_t)s->width, (uint16_t)s->height,
                                    fourcc, (int32_t)(s->stride / bpp));
        if (v->fb)
            nvnc_fb_set_release_fn(v->fb, on_fb_release, v);
        v->surf = *s;
    } else {
        if (old && v->surf.width)
            v->draining = old; /* cleared by on_fb_release */
        /* no guest pages (yet, or any more: they are about to be
         * unmapped): black, so that neatvnc never reads the old pointer
         * again and a viewer may connect before the guest's X server */
        uint16_t w = v->surf.width ? (uint16_t)v->surf.width : PLACEHOLDER_W;
        uint16_t h = v->surf.height ? (uint16_t)v->surf.height : PLACEHOLDER_H;
        v->fb = nvnc_fb_new(w, h, DRM_FORMAT_XRGB8888, w);
        if (v->fb)
            memset(nvnc_fb_get_addr(v->fb), 0, (size_t)w * h * 4);
    }
    if (v->fb)
        feed(v, 0, 0, (int)nvnc_fb_get_width(v->fb), (int)nvnc_fb_get_height(v->fb));
    if (v->draining)
        drain(v);
    if (old)
        nvnc_fb_unref(old);
    if (!s)
        memset(&v->surf, 0, sizeof(v->surf));
}

static void on_flush(void *obj)
{
    struct vnc_view *v = aml_get_userdata(obj);
    aml_stop(aml_get_default(), v->flush);
    v->flush_started = false;
    if (v->fb && v->surf.width && pixman_region_not_empty(&v->pending))
        nvnc_display_feed_buffer(v->display, v->fb, &v->pending);
    pixman_region_clear(&v->pending);
}

/* Collected, and fed once the loop has handled everything that is ready:
 * the same pixels, exactly the rectangles reported, fewer feeds. */
static void vnc_damage(void *view, int x, int y, int w, int h)
{
    struct vnc_view *v = view;
    if (!v->fb || !v->surf.width)
        return;
    pixman_region_union_rect(&v->pending, &v->pending, x, y, (unsigned)w, (unsigned)h);
    if (!v->flush_started && aml_start(aml_get_default(), v->flush) == 0)
        v->flush_started = true;
    else if (!v->flush_started)
        on_flush(v->flush);
}

/* ---- life ---- */

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
        unlink(path); /* a socket left by an earlier run */
        v->server = nvnc_open_unix(path);
        return v->server ? 0 : -1;
    }
    int port = g.base + vg->domid;
    if (port > 65535) {
        errno = ERANGE;
        return -1;
    }
    snprintf(vg->vnc_host, sizeof(vg->vnc_host), "%s", g.addr);
    vg->vnc_port = port;
    v->server = nvnc_open(g.addr, (uint16_t)port);
    return v->server ? 0 : -1;
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
    if (open_listener(v) < 0) {
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
    if (g.auth && nvnc_enable_auth(v->server, serve_opts(vg->serve)->tls_key,
                                   serve_opts(vg->serve)->tls_cert, on_auth, v) < 0) {
        view_log(vg, XFB_LOG_ERROR, "cannot load the TLS key or certificate");
        nvnc_close(v->server);
        free(v);
        errno = EINVAL;
        return NULL;
    }
    v->display = nvnc_display_new(0, 0);
    v->flush = aml_idle_new(on_flush, v, NULL);
    if (!v->display || !v->flush) {
        if (v->display)
            nvnc_display_unref(v->display);
        if (v->flush)
            aml_unref(v->flush);
        nvnc_close(v->server);
        free(v);
        errno = ENOMEM;
        return NULL;
    }
    pixman_region_init(&v->pending);
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
     * later, after the view and the guest are gone */
    nvnc_close(v->server);
    for (struct vnc_client *c = v->client_list; c; c = c->next)
        c->v = NULL;
    nvnc_display_unref(v->display);
    if (v->fb)
        nvnc_fb_unref(v->fb);
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
};
