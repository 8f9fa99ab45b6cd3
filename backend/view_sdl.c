/* The SDL window viewer (--sdl): each guest in a window of its own, as
 * Xen's original sdlfb showed one. A window the user resizes asks the
 * guest for a mode of its size (protocol.md 9), which is shown 1:1 once
 * the guest has switched; a guest that does not take requests has its
 * screen scaled to the window (SDL's logical size letterboxes and maps
 * the pointer back to guest pixels); keys go down as physical keys (SDL scancodes to Linux
 * codes), so the guest's own layout applies.
 *
 * No polling: the X connection SDL talks over is watched in the daemon's
 * aml loop, and a frame is drawn once per loop pass in which the guest
 * changed something. SDL runs on X11 here (SDL_VIDEODRIVER=x11), whose
 * connection is one descriptor; the window needs a DISPLAY.
 */
#include "config.h"

#include <SDL2/SDL.h>
#include <SDL2/SDL_syswm.h>
#include <X11/Xlib.h>
#include <aml.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <string.h>

#include "sdl_clip.h"
#include "sdl_cursor.h"
#include "sdl_keys.h"
#include "serve.h"

/* Guest mode changes in a row whose window sizes may still be on their
 * way back as events (a guest's xrandr calls, a re-grant). */
#define OWN_SIZES 4

struct sdl_view {
    struct view_guest *vg;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    struct xfb_back_surface surf; /* valid while has_surf */
    bool has_surf;
    bool dirty;
    SDL_Rect damage; /* to upload to the texture, in guest pixels */
    bool watching;
    SDL_Cursor *cursor; /* the guest's, NULL: SDL's default */
    /* sizes the window was given to follow the guest, oldest first, whose
     * size events have not come back yet: those events are ours */
    struct {
        int w, h;
    } own[OWN_SIZES];
    int n_own;
    struct sdl_view *next;
};

static struct {
    bool up;
    struct aml_handler *conn; /* the X connection */
    struct aml_idle *draw;    /* draws the windows that changed */
    bool draw_started;
    struct sdl_view *views;
} S;

static struct sdl_view *find(Uint32 window_id)
{
    for (struct sdl_view *v = S.views; v; v = v->next)
        if (v->win && SDL_GetWindowID(v->win) == window_id)
            return v;
    return NULL;
}

static void key(struct sdl_view *v, const SDL_KeyboardEvent *k)
{
    uint32_t code = sdl_keys_to_linux(k->keysym.scancode);
    /* the guest's X server repeats keys itself */
    if (!code || k->repeat)
        return;
    view_key(v->vg, code, k->state == SDL_PRESSED);
}

static void button(struct sdl_view *v, const SDL_MouseButtonEvent *b)
{
    static const uint32_t codes[] = {
        [SDL_BUTTON_LEFT] = BTN_LEFT,   [SDL_BUTTON_MIDDLE] = BTN_MIDDLE,
        [SDL_BUTTON_RIGHT] = BTN_RIGHT, [SDL_BUTTON_X1] = BTN_SIDE,
        [SDL_BUTTON_X2] = BTN_EXTRA,
    };
    if (b->button >= sizeof(codes) / sizeof(codes[0]) || !codes[b->button])
        return;
    view_pointer(v->vg, b->x, b->y);
    view_key(v->vg, codes[b->button], b->state == SDL_PRESSED);
}

/* Give the window the guest's size, remembering it until its event
 * comes back. */
static void follow_guest(struct sdl_view *v, int w, int h)
{
    int cw, ch;
    SDL_GetWindowSize(v->win, &cw, &ch);
    if (cw == w && ch == h)
        return;
    if (v->n_own == OWN_SIZES) {
        memmove(&v->own[0], &v->own[1], sizeof(v->own[0]) * (OWN_SIZES - 1));
        v->n_own--;
    }
    v->own[v->n_own].w = w;
    v->own[v->n_own].h = h;
    v->n_own++;
    SDL_SetWindowSize(v->win, w, h);
}

/* Was this size event the window following the guest? Then it and the
 * ones before it are done with. */
static bool own_size(struct sdl_view *v, int w, int h)
{
    for (int i = 0; i < v->n_own; i++)
        if (v->own[i].w == w && v->own[i].h == h) {
            memmove(&v->own[0], &v->own[i + 1], sizeof(v->own[0]) * (size_t)(v->n_own - i - 1));
            v->n_own -= i + 1;
            return true;
        }
    return false;
}

/* The window's size changed. A size it was given to follow the guest
 * (even one the guest has left since: two mode changes in a row) is not
 * the user's, nor is the size the guest has: only another size is asked
 * of the guest, so that following its answer asks nothing again. */
static void size_changed(struct sdl_view *v, int w, int h)
{
    v->dirty = true;
    if (own_size(v, w, h) || !v->has_surf ||
        ((uint32_t)w == v->surf.width && (uint32_t)h == v->surf.height))
        return;
    /* the user's: what we set before it is out of date */
    v->n_own = 0;
    view_request_size(v->vg, w, h, "the SDL window");
}

