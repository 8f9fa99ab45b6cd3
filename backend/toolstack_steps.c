/* The work on one domain: who it is, what the configuration gives it,
 * and the transactions that make its devices so (toolstack_int.h). Every
 * step is idempotent and the list is run from its start each time, so a
 * conflict, or a daemon killed halfway and started again, ends in the
 * same place. */
#include "config.h"

#include "toolstack_int.h"

#include "core/back.h"

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
                               const char *type, int devid, int *budget)
{
    struct devnodes n = {
        .domid = d->domid,
        .devid = devid,
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

/* Remove the devices of TYPE the daemon made (never one made by hand),
 * but the one at devid keep (-1: keep none); what and why for the line. */
static enum step_rc remove_ours(struct toolstack *ts, struct tdom *d, const char *type, int keep,
                                const char *what, const char *why, int *budget)
{
    int ids[256];
    int n = devnodes_list(ts->xs, d->domid, ts->o.backend_domid, type, ids, 256);
    if (n < 0)
        return outcome(ts, d, -1, NULL, "list the backend directories");
    for (int i = 0; i < n; i++) {
        if (ids[i] == keep)
            continue;
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
        unsigned before = d->removed;
        s = outcome(ts, d, devnodes_remove_backend(ts->xs, &dn, DEVNODES_BY_SERVE), &d->removed,
                    "remove a backend directory");
        if (s != STEP_OK)
            return s;
        if (d->removed != before) {
            d->removed_what = what;
            d->removed_why = why;
        }
    }
    return STEP_OK;
}

/* ---- the guest kernel's devices ---- */

/* The kernel's device of one frontend type: ours (its index in *mine,
 * -1 when none) or another toolstack's (*foreign: libxl's, served by QEMU
 * or anybody; -1 when none), from the frontend directories and the
 * backend each names. Our backend type for it is btype: a frontend naming
 * any backend of that type (libxl's vinput too) is served by us, and so
 * is a backend directory of ours whose frontend directory is not made
 * yet. used: every index taken, either way. 0, or -1 + errno. */
static int kernel_find(struct toolstack *ts, struct tdom *d, const char *ftype, const char *btype,
                       int *mine, int *foreign, int *used, int *nused)
{
    int ids[64];
    char be[64][128];
    int n = devnodes_list_frontends(ts->xs, d->domid, ftype, ids, be, 64);
    if (n < 0)
        return -1;
    char prefix[96];
    int plen = snprintf(prefix, sizeof(prefix), "/local/domain/%d/backend/%s/%d/",
                        ts->o.backend_domid, btype, d->domid);
    *mine = *foreign = -1;
    *nused = 0;
    for (int i = 0; i < n; i++) {
        used[(*nused)++] = ids[i];
        if (!strncmp(be[i], prefix, (size_t)plen)) {
            if (*mine < 0)
                *mine = ids[i];
        } else if (*foreign < 0) {
            *foreign = ids[i];
        }
    }
    int bids[64];
    int nb = devnodes_list(ts->xs, d->domid, ts->o.backend_domid, btype, bids, 64);
    for (int i = 0; i < nb; i++) {
        bool fe = false;
        for (int k = 0; k < n && !fe; k++)
            fe = ids[k] == bids[i];
        if (!fe && *mine < 0)
            *mine = bids[i]; /* half made: completed by add_device */
        used[(*nused)++] = bids[i];
    }
    return nb < 0 ? -1 : 0;
}

static int lowest_free(const int *used, int n)
{
    for (int id = 0;; id++) {
        bool taken = false;
        for (int i = 0; i < n && !taken; i++)
            taken = used[i] == id;
        if (!taken)
            return id;
    }
}

/* Our backend directories of btype whose frontend directory names
 * another backend: libxl added a device of its own at that index after
 * ours (it replaces the directory). They serve nobody: removed (the
 * frontend directory, libxl's now, stays). */
static enum step_rc drop_taken(struct toolstack *ts, struct tdom *d, const char *btype, int *budget)
{
    const char *ftype = devnodes_frontend_type(btype);
    int ids[64], fids[64];
    char be[64][128];
    int n = devnodes_list(ts->xs, d->domid, ts->o.backend_domid, btype, ids, 64);
    int nf = n > 0 ? devnodes_list_frontends(ts->xs, d->domid, ftype, fids, be, 64) : 0;
    if (n < 0 || nf < 0)
        return outcome(ts, d, -1, NULL, "list the kernel's devices");
    for (int i = 0; i < n; i++) {
        char bdir[96];
        snprintf(bdir, sizeof(bdir), "/local/domain/%d/backend/%s/%d/%d", ts->o.backend_domid,
                 btype, d->domid, ids[i]);
        bool taken = false;
        for (int k = 0; k < nf && !taken; k++)
            taken = fids[k] == ids[i] && strcmp(be[k], bdir);
        if (!taken)
            continue;
        struct devnodes dn = {.domid = d->domid,
                              .devid = ids[i],
                              .backend_domid = ts->o.backend_domid,
                              .type = btype};
        if (!spend(budget))
            return STEP_BUDGET;
        unsigned before = d->removed;
        enum step_rc s = outcome(ts, d, devnodes_remove_backend(ts->xs, &dn, DEVNODES_BY_SERVE),
                                 &d->removed, "remove a backend directory");
        if (s != STEP_OK)
            return s;
        if (d->removed != before) {
            d->removed_what = strcmp(btype, XFB_BACK_TYPE_KERNEL_FB) ? "kernel vkbd" : "kernel vfb";
            d->removed_why = "libxl took its index";
        }
    }
    return STEP_OK;
}

/* Is the backend directory of btype at devid one we made? */
static bool is_ours(struct toolstack *ts, struct tdom *d, const char *btype, int devid)
{
    struct devnodes dn = {
        .domid = d->domid, .devid = devid, .backend_domid = ts->o.backend_domid, .type = btype};
    char by[16];
    return devnodes_creator(ts->xs, &dn, by, sizeof(by)) < 0 || !strcmp(by, DEVNODES_BY_SERVE) ||
           !strcmp(by, DEVNODES_BY_ATTACH);
}

/* The kernel's vfb and vkbd, where libxl has none: xen-fbfront and
 * xen-kbdfront bind them as they bind libxl's. A vfb of libxl's (a vfb=
 * line: QEMU serves it, and the kernel's console is on it) means no
 * kernel devices of ours; a vkbd of libxl's (an HVM guest's default,
 * QEMU's) means ours goes at the next free index; libxl's own vinput
 * vkbd (backend-type=linux) is served by us already, and is the kernel's
 * keyboard. */
static enum step_rc kernel_steps(struct toolstack *ts, struct tdom *d, const struct guest_rule *r,
                                 int *budget)
{
    int fb_mine, fb_foreign, kbd_mine, kbd_foreign, used[128], nused;
    enum step_rc s = drop_taken(ts, d, XFB_BACK_TYPE_KERNEL_FB, budget);
    if (s == STEP_OK)
        s = drop_taken(ts, d, XFB_BACK_TYPE_KERNEL_KBD, budget);
    if (s != STEP_OK)
        return s;
    if (kernel_find(ts, d, "vfb", XFB_BACK_TYPE_KERNEL_FB, &fb_mine, &fb_foreign, used, &nused) < 0)
        return outcome(ts, d, -1, NULL, "list the vfb devices");
    if (fb_foreign >= 0) {
        snprintf(d->kernel_now, sizeof(d->kernel_now),
                 "no kernel devices of ours: libxl gave it vfb %d (QEMU's), where its kernel's "
                 "console is",
                 fb_foreign);
        s = remove_ours(ts, d, XFB_BACK_TYPE_KERNEL_FB, -1, "kernel devices", "libxl has a vfb",
                        budget);
        if (s == STEP_OK)
            s = remove_ours(ts, d, XFB_BACK_TYPE_KERNEL_KBD, -1, "kernel devices",
                            "libxl has a vfb", budget);
        return s;
    }
    /* ours (again: add_device completes a half-made one and updates its
     * limits), or at the first free index */
    int fb = fb_mine >= 0 ? fb_mine : lowest_free(used, nused);
    s = add_device(ts, d, r, XFB_BACK_TYPE_KERNEL_FB, fb, budget);
    if (s != STEP_OK)
        return s;
    if (!r->keyboard) {
        snprintf(d->kernel_now, sizeof(d->kernel_now), "kernel vfb %d, no keyboard", fb);
        return remove_ours(ts, d, XFB_BACK_TYPE_KERNEL_KBD, -1, "keyboard", "keyboard=no", budget);
    }
    if (kernel_find(ts, d, "vkbd", XFB_BACK_TYPE_KERNEL_KBD, &kbd_mine, &kbd_foreign, used,
                    &nused) < 0)
        return outcome(ts, d, -1, NULL, "list the vkbd devices");
    int kbd = kbd_mine >= 0 ? kbd_mine : lowest_free(used, nused);
    /* libxl's own vinput is served as it is: nothing of ours to add */
    bool libxl_vinput = kbd_mine >= 0 && !is_ours(ts, d, XFB_BACK_TYPE_KERNEL_KBD, kbd_mine);
    if (!libxl_vinput)
        s = add_device(ts, d, r, XFB_BACK_TYPE_KERNEL_KBD, kbd, budget);
    if (kbd_foreign >= 0)
        snprintf(d->kernel_now, sizeof(d->kernel_now),
                 "kernel vfb %d and vkbd %d (vkbd %d is libxl's, QEMU's)", fb, kbd, kbd_foreign);
    else
        snprintf(d->kernel_now, sizeof(d->kernel_now), "kernel vfb %d and vkbd %d", fb, kbd);
    return s;
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
    char kernel[200] = "";
    if (r && r->kernel)
        snprintf(kernel, sizeof(kernel), "; %s", d->kernel_now);
    bool kernel_news = r && r->kernel && strcmp(d->kernel_now, d->kernel_said);
    if (d->made && r)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: devices created (max-size %ux%u%s%s%s)%s",
               who, r->max_width, r->max_height, r->keyboard ? ", keyboard" : ", no keyboard",
               r->xenfb ? "" : ", no xenfb", kernel, where);
    else if (d->updated && r)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: max-size %ux%u from its next connection%s",
               who, r->max_width, r->max_height, where);
    else if (kernel_news)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: %s", who, d->kernel_now);
    if (d->removed)
        ts_log(ts, XFB_LOG_INFO, d->domid, "guest %s: %s removed: %s", who,
               r ? d->removed_what : "devices", r ? d->removed_why : "no longer named");
    if (!d->made && !d->updated && !d->removed && !kernel_news)
        ts_log(ts, XFB_LOG_DEBUG, d->domid, "guest %s: %s", who,
               r ? "its devices are in place" : "not named: no devices of ours");
    snprintf(d->kernel_said, sizeof(d->kernel_said), "%s", r && r->kernel ? d->kernel_now : "");
    d->made = d->updated = d->removed = 0;
}

