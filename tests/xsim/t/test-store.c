/* xsimd's xenstore tree, driven directly: tables of steps
 * {domid, transaction, operation, path, argument, expected result}.
 *
 * Every scenario starts from a fresh store holding domains 1 to 5 as xsimd
 * makes them: /local/domain/N (n0,rN) and /local/domain/N/data (nN).
 * An expected result is "OK", an errno name ("EACCES"), or "=" followed by
 * the output (a value; a directory or permission list joined by spaces;
 * for EVENTS the paths of the last change's events, "!" marking those for
 * exact watches only; for SEES the events a watch of that domain gets;
 * for STATS "=COMMITS COALESCED REPLAYED CONFLICTS").
 *
 * The commit-rule scenarios run twice, under C xenstored's rule and under
 * oxenstored's; "EAGAIN|OK" expects EAGAIN under the first, OK under the
 * second.
 */
#define _GNU_SOURCE 1
#include "store.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum op {
    READ,
    WRITE,
    MKDIR,
    RM,
    DIR,
    GETP,
    SETP,     /* arg: "n0 r1" */
    TXBEGIN,  /* tx: slot to start */
    TXCOMMIT, /* tx: slot */
    TXABORT,  /* tx: slot */
    QUOTA,    /* path: kind, arg: value, for domid */
    FAULT,    /* arg: number of commits to fail */
    OWNED,    /* nodes domid owns */
    EVENTS,   /* events of the last change */
    SEES,     /* of those, what a watch of domid gets */
    STATS,    /* how transaction commits went */
};

static const char *const op_names[] = {
    "read",     "write",   "mkdir", "rm",    "dir",   "getperms", "setperms", "txbegin",
    "txcommit", "txabort", "quota", "fault", "owned", "events",   "sees",     "stats",
};

struct step {
    unsigned domid;
    int tx;
    enum op op;
    const char *path;
    const char *arg;
    const char *want;
};

struct scenario {
    const char *name;
    const struct step *steps;
    size_t n;
    bool both; /* run under each commit rule */
};

#define NTX 4

static struct store *s;
static struct store_tx *txs[NTX + 1];
static struct store_events last;

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case EACCES:
        return "EACCES";
    case EEXIST:
        return "EEXIST";
    case ENOENT:
        return "ENOENT";
    case ENOMEM:
        return "ENOMEM";
    case ENOSPC:
        return "ENOSPC";
    case EAGAIN:
        return "EAGAIN";
    case EPERM:
        return "EPERM";
    case E2BIG:
        return "E2BIG";
    default:
        return "E?";
    }
}

/* "n0 r1" -> "n0\0r1\0" */
static char *perms_arg(const char *arg, size_t *len)
{
    char *out = strdup(arg);

    *len = strlen(arg) + (*arg ? 1 : 0);
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '\0';
    return out;
}

/* NUL-separated list -> space-separated, in result */
static void join(char *result, size_t size, const char *list, size_t len)
{
    size_t n = 1;

    strcpy(result, "=");
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        if (list[i])
            result[n++] = list[i];
        else if (i + 1 < len)
            result[n++] = ' ';
    }
    result[n] = '\0';
}

static void events_str(char *result, size_t size, int domid)
{
    size_t n = 1;

    strcpy(result, "=");
    for (size_t i = 0; i < last.num; i++) {
        if (domid >= 0 && !store_event_visible(&last.ev[i], (unsigned)domid))
            continue;
        n += (size_t)snprintf(result + n, size - n, "%s%s%s", n > 1 ? " " : "", last.ev[i].path,
                              last.ev[i].exact ? "!" : "");
        if (n >= size)
            break;
    }
}

