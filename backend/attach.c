/* attach / detach: a guest's xenfb and xenkbd devices, and its kernel's
 * vfb and vkbd, made and removed by hand (devnodes.c writes the nodes). One-off commands: a
 * transaction that conflicts is tried again after a pause, for a few seconds. */
#include "config.h"

#include "attach.h"

#include "core/back.h"
#include "devnodes.h"
#include "proto/layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#define TRIES       20  /* pauses of 5, 10, 20 ... 500 ms: about 8 s in all */
#define FIRST_PAUSE 5   /* ms */
#define MAX_PAUSE   500 /* ms */

static void pause_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* "xenstore: " and errno's text, for *err */
static const char *xs_err(void)
{
    static char buf[96];
    snprintf(buf, sizeof(buf), "xenstore: %s", strerror(errno));
    return buf;
}

static int retried(int (*step)(struct xs_handle *, const struct devnodes *), struct xs_handle *xs,
                   const struct devnodes *d, const char **err)
{
    unsigned ms = FIRST_PAUSE;
    for (int tries = 1;; tries++) {
        int rc = step(xs, d);
        if (rc >= 0)
            return rc;
        if (errno != EAGAIN) {
            *err = errno == ESRCH ? "the domain is gone" : xs_err();
            return -1;
        }
        if (tries == TRIES) {
            *err = "xenstore kept refusing the transaction (EAGAIN); try again";
            return -1;
        }
        pause_ms(ms);
        ms = ms * 2 > MAX_PAUSE ? MAX_PAUSE : ms * 2;
    }
}

static int remove_any(struct xs_handle *xs, const struct devnodes *d)
{
    return devnodes_remove_backend(xs, d, NULL);
}

static int attach_with(struct xs_handle *xs, const struct xfb_attach_opts *o, const char **err)
{
    const char *types[4];
    int n = 0;
    if (o->vfb)
        types[n++] = XFB_TYPE_FB;
    if (o->vkbd)
        types[n++] = XFB_TYPE_KBD;
    if (o->kernel_vfb)
        types[n++] = XFB_BACK_TYPE_KERNEL_FB;
    if (o->kernel_vkbd)
        types[n++] = XFB_BACK_TYPE_KERNEL_KBD;
    struct devnodes d = {
        .domid = o->domid,
        .devid = o->devid,
        .backend_domid = o->backend_domid,
        .max_width = o->max_width,
        .max_height = o->max_height,
        .creator = DEVNODES_BY_ATTACH,
    };
    int alive = devnodes_domain_exists(xs, o->domid);
    if (alive <= 0) {
        static char why[96];
        snprintf(why, sizeof(why), "no such domain (no /local/domain/%d): create it first",
                 o->domid);
        *err = alive < 0 ? xs_err() : why;
        if (alive == 0)
            errno = ESRCH;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        d.type = types[i];
        int here = devnodes_exists(xs, &d);
        if (here != 0) {
            *err = here < 0 ? xs_err() : "device already attached (detach it first)";
            if (here > 0)
                errno = EEXIST;
            return -1;
        }
    }
    for (int i = 0; i < n; i++) {
        d.type = types[i];
        if (retried(devnodes_add_backend, xs, &d, err) < 0)
            return -1;
        if (retried(devnodes_add_frontend, xs, &d, err) < 0) {
            /* a backend directory without a frontend serves nobody */
            int e = errno;
            const char *ignored;
            retried(remove_any, xs, &d, &ignored);
            errno = e;
            return -1;
        }
    }
    return 0;
}

int xfb_attach(const struct xfb_attach_opts *o, const char **err)
{
    struct xs_handle *xs = xs_open(0);
    if (!xs) {
        *err = "cannot open xenstore (is xenstored running?)";
        return -1;
    }
    int rc = attach_with(xs, o, err);
    int e = errno;
    xs_close(xs);
    errno = e;
    return rc;
}

/* Remove the guest's devices of one type (all devids when devid < 0),
 * frontend first; how many, or -1. */
static int detach_type(struct xs_handle *xs, struct devnodes *d, int devid, const char **err)
{
    int ids[256], n;
    if (devid >= 0) {
        ids[0] = devid;
        n = 1;
    } else if ((n = devnodes_list(xs, d->domid, d->backend_domid, d->type, ids, 256)) < 0) {
        *err = xs_err();
        return -1;
    }
    int removed = 0;
    for (int i = 0; i < n; i++) {
        d->devid = ids[i];
        char by[16];
        if (!strcmp(d->type, XFB_BACK_TYPE_KERNEL_KBD) &&
            (devnodes_creator(xs, d, by, sizeof(by)) < 0 ||
             (strcmp(by, DEVNODES_BY_SERVE) && strcmp(by, DEVNODES_BY_ATTACH))))
            continue; /* libxl's vinput: not ours to remove */
        if (retried(devnodes_remove_frontend, xs, d, err) < 0)
            return -1;
        int rc = retried(remove_any, xs, d, err);
        if (rc < 0)
            return -1;
        removed += rc;
    }
    return removed;
}

int xfb_detach(int domid, int devid, int backend_domid, const char **err)
{
    struct xs_handle *xs = xs_open(0);
    if (!xs) {
        *err = "cannot open xenstore (is xenstored running?)";
        return -1;
    }
    struct devnodes d = {.domid = domid, .backend_domid = backend_domid};
    int removed = 0, rc = 0;
    const char *const types[] = {XFB_TYPE_FB, XFB_TYPE_KBD, XFB_BACK_TYPE_KERNEL_FB,
                                 XFB_BACK_TYPE_KERNEL_KBD};
    for (int i = 0; i < 4 && rc >= 0; i++) {
        d.type = types[i];
        rc = detach_type(xs, &d, devid, err);
        removed += rc > 0 ? rc : 0;
    }
    int e = errno;
    xs_close(xs);
    errno = e;
    if (rc < 0)
        return -1;
    if (removed == 0) {
        *err = "no vfb or vkbd attached to that domain";
        errno = ENOENT;
        return -1;
    }
    return 0;
}
