/* Announcing each guest's VNC address (announce.h): one entry per guest,
 * brought to what is wanted by transactions run from a timer, each inside
 * one domain's subtree (see devnodes.h for why). */
#include "config.h"

#include "announce.h"

#include "backoff.h"
#include "core/back.h"
#include "proto/layout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#define ADDR_MAX 128

struct aentry {
    struct aentry *next;
    int domid;
    char dir[128]; /* a vfb backend directory of its, for messages */
    bool want;     /* the guest listens: announce it */
    char listen[ADDR_MAX];
    int port; /* 0: listen is a socket's path */
    bool dirty;
    bool in_backend; /* our record in the backend directory is there */
    bool stale;      /* ... but of an address no longer wanted */
    bool in_console; /* console/ holds what we wrote: */
    char c_listen[ADDR_MAX];
    int c_port;
    bool said;     /* why console/ is not ours, once */
    bool watching; /* console/: libxl makes it, and may make it again */
    struct backoff retry;
};

struct announce {
    struct aml *aml;
    struct aml_timer *timer;
    struct aml_handler *xs_h;
    struct xs_handle *xs;
    int backend_domid;
    void (*log)(void *data, enum xfb_log_level level, int domid, const char *msg);
    void *log_data;
    struct aentry *entries;
};

static void say(struct announce *a, enum xfb_log_level level, int domid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct announce *a, enum xfb_log_level level, int domid, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    a->log(a->log_data, level, domid, msg);
}

/* ---- transactions ---- */

static char *get(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
    char path[192];
    snprintf(path, sizeof(path), "%s%s%s", dir, node ? "/" : "", node ? node : "");
    unsigned len;
    return xs_read(xs, t, path, &len);
}

static bool put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
                const char *v)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(xs, t, path, v, (unsigned)strlen(v));
}

/* remove dir/node; a node that is not there is no error */
static bool del(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_rm(xs, t, path) || errno == ENOENT;
}

/* body returns -1 to abort, 0 when it wrote nothing, > 0 when it wrote */
static int one_transaction(struct announce *a, struct aentry *e,
                           int (*body)(struct announce *, xs_transaction_t, struct aentry *))
{
    xs_transaction_t t = xs_transaction_start(a->xs);
    if (t == XBT_NULL)
        return -1;
    int rc = body(a, t, e);
    if (rc <= 0) {
        int err = errno;
        xs_transaction_end(a->xs, t, true);
        errno = err;
        return rc;
    }
    return xs_transaction_end(a->xs, t, false) ? rc : -1;
}

/* Our record in one vfb backend directory, while it exists: nothing of
 * a device that was removed is written back. 1 written, 0 not there. */
static int record(struct announce *a, xs_transaction_t t, struct aentry *e, const char *dir)
{
    char *here = get(a->xs, t, dir, NULL);
    if (!here)
        return errno == ENOENT ? 0 : -1;
    free(here);
    if (!e->want)
        return del(a->xs, t, dir, "vnc-listen") && del(a->xs, t, dir, "vnc-port") ? 1 : -1;
    char port[16];
    snprintf(port, sizeof(port), "%d", e->port);
    if (!put(a->xs, t, dir, "vnc-listen", e->listen) ||
        !(e->port ? put(a->xs, t, dir, "vnc-port", port) : del(a->xs, t, dir, "vnc-port")))
        return -1;
    return 1;
}

/* Every vfb backend directory of the guest, xenfb's and its kernel's:
 * one transaction, all below our own backend/. */
