/* attach / detach: xenfb's device nodes (types xenfb and xenkbd, see
 * proto/layout.h) with the permissions libxl gives devices: the guest
 * owns its frontend directory and the backend domain its backend
 * directory; each may read the other's. */
#include "config.h"

#include "attach.h"

#include "proto/layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

static bool put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
                const char *val)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(xs, t, path, val, (unsigned)strlen(val));
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

static bool exists(struct xs_handle *xs, xs_transaction_t t, const char *path)
{
    unsigned len;
    char *v = xs_read(xs, t, path, &len);
    free(v);
    return v != NULL;
}

static int one_device(struct xs_handle *xs, xs_transaction_t t, const struct xfb_attach_opts *o,
                      const char *type, const char **err)
{
    char fdir[128], bdir[128];
    snprintf(fdir, sizeof(fdir), "/local/domain/%d/device/%s/%d", o->domid, type, o->devid);
    snprintf(bdir, sizeof(bdir), "/local/domain/%d/backend/%s/%d/%d", o->backend_domid, type,
             o->domid, o->devid);
    if (exists(xs, t, fdir) || exists(xs, t, bdir)) {
        *err = "device already attached (detach it first)";
        errno = EEXIST;
        return -1;
    }
    /* As libxl__device_generic_add: device/TYPE is made on the way and
     * keeps device's permissions (the toolstack's, read-only to the
     * guest); only device/TYPE/ID is the guest's. */
    if (!xs_mkdir(xs, t, fdir) || !perms(xs, t, fdir, o->domid, o->backend_domid) ||
        !xs_mkdir(xs, t, bdir) || !perms(xs, t, bdir, o->backend_domid, o->domid))
        goto fail;

    bool ok = put(xs, t, fdir, "backend", bdir) &&
              put_u(xs, t, fdir, "backend-id", (unsigned)o->backend_domid) &&
              put_u(xs, t, fdir, "state", XenbusStateInitialising) &&
              put(xs, t, bdir, "frontend", fdir) &&
              put_u(xs, t, bdir, "frontend-id", (unsigned)o->domid) &&
              put_u(xs, t, bdir, "online", 1) &&
              put_u(xs, t, bdir, "state", XenbusStateInitialising);
    if (ok && !strcmp(type, XFB_TYPE_FB)) {
        unsigned long long px = (unsigned long long)o->max_width * o->max_height * 4;
        unsigned mib = (unsigned)((px + (1u << 20) - 1) >> 20);
        ok = put_u(xs, t, bdir, "max-width", o->max_width) &&
             put_u(xs, t, bdir, "max-height", o->max_height) && put_u(xs, t, bdir, "videoram", mib);
    }
    if (!ok)
        goto fail;
    /* Children inherit their directory's permissions when created; set
     * them again so a store that does not still gets them right. */
    static const char *const fnodes[] = {"backend", "backend-id", "state"};
    static const char *const bnodes[] = {"frontend",  "frontend-id", "online",  "state",
                                         "max-width", "max-height",  "videoram"};
    char path[200];
    for (size_t i = 0; i < sizeof(fnodes) / sizeof(fnodes[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", fdir, fnodes[i]);
        if (!perms(xs, t, path, o->domid, o->backend_domid))
            goto fail;
    }
    size_t nb = strcmp(type, XFB_TYPE_FB) ? 4 : sizeof(bnodes) / sizeof(bnodes[0]);
    for (size_t i = 0; i < nb; i++) {
        snprintf(path, sizeof(path), "%s/%s", bdir, bnodes[i]);
        if (!perms(xs, t, path, o->backend_domid, o->domid))
            goto fail;
    }
    return 0;
fail:
    *err = "xenstore";
    return -1;
}

/* Run body in a xenstore transaction, again while commits conflict. body
 * returns 0 to commit or -1 (with *err and errno) to abort. 0, or -1 +
 * errno with *err saying what failed. */
static int in_transaction(int (*body)(struct xs_handle *, xs_transaction_t, void *, const char **),
                          void *ctx, const char **err)
{
    struct xs_handle *xs = xs_open(0);
    if (!xs) {
        *err = "cannot open xenstore";
        return -1;
    }
    int rc = -1;
    for (int tries = 0; tries < 16; tries++) {
        xs_transaction_t t = xs_transaction_start(xs);
        if (t == XBT_NULL) {
            *err = "cannot start a xenstore transaction";
            break;
        }
        if (body(xs, t, ctx, err) < 0) {
            int e = errno;
            xs_transaction_end(xs, t, true);
            errno = e;
            break;
        }
        if (xs_transaction_end(xs, t, false)) {
            rc = 0;
            break;
        }
        if (errno != EAGAIN) {
            *err = "xenstore transaction";
            break;
        }
    }
    int e = errno;
    xs_close(xs);
    errno = e;
    return rc;
}

static int attach_body(struct xs_handle *xs, xs_transaction_t t, void *ctx, const char **err)
{
    const struct xfb_attach_opts *o = ctx;
    if ((o->vfb && one_device(xs, t, o, XFB_TYPE_FB, err) < 0) ||
        (o->vkbd && one_device(xs, t, o, XFB_TYPE_KBD, err) < 0))
        return -1;
    return 0;
}

int xfb_attach(const struct xfb_attach_opts *o, const char **err)
{
    return in_transaction(attach_body, (void *)o, err);
}

/* Remove the guest's device directories of one type; how many. */
static int detach_type(struct xs_handle *xs, xs_transaction_t t, const char *type, int domid,
                       int devid, int bdomid)
{
    char bdom[128];
    snprintf(bdom, sizeof(bdom), "/local/domain/%d/backend/%s/%d", bdomid, type, domid);
    unsigned n = 0;
    char **ids = xs_directory(xs, t, bdom, &n);
    int removed = 0;
    for (unsigned i = 0; ids && i < n; i++) {
        char *end;
        long id = strtol(ids[i], &end, 10);
        if (*end || (devid >= 0 && id != devid))
            continue;
        char path[192], prefix[48];
        snprintf(path, sizeof(path), "%s/%ld/frontend", bdom, id);
        snprintf(prefix, sizeof(prefix), "/local/domain/%d/device/", domid);
        char *front = xs_read(xs, t, path, NULL);
        /* only ever remove inside the guest's own device directory */
        if (front && !strncmp(front, prefix, strlen(prefix)) && !strstr(front, "/."))
            xs_rm(xs, t, front);
        free(front);
        snprintf(path, sizeof(path), "%s/%ld", bdom, id);
        if (xs_rm(xs, t, path))
            removed++;
    }
    free(ids);
    if (devid < 0 || (ids && n <= 1))
        xs_rm(xs, t, bdom);
    return removed;
}

struct detach_ctx {
    int domid, devid, backend_domid;
    int removed;
};

static int detach_body(struct xs_handle *xs, xs_transaction_t t, void *ctx, const char **err)
{
    struct detach_ctx *c = ctx;
    (void)err;
    c->removed = detach_type(xs, t, XFB_TYPE_FB, c->domid, c->devid, c->backend_domid) +
                 detach_type(xs, t, XFB_TYPE_KBD, c->domid, c->devid, c->backend_domid);
    return 0;
}

int xfb_detach(int domid, int devid, int backend_domid, const char **err)
{
    struct detach_ctx c = {domid, devid, backend_domid, 0};
    if (in_transaction(detach_body, &c, err) < 0)
        return -1;
    if (c.removed == 0) {
        *err = "no vfb or vkbd attached to that domain";
        errno = ENOENT;
        return -1;
    }
    return 0;
}
