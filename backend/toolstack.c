/* The domains the daemon knows, how it learns of them, and the loop that
 * brings each one's devices to what the configuration says (toolstack.h).
 *
 * A domain record is marked for work by an event (it appeared, went,
 * was renamed, the configuration changed); the work runs from a timer,
 * a bounded number of transactions per turn of the loop, so that a host
 * with many domains never holds the loop for long. The work of a domain
 * is a list of idempotent steps (toolstack_steps.c) done from the start
 * each time: after a conflict, or in a daemon started anew after a kill,
 * the steps already done find their nodes there and change nothing.
 */
#include "config.h"

#include "toolstack_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_INTRO   "xfb-ts-i"
#define TOKEN_RELEASE "xfb-ts-r"
#define TOKEN_NAME    "xfb-ts-n"
#define TOKEN_DEVICES "xfb-ts-d"

/* transactions per turn of the loop, over all domains */
#define STEPS_PER_TURN 32
/* watch events taken per turn */
#define WATCHES_PER_TURN 256

void ts_log(struct toolstack *ts, enum xfb_log_level level, int domid, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ts->o.log(ts->o.log_data, level, domid, msg);
}

/* ---- domain records ---- */

static struct tdom *find(struct toolstack *ts, int domid)
{
    for (struct tdom *d = ts->doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

/* A domain's name (xl rename; an incoming migration's "NAME--incoming"
 * becomes NAME once it has arrived) and its target (libxl writes it into
 * a device model's stub domain just after introducing it) may make the
 * configuration name it, or stop naming it. Its vfb and vkbd devices:
 * libxl adds its own after the domain appears (and replaces a frontend
 * directory at an index it wants), so where the kernel's devices go is
 * looked at again when they change. */
static const struct {
    const char *node, *token;
} watched[] = {
    {"name", TOKEN_NAME},
    {"target", TOKEN_NAME},
    {"device/vfb", TOKEN_DEVICES},
    {"device/vkbd", TOKEN_DEVICES},
};

static void identity_watch(struct toolstack *ts, struct tdom *d, bool on)
{
    if (d->watching == on)
        return;
    for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++) {
        char path[48];
        snprintf(path, sizeof(path), "/local/domain/%d/%s", d->domid, watched[i].node);
        if (!on)
            xs_unwatch(ts->xs, path, watched[i].token);
        else if (!xs_watch(ts->xs, path, watched[i].token))
            ts_log(ts, XFB_LOG_WARNING, d->domid, "cannot watch %s (%s): a change goes unnoticed",
                   path, strerror(errno));
    }
    d->watching = on;
}

static struct tdom *add(struct toolstack *ts, int domid, bool gone)
{
    struct tdom *d = calloc(1, sizeof(*d));
    if (!d) {
        ts_log(ts, XFB_LOG_ERROR, domid, "out of memory: not looking after this domain");
        return NULL;
    }
    d->domid = domid;
    d->gone = gone;
    d->dirty = true;
    d->next = ts->doms;
    ts->doms = d;
    if (!gone)
        identity_watch(ts, d, true);
    return d;
}

void ts_forget(struct toolstack *ts, struct tdom *d)
{
    identity_watch(ts, d, false);
    for (struct tdom **p = &ts->doms; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    free(d);
}

static bool ours(const struct toolstack *ts, int domid)
{
    if (domid == ts->o.backend_domid || domid == 0)
        return false;
    return ts->o.only_domid <= 0 || domid == ts->o.only_domid;
}

/* ---- learning what runs ---- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static bool in(const int *ids, int n, int id)
{
    return bsearch(&id, ids, (size_t)n, sizeof(*ids), cmp_int) != NULL;
}

/* The domains with a home: sorted, malloc'ed, NULL + errno. */
static int *running(struct toolstack *ts, int *n)
{
    unsigned k = 0;
    char **ents = xs_directory(ts->xs, XBT_NULL, "/local/domain", &k);
    if (!ents)
        return NULL;
    int *ids = malloc((k + 1) * sizeof(*ids));
    *n = 0;
    for (unsigned i = 0; ids && i < k; i++) {
        char *end;
        errno = 0;
        long v = strtol(ents[i], &end, 10);
        if (ents[i][0] >= '0' && ents[i][0] <= '9' && !*end && !errno && v <= 0x7fef)
            ids[(*n)++] = (int)v;
    }
    free(ents);
    if (ids)
        qsort(ids, (size_t)*n, sizeof(*ids), cmp_int);
    return ids;
}

/* Domains came or went (or we just started): a record for each new one,
 * the records of those gone marked, and a record for every domain that
 * has none and left backend directories behind. */
static void scan(struct toolstack *ts)
{
    int n;
    int *live = running(ts, &n);
    if (!live) {
        ts_log(ts, XFB_LOG_ERROR, -1, "cannot list /local/domain: %s", strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++)
        if (ours(ts, live[i]) && !find(ts, live[i]))
            add(ts, live[i], false);
    for (struct tdom *d = ts->doms; d; d = d->next)
        if (!d->gone && !in(live, n, d->domid)) {
            d->gone = true;
            d->dirty = true;
            d->retry.at = 0;
        }
    static const char *const types[] = {XFB_TYPE_FB, XFB_TYPE_KBD, XFB_BACK_TYPE_KERNEL_FB,
                                        XFB_BACK_TYPE_KERNEL_KBD};
    for (int t = 0; t < 4; t++) {
        int ids[1024];
        int k = devnodes_list_domains(ts->xs, ts->o.backend_domid, types[t], ids, 1024);
        for (int i = 0; i < k; i++)
            if (ours(ts, ids[i]) && !in(live, n, ids[i]) && !find(ts, ids[i]))
                add(ts, ids[i], true);
    }
    free(live);
    ts_kick(ts);
}

static void on_watch(struct toolstack *ts, const char *path, const char *token)
{
    if (!strcmp(token, TOKEN_INTRO) || !strcmp(token, TOKEN_RELEASE)) {
        ts->scan_pending = true;
        return;
    }
    int domid, end = 0;
    if ((strcmp(token, TOKEN_NAME) && strcmp(token, TOKEN_DEVICES)) ||
        sscanf(path, "/local/domain/%d/%n", &domid, &end) != 1 || !end)
        return;
    struct tdom *d = find(ts, domid);
    if (!d || d->gone || !d->known)
        return;
    if (!strcmp(token, TOKEN_DEVICES)) {
        /* a device came or went, or names another backend: nothing below
         * that (states, rings) is news */
        int depth = 0;
        for (const char *c = path + end; *c; c++)
            depth += *c == '/';
        const char *last = strrchr(path, '/');
        /* device/vfb, device/vfb/N, device/vfb/N/backend */
        if (depth <= 2 || (depth == 3 && !strcmp(last, "/backend")))
            d->dirty = true;
        return;
    }
    /* each watch fires once when set: only a change is news */
    unsigned len;
    char *v = xs_read(ts->xs, XBT_NULL, path, &len);
    bool changed =
        !strcmp(path + end, "name") ? !v || strcmp(v, d->name) : (v != NULL) != d->stubdom;
    free(v);
    if (changed) {
        d->known = false; /* read who it is again */
        d->dirty = true;
    }
}

static void on_xs(void *obj)
{
    struct toolstack *ts = aml_get_userdata(obj);
    char **w;
    for (int i = 0; i < WATCHES_PER_TURN && (w = xs_check_watch(ts->xs)); i++) {
        on_watch(ts, w[XS_WATCH_PATH], w[XS_WATCH_TOKEN]);
        free(w);
    }
    if (ts->scan_pending) {
        ts->scan_pending = false;
        scan(ts);
    }
    ts_kick(ts);
}

/* ---- the work, from the timer ---- */

void ts_refused(struct toolstack *ts, struct tdom *d)
{
    if (backoff_refused(&d->retry))
        ts_log(ts, XFB_LOG_WARNING, d->domid,
               "xenstore keeps refusing our transactions (EAGAIN): trying again");
}

static void settled(struct toolstack *ts, struct tdom *d)
{
    unsigned n = backoff_reset(&d->retry);
    if (n)
        ts_log(ts, XFB_LOG_INFO, d->domid, "xenstore took our transactions after %u refusals", n);
}

/* Run the due work; then set the timer for what is left. */
static void work(struct toolstack *ts)
{
    int64_t now = backoff_now_ms();
    int budget = STEPS_PER_TURN;
    for (struct tdom *d = ts->doms, *next; d && budget > 0; d = next) {
        next = d->next;
        if (!d->dirty || d->retry.at > now)
            continue;
        /* TS_AGAIN: ts_refused set retry.at; TS_BUDGET: the next turn
         * goes on; TS_FORGOTTEN: d is no more */
        if (ts_steps(ts, d, &budget) == TS_DONE) {
            settled(ts, d);
            d->dirty = false;
        }
    }
    ts_kick(ts);
}

static void on_timer(void *obj)
{
    work(aml_get_userdata(obj));
}

void ts_kick(struct toolstack *ts)
{
    int64_t next = -1, now = backoff_now_ms();
    for (struct tdom *d = ts->doms; d; d = d->next)
        if (d->dirty && (next < 0 || d->retry.at < next))
            next = d->retry.at;
    if (aml_is_started(ts->aml, ts->timer))
        aml_stop(ts->aml, ts->timer);
    if (next < 0)
        return;
    aml_set_duration(ts->timer, next > now ? (uint32_t)(next - now) : 0);
    aml_start(ts->aml, ts->timer);
}

/* ---- life ---- */

struct toolstack *toolstack_new(struct aml *aml, const struct toolstack_opts *o,
                                struct guest_config *cfg)
{
    struct toolstack *ts = calloc(1, sizeof(*ts));
    if (!ts)
        return NULL;
    ts->aml = aml;
    ts->o = *o;
    ts->xs = xs_open(0);
    if (!ts->xs)
        goto fail;
    /* both fire once at once: that first event is the start-up scan */
    if (!xs_watch(ts->xs, "@introduceDomain", TOKEN_INTRO) ||
        !xs_watch(ts->xs, "@releaseDomain", TOKEN_RELEASE))
        goto fail;
    ts->timer = aml_timer_new(0, on_timer, ts, NULL);
    ts->xs_h = aml_handler_new(xs_fileno(ts->xs), on_xs, ts, NULL);
    if (!ts->timer || !ts->xs_h || aml_start(aml, ts->xs_h) < 0)
        goto fail;
    ts->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    return ts;
fail:;
    int e = errno ? errno : ENOMEM;
    toolstack_free(ts);
    errno = e;
    return NULL;
}

void toolstack_reconfigure(struct toolstack *ts, struct guest_config *cfg)
{
    guestconf_clear(&ts->cfg);
    ts->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    for (struct tdom *d = ts->doms; d; d = d->next) {
        d->dirty = true;
        d->retry.at = 0;
    }
    ts_kick(ts);
}

void toolstack_free(struct toolstack *ts)
{
    if (!ts)
        return;
    while (ts->doms)
        ts_forget(ts, ts->doms);
    if (ts->timer) {
        if (aml_is_started(ts->aml, ts->timer))
            aml_stop(ts->aml, ts->timer);
        aml_unref(ts->timer);
    }
    if (ts->xs_h) {
        if (aml_is_started(ts->aml, ts->xs_h))
            aml_stop(ts->aml, ts->xs_h);
        aml_unref(ts->xs_h);
    }
    if (ts->xs)
        xs_close(ts->xs);
    guestconf_clear(&ts->cfg);
    free(ts);
}