static void run_step(const struct step *st, char *result, size_t size)
{
    struct store_tx *tx = st->tx ? txs[st->tx] : NULL;
    char *out = NULL;
    size_t len = 0;
    int rc = 0;
    bool show = false;

    switch (st->op) {
    case READ:
        rc = store_read(s, tx, st->domid, st->path, &out, &len);
        show = true;
        if (!rc) {
            snprintf(result, size, "=%s", out);
            free(out);
            return;
        }
        break;
    case WRITE:
        store_events_clear(&last);
        rc = store_write(s, tx, st->domid, st->path, st->arg, strlen(st->arg), &last);
        break;
    case MKDIR:
        store_events_clear(&last);
        rc = store_mkdir(s, tx, st->domid, st->path, &last);
        break;
    case RM:
        store_events_clear(&last);
        rc = store_rm(s, tx, st->domid, st->path, &last);
        break;
    case DIR:
        rc = store_directory(s, tx, st->domid, st->path, &out, &len);
        show = true;
        break;
    case GETP:
        rc = store_get_perms(s, tx, st->domid, st->path, &out, &len);
        show = true;
        break;
    case SETP: {
        char *p = perms_arg(st->arg, &len);

        store_events_clear(&last);
        rc = store_set_perms(s, tx, st->domid, st->path, p, len, &last);
        free(p);
        break;
    }
    case TXBEGIN:
        txs[st->tx] = store_tx_begin(s, st->domid);
        rc = txs[st->tx] ? 0 : -1;
        break;
    case TXCOMMIT:
        store_events_clear(&last);
        rc = store_tx_commit(s, tx, &last);
        txs[st->tx] = NULL;
        break;
    case TXABORT:
        store_tx_abort(s, tx);
        txs[st->tx] = NULL;
        break;
    case QUOTA:
        rc = store_quota_set(s, st->domid, (enum store_quota)store_quota_parse(st->path),
                             (unsigned)atoi(st->arg));
        break;
    case FAULT:
        store_fault_commit_eagain(s, (unsigned)atoi(st->arg));
        break;
    case OWNED:
        snprintf(result, size, "=%u", store_count_owned(s, st->domid));
        return;
    case EVENTS:
        events_str(result, size, -1);
        return;
    case SEES:
        events_str(result, size, (int)st->domid);
        return;
    case STATS: {
        struct store_stats ss;

        store_get_stats(s, &ss);
        snprintf(result, size, "=%llu %llu %llu %llu", (unsigned long long)ss.commits,
                 (unsigned long long)ss.coalesced, (unsigned long long)ss.replayed,
                 (unsigned long long)ss.conflicts);
        return;
    }
    }
    if (rc) {
        snprintf(result, size, "%s", errname(errno));
    } else if (show) {
        join(result, size, out, len);
    } else {
        snprintf(result, size, "OK");
    }
    free(out);
}

static void setup(void)
{
    s = store_new();
    if (!s) {
        printf("Bail out! store_new: %s\n", strerror(errno));
        exit(1);
    }
    for (unsigned d = 1; d <= 5; d++) {
        char dom[64], data[80], own[16];

        snprintf(dom, sizeof(dom), "/local/domain/%u", d);
        snprintf(data, sizeof(data), "%s/data", dom);
        snprintf(own, sizeof(own), "n%u", d);
        if (store_mkdir(s, NULL, 0, dom, NULL) ||
            store_set_perms(s, NULL, 0, dom, (char[]){'n', '0', 0, 'r', (char)('0' + d), 0}, 6,
                            NULL) ||
            store_mkdir(s, NULL, 0, data, NULL) ||
            store_set_perms(s, NULL, 0, data, own, strlen(own) + 1, NULL)) {
            printf("Bail out! setup of domain %u: %s\n", d, strerror(errno));
            exit(1);
        }
    }
}

static void teardown(void)
{
    for (int i = 0; i <= NTX; i++) {
        if (txs[i])
            store_tx_abort(s, txs[i]);
        txs[i] = NULL;
    }
    store_events_clear(&last);
    store_free(s);
    s = NULL;
}

static void run_scenario(const struct scenario *sc, enum store_rule rule)
{
    char result[1024], desc[256], want[256];
    bool ox = rule == STORE_RULE_OXENSTORED;

    setup();
    store_set_rule(s, rule);
    for (size_t i = 0; i < sc->n; i++) {
        const struct step *st = &sc->steps[i];
        const char *bar = sc->both ? strchr(st->want, '|') : NULL;

        if (!bar)
            snprintf(want, sizeof(want), "%s", st->want);
        else if (ox)
            snprintf(want, sizeof(want), "%s", bar + 1);
        else
            snprintf(want, sizeof(want), "%.*s", (int)(bar - st->want), st->want);
        run_step(st, result, sizeof(result));
        snprintf(desc, sizeof(desc), "%s%s %zu: dom%u%s%.0d %s %s %s", sc->name,
                 sc->both ? (ox ? " (oxenstored)" : " (xenstored)") : "", i + 1, st->domid,
                 st->tx ? " tx" : "", st->tx, op_names[st->op], st->path ? st->path : "",
                 st->arg ? st->arg : "");
        /* a TAP line must stay one line */
        for (char *p = desc; *p; p++)
            if (*p < ' ' || *p == '#')
                *p = '?';
        is_str(result, want, "%s", desc);
    }
    teardown();
}

