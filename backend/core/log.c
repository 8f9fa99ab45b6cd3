/* The core's one log sink: the daemon can replace it; by default lines go
 * to stderr. Every line names the guest and device it is about. */
#include "config.h"

#include "private.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const level_names[] = {"error", "warning", "info", "debug"};

static void log_stderr(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                       const char *msg)
{
    (void)data;
    (void)file;
    (void)line;
    if (domid >= 0)
        fprintf(stderr, "xenfb-backend: %s: dom%d: %s\n", level_names[level], domid, msg);
    else
        fprintf(stderr, "xenfb-backend: %s: %s\n", level_names[level], msg);
}

void xfb_back_set_log_fn(struct xfb_back *b, xfb_back_log_fn fn, void *data,
                         enum xfb_log_level level)
{
    b->log_fn = fn ? fn : log_stderr;
    b->log_data = fn ? data : NULL;
    b->log_level = level;
}

void xfb_log_(struct xfb_back *b, enum xfb_log_level level, const struct xfb_dev *d,
              const char *file, int line, const char *fmt, ...)
{
    if (level > b->log_level)
        return;
    char msg[512];
    int n = 0;
    if (d)
        n = snprintf(msg, sizeof(msg), "%s/%d: ", d->name, d->devid);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    b->log_fn(b->log_data, level, d ? d->g->domid : -1, file, line, msg);
}
