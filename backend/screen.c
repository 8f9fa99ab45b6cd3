/* Screens: one per domain, what its viewers show and where their input
 * goes. A domain may have two pictures: the X screen (xenfb's devices,
 * the X server's drivers) and its kernel's console (the standard vfb and
 * vkbd that xen-fbfront and xen-kbdfront bind). The viewers show one:
 *
 *   - the X screen whenever xenfb's vfb is connected (X is running);
 *   - otherwise the kernel's console, when its vfb is connected: from the
 *     first boot line, and again when X exits;
 *   - otherwise a black placeholder.
 *
 * An X screen whose frontend went to Closing is waited for: that is how
 * it re-grants for a larger mode (protocol.md section 5), disconnecting
 * and coming back at once, and its viewers should see a black moment,
 * not the console flash by. The console is shown when it goes on to
 * Closed instead, or does not come back within X_BACK_MS (an X server
 * killed halfway). An X server that exits (Closed at once), crashes or
 * loses its device gives way to the console at once.
 *
 * A switch is an ordinary surface change for the viewers (a desktop
 * resize when the size differs). Keys, buttons, the pointer and the
 * wheels go to the keyboard of the picture shown, or the other one when
 * it has none (a guest whose X reads the kernel's vkbd); a key goes up
 * where it went down, whatever was switched meanwhile. A pointer position
 * is scaled against the picture shown, not the receiver's own.
 */
#include "config.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

enum held { HELD_NONE, HELD_X, HELD_KERNEL };

/* Far longer than a re-grant's reconnection on a loaded host (about
 * 100 ms, protocol.md section 5): only a frontend that died halfway
 * waits this long. */
#define X_BACK_MS 5000

struct screen {
    struct view_guest vg;
    void *views[MAX_VIEWS];
    struct xfb_back_guest *xg;    /* xenfb's devices: the X screen */
    struct xfb_back_guest *kg;    /* the kernel's: its console */
    struct xfb_back_guest *shown; /* whose picture the viewers have */
    struct xfb_back_guest *hold;  /* whose release a viewer holds (view_hold) */
    struct aml_timer *x_back;     /* started: X's screen went, may come back */
    uint8_t held[KEY_MAX + 1];    /* enum held: where each key down went */
    struct screen *next;
};

static struct screen *screen_of_vg(struct view_guest *vg)
{
    return (struct screen *)(void *)((char *)vg - offsetof(struct screen, vg));
}

static struct screen *screen_of(struct xfb_back_guest *g)
{
    return xfb_back_guest_user(g);
}

static bool kernel(const struct xfb_back_guest *g)
{
    return xfb_back_guest_kind(g) == XFB_BACK_KERNEL;
}

/* ---- what the viewers show ---- */

static void each_view_surface(struct screen *sc, const struct xfb_back_surface *surf)
{
    struct xfb_serve *s = sc->vg.serve;
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i])
            s->views[i]->surface(sc->views[i], surf);
}

/* The cursor of the picture shown: X's when it negotiated the cursor
 * extension, none for the kernel's console (fbcon draws its own). */
static void each_view_cursor(struct screen *sc, const struct xfb_back_cursor *c)
{
    struct xfb_serve *s = sc->vg.serve;
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i] && s->views[i]->cursor)
            s->views[i]->cursor(sc->views[i], c);
}

/* Show g's picture (NULL: the placeholder). A picture about to go (its
 * vfb disconnecting) is let go of first: the viewers drain what still
 * reads its pages, which are unmapped when the callback returns. */
static void show(struct screen *sc, struct xfb_back_guest *g, bool old_going)
{
    /* the views take the new picture whole: nothing held is owed */
    view_release(&sc->vg);
    const struct xfb_back_surface *surf = g ? xfb_back_guest_surface(g) : NULL;
    if (!surf)
        g = NULL;
    if (old_going && sc->shown)
        each_view_surface(sc, NULL);
    bool change = sc->shown != g;
    sc->shown = g;
    if (change && g)
        serve_log(XFB_LOG_INFO, sc->vg.domid, "showing %s (%ux%u)",
                  kernel(g) ? "the kernel's console" : "the X screen", surf->width, surf->height);
    if (g || !old_going)
        each_view_surface(sc, surf);
    if (change)
        each_view_cursor(sc, g ? xfb_back_guest_cursor(g) : NULL);
}

/* The best picture there is: the X screen, then the console. */
static struct xfb_back_guest *best(struct screen *sc, struct xfb_back_guest *going)
{
    if (sc->xg && sc->xg != going && xfb_back_guest_surface(sc->xg))
        return sc->xg;
    if (sc->kg && sc->kg != going && xfb_back_guest_surface(sc->kg))
        return sc->kg;
    return NULL;
}