static const struct step perms[] = {
    {1, 0, READ, "/local/domain/1", NULL, "="},
    {1, 0, GETP, "/local/domain/1", NULL, "=n0 r1"},
    {2, 0, READ, "/local/domain/1", NULL, "EACCES"},
    {1, 0, WRITE, "data/x", "v", "OK"},
    {1, 0, READ, "data/x", NULL, "=v"},
    {0, 0, READ, "/local/domain/1/data/x", NULL, "=v"},
    {1, 0, GETP, "data/x", NULL, "=n1"},
    /* a guest may read its home but not write it, as with libxl */
    {1, 0, WRITE, "foo", "v", "EACCES"},
    {1, 0, WRITE, "/local/domain/1", "v", "EACCES"},
    {1, 0, READ, "data/none", NULL, "ENOENT"},
    {1, 0, READ, "/tool", NULL, "EACCES"},
    /* a missing node below an unreadable one: EACCES, not ENOENT */
    {1, 0, READ, "/tool/none", NULL, "EACCES"},
    {1, 0, READ, "/local/domain/2/data/none", NULL, "EACCES"},
    {2, 0, READ, "/local/domain/1/data/x", NULL, "EACCES"},
    {2, 0, READ, "/local/domain/1/none", NULL, "EACCES"},
    /* dom0 creating keeps the inherited owner */
    {0, 0, WRITE, "/local/domain/1/data/y", "0", "OK"},
    {0, 0, GETP, "/local/domain/1/data/y", NULL, "=n1"},
    {1, 0, SETP, "data/x", "n1 r2", "OK"},
    {2, 0, READ, "/local/domain/1/data/x", NULL, "=v"},
    {2, 0, WRITE, "/local/domain/1/data/x", "w", "EACCES"},
    {2, 0, RM, "/local/domain/1/data/x", NULL, "EACCES"},
    {2, 0, SETP, "/local/domain/1/data/x", "n2", "EACCES"},
    {1, 0, SETP, "data/x", "n2", "EPERM"},
    {1, 0, GETP, "data/x", NULL, "=n1 r2"},
    {0, 0, SETP, "/local/domain/1/data/x", "n2", "OK"},
    {1, 0, READ, "data/x", NULL, "EACCES"},
    {2, 0, READ, "/local/domain/1/data/x", NULL, "=v"},
    {2, 0, WRITE, "/local/domain/1/data/x", "w", "OK"},
    /* w, b, and entry 0's letter for everyone without an entry */
    {1, 0, SETP, "data/y", "n1 w3 b4", "OK"},
    {3, 0, WRITE, "/local/domain/1/data/y", "3", "OK"},
    {3, 0, READ, "/local/domain/1/data/y", NULL, "EACCES"},
    {4, 0, READ, "/local/domain/1/data/y", NULL, "=3"},
    {4, 0, WRITE, "/local/domain/1/data/y", "4", "OK"},
    {5, 0, READ, "/local/domain/1/data/y", NULL, "EACCES"},
    {1, 0, SETP, "data/y", "r1", "OK"},
    {5, 0, READ, "/local/domain/1/data/y", NULL, "=4"},
    {5, 0, WRITE, "/local/domain/1/data/y", "5", "EACCES"},
    {1, 0, SETP, "data/y", "x1", "EINVAL"},
    {1, 0, SETP, "data/y", "r", "EINVAL"},
    {1, 0, SETP, "data/y", "r1a", "EINVAL"},
    {1, 0, SETP, "data/y", "", "EINVAL"},
    {1, 0, SETP, "data/none", "n1", "ENOENT"},
    /* inheritance: a guest creating under a node it may write owns the
     * new nodes, which otherwise copy the parent's list */
    {0, 0, MKDIR, "/shared", NULL, "OK"},
    {0, 0, SETP, "/shared", "n0 b1", "OK"},
    {1, 0, WRITE, "/shared/a/b", "v", "OK"},
    {1, 0, GETP, "/shared/a", NULL, "=n1 b1"},
    {1, 0, GETP, "/shared/a/b", NULL, "=n1 b1"},
    {0, 0, WRITE, "/shared/c", "v", "OK"},
    {0, 0, GETP, "/shared/c", NULL, "=n0 b1"},
    {2, 0, READ, "/shared", NULL, "EACCES"},
    {1, 0, SETP, "/shared", "n0", "EACCES"},
    {1, 0, RM, "/shared/a", NULL, "OK"},
    {1, 0, READ, "/shared/a", NULL, "ENOENT"},
    {1, 0, RM, "/shared/c", NULL, "OK"},
    {0, 0, SETP, "@releaseDomain", "n0 r1", "OK"},
    {1, 0, SETP, "@releaseDomain", "n1", "EACCES"},
    {0, 0, SETP, "@bogus", "n0", "EINVAL"},
};

