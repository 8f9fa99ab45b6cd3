/* xenfb-backend serve: the backend core and the viewers on one aml loop.
 *
 * Each guest (domain) gets one screen (screen.c) with one instance of
 * every enabled viewer (view.h). The guests never share state: a guest
 * that misbehaves loses its own devices in the core, and its viewers see
 * surface(NULL) or gone like any other.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <aml.h>
#include <xenstore.h>

#include "privdrop.h"
#include "serve_int.h"

extern const struct view_ops view_vnc_ops, view_web_ops, view_sdl_ops;

/* ---- logging ---- */

static bool log_syslog;
static int log_max = XFB_LOG_INFO;

static void log_line(enum xfb_log_level level, int domid, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    if ((int)level > log_max)
        return;
    if (log_syslog) {
        if (domid >= 0)
            syslog(prio[level], "domain %d: %s", domid, msg);
        else
            syslog(prio[level], "%s", msg);
        return;
    }
    if (domid >= 0)
        fprintf(stderr, "xenfb-backend: %s: domain %d: %s\n", names[level], domid, msg);
    else
        fprintf(stderr, "xenfb-backend: %s: %s\n", names[level], msg);
}

static void core_log(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                     const char *msg)
{
    (void)data;
    (void)file;
    (void)line;
    log_line(level, domid, msg);
}

void serve_log(enum xfb_log_level level, int domid, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line(level, domid, msg);
}

void view_log(const struct view_guest *vg, enum xfb_log_level level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line(level, vg ? vg->domid : -1, msg);
}

void view_log_domid(int domid, enum xfb_log_level level, const char *msg)
{
    log_line(level, domid, msg);
}

const struct serve_opts *serve_opts(const struct xfb_serve *s)
{
    return s->o;
}

bool serve_addr_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* ---- the toolstack's and the announcer's lines, as everything else's ---- */

static void module_log(void *data, enum xfb_log_level level, int domid, const char *msg)
{
    (void)data;
    log_line(level, domid, msg);
}

/* ---- the loop ---- */

static void core_again_later(struct xfb_serve *s)
{
    if (s->core_more && !s->core_paused && !aml_is_started(s->aml, s->core_again))
        aml_start(s->aml, s->core_again);
}

static void core_dispatch(struct xfb_serve *s)
{
    /* A view draining its encoders runs the loop from inside a core
     * callback. An event aml queued for the core before the pause would
     * still be dispatched and re-enter the core there: a guest destroyed
     * meanwhile was freed under the callback still running for it. The
     * fd stays readable, so resuming the handlers brings the event back. */
    if (s->core_paused)
        return;
    int rc = xfb_back_dispatch(s->back);
    if (rc < 0) {
        serve_log(XFB_LOG_ERROR, -1, "lost the connection to Xen: %s", strerror(errno));
        s->status = 1;
        aml_exit(s->aml);
        return;
    }
    /* a guest had more than one dispatch takes: come back after the
     * loop has served everything else once */
    s->core_more = rc > 0;
    core_again_later(s);
}

static void on_core_fd(void *obj)
{
    core_dispatch(aml_get_userdata(obj));
}

static void on_core_again(void *obj)
{
    core_dispatch(aml_get_userdata(obj));
}

static void on_signal(void *obj)
{
    struct xfb_serve *s = aml_get_userdata(obj);
    serve_log(XFB_LOG_INFO, -1, "signal %d: stopping", aml_get_signo(obj));
    aml_exit(s->aml);
}

/* One line saying which guests the configuration names. */
static void say_config(const char *when, const struct guest_config *c)
{
    char what[64];
    if (c->n == 0)
        snprintf(what, sizeof(what), "no guest named");
    else
        snprintf(what, sizeof(what), "%zu guest%s named", c->n, c->n == 1 ? "" : "s");
    if (c->missing)
        serve_log(XFB_LOG_INFO, -1, "%s: %s does not exist: %s", when, c->file, what);
    else if (c->file)
        serve_log(XFB_LOG_INFO, -1, "%s: %s: %s", when, c->file, what);
    else
        serve_log(XFB_LOG_INFO, -1, "%s: %s", when, what);
}

