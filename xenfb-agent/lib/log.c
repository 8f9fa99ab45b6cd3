/* The log sink: the library never prints; it formats one line and hands it
 * to the caller's function, filtered by the level XFB_LOG_LEVEL chose. */
#include "private.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xentoollog.h>

/* [XFB-010] lines at most once per this many seconds, per handle */
#define XFB_RATE_SECONDS 5

int xfb_log_level_from_env(void)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    const char *v = getenv("XFB_LOG_LEVEL");
    if (!v || !*v)
        return XFB_LOG_INFO;
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(v, names[i]))
            return i + 1;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0)
        return XFB_LOG_INFO;
    return n > XFB_LOG_DEBUG ? XFB_LOG_DEBUG : (int)n;
}

void xfb_log(struct xfb_front *f, int level, const char *fmt, ...)
{
    if (!f->log_fn || level > f->log_level)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    f->log_fn(f->log_data, level, buf);
}

void xfb_log_no_access(struct xfb_front *f, const char *what, int err)
{
    /* the usual case: an X server started as an ordinary user (GDM,
     * startx without the setuid wrapper); name the user in the fix */
    char buf[1024], name[64];
    struct passwd pw, *found = NULL;
    uid_t uid = getuid();
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
        snprintf(name, sizeof(name), "%s", pw.pw_name);
    else
        snprintf(name, sizeof(name), "%u", (unsigned)uid);
    xfb_log(f, XFB_LOG_ERROR,
            "[XFB-002] %s: %s: this process (user %s) may not open it: run X as root, or add the "
            "user to the group xenfb (adduser %s xenfb), which the udev rule 60-xenfb.rules "
            "lets open /dev/xen/gntalloc, evtchn and xenbus",
            what, strerror(err), name, name);
}

void xfb_log_rated(struct xfb_front *f, struct xfb_rate *r, int level, const char *fmt, ...)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* tv_sec 0 means never logged; a clock that starts at 0 logs twice */
    if (r->last.tv_sec && now.tv_sec - r->last.tv_sec < XFB_RATE_SECONDS) {
        r->suppressed++;
        return;
    }
    r->last = now;
    char buf[448];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (r->suppressed)
        xfb_log(f, level, "%s (and %u more since the last report)", buf, r->suppressed);
    else
        xfb_log(f, level, "%s", buf);
    r->suppressed = 0;
}

/* The Xen libraries log through xentoollog; by default to stderr, which a
 * library must not do. Their messages repeat what errno says, so they go to
 * our sink at debug level. */
struct xfb_xtl {
    struct xentoollog_logger base;
    struct xfb_front *f;
};

static void xtl_vmessage(struct xentoollog_logger *l, xentoollog_level level, int errnoval,
                         const char *context, const char *format, va_list al)
{
    struct xfb_front *f = ((struct xfb_xtl *)l)->f;
    (void)level;
    if (!f->log_fn || f->log_level < XFB_LOG_DEBUG)
        return;
    char buf[400];
    vsnprintf(buf, sizeof(buf), format, al);
    if (errnoval >= 0)
        xfb_log(f, XFB_LOG_DEBUG, "%s: %s: %s", context ? context : "xen", buf, strerror(errnoval));
    else
        xfb_log(f, XFB_LOG_DEBUG, "%s: %s", context ? context : "xen", buf);
}

static void xtl_destroy(struct xentoollog_logger *l)
{
    free(l);
}

struct xentoollog_logger *xfb_log_xtl_new(struct xfb_front *f)
{
    struct xfb_xtl *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->base.vmessage = xtl_vmessage;
    x->base.destroy = xtl_destroy;
    x->f = f;
    return &x->base;
}