static const struct step events[] = {
    {0, 0, WRITE, "/e/a", "1", "OK"},
    {0, 0, EVENTS, NULL, NULL, "=/e/a"},
    {0, 0, WRITE, "/e/a/b", "2", "OK"},
    {0, 0, MKDIR, "/e/a/b", NULL, "OK"},
    {0, 0, EVENTS, NULL, NULL, "="},
    {0, 0, MKDIR, "/e/c", NULL, "OK"},
    {0, 0, EVENTS, NULL, NULL, "=/e/c"},
    {0, 0, RM, "/e", NULL, "OK"},
    {0, 0, EVENTS, NULL, NULL, "=/e /e/a! /e/a/b! /e/c!"},
    {0, 0, RM, "/e", NULL, "OK"},
    {0, 0, EVENTS, NULL, NULL, "="},
    {0, 0, RM, "/e/x/y", NULL, "ENOENT"},
    /* who gets them: readers of the node, of its parent, or of the old
     * list after SET_PERMS */
    {0, 0, WRITE, "/v", "1", "OK"},
    {0, 0, SETP, "/v", "n0 r3", "OK"},
    {3, 0, SEES, NULL, NULL, "=/v"},
    {4, 0, SEES, NULL, NULL, "="},
    {0, 0, SETP, "/v", "n0", "OK"},
    {3, 0, SEES, NULL, NULL, "=/v"},
    {0, 0, WRITE, "/v", "2", "OK"},
    {3, 0, SEES, NULL, NULL, "="},
    {0, 0, SEES, NULL, NULL, "=/v"},
    {0, 0, WRITE, "/pp/c", "1", "OK"},
    {0, 0, SETP, "/pp", "n0 r4", "OK"},
    {0, 0, WRITE, "/pp/c", "2", "OK"},
    {4, 0, SEES, NULL, NULL, "=/pp/c"},
    {5, 0, SEES, NULL, NULL, "="},
    {0, 0, RM, "/pp", NULL, "OK"},
    {4, 0, SEES, NULL, NULL, "=/pp /pp/c!"},
    {1, 0, WRITE, "data/w", "1", "OK"},
    {1, 0, SEES, NULL, NULL, "=/local/domain/1/data/w"},
    {2, 0, SEES, NULL, NULL, "="},
};