static enum ts_result gone_steps(struct toolstack *ts, struct tdom *d, int *budget)
{
    /* all of xenfb's and of the kernel's vfb type, whoever made them: they
     * are ours to serve, and nobody's now */
    static const char *const types[] = {XFB_TYPE_FB, XFB_TYPE_KBD, XFB_BACK_TYPE_KERNEL_FB};
    for (int t = 0; t < 3; t++) {
        if (!spend(budget))
            return TS_BUDGET;
        int rc = devnodes_remove_all_backends(ts->xs, d->domid, ts->o.backend_domid, types[t]);
        enum step_rc s = outcome(ts, d, rc, &d->removed, "remove a backend directory");
        if (s == STEP_AGAIN)
            return TS_AGAIN;
        if (s == STEP_FAILED)
            break;
    }
    /* vinput: only those we made; libxl removes its own */
    int ids[64];
    int n = devnodes_list(ts->xs, d->domid, ts->o.backend_domid, XFB_BACK_TYPE_KERNEL_KBD, ids, 64);
    for (int i = 0; i < n; i++) {
        struct devnodes dn = {.domid = d->domid,
                              .devid = ids[i],
                              .backend_domid = ts->o.backend_domid,
                              .type = XFB_BACK_TYPE_KERNEL_KBD};
        const char *creators[] = {DEVNODES_BY_SERVE, DEVNODES_BY_ATTACH};
        for (int c = 0; c < 2; c++) {
            if (!spend(budget))
                return TS_BUDGET;
            enum step_rc s = outcome(ts, d, devnodes_remove_backend(ts->xs, &dn, creators[c]),
                                     &d->removed, "remove a backend directory");
            if (s == STEP_AGAIN)
                return TS_AGAIN;
        }
    }
    char who[GUESTCONF_ID_MAX + 16];
    if (d->removed || d->named)
        ts_log(ts, XFB_LOG_INFO, d->domid, "%s%s is gone%s", d->named ? "guest " : "",
               d->named ? shown(d, who, sizeof(who)) : "domain",
               d->removed ? ": its backend directories removed" : "");
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
    enum step_rc s = STEP_OK;
    if (r && r->xenfb) {
        s = add_device(ts, d, r, XFB_TYPE_FB, 0, budget);
        if (s == STEP_OK)
            s = r->keyboard
                    ? add_device(ts, d, r, XFB_TYPE_KBD, 0, budget)
                    : remove_ours(ts, d, XFB_TYPE_KBD, -1, "keyboard", "keyboard=no", budget);
    } else {
        const char *why = r ? "devices=kernel" : "no longer named";
        s = remove_ours(ts, d, XFB_TYPE_FB, -1, "xenfb devices", why, budget);
        if (s == STEP_OK)
            s = remove_ours(ts, d, XFB_TYPE_KBD, -1, "xenfb devices", why, budget);
    }
    if (s == STEP_OK && r && r->kernel) {
        s = kernel_steps(ts, d, r, budget);
    } else if (s == STEP_OK) {
        const char *why = r ? "devices=xenfb" : "no longer named";
        s = remove_ours(ts, d, XFB_BACK_TYPE_KERNEL_FB, -1, "kernel devices", why, budget);
        if (s == STEP_OK)
            s = remove_ours(ts, d, XFB_BACK_TYPE_KERNEL_KBD, -1, "kernel devices", why, budget);
    }
    if (s == STEP_GONE)
        return gone_steps(ts, d, budget);
    if (s == STEP_OK)
        say_done(ts, d, r);
    return result_of(s);
}