static int backend_body(struct announce *a, xs_transaction_t t, struct aentry *e)
{
    static const char *const types[] = {XFB_TYPE_FB, XFB_BACK_TYPE_KERNEL_FB};
    int wrote = 0;
    for (int k = 0; k < 2; k++) {
        char dom[96];
        snprintf(dom, sizeof(dom), "/local/domain/%d/backend/%s/%d", a->backend_domid, types[k],
                 e->domid);
        unsigned n = 0;
        char **ids = xs_directory(a->xs, t, dom, &n);
        if (!ids && errno != ENOENT)
            return -1;
        for (unsigned i = 0; ids && i < n; i++) {
            char dir[128];
            snprintf(dir, sizeof(dir), "%s/%s", dom, ids[i]);
            int rc = record(a, t, e, dir);
            if (rc < 0) {
                free(ids);
                return -1;
            }
            if (rc && !wrote)
                snprintf(e->dir, sizeof(e->dir), "%s", dir);
            wrote |= rc;
        }
        free(ids);
    }
    return wrote;
}

/* console/ holds exactly listen and port (port 0: no vnc-port)? */
static bool holds(const char *l, const char *p, const char *listen, int port)
{
    char want[16];
    snprintf(want, sizeof(want), "%d", port);
    return l && !strcmp(l, listen) && (port ? p && !strcmp(p, want) : !p);
}

enum { CONSOLE_FOREIGN = 0, CONSOLE_WRITTEN = 1, CONSOLE_MINE = 2, CONSOLE_NONE = 3 };

static int console_body(struct announce *a, xs_transaction_t t, struct aentry *e)
{
    char home[32], dir[48];
    snprintf(home, sizeof(home), "/local/domain/%d", e->domid);
    snprintf(dir, sizeof(dir), "%s/console", home);
    char *alive = get(a->xs, t, home, NULL);
    if (!alive) {
        if (errno == ENOENT)
            errno = ESRCH;
        return -1;
    }
    free(alive);
    /* console/ is libxl's, the domain's first console: without it there
     * is nothing for xl vncviewer yet (a PV or PVH domain gets it soon
     * after it appears; the watch on it says when) */
    char *cons = get(a->xs, t, dir, NULL);
    if (!cons)
        return errno == ENOENT ? CONSOLE_NONE : -1;
    free(cons);
    char *l = get(a->xs, t, dir, "vnc-listen"), *p = get(a->xs, t, dir, "vnc-port");
    int rc = CONSOLE_FOREIGN;
    bool ours = e->in_console && holds(l, p, e->c_listen, e->c_port);
    if (!e->want) {
        /* only what is still our own: QEMU's may have replaced it */
        if (ours && (!del(a->xs, t, dir, "vnc-listen") || !del(a->xs, t, dir, "vnc-port")))
            rc = -1;
        else
            rc = ours ? CONSOLE_WRITTEN : CONSOLE_FOREIGN;
    } else if (holds(l, p, e->listen, e->port)) {
        rc = CONSOLE_MINE; /* a daemon before us wrote it, and was killed */
    } else if (ours || (!l && !p)) {
        char port[16];
        snprintf(port, sizeof(port), "%d", e->port);
        if (!put(a->xs, t, dir, "vnc-listen", e->listen) ||
            !(e->port ? put(a->xs, t, dir, "vnc-port", port) : del(a->xs, t, dir, "vnc-port")))
            rc = -1;
        else
            rc = CONSOLE_WRITTEN;
    }
    int err = errno;
    free(l);
    free(p);
    errno = err;
    return rc;
}

/* The domain's type as libxl recorded it: "hvm", "pv", "pvh" or "" */
static void domain_type(struct announce *a, int domid, char *buf, size_t len)
{
    char path[32];
    snprintf(path, sizeof(path), "/libxl/%d/type", domid);
    unsigned n;
    char *v = xs_read(a->xs, XBT_NULL, path, &n);
    snprintf(buf, len, "%s", v ? v : "");
    free(v);
}

/* ---- one entry ---- */

#define TOKEN_CONSOLE "xfb-an-c"

static void watch_console(struct announce *a, struct aentry *e, bool on)
{
    if (e->watching == on)
        return;
    char path[48];
    snprintf(path, sizeof(path), "/local/domain/%d/console", e->domid);
    if (on && !xs_watch(a->xs, path, TOKEN_CONSOLE)) {
        say(a, XFB_LOG_WARNING, e->domid, "cannot watch %s: %s", path, strerror(errno));
        return;
    }
    if (!on)
        xs_unwatch(a->xs, path, TOKEN_CONSOLE);
    e->watching = on;
}