/* SIGHUP: read the configuration again; a bad one changes nothing. */
static void on_reload(void *obj)
{
    struct xfb_serve *s = aml_get_userdata(obj);
    const struct serve_opts *o = s->o;
    struct guest_config c;
    char err[1024];
    if (guestconf_load(&c, o->config_file, o->config_required, o->guests, o->n_guests, err,
                       sizeof(err)) < 0) {
        serve_log(XFB_LOG_ERROR, -1, "SIGHUP: %s; keeping the configuration in use", err);
        return;
    }
    say_config("SIGHUP: configuration reloaded", &c);
    toolstack_reconfigure(s->ts, &c);
}

static int add_obj(struct xfb_serve *s, void *obj)
{
    if (!obj)
        return -1;
    int rc = aml_start(s->aml, obj);
    aml_unref(obj); /* the loop holds it while started */
    return rc;
}

/* Detach from the terminal. The parent waits until the child has
 * started (or failed) and exits with that status, so that errors in the
 * options still reach the terminal and the caller's exit status. */
static int detach_fd = -1;

static int daemonize(void)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char ok = 1;
        if (read(p[0], &ok, 1) != 1)
            ok = 1;
        _exit(ok ? 1 : 0);
    }
    close(p[0]);
    detach_fd = p[1];
    return setsid() < 0 ? -1 : 0;
}

/* Started: tell the waiting parent, drop the terminal. */
static void detached(void)
{
    if (detach_fd < 0)
        return;
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    char ok = 0;
    if (write(detach_fd, &ok, 1) != 1)
        serve_log(XFB_LOG_WARNING, -1, "cannot tell the parent process that we started");
    close(detach_fd);
    detach_fd = -1;
}

static int start_views(struct xfb_serve *s)
{
    s->views[s->n_views++] = &view_vnc_ops;
    if (s->o->web)
        s->views[s->n_views++] = &view_web_ops;
#ifdef HAVE_SDL
    if (s->o->sdl)
        s->views[s->n_views++] = &view_sdl_ops;
#endif
    for (int i = 0; i < s->n_views; i++)
        if (s->views[i]->init && s->views[i]->init(s) < 0) {
            for (int j = i - 1; j >= 0; j--)
                if (s->views[j]->fini)
                    s->views[j]->fini(s);
            return -1;
        }
    return 0;
}

static void stop_views(struct xfb_serve *s)
{
    for (int i = s->n_views - 1; i >= 0; i--)
        if (s->views[i]->fini)
            s->views[i]->fini(s);
}

static int open_core(struct xfb_serve *s)
{
    struct xfb_back_opts bo = {
        .ops = &screen_core_ops,
        .data = s,
        .backend_domid = -1,
        .only_domid = s->o->domid > 0 ? s->o->domid : 0,
        .refresh_ms = 0,
        .log_fn = core_log,
        .log_level = (enum xfb_log_level)log_max,
    };
    s->back = xfb_back_open(&bo);
    if (!s->back) {
        serve_log(XFB_LOG_ERROR, -1, "cannot open Xen (xenstore, gntdev, evtchn): %s",
                  strerror(errno));
        return -1;
    }
    s->core_again = aml_timer_new(0, on_core_again, s, NULL);
    if (!s->core_again) {
        serve_log(XFB_LOG_ERROR, -1, "cannot create a timer");
        return -1;
    }
    int fds[4];
    int n = xfb_back_fds(s->back, fds, 4);
    for (int i = 0; i < n; i++) {
        /* our own reference: serve_pause_core stops and restarts them */
        struct aml_handler *h = aml_handler_new(fds[i], on_core_fd, s, NULL);
        if (!h || aml_start(s->aml, h) < 0) {
            if (h)
                aml_unref(h);
            serve_log(XFB_LOG_ERROR, -1, "cannot watch the core's fds");
            return -1;
        }
        s->core_h[s->n_core_h++] = h;
    }
    return 0;
}

void serve_pause_core(struct xfb_serve *s, bool pause)
{
    if (pause == s->core_paused)
        return;
    s->core_paused = pause;
    for (int i = 0; i < s->n_core_h; i++)
        if (pause)
            aml_stop(s->aml, s->core_h[i]);
        else
            aml_start(s->aml, s->core_h[i]);
    core_again_later(s);
}

static void close_core(struct xfb_serve *s)
{
    for (int i = 0; i < s->n_core_h; i++) {
        if (!s->core_paused)
            aml_stop(s->aml, s->core_h[i]);
        aml_unref(s->core_h[i]);
    }
    s->n_core_h = 0;
    if (s->core_again) {
        if (aml_is_started(s->aml, s->core_again))
            aml_stop(s->aml, s->core_again);
        aml_unref(s->core_again);
        s->core_again = NULL;
    }
    if (s->back)
        xfb_back_close(s->back); /* the gone callbacks free every guest */
    s->back = NULL;
}

