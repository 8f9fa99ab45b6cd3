/* `xenfb-backend serve`: the daemon. One thread, one aml event loop: the
 * backend core's fds, the viewers' sockets and the signals that stop it.
 * Nothing polls; it sleeps until one of them is readable.
 */
#ifndef XFB_SERVE_H
#define XFB_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "guestconf.h"
#include "view.h"

struct serve_opts {
    int domid;            /* -1: every guest */
    bool foreground;      /* do not detach from the terminal */
    bool use_syslog;      /* log to syslog instead of stderr */
    int verbose;          /* 0: info, 1: debug */
    const char *vnc;      /* NULL: 127.0.0.1 base 5900; see view_vnc.c */
    const char *keymap;   /* layout for keysym-only clients, "us" */
    const char *tls_cert; /* VeNCrypt X509Plain: all three or none */
    const char *tls_key;
    const char *password_file;
    bool insecure_no_auth;  /* allow a non-loopback listener without auth */
    const char *web;        /* NULL: no web viewer; "PORT" or "ADDR:PORT" */
    const char *novnc_dir;  /* /usr/share/novnc */
    const char *websockify; /* the websockify program */
    const char *state_dir;  /* for the web viewer's token files */
    unsigned refresh_ms;    /* period asked of watched guests */
    bool sdl;               /* a window per guest (HAVE_SDL builds) */
    const char *user;       /* NULL: stay root; else become this user */
    uid_t uid;              /* ... whose ids main() looked up */
    gid_t gid;
    /* the guests that get devices (toolstack.h): read by main() from
     * these, and again from them on SIGHUP */
    const char *config_file;   /* the guests file */
    bool config_required;      /* given with --config: must exist */
    const char *const *guests; /* --guest specs */
    size_t n_guests;
    struct guest_config config; /* what main() read: serve_run takes it */
};

/* Run until SIGTERM/SIGINT; the exit status. Takes o->config. */
int serve_run(struct serve_opts *o);

/* The options, for the viewers. */
const struct serve_opts *serve_opts(const struct xfb_serve *s);

/* Stop (true) or resume watching the backend core's fds, so that a
 * viewer may run the loop from inside a core callback without the core
 * being entered again. */
void serve_pause_core(struct xfb_serve *s, bool pause);

/* Whether ADDR (numeric) is a loopback address. */
bool serve_addr_is_loopback(const char *addr);

#endif
