/* The work on one domain: who it is, what the configuration gives it,
 * and the transactions that make its devices so (toolstack_int.h). Every
 * step is idempotent and the list is run from its start each time, so a
 * conflict, or a daemon killed halfway and started again, ends in the
 * same place. */
#include "config.h"

#include "toolstack_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step_rc { STEP_OK, STEP_AGAIN, STEP_GONE, STEP_FAILED, STEP_BUDGET };

/* ---- who it is ---- */

static char *read_node(struct toolstack *ts, int domid, const char *node)
{
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, node);
    unsigned len;
    return xs_read(ts->xs, XBT_NULL, path, &len);
}

/* Name, UUID (libxl's /local/domain/D/vm is /vm/UUID) and whether it is
 * a stub domain. 0, or -1 + errno (ESRCH: it has no home any more). */
static int identify(struct toolstack *ts, struct tdom *d)
{
    char *name = read_node(ts, d->domid, "name");
    if (!name && errno == ENOENT) {
        int alive = devnodes_domain_exists(ts->xs, d->domid);
        if (alive <= 0) {
            if (alive == 0)
                errno = ESRCH;
            return -1;
        }
    } else if (!name) {
        return -1;
    }
    /* a name no rule can hold matches no rule */
    snprintf(d->name, sizeof(d->name), "%s", name && strlen(name) < sizeof(d->name) ? name : "");
    free(name);
    char *vm = read_node(ts, d->domid, "vm");
    d->uuid[0] = '\0';
    if (vm && !strncmp(vm, "/vm/", 4) && !guestconf_is_uuid(vm + 4, d->uuid))
        d->uuid[0] = '\0';
    free(vm);
    char *target = read_node(ts, d->domid, "target");
    d->stubdom = target != NULL;
    free(target);
    d->known = true;
    return 0;
}

/* The name for log lines: printable, whatever the store holds. */
static const char *shown(const struct tdom *d, char *buf, size_t len)
{
    if (!d->name[0]) {
        snprintf(buf, len, "domain %d", d->domid);
        return buf;
    }
    size_t i = 0;
    buf[i++] = '\'';
    for (const char *c = d->name; *c && i + 2 < len; c++)
        buf[i++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    buf[i++] = '\'';
    buf[i] = '\0';
    return buf;
}

static const struct guest_rule *rule_of(struct toolstack *ts, const struct tdom *d)
{
    const struct guest_rule *r = guestconf_match(&ts->cfg, d->name, d->uuid);
    /* "*" means every guest, not the stub domains running their QEMU */
    if (r && r->kind == GUEST_ANY && d->stubdom)
        return NULL;
    return r;
}

/* ---- the transactions ---- */

static enum step_rc outcome(struct toolstack *ts, struct tdom *d, int rc, unsigned *counter,
                            const char *what)
{
    if (rc > 0 && counter)
        (*counter)++;
    if (rc >= 0)
        return STEP_OK;
    if (errno == EAGAIN) {
        ts_refused(ts, d);
        return STEP_AGAIN;
    }
    if (errno == ESRCH) {
        d->gone = true;
        return STEP_GONE;
    }
    ts_log(ts, XFB_LOG_ERROR, d->domid, "cannot %s: xenstore: %s", what, strerror(errno));
    return STEP_FAILED;
}

static bool spend(int *budget)
{
    return (*budget)-- > 0;
}

static enum step_rc add_device(struct toolstack *ts, struct tdom *d, const struct guest_rule *r,
                               const char *type, int *budget)
{
    struct devnodes n = {
        .domid = d->domid,
        .devid = 0,
        .backend_domid = ts->o.backend_domid,
        .type = type,
        .max_width = r->max_width,
        .max_height = r->max_height,
        .creator = DEVNODES_BY_SERVE,
    };
    /* the backend first: the guest sees nothing before its frontend
     * directory appears, and then everything is there. Its transaction
     * stays below our backend directory (devnodes.h): whether the domain
     * is still there is asked before it, and again, atomically, by the
     * frontend's. */
    int alive = devnodes_domain_exists(ts->xs, d->domid);
    if (alive <= 0) {
        if (alive == 0)
            errno = ESRCH;
        return outcome(ts, d, -1, NULL, "see whether the domain is there");
    }
    if (!spend(budget))
        return STEP_BUDGET;
    int rc = devnodes_add_backend(ts->xs, &n);
    enum step_rc s = outcome(ts, d, rc == 2 ? 0 : rc, &d->made, "create a backend directory");
    if (s != STEP_OK)
        return s;
    if (rc == 2)
        d->updated++;
    if (!spend(budget))
        return STEP_BUDGET;
    return outcome(ts, d, devnodes_add_frontend(ts->xs, &n), &d->made,
                   "create a frontend directory");
}

/* Remove the devices of TYPE the daemon made (never one made by hand). */
static enum step_rc remove_ours(struct toolstack *ts, struct tdom *d, const char *type, int *budget)
{
    int ids[256];
    int n = devnodes_list(ts->xs, d->domid, ts->o.backend_domid, type, ids, 256);
    if (n < 0)
        return outcome(ts, d, -1, NULL, "list the backend directories");
    for (int i = 0; i < n; i++) {
        struct devnodes dn = {
            .domid = d->domid,
            .devid = ids[i],
            .backend_domid = ts->o.backend_domid,
            .type = type,
        };
        char by[16];
        if (devnodes_creator(ts->xs, &dn, by, sizeof(by)) < 0 || strcmp(by, DEVNODES_BY_SERVE))
            continue;
        /* the frontend first, the guest's view of it: its backend then
         * lets go of a device the guest has stopped using */
        if (!spend(budget))
            return STEP_BUDGET;
        enum step_rc s = outcome(ts, d, devnodes_remove_frontend(ts->xs, &dn), NULL,
                                 "remove a frontend directory");
        if (s != STEP_OK)
            return s;
        if (!spend(budget))
            return STEP_BUDGET;
        s = outcome(ts, d, devnodes_remove_backend(ts->xs, &dn, DEVNODES_BY_SERVE), &d->removed,
                    "remove a backend directory");
        if (s != STEP_OK)
            return s;
    }
    return STEP_OK;
}

/* ---- a domain's whole work ---- */

static void say_done(struct toolstack *ts, struct tdom *d, const struct guest_rule *r)
{
    char who[GUESTCONF_ID_MAX + 16], where[300] = "";
    shown(d, who, sizeof(who));
    if (r && r->line)
        snprintf(where, sizeof(where), ", as %s line %u says", r->source, r->line);
    else if (r)
        snprintf(where, sizeof(where), ", as --guest says");
    if (d->made && r)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: devices created (max-size %ux%u%s)%s", who,
               r->max_width, r->max_height, r->keyboard ? ", keyboard" : ", no keyboard", where);
    else if (d->updated && r)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: max-size %ux%u from its next connection%s",
               who, r->max_width, r->max_height, where);
    if (d->removed)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: %s removed: %s", who,
               r ? "keyboard" : "devices", r ? "keyboard=no" : "no longer named");
    if (!d->made && !d->updated && !d->removed)
        ts_log(ts, XFB_LOG_DEBUG, d->domid, "guest %s: %s", who,
               r ? "its devices are in place" : "not named: no devices of ours");
    d->made = d->updated = d->removed = 0;
}