static void forget(struct announce *a, struct aentry *e)
{
    watch_console(a, e, false);
    for (struct aentry **p = &a->entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    free(e);
}

enum run_rc {
    RUN_DONE,  /* as wanted, or given up (said) */
    RUN_AGAIN, /* a transaction conflicted */
    RUN_GONE,  /* the domain is gone: nothing more to write or take back */
};

static enum run_rc run(struct announce *a, struct aentry *e)
{
    const char *dir = e->dir;
    /* written once for each address (console/ may call us again) */
    if (e->want ? !e->in_backend || e->stale : e->in_backend) {
        int rc = one_transaction(a, e, backend_body);
        if (rc < 0 && errno == EAGAIN)
            return RUN_AGAIN;
        if (rc < 0)
            say(a, XFB_LOG_WARNING, e->domid, "cannot write %s/vnc-*: %s", dir, strerror(errno));
        e->in_backend = rc > 0 && e->want;
        e->stale = false;
    }
    char type[8];
    domain_type(a, e->domid, type, sizeof(type));
    if (!strcmp(type, "hvm") && !e->in_console) {
        if (e->want && !e->said)
            say(a, XFB_LOG_INFO, e->domid,
                "an HVM guest: console/vnc-port stays QEMU's (xl vncviewer shows QEMU's "
                "display); xenfb's VNC address is in %s",
                dir);
        e->said = true;
        return RUN_DONE;
    }
    if (!e->want && !e->in_console)
        return RUN_DONE;
    watch_console(a, e, true);
    int rc = one_transaction(a, e, console_body);
    if (rc < 0) {
        if (errno == EAGAIN)
            return RUN_AGAIN;
        if (errno == ESRCH)
            return RUN_GONE;
        say(a, XFB_LOG_WARNING, e->domid, "cannot write /local/domain/%d/console/vnc-*: %s",
            e->domid, strerror(errno));
        return RUN_DONE;
    }
    if (!e->want) {
        e->in_console = false;
        return RUN_DONE;
    }
    if (rc == CONSOLE_NONE) {
        e->in_console = false;
        return RUN_DONE;
    }
    if (rc == CONSOLE_FOREIGN) {
        e->in_console = false;
        if (!e->said)
            say(a, XFB_LOG_INFO, e->domid,
                "console/vnc-port is not ours (QEMU's VNC server, as libxl records it): left "
                "as it is; xenfb's VNC address is in %s",
                dir);
        e->said = true;
        return RUN_DONE;
    }
    e->in_console = true;
    snprintf(e->c_listen, sizeof(e->c_listen), "%s", e->listen);
    e->c_port = e->port;
    return RUN_DONE;
}

static void kick(struct announce *a)
{
    int64_t next = -1, now = backoff_now_ms();
    for (struct aentry *e = a->entries; e; e = e->next)
        if (e->dirty && (next < 0 || e->retry.at < next))
            next = e->retry.at;
    if (aml_is_started(a->aml, a->timer))
        aml_stop(a->aml, a->timer);
    if (next < 0)
        return;
    aml_set_duration(a->timer, next > now ? (uint32_t)(next - now) : 0);
    aml_start(a->aml, a->timer);
}

static void on_timer(void *obj)
{
    struct announce *a = aml_get_userdata(obj);
    int64_t now = backoff_now_ms();
    for (struct aentry *e = a->entries, *next; e; e = next) {
        next = e->next;
        if (!e->dirty || e->retry.at > now)
            continue;
        enum run_rc rc = run(a, e);
        if (rc == RUN_AGAIN) {
            if (backoff_refused(&e->retry))
                say(a, XFB_LOG_WARNING, e->domid,
                    "xenstore keeps refusing our transactions (EAGAIN): trying again");
            continue;
        }
        unsigned n = backoff_reset(&e->retry);
        if (n)
            say(a, XFB_LOG_INFO, e->domid, "xenstore took our transactions after %u refusals", n);
        e->dirty = false;
        if (rc == RUN_GONE)
            say(a, XFB_LOG_DEBUG, e->domid, "the domain is gone: its VNC address goes nowhere");
        /* nothing announced any more, or nowhere to announce it */
        if (!e->want || rc == RUN_GONE)
            forget(a, e);
    }
    kick(a);
}

/* console/ changed: libxl made it (or made it again, without our nodes),
 * or somebody wrote there: look again */
static void on_xs(void *obj)
{
    struct announce *a = aml_get_userdata(obj);
    char **w;
    for (int i = 0; i < 256 && (w = xs_check_watch(a->xs)); i++) {
        int domid;
        if (!strcmp(w[XS_WATCH_TOKEN], TOKEN_CONSOLE) &&
            sscanf(w[XS_WATCH_PATH], "/local/domain/%d/", &domid) == 1)
            for (struct aentry *e = a->entries; e; e = e->next)
                if (e->domid == domid && e->want) {
                    e->dirty = true;
                    e->retry.at = 0;
                }
        free(w);
    }
    kick(a);
}

void announce_again(struct announce *a, int domid)
{
    for (struct aentry *e = a->entries; e; e = e->next)
        if (e->domid == domid && e->want) {
            e->stale = true;
            e->dirty = true;
            e->retry.at = 0;
        }
    kick(a);
}

void announce_set(struct announce *a, int domid, const char *listen, int port)
{
    struct aentry *e = a->entries;
    while (e && e->domid != domid)
        e = e->next;
    if (!e && !listen)
        return;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e) {
            say(a, XFB_LOG_ERROR, domid, "out of memory: its VNC address is not announced");
            return;
        }
        e->domid = domid;
        e->next = a->entries;
        a->entries = e;
    }
    e->stale = e->port != port || strcmp(e->listen, listen ? listen : "");
    if (!e->dir[0])
        snprintf(e->dir, sizeof(e->dir), "/local/domain/%d/backend/%s/%d/0", a->backend_domid,
                 XFB_TYPE_FB, domid);
    e->want = listen != NULL;
    snprintf(e->listen, sizeof(e->listen), "%s", listen ? listen : "");
    e->port = port;
    e->dirty = true;
    e->retry.at = 0;
    kick(a);
}

