/* One device's xenstore nodes, one transaction per directory (see
 * devnodes.h for why), with the permissions libxl gives devices: the
 * guest owns its frontend directory and the backend domain its backend
 * directory; each may read the other's. */
#include "config.h"

#include "devnodes.h"

#include "core/back.h"
#include "proto/layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

struct paths {
    char home[32];  /* /local/domain/D */
    char fdir[96];  /* /local/domain/D/device/TYPE/N */
    char bdom[96];  /* /local/domain/B/backend/TYPE/D */
    char bdir[112]; /* bdom/N */
};

const char *devnodes_frontend_type(const char *type)
{
    if (!strcmp(type, XFB_BACK_TYPE_KERNEL_FB))
        return "vfb";
    if (!strcmp(type, XFB_BACK_TYPE_KERNEL_KBD))
        return "vkbd";
    return type;
}

static bool is_fb(const struct devnodes *d)
{
    return !strcmp(d->type, XFB_TYPE_FB) || !strcmp(d->type, XFB_BACK_TYPE_KERNEL_FB);
}

static void paths_of(const struct devnodes *d, struct paths *p)
{
    snprintf(p->home, sizeof(p->home), "/local/domain/%d", d->domid);
    snprintf(p->fdir, sizeof(p->fdir), "%s/device/%s/%d", p->home, devnodes_frontend_type(d->type),
             d->devid);
    snprintf(p->bdom, sizeof(p->bdom), "/local/domain/%d/backend/%s/%d", d->backend_domid, d->type,
             d->domid);
    snprintf(p->bdir, sizeof(p->bdir), "%s/%d", p->bdom, d->devid);
}

/* A node's value (malloc'ed), NULL + errno. */
static char *get(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
    char path[160];
    if (node)
        snprintf(path, sizeof(path), "%s/%s", dir, node);
    else
        snprintf(path, sizeof(path), "%s", dir);
    unsigned len;
    return xs_read(xs, t, path, &len);
}

/* 1 there, 0 not (ENOENT), -1 + errno. */
static int there(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
    char *v = get(xs, t, dir, node);
    free(v);
    if (v)
        return 1;
    return errno == ENOENT ? 0 : -1;
}

static bool put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
                const char *val)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(xs, t, path, val, (unsigned)strlen(val));
}

/* remove dir/node; a node that is not there is no error */
static bool del(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_rm(xs, t, path) || errno == ENOENT;
}

static bool put_u(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
                  unsigned v)
{
    char val[16];
    snprintf(val, sizeof(val), "%u", v);
    return put(xs, t, dir, node, val);
}

/* owner gets everything, reader may read, everybody else nothing */
static bool perms(struct xs_handle *xs, xs_transaction_t t, const char *path, int owner, int reader)
{
    struct xs_permissions p[2] = {
        {.id = (unsigned)owner, .perms = XS_PERM_NONE},
        {.id = (unsigned)reader, .perms = XS_PERM_READ},
    };
    return xs_set_permissions(xs, t, path, p, owner == reader ? 1 : 2);
}

/* Children inherit their directory's permissions when created; set them
 * again so that a store that does not still gets them right. */
static bool perms_below(struct xs_handle *xs, xs_transaction_t t, const char *dir,
                        const char *const *nodes, size_t n, int owner, int reader)
{
    char path[160];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, nodes[i]);
        if (!perms(xs, t, path, owner, reader))
            return false;
    }
    return true;
}

/* Run body in one transaction: it returns -1 (+ errno) to abort, 0 when
 * it wrote nothing (ended without committing: nothing can conflict) or 1
 * when it wrote (committed). The body's value, or -1 + errno (EAGAIN: the
 * commit conflicted). */
static int one_transaction(struct xs_handle *xs,
                           int (*body)(struct xs_handle *, xs_transaction_t, void *), void *ctx)
{
    xs_transaction_t t = xs_transaction_start(xs);
    if (t == XBT_NULL)
        return -1;
    int rc = body(xs, t, ctx);
    if (rc <= 0) {
        int e = errno;
        xs_transaction_end(xs, t, true);
        errno = e;
        return rc;
    }
    return xs_transaction_end(xs, t, false) ? rc : -1;
}