static enum ts_result gone_steps(struct toolstack *ts, struct tdom *d, int *budget)
{
    static const char *const types[] = {XFB_TYPE_FB, XFB_TYPE_KBD};
    for (int t = 0; t < 2; t++) {
        if (!spend(budget))
            return TS_BUDGET;
        int rc = devnodes_remove_all_backends(ts->xs, d->domid, ts->o.backend_domid, types[t]);
        enum step_rc s = outcome(ts, d, rc, &d->removed, "remove a backend directory");
        if (s == STEP_AGAIN)
            return TS_AGAIN;
        if (s == STEP_FAILED)
            break;
    }
    char who[GUESTCONF_ID_MAX + 16];
    if (d->removed || d->named)
        ts_log(ts, XFB_LOG_INFO, d->domid, "%s%s is gone%s", d->named ? "guest " : "",
               d->named ? shown(d, who, sizeof(who)) : "domain",
               d->removed ? ": its xenfb/xenkbd backend directories removed" : "");
    ts_forget(ts, d);
    return TS_FORGOTTEN;
}

static enum ts_result result_of(enum step_rc s)
{
    switch (s) {
    case STEP_AGAIN:
        return TS_AGAIN;
    case STEP_BUDGET:
        return TS_BUDGET;
    default:
        return TS_DONE; /* STEP_FAILED: said once; the next event tries again */
    }
}

enum ts_result ts_steps(struct toolstack *ts, struct tdom *d, int *budget)
{
    if (!d->gone && !d->known && identify(ts, d) < 0) {
        if (errno != ESRCH) {
            ts_log(ts, XFB_LOG_ERROR, d->domid, "cannot read who this domain is: %s",
                   strerror(errno));
            return TS_DONE;
        }
        d->gone = true;
    }
    if (d->gone)
        return gone_steps(ts, d, budget);
    const struct guest_rule *r = rule_of(ts, d);
    d->named = r != NULL;
    enum step_rc s;
    if (r) {
        s = add_device(ts, d, r, XFB_TYPE_FB, budget);
        if (s == STEP_OK)
            s = r->keyboard ? add_device(ts, d, r, XFB_TYPE_KBD, budget)
                            : remove_ours(ts, d, XFB_TYPE_KBD, budget);
    } else {
        s = remove_ours(ts, d, XFB_TYPE_FB, budget);
        if (s == STEP_OK)
            s = remove_ours(ts, d, XFB_TYPE_KBD, budget);
    }
    if (s == STEP_GONE)
        return gone_steps(ts, d, budget);
    if (s == STEP_OK)
        say_done(ts, d, r);
    return result_of(s);
}
