/* Viewers: the ways `xenfb-backend serve` shows a guest (VNC, a web
 * page, an SDL window). Each is one table of function pointers in its own
 * file, as neatvnc's stream interface. serve.c creates one instance of
 * every enabled viewer per guest, calls it from its single event loop
 * thread and never from anywhere else.
 *
 * Life of an instance, for one guest (after the viewer's init):
 *   attach                once, when the guest appears
 *   surface(s)            the vfb connected or was resized: s replaces any
 *                         earlier surface; surface(NULL): the vfb went away
 *                         and the old pixels must not be read any more
 *   damage                pixels of the current surface changed
 *   cursor(c)             the guest's cursor changed (image, hotspot,
 *                         shown or hidden); cursor(NULL): the guest draws
 *                         its cursor into the surface (c: back.h)
 *   clipboard(text)       the guest's clipboard text (UTF-8), when dom0's
 *                         policy lets it out of the guest
 *   gone                  the guest is going away (surface(NULL) came first)
 *   destroy               free everything; the last call
 *
 * A viewer feeds input to the guest with view_key/pointer/wheel/hwheel
 * (the screen, screen.c, sends it to the keyboard of the picture shown),
 * and reports its watchers with view_watchers() so that an unwatched
 * guest sends no updates at all. One domain is one guest here: its X
 * screen and its kernel's console share its viewers, and surface() is
 * called again when the one shown changes.
 */
#ifndef XFB_VIEW_H
#define XFB_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/back.h"

struct xfb_serve;

/* The daemon's side of one guest, shared by its viewers. */
struct view_guest {
    struct xfb_serve *serve;
    int domid, devid;
    char name[64]; /* the guest's name, or "domain N" */
    int watchers;  /* viewers connected right now, all kinds */
    /* filled in by the VNC viewer for the web viewer to bridge to */
    char vnc_host[64]; /* "127.0.0.1", or "" for a Unix socket */
    int vnc_port;
    char vnc_path[108];
};

struct view_ops {
    const char *name;
    /* Once at startup, before any guest: check the options, open what
     * every guest shares. -1 (logged): the daemon does not start. May be
     * NULL, as may fini. */
    int (*init)(struct xfb_serve *s);
    void (*fini)(struct xfb_serve *s);
    /* A new instance for this guest, NULL + errno. */
    void *(*attach)(struct view_guest *vg);
    void (*surface)(void *view, const struct xfb_back_surface *s);
    void (*damage)(void *view, int x, int y, int w, int h);
    void (*gone)(void *view);
    void (*destroy)(void *view);
    /* May be NULL: a viewer that shows the VNC server's stream (web). */
    void (*cursor)(void *view, const struct xfb_back_cursor *c);
    /* May be NULL: the guest's clipboard text, UTF-8, NUL-terminated. */
    void (*clipboard)(void *view, const char *utf8, size_t len);
};

/* Text a viewer's user copied (UTF-8) for the guest's clipboard; from
 * names the viewer in the log line. Dom0's policy applies (core). */
void view_clipboard_to_guest(struct view_guest *vg, const char *utf8, size_t len, const char *from);

/* From a damage call on: keep the guest from drawing over what it
 * reports (xfb_back_hold), to copy it only when a viewer wants a new
 * picture; view_release once copied. false: the guest would not wait
 * (copy now). One view holds at a time; a new surface ends the hold. */
bool view_hold(struct view_guest *vg);
void view_release(struct view_guest *vg);

/* A viewer of this guest connected (+1) or left (-1). */
void view_watchers(struct view_guest *vg, int delta);

/* Input from a viewer: a Linux key or button code, a position in the
 * picture shown (its pixels), the wheels. Dropped while the guest has no
 * keyboard connected; a key goes up where it went down. */
void view_key(struct view_guest *vg, unsigned code, bool down);
void view_pointer(struct view_guest *vg, int x, int y);
void view_wheel(struct view_guest *vg, int dz);
void view_hwheel(struct view_guest *vg, int dw);

/* A viewer's window became w x h: ask the guest for that mode (the
 * size request of protocol.md 9, logged "resize requested by FROM"),
 * if the picture shown is X's and its driver takes requests. true when
 * asked (or waiting to be: the guest answers one at a time); false: the
 * viewer keeps scaling the picture as before. A guest's new mode comes
 * as surface(). */
bool view_request_size(struct view_guest *vg, int w, int h, const char *from);

/* Whether the guest's shown screen takes size requests now (X's, with
 * feature-resize-request). */
bool view_takes_sizes(struct view_guest *vg);

/* This guest's VNC server listens at listen:port (port 0: listen is a
 * Unix socket's path); listen NULL: no longer. Written to xenstore for
 * dom0's tools from the loop (announce.h says where, and where not). */
void view_announce(struct view_guest *vg, const char *listen, int port);

/* One log line about this guest, as serve logs everything. */
void view_log(const struct view_guest *vg, enum xfb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One line about domain domid (-1: none), from any thread: for what runs
 * beside the loop and may outlive the view_guest. */
void view_log_domid(int domid, enum xfb_log_level level, const char *msg);

#endif
