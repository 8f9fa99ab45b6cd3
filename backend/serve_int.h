/* What serve.c (the daemon's loop, logging, start-up) and screen.c (each
 * domain's screen) share. */
#ifndef XFB_SERVE_INT_H
#define XFB_SERVE_INT_H

#include <aml.h>
#include <stdarg.h>
#include <xenstore.h>

#include "announce.h"
#include "serve.h"
#include "toolstack.h"

#define MAX_VIEWS 4

struct screen;

struct xfb_serve {
    const struct serve_opts *o;
    struct aml *aml;
    struct xfb_back *back;
    struct xs_handle *xs; /* our own, for the console nodes */
    struct aml_handler *core_h[4];
    int n_core_h;
    bool core_paused;
    struct aml_timer *core_again; /* resumes a dispatch that left work */
    bool core_more;
    const struct view_ops *views[MAX_VIEWS];
    int n_views;
    struct screen *screens;
    struct toolstack *ts; /* makes the configured guests' devices */
    struct announce *ann; /* tells where their VNC servers listen */
    int status;
};

/* serve.c: one line of the daemon's log (domid -1: about no guest) */
void serve_log(enum xfb_log_level level, int domid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* screen.c: the core's callbacks (data: the struct xfb_serve) */
extern const struct xfb_back_ops screen_core_ops;

#endif
