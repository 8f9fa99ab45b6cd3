/* xenstore's side of domains: the nodes a toolstack writes for a new
 * domain, its socket, introduce/release, and the ctl verbs of xenstore.
 */
#define _GNU_SOURCE 1
#include "xs_conn.h"

#include "ctl.h"
#include "domain.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What libxl__domain_make (libxl_create.c) writes for a new domain, in
 * its order, and libxl__build_post's domid. Directories made with
 * libxl__xs_mknod get one of libxl's three lists; values written with
 * xs_write inherit their directory's list, dom0 staying the owner. The
 * guest may read its home but not write it, nor create anything in device/
 * or control/ (only the toolstack adds devices); it owns the directories
 * where it reports (data, drivers, feature, attr, error, control/shutdown,
 * ...). */
enum lay_base { HOME, VM, LIBXL };         /* /local/domain/N, /vm/UUID, /libxl/N */
enum lay_perm { INHERIT, RO, RW, NOPERM }; /* -, n0 rN, nN, n0 */
enum lay_value { DIR, TEXT, NAME, DOMID, VMPATH, UUID, TYPE };

static const struct layout {
    enum lay_base base;
    const char *rel;
    enum lay_perm perm;
    enum lay_value value;
    const char *text;
    bool hvm_only;
} layout[] = {
    {HOME, "", RO, DIR, NULL, false},
    {VM, "", RO, DIR, NULL, false},
    {LIBXL, "", NOPERM, DIR, NULL, false},
    {LIBXL, "/device", NOPERM, DIR, NULL, false},
    {HOME, "/vm", INHERIT, VMPATH, NULL, false},
    {HOME, "/name", INHERIT, NAME, NULL, false},
    {VM, "/name", INHERIT, NAME, NULL, false},
    {HOME, "/cpu", RO, DIR, NULL, false},
    {HOME, "/memory", RO, DIR, NULL, false},
    {HOME, "/device", RO, DIR, NULL, false},
    {HOME, "/device/suspend/event-channel", RW, DIR, NULL, false},
    {HOME, "/control", RO, DIR, NULL, false},
    {HOME, "/hvmloader", RO, DIR, NULL, true},
    {HOME, "/control/shutdown", RW, DIR, NULL, false},
    {HOME, "/control/feature-poweroff", RW, DIR, NULL, false},
    {HOME, "/control/feature-reboot", RW, DIR, NULL, false},
    {HOME, "/control/feature-suspend", RW, DIR, NULL, false},
    {HOME, "/control/feature-s3", RW, DIR, NULL, true},
    {HOME, "/control/feature-s4", RW, DIR, NULL, true},
    {HOME, "/control/sysrq", RW, DIR, NULL, false},
    {HOME, "/data", RW, DIR, NULL, false},
    {HOME, "/drivers", RW, DIR, NULL, false},
    {HOME, "/feature", RW, DIR, NULL, false},
    {HOME, "/attr", RW, DIR, NULL, false},
    {HOME, "/error", RW, DIR, NULL, false},
    {VM, "/uuid", INHERIT, UUID, NULL, false},
    {VM, "/name", INHERIT, NAME, NULL, false},
    {HOME, "/control/platform-feature-multiprocessor-suspend", INHERIT, TEXT, "1", false},
    {HOME, "/control/platform-feature-xs_reset_watches", INHERIT, TEXT, "1", false},
    {LIBXL, "/type", INHERIT, TYPE, NULL, false},
    {HOME, "/domid", INHERIT, DOMID, NULL, false},
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

/* "n0\0rN\0" and the like; its length. */
static size_t lay_perms(enum lay_perm perm, unsigned domid, char *buf, size_t size)
{
    switch (perm) {
    case RO:
        return (size_t)snprintf(buf, size, "n0%cr%u", 0, domid) + 1;
    case RW:
        return (size_t)snprintf(buf, size, "n%u", domid) + 1;
    default:
        return (size_t)snprintf(buf, size, "n0") + 1;
    }
}

static int lay_node(const struct layout *l, unsigned domid, const struct domain_config *cfg)
{
    char path[128], perms[32], val[64];
    if (l->base == VM)
        snprintf(path, sizeof(path), "/vm/%s%s", cfg->uuid, l->rel);
    else
        snprintf(path, sizeof(path), "/%s/%u%s", l->base == HOME ? "local/domain" : "libxl", domid,
                 l->rel);
    size_t plen;
    switch (l->value) {
    case DIR:
        plen = lay_perms(l->perm, domid, perms, sizeof(perms));
        return tool_mkdir(path, perms, plen);
    case TEXT:
        return tool_write(path, l->text);
    case NAME:
        return tool_write(path, cfg->name);
    case DOMID:
        snprintf(val, sizeof(val), "%u", domid);
        return tool_write(path, val);
    case VMPATH:
        snprintf(val, sizeof(val), "/vm/%s", cfg->uuid);
        return tool_write(path, val);
    case UUID:
        return tool_write(path, cfg->uuid);
    case TYPE:
        return tool_write(path, domain_type_name(cfg->type));
    }
    return 0;
}

static void tool_rm_domain(unsigned domid, const char *uuid)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    tool_rm(path);
    snprintf(path, sizeof(path), "/vm/%s", uuid);
    tool_rm(path);
    snprintf(path, sizeof(path), "/libxl/%u", domid);
    tool_rm(path);
}

int xs_domain_created(unsigned domid, const struct domain_config *cfg)
{
    char path[96];
    int e;

    if (domid == 0) {
        /* set up by xs_init, as xen-init-dom0 does */
        snprintf(path, sizeof(path), "/local/domain/0/name");
        return tool_write(path, cfg->name);
    }
    for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
        if (layout[i].hvm_only && cfg->type != DOMAIN_HVM)
            continue;
        if (lay_node(&layout[i], domid, cfg) < 0)
            goto fail;
    }
    if (xs_listen(state_dir, domid) < 0)
        goto fail;
    xs_set_introduced(domid, true);
    return 0;
fail:
    e = errno;
    tool_rm_domain(domid, cfg->uuid);
    errno = e;
    return -1;
}

void xs_domain_destroyed(unsigned domid, const char *uuid)
{
    xs_unlisten(domid);
    tool_rm_domain(domid, uuid);
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

static int cmd_xs_stats(int argc, char **argv, FILE *out, const char **err)
{
    struct store_stats st;
    (void)argv;
    if (argc != 1) {
        *err = "usage: xs-stats";
        return -1;
    }
    store_get_stats(xs_store, &st);
    fprintf(out,
            "rule=%s commits=%" PRIu64 " coalesced=%" PRIu64 " replayed=%" PRIu64
            " conflicts=%" PRIu64 "\n",
            store_rule_name(store_get_rule(xs_store)), st.commits, st.coalesced, st.replayed,
            st.conflicts);
    return 0;
}

int xs_set_rule(const char *name)
{
    int rule = store_rule_parse(name);
    if (rule < 0)
        return -1;
    store_set_rule(xs_store, (enum store_rule)rule);
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
    ctl_register("xs-stats",
                 "xs-stats: the transaction commit rule (xenstored or oxenstored) and how "
                 "commits went: applied, of which coalesced and replayed (oxenstored), and "
                 "conflicts (EAGAIN)",
                 cmd_xs_stats);
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
