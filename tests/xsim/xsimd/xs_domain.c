/* xenstore's side of domains: the nodes a toolstack writes for a new
 * domain, its socket, introduce/release, and the ctl verbs of xenstore.
 */
#define _GNU_SOURCE 1
#include "xs_conn.h"

#include "ctl.h"
#include "domain.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What libxl creates under /local/domain/N, owned by the guest. */
static const char *const guest_dirs[] = {
    "device", "data", "drivers", "control", "attr", "error", "feature",
};

static char *state_dir;
/* Introduced domains, indexed by domid: one per simulated machine. */
static bool introduced[XSIM_MAX_DOMID + 1];

bool xs_introduced(unsigned domid)
{
    return domid <= XSIM_MAX_DOMID && introduced[domid];
}

void xs_set_introduced(unsigned domid, bool on)
{
    if (domid > XSIM_MAX_DOMID || introduced[domid] == on)
        return;
    introduced[domid] = on;
    xs_watch_fire_special(on ? "@introduceDomain" : "@releaseDomain");
}

/* Changes made by the toolstack, as dom0, firing watches. */
static int tool_write(const char *path, const char *val)
{
    struct store_events ev = {0};
    int rc = store_write(xs_store, NULL, 0, path, val, strlen(val), &ev);

    xs_watch_deliver(&ev);
    store_events_clear(&ev);
    return rc;
}

static int tool_mkdir(const char *path, const char *perms, size_t plen)
{
    struct store_events ev = {0};
    int rc = store_mkdir(xs_store, NULL, 0, path, &ev);

    if (rc == 0)
        rc = store_set_perms(xs_store, NULL, 0, path, perms, plen, &ev);
    xs_watch_deliver(&ev);
    store_events_clear(&ev);
    return rc;
}

static void tool_rm(const char *path)
{
    struct store_events ev = {0};

    if (store_rm(xs_store, NULL, 0, path, &ev) == 0)
        xs_watch_deliver(&ev);
    store_events_clear(&ev);
}

int xs_domain_created(unsigned domid, const char *name)
{
    char home[64], path[96], perms[32], id[16];
    int plen, e;

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    snprintf(path, sizeof(path), "%s/name", home);
    if (domid == 0)
        return tool_write(path, name); /* set up by xs_init */

    /* the toolstack owns the home, the guest may read it */
    plen = snprintf(perms, sizeof(perms), "n0%cr%u", 0, domid) + 1;
    if (tool_mkdir(home, perms, (size_t)plen) < 0 || tool_write(path, name) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/domid", home);
    snprintf(id, sizeof(id), "%u", domid);
    if (tool_write(path, id) < 0)
        goto fail;
    plen = snprintf(perms, sizeof(perms), "n%u", domid) + 1;
    for (size_t i = 0; i < sizeof(guest_dirs) / sizeof(guest_dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", home, guest_dirs[i]);
        if (tool_mkdir(path, perms, (size_t)plen) < 0)
            goto fail;
    }
    if (xs_listen(state_dir, domid) < 0)
        goto fail;
    xs_set_introduced(domid, true);
    return 0;
fail:
    e = errno;
    tool_rm(home);
    errno = e;
    return -1;
}

void xs_domain_destroyed(unsigned domid)
{
    char home[64];

    xs_unlisten(domid);
    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    tool_rm(home);
    store_quota_reset(xs_store, domid);
    xs_set_introduced(domid, false);
}

/* ---- ctl verbs ---- */

static int cmd_dump_store(int argc, char **argv, FILE *out, const char **err)
{
    (void)argv;
    if (argc != 1) {
        *err = "usage: dump-store";
        return -1;
    }
    store_dump(xs_store, out);
    for (struct xs_conn *c = xs_conns; c; c = c->next) {
        fprintf(out, "connection dom%u pid %ld\n", c->domid, (long)c->pid);
        for (struct xs_watch *w = c->watches; w; w = w->next) {
            const char *p = xs_watch_path(c, w, w->path);

            fputs("  watch \"", out);
            store_put_escaped(out, p, strlen(p));
            fputs("\" \"", out);
            store_put_escaped(out, w->token, strlen(w->token));
            fputs("\"\n", out);
        }
        for (struct xs_txn *t = c->txns; t; t = t->next)
            fprintf(out, "  transaction %u\n", t->id);
    }
    return 0;
}

static int cmd_fault_commit(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long n;
    (void)out;

    if (argc != 2 || ctl_parse_uint(argv[1], UINT_MAX, &n) < 0) {
        *err = "usage: fault-commit-eagain N";
        return -1;
    }
    store_fault_commit_eagain(xs_store, (unsigned)n);
    return 0;
}

static int cmd_quota(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid, n;
    int kind;
    (void)out;

    if (argc != 4 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0 ||
        (kind = store_quota_parse(argv[2])) < 0 || ctl_parse_uint(argv[3], UINT_MAX, &n) < 0) {
        *err = "usage: quota DOMID nodes|watches|value|transactions|perms N";
        return -1;
    }
    if (domid == 0) {
        *err = "domain 0 is privileged: no quota applies to it";
        return -1;
    }
    if (store_quota_set(xs_store, (unsigned)domid, (enum store_quota)kind, (unsigned)n) < 0) {
        *err = ctl_errf("quota: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int xs_init(const char *dir)
{
    state_dir = strdup(dir);
    xs_store = store_new();
    if (!state_dir || !xs_store)
        return -1;
    ctl_register("dump-store",
                 "dump-store: every xenstore node (path = \"value\" (perms)), then each "
                 "connection's watches and transactions",
                 cmd_dump_store);
    ctl_register("fault-commit-eagain",
                 "fault-commit-eagain N: the next N transaction commits fail with EAGAIN",
                 cmd_fault_commit);
    ctl_register("quota",
                 "quota DOMID nodes|watches|value|transactions|perms N: set a xenstore quota "
                 "of a guest (until it is destroyed)",
                 cmd_quota);
    if (tool_write("/local/domain/0/name", "Domain-0") < 0 ||
        tool_write("/local/domain/0/domid", "0") < 0)
        return -1;
    introduced[0] = true;
    return xs_listen(dir, 0);
}