int devnodes_domain_exists(struct xs_handle *xs, int domid)
{
    char home[32];
    snprintf(home, sizeof(home), "/local/domain/%d", domid);
    return there(xs, XBT_NULL, home, NULL);
}

static void videoram(const struct devnodes *d, unsigned *mib)
{
    unsigned long long px = (unsigned long long)d->max_width * d->max_height * 4;
    *mib = (unsigned)((px + (1u << 20) - 1) >> 20);
}

/* The kernel's vfb: its own width and height only when the kernel's
 * default mode would not fit max-size (xen-fbfront reads them at probe). */
static bool kernel_mode(const struct devnodes *d, unsigned *w, unsigned *h)
{
    if (strcmp(d->type, XFB_BACK_TYPE_KERNEL_FB) ||
        (d->max_width >= DEVNODES_KERNEL_WIDTH && d->max_height >= DEVNODES_KERNEL_HEIGHT))
        return false;
    *w = d->max_width < DEVNODES_KERNEL_WIDTH ? d->max_width : DEVNODES_KERNEL_WIDTH;
    *h = d->max_height < DEVNODES_KERNEL_HEIGHT ? d->max_height : DEVNODES_KERNEL_HEIGHT;
    return true;
}

/* Our own device asked with other limits: give it these. 1 when written. */
static int update_limits(struct xs_handle *xs, xs_transaction_t t, const struct devnodes *d,
                         const char *bdir)
{
    char *by = get(xs, t, bdir, "created-by");
    bool mine = by && !strcmp(by, d->creator);
    free(by);
    if (!mine || !is_fb(d))
        return 0;
    char *w = get(xs, t, bdir, "max-width"), *h = get(xs, t, bdir, "max-height");
    char want_w[16], want_h[16];
    snprintf(want_w, sizeof(want_w), "%u", d->max_width);
    snprintf(want_h, sizeof(want_h), "%u", d->max_height);
    bool same = w && h && !strcmp(w, want_w) && !strcmp(h, want_h);
    free(w);
    free(h);
    if (same)
        return 0;
    unsigned mib, kw, kh;
    videoram(d, &mib);
    if (!put(xs, t, bdir, "max-width", want_w) || !put(xs, t, bdir, "max-height", want_h) ||
        !put_u(xs, t, bdir, "videoram", mib))
        return -1;
    if (kernel_mode(d, &kw, &kh))
        return put_u(xs, t, bdir, "width", kw) && put_u(xs, t, bdir, "height", kh) ? 1 : -1;
    if (!strcmp(d->type, XFB_BACK_TYPE_KERNEL_FB) &&
        (!del(xs, t, bdir, "width") || !del(xs, t, bdir, "height")))
        return -1;
    return 1;
}

static int add_backend(struct xs_handle *xs, xs_transaction_t t, void *ctx)
{
    const struct devnodes *d = ctx;
    struct paths p;
    paths_of(d, &p);
    int here = there(xs, t, p.bdir, NULL);
    if (here < 0)
        return -1;
    if (here) {
        int rc = update_limits(xs, t, d, p.bdir);
        return rc < 0 ? -1 : rc ? 2 : 0;
    }
    if (!xs_mkdir(xs, t, p.bdir) || !perms(xs, t, p.bdir, d->backend_domid, d->domid))
        return -1;
    const char *nodes[12] = {"frontend", "frontend-id", "online", "state", "created-by"};
    size_t n = 5;
    bool ok = put(xs, t, p.bdir, "frontend", p.fdir) &&
              put_u(xs, t, p.bdir, "frontend-id", (unsigned)d->domid) &&
              put_u(xs, t, p.bdir, "online", 1) &&
              put_u(xs, t, p.bdir, "state", XenbusStateInitialising) &&
              put(xs, t, p.bdir, "created-by", d->creator);
    unsigned w, h;
    if (ok && is_fb(d)) {
        unsigned mib;
        videoram(d, &mib);
        ok = put_u(xs, t, p.bdir, "max-width", d->max_width) &&
             put_u(xs, t, p.bdir, "max-height", d->max_height) &&
             put_u(xs, t, p.bdir, "videoram", mib);
        nodes[n++] = "max-width";
        nodes[n++] = "max-height";
        nodes[n++] = "videoram";
    }
    /* what a kernel frontend reads at probe, which may come before any
     * backend runs: the vfb's mode when its default would not fit, the
     * vkbd's absolute pointer and axes (libxl's vkb feature-abs-pointer=,
     * width=, height=) */
    if (ok && kernel_mode(d, &w, &h)) {
        ok = put_u(xs, t, p.bdir, "width", w) && put_u(xs, t, p.bdir, "height", h);
        nodes[n++] = "width";
        nodes[n++] = "height";
    }
    if (ok && !strcmp(d->type, XFB_BACK_TYPE_KERNEL_KBD)) {
        ok = put_u(xs, t, p.bdir, "feature-abs-pointer", 1) &&
             put_u(xs, t, p.bdir, "width", DEVNODES_KERNEL_AXIS) &&
             put_u(xs, t, p.bdir, "height", DEVNODES_KERNEL_AXIS);
        nodes[n++] = "feature-abs-pointer";
        nodes[n++] = "width";
        nodes[n++] = "height";
    }
    if (!ok || !perms_below(xs, t, p.bdir, nodes, n, d->backend_domid, d->domid))
        return -1;
    return 1;
}

