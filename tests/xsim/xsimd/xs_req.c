/* xenstore requests: parse one message, act on the store, reply.
 *
 * Replies echo the request's type, req_id and tx_id; errors are XS_ERROR
 * with the errno name ("ENOENT\0"), as xenstored sends them. A malformed
 * request (no NUL where a string belongs, a bad path, an unknown type) gets
 * an error reply; the connection stays usable.
 */
#define _GNU_SOURCE 1
#include "xs_conn.h"

#include "domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMID_SELF 0x7ff0u

typedef int (*xs_handler)(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                          struct store_tx *tx);

static void reply(struct xs_conn *c, const struct xsd_sockmsg *m, const void *data, size_t len)
{
    xs_send(c, m->type, m->req_id, m->tx_id, data, len);
}

static void reply_ok(struct xs_conn *c, const struct xsd_sockmsg *m)
{
    reply(c, m, "OK", 3);
}

static void reply_error(struct xs_conn *c, const struct xsd_sockmsg *m, int err)
{
    const char *name = "EINVAL";

    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
        if (xsd_errors[i].errnum == err) {
            name = xsd_errors[i].errstring;
            break;
        }
    }
    xs_send(c, XS_ERROR, m->req_id, m->tx_id, name, strlen(name) + 1);
}

/* Number of NUL-terminated strings in the payload. */
static unsigned count_strings(const char *body, size_t len)
{
    unsigned n = 0;

    for (size_t i = 0; i < len; i++)
        if (!body[i])
            n++;
    return n;
}

/* The payload as one string: exactly one NUL, at the end. */
static const char *onearg(const struct xsd_sockmsg *m, const char *body)
{
    if (!m->len || memchr(body, '\0', m->len) != body + m->len - 1)
        return NULL;
    return body;
}

static bool parse_domid(const char *s, unsigned *domid)
{
    unsigned long v = 0;

    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 0xffff)
            return false;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    if (v > 0xffff)
        return false;
    *domid = (unsigned)v;
    return true;
}