/* --user: everything that needs root is open (the TLS key and
 * certificate and the password were read at start); become the user. */
static int drop_root(const struct serve_opts *o)
{
    if (privdrop_to(o->uid, o->gid) < 0) {
        serve_log(XFB_LOG_ERROR, -1, "cannot become user %s: %s", o->user, strerror(errno));
        return -1;
    }
    serve_log(XFB_LOG_INFO, -1, "running as user %s (uid %u, gid %u)", o->user, (unsigned)o->uid,
              (unsigned)o->gid);
    return 0;
}

/* The announcer, then the toolstack: it looks at what runs from the
 * loop, once the core is there to serve what it makes. */
static int start_toolstack(struct xfb_serve *s, struct guest_config *config)
{
    int bdomid = xfb_back_domid(s->back);
    s->ann = announce_new(s->aml, bdomid, module_log, s);
    if (!s->ann) {
        serve_log(XFB_LOG_ERROR, -1, "cannot open xenstore for the VNC addresses: %s",
                  strerror(errno));
        return -1;
    }
    struct toolstack_opts to = {
        .backend_domid = bdomid,
        .only_domid = s->o->domid,
        .log = module_log,
        .log_data = s,
    };
    say_config("configuration", config);
    s->ts = toolstack_new(s->aml, &to, config);
    if (!s->ts) {
        serve_log(XFB_LOG_ERROR, -1, "cannot watch the domains come and go: %s", strerror(errno));
        return -1;
    }
    if (add_obj(s, aml_signal_new(SIGHUP, on_reload, s, NULL)) < 0) {
        serve_log(XFB_LOG_ERROR, -1, "cannot catch SIGHUP");
        return -1;
    }
    return 0;
}

int serve_run(struct serve_opts *o)
{
    struct xfb_serve s = {.o = o};
    log_max = o->verbose ? XFB_LOG_DEBUG : XFB_LOG_INFO;
    if (o->use_syslog) {
        openlog("xenfb-backend", LOG_PID, LOG_DAEMON);
        log_syslog = true;
    }
    signal(SIGPIPE, SIG_IGN);
    s.aml = aml_new();
    if (!s.aml) {
        serve_log(XFB_LOG_ERROR, -1, "cannot create the event loop");
        return 1;
    }
    aml_set_default(s.aml);
    int rc = 1;
    if (!o->foreground && daemonize() < 0) {
        serve_log(XFB_LOG_ERROR, -1, "cannot detach: %s", strerror(errno));
        goto out_aml;
    }
    if (start_views(&s) < 0)
        goto out_aml;
    s.xs = xs_open(0);
    if (!s.xs) {
        serve_log(XFB_LOG_ERROR, -1, "cannot open xenstore: %s", strerror(errno));
        goto out_views;
    }
    if (add_obj(&s, aml_signal_new(SIGTERM, on_signal, &s, NULL)) < 0 ||
        add_obj(&s, aml_signal_new(SIGINT, on_signal, &s, NULL)) < 0) {
        serve_log(XFB_LOG_ERROR, -1, "cannot catch signals");
        goto out_xs;
    }
    if (open_core(&s) < 0)
        goto out_core;
    if (start_toolstack(&s, &o->config) < 0)
        goto out_core;
    if (o->user && drop_root(o) < 0)
        goto out_core;
    serve_log(XFB_LOG_INFO, -1, "serving %s", o->domid >= 0 ? "one guest" : "every guest");
    if (o->domid >= 0)
        serve_log(XFB_LOG_INFO, -1, "only domain %d", o->domid);
    s.status = 0;
    if (!o->foreground && !log_syslog) {
        /* detached: stderr goes nowhere from now on */
        openlog("xenfb-backend", LOG_PID, LOG_DAEMON);
        log_syslog = true;
    }
    detached();
    aml_run(s.aml);
    rc = s.status;
out_core:
    toolstack_free(s.ts);
    close_core(&s); /* the viewers take their VNC addresses back */
    announce_free(s.ann);
out_xs:
    xs_close(s.xs);
out_views:
    stop_views(&s);
out_aml:
    guestconf_clear(&o->config); /* when the toolstack did not take it */
    aml_unref(s.aml);
    if (log_syslog)
        closelog();
    return rc;
}