struct announce *announce_new(struct aml *aml, int backend_domid,
                              void (*log)(void *data, enum xfb_log_level level, int domid,
                                          const char *msg),
                              void *log_data)
{
    struct announce *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->aml = aml;
    a->backend_domid = backend_domid;
    a->log = log;
    a->log_data = log_data;
    a->xs = xs_open(0);
    a->timer = aml_timer_new(0, on_timer, a, NULL);
    if (!a->xs || !a->timer || !(a->xs_h = aml_handler_new(xs_fileno(a->xs), on_xs, a, NULL)) ||
        aml_start(aml, a->xs_h) < 0) {
        int e = errno ? errno : ENOMEM;
        announce_free(a);
        errno = e;
        return NULL;
    }
    return a;
}

void announce_free(struct announce *a)
{
    if (!a)
        return;
    /* the loop is over: take back what is left, a few tries each */
    for (struct aentry *e = a->entries; e && a->xs; e = e->next) {
        e->want = false;
        for (int tries = 0; tries < 5; tries++) {
            if (run(a, e) != RUN_AGAIN)
                break;
            struct timespec pause = {0, (long)(10000000L << tries)};
            nanosleep(&pause, NULL);
        }
    }
    while (a->entries)
        forget(a, a->entries);
    if (a->timer) {
        if (aml_is_started(a->aml, a->timer))
            aml_stop(a->aml, a->timer);
        aml_unref(a->timer);
    }
    if (a->xs_h) {
        if (aml_is_started(a->aml, a->xs_h))
            aml_stop(a->aml, a->xs_h);
        aml_unref(a->xs_h);
    }
    if (a->xs)
        xs_close(a->xs);
    free(a);
}
