/* xenstore watches: registration, matching changes against them, events.
 *
 * As in xenstored, a change at P fires every watch at P or above it; a
 * removal also fires the watches on each removed node below P (each with
 * its own path). A watch only hears about nodes its domain may read (or
 * whose parent it may read). @introduceDomain and @releaseDomain reach the
 * domains their permission lists allow, dom0 by default.
 */
#define _GNU_SOURCE 1
#include "xs_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is child at or below parent? "/" is above everything, special names
 * included, as in xenstored. */
static bool is_child(const char *child, const char *parent)
{
    size_t len = strlen(parent);

    if (!strcmp(parent, "/"))
        return true;
    if (strncmp(child, parent, len))
        return false;
    return child[len] == '/' || child[len] == '\0';
}

static unsigned domain_watches(unsigned domid)
{
    unsigned n = 0;

    for (struct xs_conn *c = xs_conns; c; c = c->next)
        if (c->domid == domid)
            for (struct xs_watch *w = c->watches; w; w = w->next)
                n++;
    return n;
}

static void watch_free(struct xs_watch *w)
{
    free(w->path);
    free(w->token);
    free(w);
}

/* Canonical form of a watch path: absolute, or a special name. */
static char *watch_canon(const struct xs_conn *c, const char *path, bool *relative)
{
    char *p;

    *relative = false;
    if (path[0] == '@') {
        if (strlen(path) > XENSTORE_REL_PATH_MAX) {
            errno = EINVAL;
            return NULL;
        }
        p = strdup(path);
        if (!p)
            errno = ENOMEM;
        return p;
    }
    *relative = path[0] != '/';
    return store_canon(c->domid, path);
}

struct xs_watch *xs_watch_add(struct xs_conn *c, const char *path, const char *token, int *err)
{
    struct xs_watch *w, **tail;
    bool relative;
    char *canon = watch_canon(c, path, &relative);

    if (!canon) {
        *err = errno;
        return NULL;
    }
    for (tail = &c->watches; *tail; tail = &(*tail)->next) {
        if (!strcmp((*tail)->path, canon) && !strcmp((*tail)->token, token)) {
            free(canon);
            *err = EEXIST;
            return NULL;
        }
    }
    if (c->domid != 0 &&
        domain_watches(c->domid) >= store_quota_get(xs_store, c->domid, STORE_QUOTA_WATCHES)) {
        free(canon);
        *err = E2BIG;
        return NULL;
    }
    w = calloc(1, sizeof(*w));
    if (!w || !(w->token = strdup(token))) {
        free(w);
        free(canon);
        *err = ENOMEM;
        return NULL;
    }
    w->path = canon;
    w->relative = relative;
    *tail = w;
    return w;
}

int xs_watch_remove(struct xs_conn *c, const char *path, const char *token)
{
    bool relative;
    char *canon = watch_canon(c, path, &relative);

    if (!canon)
        return errno;
    for (struct xs_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct xs_watch *w = *pp;

        if (!strcmp(w->path, canon) && !strcmp(w->token, token)) {
            *pp = w->next;
            watch_free(w);
            free(canon);
            return 0;
        }
    }
    free(canon);
    return ENOENT;
}

void xs_watch_clear(struct xs_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;

        c->watches = w->next;
        watch_free(w);
    }
}

const char *xs_watch_path(const struct xs_conn *c, const struct xs_watch *w, const char *path)
{
    char prefix[32];
    int n;

    if (!w->relative)
        return path;
    n = snprintf(prefix, sizeof(prefix), "/local/domain/%u", c->domid);
    if (strncmp(path, prefix, (size_t)n) || (path[n] != '/' && path[n] != '\0'))
        return path;
    path += n;
    return *path == '/' ? path + 1 : path;
}

void xs_watch_notify(struct xs_conn *c, const struct xs_watch *w, const char *path)
{
    const char *p = xs_watch_path(c, w, path);
    size_t plen = strlen(p) + 1, tlen = strlen(w->token) + 1;
    char buf[XENSTORE_PAYLOAD_MAX];

    /* xenstored drops an event too long for one message; so do we */
    if (plen + tlen > sizeof(buf))
        return;
    memcpy(buf, p, plen);
    memcpy(buf + plen, w->token, tlen);
    xs_send(c, XS_WATCH_EVENT, 0, 0, buf, plen + tlen);
}

static void (*change_hook)(const struct store_events *ev);

void xs_on_change(void (*fn)(const struct store_events *ev))
{
    change_hook = fn;
}

void xs_watch_deliver(const struct store_events *ev)
{
    if (change_hook)
        change_hook(ev);
    for (size_t i = 0; i < ev->num; i++) {
        const struct store_event *e = &ev->ev[i];

        for (struct xs_conn *c = xs_conns; c; c = c->next) {
            if (c->dead || !store_event_visible(e, c->domid))
                continue;
            for (struct xs_watch *w = c->watches; w; w = w->next) {
                if (e->exact ? !strcmp(e->path, w->path) : is_child(e->path, w->path))
                    xs_watch_notify(c, w, e->path);
            }
        }
    }
}

void xs_watch_fire_special(const char *name)
{
    const struct store_perms *p = store_special_perms(xs_store, name);

    if (!p)
        return;
    for (struct xs_conn *c = xs_conns; c; c = c->next) {
        if (c->dead || !store_perms_readable(p, c->domid))
            continue;
        for (struct xs_watch *w = c->watches; w; w = w->next)
            if (is_child(name, w->path))
                xs_watch_notify(c, w, name);
    }
}