static struct xs_txn *find_txn(struct xs_conn *c, uint32_t id)
{
    for (struct xs_txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

/* Reply with what a store query produced (malloc'ed), or return its errno. */
static int reply_result(struct xs_conn *c, const struct xsd_sockmsg *m, int rc, char *out,
                        size_t len)
{
    if (rc < 0)
        return errno;
    reply(c, m, out, len);
    free(out);
    return 0;
}

/* Deliver a change's events and acknowledge it, or return its errno. */
static int reply_change(struct xs_conn *c, const struct xsd_sockmsg *m, int rc,
                        struct store_events *ev)
{
    int err = rc < 0 ? errno : 0;

    if (!err) {
        xs_watch_deliver(ev);
        reply_ok(c, m);
    }
    store_events_clear(ev);
    return err;
}

typedef int (*path_query_fn)(struct store *, struct store_tx *, unsigned, const char *, char **,
                             size_t *);

/* A request naming one path and answered with what the store gives. */
static int path_query(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                      struct store_tx *tx, path_query_fn query)
{
    const char *path = onearg(m, body);
    char *out = NULL;
    size_t len = 0;

    if (!path)
        return EINVAL;
    int rc = query(xs_store, tx, c->domid, path, &out, &len);
    return reply_result(c, m, rc, out, len);
}

static int do_read(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                   struct store_tx *tx)
{
    return path_query(c, m, body, tx, store_read);
}

static int do_directory(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                        struct store_tx *tx)
{
    const char *path = onearg(m, body);
    char *out = NULL;
    size_t len = 0;
    int rc;

    if (!path)
        return EINVAL;
    rc = store_directory(xs_store, tx, c->domid, path, &out, &len);
    if (rc == 0 && len > XENSTORE_PAYLOAD_MAX) {
        /* libxenstore falls back to DIRECTORY_PART on E2BIG */
        free(out);
        return E2BIG;
    }
    return reply_result(c, m, rc, out, len);
}

static int do_directory_part(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                             struct store_tx *tx)
{
    char *out = NULL, *end;
    size_t len = 0;
    unsigned long offset;
    int rc;

    if (count_strings(body, m->len) != 2)
        return EINVAL;
    offset = strtoul(body + strlen(body) + 1, &end, 10);
    if (*end)
        return EINVAL;
    rc = store_directory_part(xs_store, tx, c->domid, body, offset, XENSTORE_PAYLOAD_MAX, &out,
                              &len);
    return reply_result(c, m, rc, out, len);
}

static int do_get_perms(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                        struct store_tx *tx)
{
    return path_query(c, m, body, tx, store_get_perms);
}

static int do_write(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                    struct store_tx *tx)
{
    const char *nul = memchr(body, '\0', m->len);
    struct store_events ev = {0};
    size_t plen;

    if (!nul)
        return EINVAL;
    plen = (size_t)(nul - body) + 1;
    return reply_change(
        c, m, store_write(xs_store, tx, c->domid, body, body + plen, m->len - plen, &ev), &ev);
}

static int do_mkdir(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                    struct store_tx *tx)
{
    const char *path = onearg(m, body);
    struct store_events ev = {0};

    if (!path)
        return EINVAL;
    return reply_change(c, m, store_mkdir(xs_store, tx, c->domid, path, &ev), &ev);
}

static int do_rm(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                 struct store_tx *tx)
{
    const char *path = onearg(m, body);
    struct store_events ev = {0};

    if (!path)
        return EINVAL;
    return reply_change(c, m, store_rm(xs_store, tx, c->domid, path, &ev), &ev);
}

static int do_set_perms(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                        struct store_tx *tx)
{
    struct store_events ev = {0};
    size_t plen = strlen(body) + 1;

    if (count_strings(body, m->len) < 2)
        return EINVAL;
    return reply_change(
        c, m, store_set_perms(xs_store, tx, c->domid, body, body + plen, m->len - plen, &ev), &ev);
}

static int do_watch(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                    struct store_tx *tx)
{
    struct xs_watch *w;
    int err;
    (void)tx;

    if (count_strings(body, m->len) != 2)
        return EINVAL;
    w = xs_watch_add(c, body, body + strlen(body) + 1, &err);
    if (!w)
        return err;
    reply_ok(c, m);
    /* a new watch fires once at once, with its own path */
    xs_watch_notify(c, w, w->path);
    return 0;
}

static int do_unwatch(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                      struct store_tx *tx)
{
    int err;
    (void)tx;

    if (count_strings(body, m->len) != 2)
        return EINVAL;
    err = xs_watch_remove(c, body, body + strlen(body) + 1);
    if (!err)
        reply_ok(c, m);
    return err;
}

static int do_transaction_start(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                                struct store_tx *tx)
{
    struct xs_txn *t;
    char id[16];
    (void)body;

    if (tx)
        return EBUSY;
    if (c->domid != 0 && c->ntxns >= store_quota_get(xs_store, c->domid, STORE_QUOTA_TRANSACTIONS))
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t)
        return ENOMEM;
    t->tx = store_tx_begin(xs_store, c->domid);
    if (!t->tx) {
        free(t);
        return ENOMEM;
    }
    do {
        t->id = c->next_txid++;
    } while (t->id == 0 || find_txn(c, t->id));
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    reply(c, m, id, (size_t)snprintf(id, sizeof(id), "%u", t->id) + 1);
    return 0;
}

static int do_transaction_end(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                              struct store_tx *tx)
{
    const char *arg = onearg(m, body);
    struct store_events ev = {0};
    struct xs_txn *t, **pp;
    bool commit;
    int rc = 0;
    (void)tx;

    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return EINVAL;
    commit = !strcmp(arg, "T");
    t = m->tx_id ? find_txn(c, m->tx_id) : NULL;
    if (!t)
        return ENOENT;
    for (pp = &c->txns; *pp != t; pp = &(*pp)->next)
        ;
    *pp = t->next;
    c->ntxns--;
    if (commit)
        rc = store_tx_commit(xs_store, t->tx, &ev);
    else
        store_tx_abort(xs_store, t->tx);
    free(t);
    return reply_change(c, m, rc, &ev);
}

static int do_introduce(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                        struct store_tx *tx)
{
    unsigned domid;
    (void)tx;

    /* domid, ring page frame, event channel: only the domid matters here */
    if (count_strings(body, m->len) < 3 || !parse_domid(body, &domid) || domid > XSIM_MAX_DOMID)
        return EINVAL;
    xs_set_introduced(domid, true);
    reply_ok(c, m);
    return 0;
}

static int do_release(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                      struct store_tx *tx)
{
    const char *arg = onearg(m, body);
    unsigned domid;
    (void)tx;

    if (!arg || !parse_domid(arg, &domid) || domid == 0)
        return EINVAL;
    if (!xs_introduced(domid))
        return ENOENT;
    xs_set_introduced(domid, false);
    reply_ok(c, m);
    return 0;
}

static int do_get_domain_path(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                              struct store_tx *tx)
{
    const char *arg = onearg(m, body);
    char path[32];
    unsigned domid;
    (void)tx;

    if (!arg || !parse_domid(arg, &domid))
        return EINVAL;
    reply(c, m, path, (size_t)snprintf(path, sizeof(path), "/local/domain/%u", domid) + 1);
    return 0;
}

static int do_is_domain_introduced(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                                   struct store_tx *tx)
{
    const char *arg = onearg(m, body);
    unsigned domid;
    (void)tx;

    if (!arg || !parse_domid(arg, &domid))
        return EINVAL;
    reply(c, m, domid == DOMID_SELF || xs_introduced(domid) ? "T" : "F", 2);
    return 0;
}

static int do_reset_watches(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                            struct store_tx *tx)
{
    (void)body;
    (void)tx;
    xs_watch_clear(c);
    while (c->txns) {
        struct xs_txn *t = c->txns;

        c->txns = t->next;
        store_tx_abort(xs_store, t->tx);
        free(t);
    }
    c->ntxns = 0;
    reply_ok(c, m);
    return 0;
}

/* CONTROL, RESUME, SET_TARGET: privileged, and nothing to do here. */
static int do_unsupported(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body,
                          struct store_tx *tx)
{
    (void)c;
    (void)m;
    (void)body;
    (void)tx;
    return ENOSYS;
}

enum { F_NOTID = 1, F_PRIV = 2 };

static const struct {
    xs_handler fn;
    unsigned flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {do_unsupported, F_PRIV | F_NOTID},
    [XS_DIRECTORY] = {do_directory, 0},
    [XS_READ] = {do_read, 0},
    [XS_GET_PERMS] = {do_get_perms, 0},
    [XS_WATCH] = {do_watch, F_NOTID},
    [XS_UNWATCH] = {do_unwatch, F_NOTID},
    [XS_TRANSACTION_START] = {do_transaction_start, 0},
    [XS_TRANSACTION_END] = {do_transaction_end, F_NOTID},
    [XS_INTRODUCE] = {do_introduce, F_PRIV | F_NOTID},
    [XS_RELEASE] = {do_release, F_PRIV | F_NOTID},
    [XS_GET_DOMAIN_PATH] = {do_get_domain_path, F_NOTID},
    [XS_WRITE] = {do_write, 0},
    [XS_MKDIR] = {do_mkdir, 0},
    [XS_RM] = {do_rm, 0},
    [XS_SET_PERMS] = {do_set_perms, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {do_is_domain_introduced, F_NOTID},
    [XS_RESUME] = {do_unsupported, F_PRIV | F_NOTID},
    [XS_SET_TARGET] = {do_unsupported, F_PRIV | F_NOTID},
    [XS_RESET_WATCHES] = {do_reset_watches, F_NOTID},
    [XS_DIRECTORY_PART] = {do_directory_part, 0},
};

void xs_request(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body)
{
    struct store_tx *tx = NULL;
    int err;

    if (m->type >= XS_TYPE_COUNT || !handlers[m->type].fn) {
        err = ENOSYS;
    } else if ((handlers[m->type].flags & F_PRIV) && c->domid != 0) {
        err = EACCES;
    } else {
        err = 0;
        if (!(handlers[m->type].flags & F_NOTID) && m->tx_id) {
            struct xs_txn *t = find_txn(c, m->tx_id);

            if (t)
                tx = t->tx;
            else
                err = ENOENT;
        }
        if (!err)
            err = handlers[m->type].fn(c, m, body, tx);
    }
    if (err)
        reply_error(c, m, err);
}