static void window_event(struct sdl_view *v, const SDL_WindowEvent *w)
{
    if (w->event == SDL_WINDOWEVENT_CLOSE && v->watching) {
        /* closing the window stops watching this guest; the daemon and
         * the other viewers carry on */
        SDL_HideWindow(v->win);
        v->watching = false;
        view_watchers(v->vg, -1);
        view_log(v->vg, XFB_LOG_INFO, "SDL window closed");
    } else if (w->event == SDL_WINDOWEVENT_ENTER) {
        /* SDL has one cursor for all its windows: each guest's shows
         * over its own window */
        SDL_SetCursor(v->cursor ? v->cursor : SDL_GetDefaultCursor());
    } else if (w->event == SDL_WINDOWEVENT_SIZE_CHANGED) {
        size_changed(v, w->data1, w->data2);
    } else if (w->event == SDL_WINDOWEVENT_EXPOSED) {
        v->dirty = true;
    }
}

static void schedule_draw(void);

static void handle(const SDL_Event *e)
{
    if (e->type == SDL_CLIPBOARDUPDATE) {
        SDL_Window *w = SDL_GetKeyboardFocus();
        struct sdl_view *f = w ? find(SDL_GetWindowID(w)) : NULL;
        sdl_clip_changed(f ? f->vg : NULL);
        return;
    }
    struct sdl_view *v = find(e->window.windowID);
    if (!v)
        return;
    switch (e->type) {
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        key(v, &e->key);
        break;
    case SDL_MOUSEMOTION:
        view_pointer(v->vg, e->motion.x, e->motion.y);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        button(v, &e->button);
        break;
    case SDL_MOUSEWHEEL:
        if (e->wheel.y)
            view_wheel(v->vg, e->wheel.y);
        if (e->wheel.x)
            view_hwheel(v->vg, e->wheel.x);
        break;
    case SDL_WINDOWEVENT:
        window_event(v, &e->window);
        break;
    }
}

/* SDL keeps what Xlib already read in its own queue: drain it all, or the
 * descriptor would not wake us for events that are already here. */
static void pump(void)
{
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle(&e);
    schedule_draw();
}

static void on_conn(void *obj)
{
    (void)obj;
    pump();
}

static void upload(struct sdl_view *v)
{
    SDL_Rect *r = &v->damage;
    if (r->w <= 0 || r->h <= 0)
        return;
    const unsigned char *px = (const unsigned char *)v->surf.pixels +
                              (size_t)r->y * v->surf.stride + (size_t)r->x * (v->surf.depth / 8);
    SDL_UpdateTexture(v->tex, r, px, (int)v->surf.stride);
    *r = (SDL_Rect){0, 0, 0, 0};
}

static void draw(void *obj)
{
    (void)obj;
    for (struct sdl_view *v = S.views; v; v = v->next) {
        if (!v->dirty || !v->ren)
            continue;
        v->dirty = false;
        SDL_SetRenderDrawColor(v->ren, 0, 0, 0, 255);
        SDL_RenderClear(v->ren);
        if (v->has_surf && v->tex) {
            upload(v);
            SDL_RenderCopy(v->ren, v->tex, NULL, NULL);
        }
        SDL_RenderPresent(v->ren);
    }
    /* once per pass with changes: stop until the next one */
    aml_stop(aml_get_default(), S.draw);
    S.draw_started = false;
    /* presenting may have read events off the connection */
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle(&e);
}

static void schedule_draw(void)
{
    bool any = false;
    for (struct sdl_view *v = S.views; v; v = v->next)
        any |= v->dirty;
    if (any && !S.draw_started && aml_start(aml_get_default(), S.draw) == 0)
        S.draw_started = true;
}

static int sdl_init(struct xfb_serve *s)
{
    (void)s;
    if (!getenv("DISPLAY")) {
        fprintf(stderr, "xenfb-backend: --sdl needs an X display: set DISPLAY\n");
        return -1;
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "x11");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    if (SDL_Init(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "xenfb-backend: --sdl: %s\n", SDL_GetError());
        return -1;
    }
    S.draw = aml_idle_new(draw, NULL, NULL);
    if (!S.draw) {
        SDL_Quit();
        return -1;
    }
    S.up = true;
    return 0;
}

static void sdl_fini(struct xfb_serve *s)
{
    (void)s;
    if (!S.up)
        return;
    if (S.draw_started)
        aml_stop(aml_get_default(), S.draw);
    aml_unref(S.draw);
    if (S.conn) {
        aml_stop(aml_get_default(), S.conn);
        aml_unref(S.conn);
    }
    SDL_Quit();
    memset(&S, 0, sizeof(S));
}

/* The X connection is known once there is a window on it. */
static int watch_connection(SDL_Window *win)
{
    if (S.conn)
        return 0;
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11) {
        errno = ENOTSUP;
        return -1;
    }
    S.conn = aml_handler_new(ConnectionNumber(info.info.x11.display), on_conn, NULL, NULL);
    if (!S.conn || aml_start(aml_get_default(), S.conn) < 0)
        return -1;
    return 0;
}

