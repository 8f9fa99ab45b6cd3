/* The xenstore nodes of one device the daemon serves (protocol.md
 * section 1): xenfb's, or the guest kernel's; for `attach`/`detach` and
 * the daemon's toolstack alike.
 *
 * Every call is ONE transaction that reads and writes inside one
 * domain's subtree only: the backend directory under
 * /local/domain/B/backend/TYPE/D, or the frontend directory under
 * /local/domain/D. oxenstored decides conflicts on the lowest common
 * path of everything a transaction read and wrote (transaction.ml): one
 * that touched both /local/domain/D and /local/domain/B would conflict
 * with any write anywhere under /local/domain, which on a busy host is
 * almost every time. A device is made backend first, then frontend (the
 * guest sees nothing before its frontend directory appears, and then the
 * backend is there), and removed frontend first. Each step is idempotent,
 * so a caller killed between two steps is completed (or undone) by the
 * next run.
 *
 * Nothing here retries: a conflict is -1 + EAGAIN, and the caller tries
 * again when it suits it (attach sleeps; the daemon uses a timer).
 */
#ifndef XFB_DEVNODES_H
#define XFB_DEVNODES_H

#include <stdbool.h>
#include <stddef.h>
#include <xenstore.h>

/* Who made a backend directory: its `created-by` node. The daemon
 * removes only devices it made itself while their domain lives. */
#define DEVNODES_BY_SERVE  "serve"
#define DEVNODES_BY_ATTACH "attach"

/* The largest mode a guest may use when nobody says (attach's and the
 * configuration file's default; the backend core's when a backend
 * directory has no limits). */
#define DEVNODES_DEFAULT_MAX_WIDTH  3840
#define DEVNODES_DEFAULT_MAX_HEIGHT 2160

/* The mode a Linux guest's xen-fbfront takes when the backend gives
 * none: the backend writes its own width and height only when max-size is
 * smaller (and the kernel would be refused). */
#define DEVNODES_KERNEL_WIDTH  800
#define DEVNODES_KERNEL_HEIGHT 600
/* The axes a kernel's vkbd gets (its width and height, read by
 * xen-kbdfront at probe): fixed, and fine enough that a position is as
 * exact in any mode as xenkbd's raw pointer is. */
#define DEVNODES_KERNEL_AXIS 32767

struct devnodes {
    int domid;         /* the guest */
    int devid;         /* 0 for the first device */
    int backend_domid; /* where the backend runs: 0 = dom0 */
    /* the backend type: XFB_TYPE_FB, XFB_TYPE_KBD, or the kernel's
     * XFB_BACK_TYPE_KERNEL_FB (frontend vfb) and XFB_BACK_TYPE_KERNEL_KBD
     * (frontend vkbd) */
    const char *type;
    /* for a vfb: the largest mode the backend accepts */
    unsigned max_width, max_height;
    const char *creator; /* DEVNODES_BY_* */
};

/* The frontend type of a backend type (vfb-xenfb: vfb, vinput: vkbd). */
const char *devnodes_frontend_type(const char *type);

/* Does /local/domain/D exist? 1 yes, 0 no, -1 + errno (xenstore). */
int devnodes_domain_exists(struct xs_handle *xs, int domid);

/* The backend directory, with its limits and created-by. 1: created;
 * 0: there already, left as it is; 2: there already, made by the same
 * creator with other limits, which are now these (anybody else's is left
 * alone); -1 + errno: EAGAIN (conflict: try again), or xenstore's. */
int devnodes_add_backend(struct xs_handle *xs, const struct devnodes *d);

/* The frontend directory, naming the backend directory: 1 created, 0
 * there already; -1 + errno: ESRCH when /local/domain/D does not exist
 * (the domain is gone: nothing is written), EAGAIN, or xenstore's. */
int devnodes_add_frontend(struct xs_handle *xs, const struct devnodes *d);

/* Remove the frontend directory if it names our backend directory (a
 * frontend that names another backend is not ours): 1 removed, 0
 * nothing to remove (nor any domain: ESRCH is not an error here); -1 +
 * errno. */
int devnodes_remove_frontend(struct xs_handle *xs, const struct devnodes *d);

/* Remove the backend directory; with only_creator, only if its
 * created-by says so. Its parent backend/TYPE/D goes too once empty. 1
 * removed, 0 nothing (or not that creator's); -1 + errno. */
int devnodes_remove_backend(struct xs_handle *xs, const struct devnodes *d,
                            const char *only_creator);

/* Remove every backend directory of TYPE for domain D, whoever made them
 * (the caller has seen that D has no home any more). 1 removed, 0 there
 * were none; -1 + errno. */
int devnodes_remove_all_backends(struct xs_handle *xs, int domid, int backend_domid,
                                 const char *type);

/* Does either directory of the device exist? 1 yes, 0 no, -1 + errno. */
int devnodes_exists(struct xs_handle *xs, const struct devnodes *d);

/* The created-by of a backend directory into buf ("" when it has none,
 * as devices made before it existed). 0, or -1 + errno (ENOENT: no such
 * device). */
int devnodes_creator(struct xs_handle *xs, const struct devnodes *d, char *buf, size_t len);

/* The devids of TYPE with a backend directory for domain D (sorted
 * ascending); returns how many, at most max (0 when none); -1 + errno. */
int devnodes_list(struct xs_handle *xs, int domid, int backend_domid, const char *type, int *ids,
                  int max);

/* The frontend devices of FTYPE (device/FTYPE/N) of domain D, whoever
 * made them, sorted by N: their N in ids and their `backend` node in
 * backends[i] ("" when it has none); how many, at most max; -1 + errno. */
int devnodes_list_frontends(struct xs_handle *xs, int domid, const char *ftype, int *ids,
                            char (*backends)[128], int max);

/* The domains with a backend directory of TYPE; as devnodes_list. */
int devnodes_list_domains(struct xs_handle *xs, int backend_domid, const char *type, int *ids,
                          int max);

#endif
