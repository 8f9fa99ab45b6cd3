/* /dev/xen/privcmd as libxenforeignmemory uses it on Linux: an mmap of the
 * device reserves a range (Linux's privcmd_mmap makes an empty VM_IO |
 * VM_DONTCOPY VMA), then IOCTL_PRIVCMD_MMAPBATCH_V2 fills the whole range
 * with the frames of another domain, each frame failing alone (its
 * err[]), as privcmd_ioctl_mmap_batch does. Any other privcmd ioctl is
 * ENOTTY, which is also what libxenforeignmemory probes with
 * IOCTL_PRIVCMD_UNIMPLEMENTED. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>

_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "frame numbers travel as uint64_t");

void *shim_privcmd_mmap(const struct shim_file *f, void *addr, size_t len, int prot, int flags,
                        off_t off)
{
    (void)f;
    if (!(flags & MAP_SHARED) || len == 0 || off != 0) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    size_t npages = (len + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE;
    /* nothing there until the ioctl: a touch faults, as on Linux */
    void *base =
        shim_real.mmap(addr, npages * HV_PAGE_SIZE, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (flags & MAP_FIXED), -1, 0);
    if (base == MAP_FAILED)
        return MAP_FAILED;
    if (madvise(base, npages * HV_PAGE_SIZE, MADV_DONTFORK) < 0) {
        int e = errno;
        shim_real.munmap(base, npages * HV_PAGE_SIZE);
        errno = e;
        return MAP_FAILED;
    }
    struct shim_map m = {.addr = (uintptr_t)base,
                         .npages = npages,
                         .kind = HV_KIND_PRIVCMD,
                         .prot = prot,
                         .dontfork = true};
    shim_lock();
    if (flags & MAP_FIXED)
        shim_map_forget((uintptr_t)base, npages * HV_PAGE_SIZE);
    int rc = shim_map_add(&m);
    shim_unlock();
    if (rc < 0) {
        shim_real.munmap(base, npages * HV_PAGE_SIZE);
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return base;
}

/* Map the reply's runs over the range; holes stay unmapped. */
static int place_runs(uint8_t *base, size_t npages, int prot, const struct shim_call *c, size_t off)
{
    const struct hv_run *runs = (const struct hv_run *)(c->out + off);
    size_t nruns = (c->outlen - off) / sizeof(*runs), at = 0;
    if ((c->outlen - off) % sizeof(*runs))
        return -1;
    for (size_t i = 0; i < nruns; i++) {
        const struct hv_run *r = &runs[i];
        if (r->npages > npages - at || (r->fd != HV_RUN_HOLE && r->fd >= c->nfds))
            return -1;
        if (r->fd != HV_RUN_HOLE &&
            shim_real.mmap(base + at * HV_PAGE_SIZE, (size_t)r->npages * HV_PAGE_SIZE, prot,
                           MAP_SHARED | MAP_FIXED, c->fds[r->fd],
                           (off_t)(r->page * HV_PAGE_SIZE)) == MAP_FAILED)
            return -1;
        at += r->npages;
    }
    /* new mappings: VM_DONTCOPY again, as privcmd's VMA is */
    if (at != npages || madvise(base, npages * HV_PAGE_SIZE, MADV_DONTFORK) < 0)
        return -1;
    return 0;
}

static int mmapbatch_v2(const struct shim_file *f, privcmd_mmapbatch_v2_t *op)
{
    struct shim_map m;
    shim_lock();
    /* privcmd_ioctl_mmap_batch: the range is a whole privcmd VMA that
     * nothing filled yet (holes left by paged-out frames, which xsim never
     * has, are the only other case Linux allows) */
    bool ours = shim_map_privcmd((uintptr_t)op->addr, op->num, &m);
    shim_unlock();
    if (!ours || op->num == 0 || op->num > HV_MAX_PAGES_PER_CALL) {
        errno = EINVAL;
        return -1;
    }
    shim_lock();
    struct shim_call c = {.req = {.op = HV_OP_PM_MAP,
                                  .handle = f->handle,
                                  .arg = {op->dom, op->num, (uint64_t)m.prot}},
                          .data = op->arr,
                          .len = (size_t)op->num * sizeof(uint64_t),
                          .cloexec = true};
    int rc = shim_call(&c);
    if (rc < 0) {
        shim_unlock();
        return -1;
    }
    size_t errlen = ((size_t)op->num * sizeof(int32_t) + 7) & ~(size_t)7;
    rc = shim_rep_errno(&c);
    int e = errno;
    if (rc == 0 && c.outlen < errlen) {
        e = EIO;
        rc = -1;
    }
    if (rc == 0 && place_runs((uint8_t *)(uintptr_t)op->addr, op->num, m.prot, &c, errlen) < 0) {
        e = errno ? errno : EIO;
        rc = -1;
    }
    if (rc == 0) {
        memcpy(op->err, c.out, (size_t)op->num * sizeof(int32_t));
        shim_map_set_id((uintptr_t)op->addr, (uint32_t)c.rep.val[0]);
    } else if (c.rep.err == 0) {
        /* mapped in xsimd but not here: let it go there too */
        struct shim_call u = {.req = {.op = HV_OP_MUNMAP, .arg = {c.rep.val[0], 0, op->num}}};
        if (shim_call(&u) == 0)
            shim_call_done(&u);
    }
    shim_call_done(&c);
    shim_unlock();
    errno = e;
    return rc;
}

int shim_privcmd_ioctl(const struct shim_file *f, unsigned long req, void *arg)
{
    if (req != IOCTL_PRIVCMD_MMAPBATCH_V2) {
        errno = ENOTTY;
        return -1;
    }
    if (!arg) {
        errno = EFAULT;
        return -1;
    }
    return mmapbatch_v2(f, arg);
}