/* ---- X's screen going and coming back ---- */

static bool x_waited(struct screen *sc)
{
    return sc->x_back && aml_is_started(sc->vg.serve->aml, sc->x_back);
}

static void x_wait_end(struct screen *sc)
{
    if (x_waited(sc))
        aml_stop(sc->vg.serve->aml, sc->x_back);
}

/* X did not come back: the console, if there is one */
static void on_x_back_timeout(void *obj)
{
    struct screen *sc = aml_get_userdata(obj);
    x_wait_end(sc);
    if (!sc->shown)
        show(sc, best(sc, NULL), false);
}

/* X's screen goes to come back: black until it does (or the console, see
 * above). false when there is nothing to wait with (no timer: the
 * console now). */
static bool x_wait(struct screen *sc)
{
    if (!sc->x_back) {
        sc->x_back = aml_timer_new(X_BACK_MS, on_x_back_timeout, sc, NULL);
        if (!sc->x_back)
            return false;
    }
    x_wait_end(sc);
    if (aml_start(sc->vg.serve->aml, sc->x_back) < 0)
        return false;
    show(sc, NULL, true);
    view_log(&sc->vg, XFB_LOG_DEBUG, "the X screen closes: waiting for it to re-grant");
    return true;
}

/* ---- where the VNC address is told ---- */

void view_announce(struct view_guest *vg, const char *listen, int port)
{
    struct xfb_serve *s = vg->serve;
    if (s->ann)
        announce_set(s->ann, vg->domid, listen, port);
}

/* a vfb connected: its backend directory gets the record too */
static void announce(struct screen *sc)
{
    if (sc->vg.serve->ann)
        announce_again(sc->vg.serve->ann, sc->vg.domid);
}

/* ---- who watches ---- */

static void set_refresh(struct screen *sc, struct xfb_back_guest *g)
{
    /* an unwatched guest is told to send nothing at all */
    unsigned ms = sc->vg.watchers > 0 ? sc->vg.serve->o->refresh_ms : 0;
    if (g && xfb_back_set_refresh(g, ms) < 0)
        view_log(&sc->vg, XFB_LOG_WARNING, "cannot set the refresh period: %s", strerror(errno));
}

void view_watchers(struct view_guest *vg, int delta)
{
    struct screen *sc = screen_of_vg(vg);
    int before = vg->watchers;
    vg->watchers += delta;
    if (vg->watchers < 0)
        vg->watchers = 0;
    if ((before > 0) == (vg->watchers > 0))
        return;
    set_refresh(sc, sc->xg);
    set_refresh(sc, sc->kg);
    if (sc->xg || sc->kg)
        view_log(vg, XFB_LOG_DEBUG, "refresh period %u ms",
                 vg->watchers > 0 ? vg->serve->o->refresh_ms : 0);
}

/* ---- copies ---- */

bool view_hold(struct view_guest *vg)
{
    struct screen *sc = screen_of_vg(vg);
    if (!sc->shown || !xfb_back_hold(sc->shown))
        return false;
    sc->hold = sc->shown;
    return true;
}

void view_release(struct view_guest *vg)
{
    struct screen *sc = screen_of_vg(vg);
    if (sc->hold)
        xfb_back_release(sc->hold);
    sc->hold = NULL;
}

/* ---- input ---- */

/* The keyboard of the picture shown (of the console when none is), or
 * the other one when that has none. */
static struct xfb_back_guest *input_to(struct screen *sc)
{
    struct xfb_back_guest *first = sc->shown;
    /* while X's screen is away (re-granting), what is typed is still X's */
    if (!first)
        first = x_waited(sc) && sc->xg ? sc->xg : sc->kg ? sc->kg : sc->xg;
    struct xfb_back_guest *other = first == sc->xg ? sc->kg : sc->xg;
    if (first && xfb_back_guest_kbd(first))
        return first;
    if (other && xfb_back_guest_kbd(other))
        return other;
    return NULL;
}

void view_key(struct view_guest *vg, unsigned code, bool down)
{
    struct screen *sc = screen_of_vg(vg);
    if (code > KEY_MAX)
        return;
    struct xfb_back_guest *g;
    if (!down && sc->held[code] != HELD_NONE)
        g = sc->held[code] == HELD_X ? sc->xg : sc->kg;
    else
        g = input_to(sc);
    sc->held[code] = !down || !g ? HELD_NONE : g == sc->xg ? HELD_X : HELD_KERNEL;
    if (g && xfb_back_key(g, code, down) < 0 && errno != ENOTCONN)
        view_log(vg, XFB_LOG_DEBUG, "key %u dropped: %s", code, strerror(errno));
}

