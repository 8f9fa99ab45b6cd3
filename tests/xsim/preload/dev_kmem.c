/* /dev/xsim/kmem (xsim/xsim_kmem.h): a guest kernel's page allocator and
 * gnttab_grant_foreign_access(), for the programs that stand in for a
 * guest kernel's drivers. Its mmap is the grant devices' (dev_grant.c):
 * the pages come as runs of the domain's memory. */
#define _GNU_SOURCE 1
#include "shim.h"

#include "xsim/xsim_kmem.h"

#include <errno.h>
#include <string.h>

int shim_kmem_ioctl(const struct shim_file *f, unsigned long req, void *arg)
{
    if (!arg) {
        errno = EFAULT;
        return -1;
    }
    switch (req) {
    case XSIM_IOCTL_KMEM_ALLOC: {
        struct xsim_kmem_alloc *a = arg;
        if (a->count == 0 || a->count > HV_MAX_PAGES_PER_CALL || !a->frames) {
            errno = EINVAL;
            return -1;
        }
        return shim_file_call(f, HV_OP_KM_ALLOC, a->count, 0, 0, NULL, 0, a->frames,
                              (size_t)a->count * sizeof(uint64_t), &a->index);
    }
    case XSIM_IOCTL_KMEM_FREE: {
        const struct xsim_kmem_free *fr = arg;
        return shim_file_call(f, HV_OP_KM_FREE, fr->index, 0, 0, NULL, 0, NULL, 0, NULL);
    }
    case XSIM_IOCTL_KMEM_GRANT: {
        struct xsim_kmem_grant *g = arg;
        uint64_t ref;
        int rc = shim_file_call(f, HV_OP_KM_GRANT, g->frame, g->domid, g->readonly != 0, NULL, 0,
                                NULL, 0, &ref);
        if (rc == 0)
            g->ref = (uint32_t)ref;
        return rc;
    }
    case XSIM_IOCTL_KMEM_END_GRANT: {
        const struct xsim_kmem_end_grant *e = arg;
        return shim_file_call(f, HV_OP_KM_END_GRANT, e->ref, 0, 0, NULL, 0, NULL, 0, NULL);
    }
    default:
        errno = ENOTTY;
        return -1;
    }
}