static const struct step transactions[] = {
    {0, 0, WRITE, "/t/a", "1", "OK"},
    {0, 0, WRITE, "/t/b", "1", "OK"},
    /* snapshot isolation, and EAGAIN when a node read changed */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/t/a", NULL, "=1"},
    {0, 0, WRITE, "/t/a", "2", "OK"},
    {0, 1, READ, "/t/a", NULL, "=1"},
    {0, 1, WRITE, "/t/c", "x", "OK"},
    {0, 1, EVENTS, NULL, NULL, "="},
    {0, 0, READ, "/t/c", NULL, "ENOENT"},
    {0, 1, READ, "/t/c", NULL, "=x"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 0, READ, "/t/c", NULL, "ENOENT"},
    /* a commit applies everything and reports the events then */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/t/a", "3", "OK"},
    {0, 1, RM, "/t/b", NULL, "OK"},
    {0, 0, READ, "/t/b", NULL, "=1"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, EVENTS, NULL, NULL, "=/t/a /t/b"},
    {0, 0, READ, "/t/a", NULL, "=3"},
    {0, 0, READ, "/t/b", NULL, "ENOENT"},
    /* abort */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/t/d", "1", "OK"},
    {0, 1, TXABORT, NULL, NULL, "OK"},
    {0, 0, READ, "/t/d", NULL, "ENOENT"},
    /* disjoint nodes do not conflict */
    {0, 0, WRITE, "/t/b", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/t/a", NULL, "=3"},
    {0, 1, WRITE, "/t/a", "4", "OK"},
    {0, 0, WRITE, "/t/b", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, READ, "/t/a", NULL, "=4"},
    {0, 0, READ, "/t/b", NULL, "=2"},
    /* two transactions on one node: the second commit loses */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 2, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/t/a", "5", "OK"},
    {0, 2, WRITE, "/t/a", "6", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 2, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 0, READ, "/t/a", NULL, "=5"},
    /* creating a child changes the parent's list of children */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/t/n1", "1", "OK"},
    {0, 0, WRITE, "/t/n2", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    /* a missing node read, then created by someone else */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/t/m", NULL, "ENOENT"},
    {0, 0, WRITE, "/t/m", "1", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    /* removing a subtree while a node below it changes */
    {0, 0, WRITE, "/t/s/x", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, RM, "/t/s", NULL, "OK"},
    {0, 0, WRITE, "/t/s/x", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 0, READ, "/t/s/x", NULL, "=2"},
    /* a listing is part of the snapshot */
    {0, 0, WRITE, "/d/x", "1", "OK"},
    {0, 0, WRITE, "/d/y", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 0, WRITE, "/d/z", "1", "OK"},
    {0, 1, DIR, "/d", NULL, "=x y"},
    {0, 0, DIR, "/d", NULL, "=x y z"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    /* injected failures */
    {0, 0, FAULT, NULL, "2", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/t/f", "1", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 0, READ, "/t/f", NULL, "ENOENT"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    /* a guest's transaction keeps its permissions and ownership */
    {1, 1, TXBEGIN, NULL, NULL, "OK"},
    {1, 1, WRITE, "data/q", "1", "OK"},
    {1, 1, READ, "/tool", NULL, "EACCES"},
    {1, 1, WRITE, "/tool/q", "1", "EACCES"},
    {1, 1, TXCOMMIT, NULL, NULL, "OK"},
    {1, 0, GETP, "data/q", NULL, "=n1"},
    {1, 0, EVENTS, NULL, NULL, "=/local/domain/1/data/q"},
};

static const struct step quotas[] = {
    {1, 0, QUOTA, "value", "10", "OK"},
    {1, 0, WRITE, "data/v", "0123456789", "OK"},
    {1, 0, WRITE, "data/v", "0123456789a", "ENOSPC"},
    {1, 0, READ, "data/v", NULL, "=0123456789"},
    {0, 0, WRITE, "/local/domain/1/data/v", "0123456789abc", "OK"},
    {2, 0, WRITE, "/local/domain/2/data/v", "0123456789abc", "OK"},
    {1, 0, WRITE, "/tool/x", "0123456789a", "EACCES"},
    /* nodes: data and data/v are dom1's */
    {1, 0, OWNED, NULL, NULL, "=2"},
    {1, 0, QUOTA, "nodes", "4", "OK"},
    {1, 0, WRITE, "data/a/b", "1", "OK"},
    {1, 0, WRITE, "data/c", "1", "ENOSPC"},
    {1, 0, MKDIR, "data/c", NULL, "ENOSPC"},
    {1, 0, WRITE, "data/a", "2", "OK"},
    {1, 0, RM, "data/a", NULL, "OK"},
    {1, 0, WRITE, "data/c/d/e", "1", "ENOSPC"},
    {1, 0, READ, "data/c", NULL, "ENOENT"},
    {1, 0, WRITE, "data/c/d", "1", "OK"},
    {1, 0, OWNED, NULL, NULL, "=4"},
    {0, 0, WRITE, "/local/domain/1/data/z", "1", "OK"},
    {1, 0, OWNED, NULL, NULL, "=5"},
    {1, 0, RM, "data/z", NULL, "OK"},
    /* checked again when a commit replays the transaction */
    {1, 0, QUOTA, "nodes", "5", "OK"},
    {1, 1, TXBEGIN, NULL, NULL, "OK"},
    {1, 1, WRITE, "data/t1", "1", "OK"},
    {0, 0, WRITE, "/q1", "1", "OK"},
    {0, 0, SETP, "/q1", "n1", "OK"},
    {1, 1, TXCOMMIT, NULL, NULL, "ENOSPC"},
    {1, 0, READ, "data/t1", NULL, "ENOENT"},
    /* permission entries */
    {1, 0, SETP, "data/c", "n1 r2 r3 r4 r5", "OK"},
    {1, 0, SETP, "data/c", "n1 r2 r3 r4 r5 r6", "ENOSPC"},
    {0, 0, SETP, "/local/domain/1/data/c", "n1 r2 r3 r4 r5 r6", "OK"},
    {1, 0, GETP, "data/c", NULL, "=n1 r2 r3 r4 r5 r6"},
    {1, 0, QUOTA, "perms", "2", "OK"},
    {1, 0, SETP, "data/c", "n1 r2 r3", "ENOSPC"},
    {1, 0, SETP, "data/c", "n1 r2", "OK"},
};

static const struct step paths[] = {
    {1, 0, WRITE, "data/r", "1", "OK"},
    {0, 0, READ, "/local/domain/1/data/r", NULL, "=1"},
    {0, 0, WRITE, "rel", "0", "OK"},
    {0, 0, READ, "/local/domain/0/rel", NULL, "=0"},
    {0, 0, READ, "/a/", NULL, "EINVAL"},
    {0, 0, READ, "//a", NULL, "EINVAL"},
    {0, 0, READ, "/a//b", NULL, "EINVAL"},
    {1, 0, READ, "data/", NULL, "EINVAL"},
    {1, 0, READ, "", NULL, "EINVAL"},
    {0, 0, WRITE, "/a b", "1", "EINVAL"},
    {0, 0, WRITE, "/a.b", "1", "EINVAL"},
    {0, 0, WRITE, "/a\n", "1", "EINVAL"},
    {0, 0, READ, "@introduceDomain", NULL, "EINVAL"},
    {0, 0, WRITE, "/ok-_@Z9", "1", "OK"},
    {0, 0, READ, "/", NULL, "="},
    {0, 0, RM, "/", NULL, "EINVAL"},
    {0, 0, DIR, "/", NULL, "=local tool ok-_@Z9"},
    {0, 0, MKDIR, "/m/n", NULL, "OK"},
    {0, 0, DIR, "/m", NULL, "=n"},
    {0, 0, MKDIR, "/m/n", NULL, "OK"},
    {0, 0, DIR, "/m/n", NULL, "="},
    {0, 0, DIR, "/none", NULL, "ENOENT"},
    {0, 0, RM, "/none", NULL, "OK"},
    {0, 0, RM, "/none/x", NULL, "ENOENT"},
    {0, 0, WRITE, "/m/b", "", "OK"},
    {0, 0, WRITE, "/m/a", "", "OK"},
    {0, 0, DIR, "/m", NULL, "=n b a"},
};

/* ---- the two commit rules, step by step ---- */

/* Reading one domain's node and writing another's while a third domain's
 * changes: no conflict under either rule (oxenstored coalesces: nothing
 * changed under either lowest path). */
static const struct step rule_disjoint[] = {
    {0, 0, WRITE, "/local/domain/1/x", "1", "OK"},
    {0, 0, MKDIR, "/local/domain/0", NULL, "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/local/domain/1/x", NULL, "=1"},
    {0, 1, WRITE, "/local/domain/0/y", "v", "OK"},
    {0, 0, WRITE, "/local/domain/2/z", "1", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, READ, "/local/domain/0/y", NULL, "=v"},
    {0, 0, STATS, NULL, NULL, "=1 0 0 0|=1 1 0 0"},
};

/* Creating a node while another writer creates its sibling: for C
 * xenstored the parent's list of children changed; oxenstored cannot
 * coalesce (the parent is the lowest path written) but replaying the
 * transaction gives the same answers. A parent's new permissions keep
 * oxenstored from coalescing too; C xenstored did not look at it. */
static const struct step rule_replay[] = {
    {0, 0, WRITE, "/local/domain/1/x", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/local/domain/1/x", NULL, "=1"},
    {0, 1, WRITE, "/local/domain/1/y", "v", "OK"},
    {0, 0, WRITE, "/local/domain/1/z", "1", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN|OK"},
    {0, 0, STATS, NULL, NULL, "=0 0 0 1|=1 0 1 0"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/local/domain/1/x", "2", "OK"},
    {0, 0, SETP, "/local/domain/1", "n0 r1 r2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, READ, "/local/domain/1/x", NULL, "=2"},
    {0, 0, STATS, NULL, NULL, "=1 0 0 1|=2 0 2 0"},
};

/* A value read changed: EAGAIN under both (the replay reads 2, not 1). */
static const struct step rule_read_changed[] = {
    {0, 0, WRITE, "/r/x", "1", "OK"},     {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/r/x", NULL, "=1"},     {0, 1, WRITE, "/r/y", "v", "OK"},
    {0, 0, WRITE, "/r/x", "2", "OK"},     {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN"},
    {0, 0, READ, "/r/y", NULL, "ENOENT"}, {0, 0, STATS, NULL, NULL, "=0 0 0 1"},
};

/* Where the rules differ. */
static const struct step rule_differ[] = {
    /* a transaction that changes nothing: oxenstored never checks it */
    {0, 0, WRITE, "/d/x", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/d/x", NULL, "=1"},
    {0, 0, WRITE, "/d/x", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN|OK"},
    /* the same value written again: the replay reads what it read */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, READ, "/d/x", NULL, "=2"},
    {0, 1, WRITE, "/d/y", "v", "OK"},
    {0, 0, WRITE, "/d/x", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN|OK"},
    /* a blind write of a node another writer changed: the replay writes
     * again, and the transaction's value wins */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/d/x", "tx", "OK"},
    {0, 0, WRITE, "/d/x", "other", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN|OK"},
    {0, 0, READ, "/d/x", NULL, "=other|=tx"},
    /* removing a subtree while a node below it changes */
    {0, 0, WRITE, "/d/s/a", "1", "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, RM, "/d/s", NULL, "OK"},
    {0, 0, WRITE, "/d/s/a", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "EAGAIN|OK"},
    {0, 0, READ, "/d/s/a", NULL, "=2|ENOENT"},
    {0, 0, STATS, NULL, NULL, "=0 0 0 4|=4 0 3 0"},
    /* a missing node the guest could read becomes one below a node it may
     * not read: ENOENT then EACCES. C xenstored looked at the node only;
     * oxenstored replays, the guest having created a node where the other
     * change happened, and the answer differs */
    {1, 0, WRITE, "data/q", "1", "OK"},
    {1, 1, TXBEGIN, NULL, NULL, "OK"},
    {1, 1, READ, "data/q/r", NULL, "ENOENT"},
    {1, 1, WRITE, "data/new", "v", "OK"},
    {0, 0, SETP, "/local/domain/1/data/q", "n0", "OK"},
    {1, 1, TXCOMMIT, NULL, NULL, "OK|EAGAIN"},
    {1, 0, READ, "data/new", NULL, "=v|ENOENT"},
    {0, 0, STATS, NULL, NULL, "=1 0 0 4|=4 0 3 1"},
};

/* oxenstored coalescing: the node at each lowest path is the same, or is
 * missing from both stores under an existing parent. */
static const struct step rule_coalesce[] = {
    {0, 0, WRITE, "/c/a/x", "1", "OK"},
    {0, 0, MKDIR, "/c/b", NULL, "OK"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/c/a/x", "2", "OK"},
    {0, 0, WRITE, "/c/b/y", "1", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, STATS, NULL, NULL, "=1 0 0 0|=1 1 0 0"},
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/c/a/new", "1", "OK"},
    {0, 1, READ, "/c/a/new", NULL, "=1"},
    {0, 0, WRITE, "/c/b/y", "2", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, STATS, NULL, NULL, "=2 0 0 0|=2 2 0 0"},
    /* the store did not change at all: a plain commit */
    {0, 1, TXBEGIN, NULL, NULL, "OK"},
    {0, 1, WRITE, "/c/a/x", "3", "OK"},
    {0, 1, TXCOMMIT, NULL, NULL, "OK"},
    {0, 0, READ, "/c/a/x", NULL, "=3"},
    {0, 0, STATS, NULL, NULL, "=3 0 0 0|=3 2 0 0"},
};

#define SCENARIO(t)                                                                                \
    {                                                                                              \
#t, t, sizeof(t) / sizeof(t[0]), false                                                     \
    }
#define BOTH_RULES(t)                                                                              \
    {                                                                                              \
#t, t, sizeof(t) / sizeof(t[0]), true                                                      \
    }
static const struct scenario scenarios[] = {
    SCENARIO(perms),         SCENARIO(events),
    SCENARIO(transactions),  SCENARIO(quotas),
    SCENARIO(paths),         BOTH_RULES(rule_disjoint),
    BOTH_RULES(rule_replay), BOTH_RULES(rule_read_changed),
    BOTH_RULES(rule_differ), BOTH_RULES(rule_coalesce),
};

/* ---- cases that do not fit a table ---- */

#define N_DEFAULTS 13
static void test_quota_defaults(void)
{
    static const char *const names[] = {"nodes", "watches", "value", "transactions", "perms"};
    static const unsigned want[] = {1000, 128, 2048, 10, 5};
    char *big = malloc(2050);
    struct store_events ev = {0};

    setup();
    for (int k = 0; k < 5; k++) {
        int kind = store_quota_parse(names[k]);

        is_int(store_quota_get(s, 1, (enum store_quota)kind), want[k], "default quota %s",
               names[k]);
    }
    is_int(store_quota_parse("bogus"), -1, "unknown quota name");
    memset(big, 'x', 2050);
    is_int(store_write(s, NULL, 1, "data/big", big, 2048, &ev), 0, "a 2048-byte value fits");
    ok(store_write(s, NULL, 1, "data/big", big, 2049, &ev) < 0 && errno == ENOSPC,
       "a 2049-byte value is ENOSPC for a guest");
    is_int(store_write(s, NULL, 0, "/big", big, 2050, &ev), 0, "dom0 has no value quota");

    store_quota_set(s, 1, STORE_QUOTA_WATCHES, 3);
    is_int(store_quota_get(s, 1, STORE_QUOTA_WATCHES), 3, "quota set");
    store_quota_reset(s, 1);
    is_int(store_quota_get(s, 1, STORE_QUOTA_WATCHES), 128, "quota reset");

    /* data and data/big are dom1's already */
    {
        char path[32];
        int i = 0, rc;

        do {
            snprintf(path, sizeof(path), "data/n%d", i++);
            rc = store_write(s, NULL, 1, path, "", 0, &ev);
        } while (rc == 0 && i < 2000);
        ok(rc < 0 && errno == ENOSPC, "node %d is ENOSPC", i);
        is_int(store_count_owned(s, 1), 1000, "a guest owns at most 1000 nodes");
    }
    store_events_clear(&ev);
    free(big);
    teardown();
}

#define N_LONG 4
static void test_long_paths(void)
{
    char path[STORE_ABS_PATH_MAX + 2];
    char *rel;
    struct store_events ev = {0};

    setup();
    path[0] = '/';
    memset(path + 1, 'a', STORE_ABS_PATH_MAX);
    path[STORE_ABS_PATH_MAX] = '\0';
    is_int(store_write(s, NULL, 0, path, "1", 1, &ev), 0, "a 3072-byte path");
    path[STORE_ABS_PATH_MAX] = 'a';
    path[STORE_ABS_PATH_MAX + 1] = '\0';
    ok(store_write(s, NULL, 0, path, "1", 1, &ev) < 0 && errno == EINVAL,
       "a 3073-byte path is EINVAL");
    /* /local/domain/1/data/ is 21 bytes */
    rel = malloc(STORE_ABS_PATH_MAX);
    strcpy(rel, "data/");
    memset(rel + 5, 'b', STORE_ABS_PATH_MAX - 21);
    rel[STORE_ABS_PATH_MAX - 16] = '\0';
    is_int(store_write(s, NULL, 1, rel, "1", 1, &ev), 0, "a relative path of 3072 once absolute");
    rel[STORE_ABS_PATH_MAX - 16] = 'b';
    rel[STORE_ABS_PATH_MAX - 15] = '\0';
    ok(store_write(s, NULL, 1, rel, "1", 1, &ev) < 0 && errno == EINVAL,
       "a relative path of 3073 once absolute is EINVAL");
    free(rel);
    store_events_clear(&ev);
    teardown();
}

#define N_PART 3
static void test_directory_part(void)
{
    char path[300], *all, *part, *joined = NULL;
    size_t alen, plen, jlen = 0, off = 0;
    int chunks = 0;

    setup();
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/many/child-%03d-%0100d", i, 0);
        store_mkdir(s, NULL, 0, path, NULL);
    }
    store_directory(s, NULL, 0, "/many", &all, &alen);
    for (;;) {
        size_t glen;

        if (store_directory_part(s, NULL, 0, "/many", off, 4096, &part, &plen) < 0)
            break;
        chunks++;
        glen = strlen(part) + 1;
        joined = realloc(joined, jlen + plen);
        memcpy(joined + jlen, part + glen, plen - glen);
        jlen += plen - glen;
        off += plen - glen;
        /* the last chunk ends with an empty string */
        if (plen - glen <= 1 || part[plen - 2] == '\0') {
            free(part);
            break;
        }
        free(part);
    }
    is_int(chunks, 3, "100 names of 114 bytes take 3 chunks");
    is_int(jlen, alen + 1, "the chunks hold the whole list and a final NUL");
    ok(jlen == alen + 1 && !memcmp(joined, all, alen), "the chunks join to the listing");
    free(all);
    free(joined);
    teardown();
}

#define N_DUMP 1
static void test_dump(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    s = store_new();
    store_write(s, NULL, 0, "/tool/x", "a\"b\\c\n\x01", 7, NULL);
    store_set_perms(s, NULL, 0, "/tool/x", "n0\0r1\0", 6, NULL);
    f = open_memstream(&buf, &len);
    store_dump(s, f);
    fclose(f);
    is_str(buf,
           "/ = \"\" (n0)\n"
           "/local = \"\" (n0)\n"
           "/local/domain = \"\" (n0)\n"
           "/tool = \"\" (n0)\n"
           "/tool/x = \"a\\\"b\\\\c\\x0a\\x01\" (n0,r1)\n",
           "dump-store format");
    free(buf);
    store_free(s);
    s = NULL;
}

int main(void)
{
    size_t n = N_DEFAULTS + N_LONG + N_PART + N_DUMP;

    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        n += scenarios[i].n * (scenarios[i].both ? 2 : 1);
    plan((int)n);
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        run_scenario(&scenarios[i], STORE_RULE_XENSTORED);
        if (scenarios[i].both)
            run_scenario(&scenarios[i], STORE_RULE_OXENSTORED);
    }
    test_quota_defaults();
    test_long_paths();
    test_directory_part();
    test_dump();
    return done_testing();
}