void view_pointer(struct view_guest *vg, int x, int y)
{
    struct screen *sc = screen_of_vg(vg);
    struct xfb_back_guest *g = input_to(sc);
    const struct xfb_back_surface *surf = sc->shown ? xfb_back_guest_surface(sc->shown) : NULL;
    if (g && surf)
        xfb_back_pointer_in(g, x, y, surf->width, surf->height);
    else if (g)
        xfb_back_pointer(g, x, y);
}

void view_wheel(struct view_guest *vg, int dz)
{
    struct xfb_back_guest *g = input_to(screen_of_vg(vg));
    if (g)
        xfb_back_wheel(g, dz);
}

void view_hwheel(struct view_guest *vg, int dw)
{
    struct xfb_back_guest *g = input_to(screen_of_vg(vg));
    if (g)
        xfb_back_hwheel(g, dw);
}

bool view_takes_sizes(struct view_guest *vg)
{
    struct screen *sc = screen_of_vg(vg);
    /* only X's screen changes mode on request: the console keeps its own */
    return sc->shown && sc->shown == sc->xg && xfb_back_resize_requests(sc->shown);
}

bool view_request_size(struct view_guest *vg, int w, int h, const char *from)
{
    struct screen *sc = screen_of_vg(vg);
    if (w <= 0 || h <= 0 || !view_takes_sizes(vg))
        return false;
    return xfb_back_request_size(sc->shown, (uint32_t)w, (uint32_t)h, from) == 0;
}

/* ---- the core's callbacks ---- */

static void read_name(struct xfb_serve *s, struct view_guest *vg)
{
    char path[64];
    unsigned len = 0;
    snprintf(path, sizeof(path), "/local/domain/%d/name", vg->domid);
    char *name = xs_read(s->xs, XBT_NULL, path, &len);
    if (name && len > 0 && len < sizeof(vg->name)) {
        for (unsigned i = 0; i < len; i++)
            vg->name[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
        vg->name[len] = '\0';
    } else {
        snprintf(vg->name, sizeof(vg->name), "domain %d", vg->domid);
    }
    free(name);
}

static struct screen *screen_new(struct xfb_serve *s, int domid, int devid)
{
    struct screen *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        serve_log(XFB_LOG_ERROR, domid, "out of memory: not serving this guest");
        return NULL;
    }
    sc->vg.serve = s;
    sc->vg.domid = domid;
    sc->vg.devid = devid;
    read_name(s, &sc->vg);
    serve_log(XFB_LOG_INFO, domid, "guest '%s' appeared", sc->vg.name);
    for (int i = 0; i < s->n_views; i++) {
        sc->views[i] = s->views[i]->attach(&sc->vg);
        if (!sc->views[i])
            serve_log(XFB_LOG_ERROR, domid, "no %s viewer for this guest: %s", s->views[i]->name,
                      strerror(errno));
    }
    sc->next = s->screens;
    s->screens = sc;
    return sc;
}

static void on_appeared(void *data, struct xfb_back_guest *g)
{
    struct xfb_serve *s = data;
    int domid = xfb_back_guest_domid(g);
    if (s->o->domid >= 0 && domid != s->o->domid)
        return;
    struct screen *sc = s->screens;
    while (sc && sc->vg.domid != domid)
        sc = sc->next;
    if (!sc && !(sc = screen_new(s, domid, xfb_back_guest_devid(g))))
        return;
    if (!kernel(g) && sc->xg) {
        serve_log(XFB_LOG_WARNING, domid,
                  "xenfb device %d ignored: a guest has one screen (device %d's)",
                  xfb_back_guest_devid(g), xfb_back_guest_devid(sc->xg));
        return;
    }
    if (kernel(g))
        sc->kg = g;
    else
        sc->xg = g;
    xfb_back_guest_set_user(g, sc);
    set_refresh(sc, g);
}

static void on_fb_connected(void *data, struct xfb_back_guest *g,
                            const struct xfb_back_surface *surf)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    serve_log(XFB_LOG_INFO, sc->vg.domid, "%sframebuffer connected: %ux%u, %u bits",
              kernel(g) ? "kernel console " : "", surf->width, surf->height, surf->depth);
    /* X's connecting takes the screen; the console only an empty one
     * that is not kept for X */
    if (g == sc->xg) {
        x_wait_end(sc);
        show(sc, g, false);
    } else if (!sc->shown && !x_waited(sc)) {
        show(sc, g, false);
    }
    announce(sc);
}

static void on_resized(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *surf)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    serve_log(XFB_LOG_INFO, sc->vg.domid, "%sresized to %ux%u, %u bits",
              kernel(g) ? "kernel console " : "", surf->width, surf->height, surf->depth);
    if (g == sc->shown)
        each_view_surface(sc, surf);
}