int devnodes_add_backend(struct xs_handle *xs, const struct devnodes *d)
{
    return one_transaction(xs, add_backend, (void *)d);
}

static int add_frontend(struct xs_handle *xs, xs_transaction_t t, void *ctx)
{
    const struct devnodes *d = ctx;
    struct paths p;
    paths_of(d, &p);
    /* inside the transaction: a domain destroyed meanwhile gets nothing
     * written, not even the home the write would create again */
    int alive = there(xs, t, p.home, NULL);
    if (alive <= 0) {
        if (alive == 0)
            errno = ESRCH;
        return -1;
    }
    int here = there(xs, t, p.fdir, NULL);
    if (here != 0)
        return here < 0 ? -1 : 0;
    /* As libxl__device_generic_add: device/TYPE is made on the way and
     * keeps device's permissions (the toolstack's, read-only to the
     * guest); only device/TYPE/ID is the guest's. Its permissions are set
     * while it is empty, so that what is written below inherits them. */
    if (!xs_mkdir(xs, t, p.fdir) || !perms(xs, t, p.fdir, d->domid, d->backend_domid))
        return -1;
    static const char *const nodes[] = {"backend", "backend-id", "state"};
    if (!put(xs, t, p.fdir, "backend", p.bdir) ||
        !put_u(xs, t, p.fdir, "backend-id", (unsigned)d->backend_domid) ||
        !put_u(xs, t, p.fdir, "state", XenbusStateInitialising) ||
        !perms_below(xs, t, p.fdir, nodes, 3, d->domid, d->backend_domid))
        return -1;
    return 1;
}

int devnodes_add_frontend(struct xs_handle *xs, const struct devnodes *d)
{
    return one_transaction(xs, add_frontend, (void *)d);
}

static int remove_frontend(struct xs_handle *xs, xs_transaction_t t, void *ctx)
{
    const struct devnodes *d = ctx;
    struct paths p;
    paths_of(d, &p);
    /* no home: the toolstack removed it with everything below */
    int alive = there(xs, t, p.home, NULL);
    if (alive <= 0)
        return alive;
    char *back = get(xs, t, p.fdir, "backend");
    if (!back)
        return errno == ENOENT ? 0 : -1;
    bool ours = !strcmp(back, p.bdir);
    free(back);
    if (!ours)
        return 0;
    return xs_rm(xs, t, p.fdir) ? 1 : -1;
}

int devnodes_remove_frontend(struct xs_handle *xs, const struct devnodes *d)
{
    return one_transaction(xs, remove_frontend, (void *)d);
}

struct remove_ctx {
    const struct devnodes *d;
    const char *only_creator;
};

static int remove_backend(struct xs_handle *xs, xs_transaction_t t, void *ctx)
{
    const struct remove_ctx *c = ctx;
    struct paths p;
    paths_of(c->d, &p);
    int here = there(xs, t, p.bdir, NULL);
    if (here <= 0)
        return here;
    if (c->only_creator) {
        char *by = get(xs, t, p.bdir, "created-by");
        if (!by)
            return errno == ENOENT ? 0 : -1;
        bool match = !strcmp(by, c->only_creator);
        free(by);
        if (!match)
            return 0;
    }
    if (!xs_rm(xs, t, p.bdir))
        return -1;
    unsigned n = 0;
    char **left = xs_directory(xs, t, p.bdom, &n);
    free(left);
    if (left && n == 0 && !xs_rm(xs, t, p.bdom))
        return -1;
    return 1;
}

