/* /dev/xsim/kmem: a simulated guest kernel's own memory, for programs
 * that stand in for a guest kernel driver (tests/kernel/xfb-kfront).
 *
 * On Xen a guest kernel owns frames of memory, each with a frame number
 * (an MFN on a PV guest, a GFN on PVH and HVM), which its drivers write
 * into xenstore and shared pages (xen-fbfront's page-ref and pd[]) and
 * which dom0 maps with libxenforeignmemory. A process cannot learn the
 * frame numbers of its own memory on Linux, so xsim gives the stand-ins
 * the kernel's view: this device allocates pages of the domain's memory,
 * tells their frame numbers, maps them, and grants them to another domain
 * as gnttab_grant_foreign_access() does. Opened in any domain but dom0,
 * with libxsim-preload.so; every call is -1 + errno.
 *
 *   ioctl(fd, XSIM_IOCTL_KMEM_ALLOC, &a)   count pages; a.index is the
 *                                          mmap offset that maps them in
 *                                          order, frames[i] the frame
 *                                          number of page i (ENOMEM when
 *                                          the domain's memory is used up)
 *   mmap(NULL, count * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.index)
 *   ioctl(fd, XSIM_IOCTL_KMEM_FREE, &f)     the pages go back to the domain
 *                                          (they stay its frames)
 *   ioctl(fd, XSIM_IOCTL_KMEM_GRANT, &g)    grant one frame to g.domid
 *   ioctl(fd, XSIM_IOCTL_KMEM_END_GRANT, &e)
 *
 * Closing the last descriptor frees every allocation and ends every
 * grant made through it, as a driver that goes away does.
 */
#ifndef XSIM_KMEM_H
#define XSIM_KMEM_H

#include <stdint.h>
#include <sys/ioctl.h>

#define XSIM_KMEM_PATH "/dev/xsim/kmem"

struct xsim_kmem_alloc {
    uint32_t count; /* in: pages */
    uint32_t pad;
    uint64_t index;   /* out: the mmap offset of these pages */
    uint64_t *frames; /* out: count frame numbers */
};

struct xsim_kmem_free {
    uint64_t index; /* as ALLOC gave it */
};

struct xsim_kmem_grant {
    uint64_t frame;    /* in: one of the domain's frames */
    uint16_t domid;    /* in: the grantee */
    uint16_t readonly; /* in: 1 for a read-only grant */
    uint32_t ref;      /* out: the grant reference */
};

struct xsim_kmem_end_grant {
    uint32_t ref;
};

#define XSIM_IOCTL_KMEM_ALLOC     _IOC(_IOC_NONE, 'K', 1, sizeof(struct xsim_kmem_alloc))
#define XSIM_IOCTL_KMEM_FREE      _IOC(_IOC_NONE, 'K', 2, sizeof(struct xsim_kmem_free))
#define XSIM_IOCTL_KMEM_GRANT     _IOC(_IOC_NONE, 'K', 3, sizeof(struct xsim_kmem_grant))
#define XSIM_IOCTL_KMEM_END_GRANT _IOC(_IOC_NONE, 'K', 4, sizeof(struct xsim_kmem_end_grant))

#endif