static void on_damaged(void *data, struct xfb_back_guest *g, int x, int y, int w, int h)
{
    struct xfb_serve *s = data;
    struct screen *sc = screen_of(g);
    if (!sc || g != sc->shown)
        return;
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i])
            s->views[i]->damage(sc->views[i], x, y, w, h);
}

static void on_cursor(void *data, struct xfb_back_guest *g, const struct xfb_back_cursor *c)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (sc && g == sc->shown)
        each_view_cursor(sc, c);
}

/* The clipboard is the X session's: its device belongs with xenfb's
 * (sc->xg), whichever picture is shown. */
static void on_clipboard(void *data, struct xfb_back_guest *g, const char *utf8, size_t len)
{
    struct xfb_serve *s = data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i] && s->views[i]->clipboard)
            s->views[i]->clipboard(sc->views[i], utf8, len);
}

void view_clipboard_to_guest(struct view_guest *vg, const char *utf8, size_t len, const char *from)
{
    struct screen *sc = screen_of_vg(vg);
    if (sc->xg && xfb_back_clip_send(sc->xg, utf8, len) == 0)
        return; /* the core logs what went */
    int e = sc->xg ? errno : ENOTCONN;
    serve_log(XFB_LOG_INFO, vg->domid, "clipboard from %s not passed to the guest: %s", from,
              e == ENOTCONN ? "no clipboard device connected (clipboard=none in guests.conf, or "
                              "no xenfb-agent clipboard running in the guest)"
              : e == EPERM  ? "this guest's policy keeps text out (clipboard=from-guest)"
              : e == EINVAL ? "not UTF-8"
                            : strerror(e));
}

static void on_fb_disconnected(void *data, struct xfb_back_guest *g)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    serve_log(XFB_LOG_INFO, sc->vg.domid, "%sframebuffer disconnected",
              kernel(g) ? "kernel console " : "");
    if (g != sc->shown)
        return;
    if (g != sc->xg || !xfb_back_guest_fb_closing(g) || !best(sc, g) || !x_wait(sc))
        show(sc, best(sc, g), true);
}

/* The X screen's frontend went on from Closing to Closed: X exited */
static void on_fb_closed(void *data, struct xfb_back_guest *g)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (!sc || g != sc->xg || !x_waited(sc))
        return;
    x_wait_end(sc);
    if (!sc->shown)
        show(sc, best(sc, g), false);
}

static void on_kbd_connected(void *data, struct xfb_back_guest *g, bool abs, bool raw)
{
    (void)data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    serve_log(XFB_LOG_INFO, sc->vg.domid, "%skeyboard and pointer connected (%s pointer%s)",
              kernel(g) ? "kernel console " : "", abs ? "absolute" : "relative",
              raw ? ", raw" : "");
}

static void on_gone(void *data, struct xfb_back_guest *g)
{
    struct xfb_serve *s = data;
    struct screen *sc = screen_of(g);
    if (!sc)
        return;
    xfb_back_guest_set_user(g, NULL);
    if (g == sc->hold)
        sc->hold = NULL;
    if (g == sc->shown) {
        show(sc, best(sc, g), true);
    } else if (g == sc->xg && x_waited(sc)) {
        /* X's device removed while its screen was away: not coming back */
        x_wait_end(sc);
        show(sc, best(sc, g), false);
    }
    enum held was = g == sc->xg ? HELD_X : HELD_KERNEL;
    for (size_t i = 0; i < sizeof(sc->held); i++)
        if (sc->held[i] == was)
            sc->held[i] = HELD_NONE;
    if (g == sc->xg)
        sc->xg = NULL;
    else
        sc->kg = NULL;
    if (sc->xg || sc->kg)
        return;
    serve_log(XFB_LOG_INFO, sc->vg.domid, "guest gone");
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i])
            s->views[i]->gone(sc->views[i]);
    for (int i = 0; i < s->n_views; i++)
        if (sc->views[i])
            s->views[i]->destroy(sc->views[i]);
    if (sc->x_back) {
        x_wait_end(sc);
        aml_unref(sc->x_back);
    }
    for (struct screen **p = &s->screens; *p; p = &(*p)->next)
        if (*p == sc) {
            *p = sc->next;
            break;
        }
    free(sc);
}

const struct xfb_back_ops screen_core_ops = {
    .appeared = on_appeared,
    .fb_connected = on_fb_connected,
    .resized = on_resized,
    .damaged = on_damaged,
    .cursor = on_cursor,
    .clipboard = on_clipboard,
    .fb_disconnected = on_fb_disconnected,
    .fb_closed = on_fb_closed,
    .kbd_connected = on_kbd_connected,
    .gone = on_gone,
};