int devnodes_remove_backend(struct xs_handle *xs, const struct devnodes *d,
                            const char *only_creator)
{
    struct remove_ctx c = {d, only_creator};
    return one_transaction(xs, remove_backend, &c);
}

struct remove_all_ctx {
    int domid, backend_domid;
    const char *type;
};

static int remove_all(struct xs_handle *xs, xs_transaction_t t, void *ctx)
{
    const struct remove_all_ctx *c = ctx;
    char bdom[96];
    snprintf(bdom, sizeof(bdom), "/local/domain/%d/backend/%s/%d", c->backend_domid, c->type,
             c->domid);
    int here = there(xs, t, bdom, NULL);
    if (here <= 0)
        return here;
    return xs_rm(xs, t, bdom) ? 1 : -1;
}

int devnodes_remove_all_backends(struct xs_handle *xs, int domid, int backend_domid,
                                 const char *type)
{
    struct remove_all_ctx c = {domid, backend_domid, type};
    return one_transaction(xs, remove_all, &c);
}

int devnodes_exists(struct xs_handle *xs, const struct devnodes *d)
{
    struct paths p;
    paths_of(d, &p);
    int b = there(xs, XBT_NULL, p.bdir, NULL);
    if (b != 0)
        return b;
    return there(xs, XBT_NULL, p.fdir, NULL);
}

int devnodes_creator(struct xs_handle *xs, const struct devnodes *d, char *buf, size_t len)
{
    struct paths p;
    paths_of(d, &p);
    char *by = get(xs, XBT_NULL, p.bdir, "created-by");
    if (!by) {
        if (errno != ENOENT)
            return -1;
        int here = there(xs, XBT_NULL, p.bdir, NULL);
        if (here <= 0) {
            if (here == 0)
                errno = ENOENT;
            return -1;
        }
    }
    snprintf(buf, len, "%s", by ? by : "");
    free(by);
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The numeric entries of a directory, sorted; others (junk) are skipped. */
static int list_ids(struct xs_handle *xs, const char *dir, int limit, int *ids, int max)
{
    unsigned n = 0;
    char **ents = xs_directory(xs, XBT_NULL, dir, &n);
    if (!ents)
        return errno == ENOENT ? 0 : -1;
    int k = 0;
    for (unsigned i = 0; i < n && k < max; i++) {
        char *end;
        errno = 0;
        long v = strtol(ents[i], &end, 10);
        if (ents[i][0] < '0' || ents[i][0] > '9' || *end || errno || v > limit)
            continue;
        ids[k++] = (int)v;
    }
    free(ents);
    qsort(ids, (size_t)k, sizeof(*ids), cmp_int);
    return k;
}

int devnodes_list(struct xs_handle *xs, int domid, int backend_domid, const char *type, int *ids,
                  int max)
{
    char bdom[96];
    snprintf(bdom, sizeof(bdom), "/local/domain/%d/backend/%s/%d", backend_domid, type, domid);
    return list_ids(xs, bdom, 255, ids, max);
}

int devnodes_list_frontends(struct xs_handle *xs, int domid, const char *ftype, int *ids,
                            char (*backends)[128], int max)
{
    char dir[96];
    snprintf(dir, sizeof(dir), "/local/domain/%d/device/%s", domid, ftype);
    int n = list_ids(xs, dir, 255, ids, max);
    for (int i = 0; i < n; i++) {
        char fdir[112];
        snprintf(fdir, sizeof(fdir), "%s/%d", dir, ids[i]);
        char *be = get(xs, XBT_NULL, fdir, "backend");
        if (!be && errno != ENOENT)
            return -1;
        snprintf(backends[i], 128, "%s", be ? be : "");
        free(be);
    }
    return n;
}

int devnodes_list_domains(struct xs_handle *xs, int backend_domid, const char *type, int *ids,
                          int max)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/local/domain/%d/backend/%s", backend_domid, type);
    return list_ids(xs, dir, 0x7fef, ids, max);
}