static void *sdl_attach(struct view_guest *vg)
{
    struct sdl_view *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->vg = vg;
    char title[128];
    snprintf(title, sizeof(title), "xenfb: %s (domain %d)", vg->name, vg->domid);
    v->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 640, 480,
                              SDL_WINDOW_RESIZABLE);
    v->ren = v->win ? SDL_CreateRenderer(v->win, -1, 0) : NULL;
    if (!v->ren || watch_connection(v->win) < 0) {
        view_log(vg, XFB_LOG_ERROR, "cannot open an SDL window: %s", SDL_GetError());
        if (v->ren)
            SDL_DestroyRenderer(v->ren);
        if (v->win)
            SDL_DestroyWindow(v->win);
        free(v);
        errno = EIO;
        return NULL;
    }
    v->watching = true;
    view_watchers(vg, 1);
    v->next = S.views;
    S.views = v;
    v->dirty = true;
    schedule_draw();
    return v;
}

static void sdl_surface(void *view, const struct xfb_back_surface *s)
{
    struct sdl_view *v = view;
    if (v->tex)
        SDL_DestroyTexture(v->tex);
    v->tex = NULL;
    v->has_surf = s != NULL;
    if (s) {
        v->surf = *s;
        Uint32 fmt = s->depth == 16 ? SDL_PIXELFORMAT_RGB565 : SDL_PIXELFORMAT_RGB888;
        v->tex = SDL_CreateTexture(v->ren, fmt, SDL_TEXTUREACCESS_STREAMING, (int)s->width,
                                   (int)s->height);
        if (!v->tex)
            view_log(v->vg, XFB_LOG_ERROR, "SDL texture %ux%u: %s", s->width, s->height,
                     SDL_GetError());
        /* the window takes the guest's size; the user may resize it after */
        follow_guest(v, (int)s->width, (int)s->height);
        SDL_RenderSetLogicalSize(v->ren, (int)s->width, (int)s->height);
        v->damage = (SDL_Rect){0, 0, (int)s->width, (int)s->height};
    }
    v->dirty = true;
    schedule_draw();
}

/* Into the texture now, while the guest keeps the pixels still (back.h:
 * with the release extension it draws over them once the pass is done). */
static void sdl_damage(void *view, int x, int y, int w, int h)
{
    struct sdl_view *v = view;
    SDL_Rect r = {x, y, w, h};
    if (v->damage.w > 0 && v->damage.h > 0)
        SDL_UnionRect(&v->damage, &r, &v->damage);
    else
        v->damage = r;
    if (v->has_surf && v->tex)
        upload(v);
    v->dirty = true;
    schedule_draw();
}

static void sdl_clipboard(void *view, const char *utf8, size_t len)
{
    struct sdl_view *v = view;
    sdl_clip_set(v->vg, utf8, len);
    /* SDL leaves the selection's requests in Xlib's buffer; reading the
     * connection flushes them (and takes what came meanwhile) */
    pump();
}

static void sdl_cursor(void *view, const struct xfb_back_cursor *c)
{
    struct sdl_view *v = view;
    bool failed;
    SDL_Cursor *cur = sdl_cursor_make(c, &failed);
    if (failed)
        view_log(v->vg, XFB_LOG_WARNING, "SDL cursor %ux%u: %s", c->width, c->height,
                 SDL_GetError());
    if (SDL_GetMouseFocus() == v->win)
        SDL_SetCursor(cur ? cur : SDL_GetDefaultCursor());
    if (v->cursor)
        SDL_FreeCursor(v->cursor);
    v->cursor = cur;
}

static void sdl_gone(void *view)
{
    struct sdl_view *v = view;
    v->has_surf = false;
    if (v->watching) {
        v->watching = false;
        view_watchers(v->vg, -1);
    }
}

static void sdl_destroy(void *view)
{
    struct sdl_view *v = view;
    for (struct sdl_view **p = &S.views; *p; p = &(*p)->next)
        if (*p == v) {
            *p = v->next;
            break;
        }
    if (v->tex)
        SDL_DestroyTexture(v->tex);
    if (v->cursor) {
        if (SDL_GetCursor() == v->cursor)
            SDL_SetCursor(SDL_GetDefaultCursor());
        SDL_FreeCursor(v->cursor);
    }
    SDL_DestroyRenderer(v->ren);
    SDL_DestroyWindow(v->win);
    free(v);
}

const struct view_ops view_sdl_ops = {
    .name = "sdl",
    .init = sdl_init,
    .fini = sdl_fini,
    .attach = sdl_attach,
    .surface = sdl_surface,
    .damage = sdl_damage,
    .gone = sdl_gone,
    .destroy = sdl_destroy,
    .cursor = sdl_cursor,
    .clipboard = sdl_clipboard,
};
