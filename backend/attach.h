/* The toolstack's part of vfb/vkbd (protocol.md section 1): the nodes
 * libxl would write for a device, for our backend instead of QEMU. */
#ifndef XFB_ATTACH_H
#define XFB_ATTACH_H

#include <stdbool.h>

struct xfb_attach_opts {
    int domid;         /* the guest */
    int devid;         /* device index, 0 for the first */
    int backend_domid; /* where the backend runs, 0 = dom0 */
    bool vfb, vkbd;    /* xenfb's xenfb and xenkbd */
    /* the guest kernel's: device/vfb/N (backend vfb-xenfb) and
     * device/vkbd/N (backend vinput) */
    bool kernel_vfb, kernel_vkbd;
    unsigned max_width, max_height;
};

/* Create the backend, then the frontend directory of each device
 * (devnodes.h), created-by "attach". 0, or -1 + errno (ESRCH: no such
 * domain; EEXIST: a device is already there); *err then says what
 * failed, in words for the user. */
int xfb_attach(const struct xfb_attach_opts *o, const char **err);

/* Remove both directories of the guest's vfb and vkbd devices, xenfb's
 * and the kernel's (all devids when devid < 0), whoever made them (but a
 * vinput vkbd only when we made it: libxl makes them too), frontend
 * first; the backend sees them go and lets go of the guest. 0, or -1 +
 * errno (ENOENT: nothing attached). */
int xfb_detach(int domid, int devid, int backend_domid, const char **err);

#endif
