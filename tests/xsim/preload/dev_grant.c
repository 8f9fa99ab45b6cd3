/* /dev/xen/gntalloc and /dev/xen/gntdev: ioctls and mmap (kmem's too). An mmap gets
 * from xsimd the memfds holding the pages and maps them, run by run, into
 * one reserved range, so the program sees one mapping as with the device. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/sys/gntalloc.h>
#include <xen/sys/gntdev.h>

static int gntalloc_ioctl(const struct shim_file *f, unsigned long req, void *arg)
{
    switch (req) {
    case IOCTL_GNTALLOC_ALLOC_GREF: {
        struct ioctl_gntalloc_alloc_gref *op = arg;
        uint64_t index;
        size_t n = op->count <= HV_MAX_PAGES_PER_CALL ? op->count : 0;
        int rc = shim_file_call(f, HV_OP_GA_ALLOC, op->domid, op->flags, op->count, NULL, 0,
                                n ? op->gref_ids : NULL, n * sizeof(uint32_t), &index);
        if (rc == 0)
            op->index = index;
        return rc;
    }
    case IOCTL_GNTALLOC_DEALLOC_GREF: {
        const struct ioctl_gntalloc_dealloc_gref *op = arg;
        return shim_file_call(f, HV_OP_GA_DEALLOC, op->index, op->count, 0, NULL, 0, NULL, 0, NULL);
    }
    case IOCTL_GNTALLOC_SET_UNMAP_NOTIFY: {
        const struct ioctl_gntalloc_unmap_notify *op = arg;
        return shim_file_call(f, HV_OP_SET_NOTIFY, op->index, op->action, op->event_channel_port,
                              NULL, 0, NULL, 0, NULL);
    }
    default:
        errno = ENOTTY;
        return -1;
    }
}

/* GRANT_COPY, a batch of segments at a time. */
static int grant_copy(const struct shim_file *f, struct ioctl_gntdev_grant_copy *op)
{
    struct ioctl_gntdev_grant_copy_segment *segs = op->segments;
    for (unsigned done = 0; done < op->count;) {
        unsigned n = op->count - done;
        if (n > HV_MAX_COPY_SEGS)
            n = HV_MAX_COPY_SEGS;
        struct hv_copy_seg wire[HV_MAX_COPY_SEGS];
        uint8_t *src = malloc((size_t)n * HV_PAGE_SIZE);
        if (!src) {
            errno = ENOMEM;
            return -1;
        }
        size_t srclen = 0;
        for (unsigned i = 0; i < n; i++) {
            const struct ioctl_gntdev_grant_copy_segment *s = &segs[done + i];
            wire[i] = (struct hv_copy_seg){.flags = s->flags, .len = s->len};
            if (s->flags & HV_COPY_SOURCE_GREF) {
                wire[i].src_ref = s->source.foreign.ref;
                wire[i].src_dom = s->source.foreign.domid;
                wire[i].src_off = s->source.foreign.offset;
            } else if (s->len <= HV_PAGE_SIZE) {
                memcpy(src + srclen, s->source.virt, s->len);
                srclen += s->len;
            }
            if (s->flags & HV_COPY_DEST_GREF) {
                wire[i].dst_ref = s->dest.foreign.ref;
                wire[i].dst_dom = s->dest.foreign.domid;
                wire[i].dst_off = s->dest.foreign.offset;
            }
        }
        shim_lock();
        struct shim_call c = {.req = {.op = HV_OP_GD_COPY, .handle = f->handle, .arg = {n}},
                              .data = wire,
                              .len = n * sizeof(wire[0]),
                              .data2 = src,
                              .len2 = srclen};
        int rc = shim_call(&c);
        free(src);
        if (rc == 0)
            rc = shim_rep_errno(&c);
        size_t stlen = (n * sizeof(int16_t) + 7) & ~(size_t)7, off = stlen;
        if (rc == 0 && c.outlen < stlen) {
            errno = EIO;
            rc = -1;
        }
        for (unsigned i = 0; rc == 0 && i < n; i++) {
            struct ioctl_gntdev_grant_copy_segment *s = &segs[done + i];
            int16_t st;
            memcpy(&st, c.out + i * sizeof(st), sizeof(st));
            s->status = st;
            if (st || (s->flags & HV_COPY_DEST_GREF))
                continue;
            if (c.outlen - off < s->len) {
                errno = EIO;
                rc = -1;
                break;
            }
            memcpy(s->dest.virt, c.out + off, s->len);
            off += s->len;
        }
        shim_call_done(&c);
        shim_unlock();
        if (rc < 0)
            return -1;
        done += n;
    }
    return 0;
}

static int gntdev_ioctl(const struct shim_file *f, unsigned long req, void *arg)
{
    switch (req) {
    case IOCTL_GNTDEV_MAP_GRANT_REF: {
        struct ioctl_gntdev_map_grant_ref *op = arg;
        if (op->count == 0 || op->count > HV_MAX_PAGES_PER_CALL) {
            errno = EINVAL;
            return -1;
        }
        uint64_t index;
        int rc = shim_file_call(f, HV_OP_GD_MAP, op->count, 0, 0, op->refs,
                                op->count * sizeof(struct hv_grant_ref), NULL, 0, &index);
        if (rc == 0)
            op->index = index;
        return rc;
    }
    case IOCTL_GNTDEV_UNMAP_GRANT_REF: {
        const struct ioctl_gntdev_unmap_grant_ref *op = arg;
        return shim_file_call(f, HV_OP_GD_UNMAP, op->index, op->count, 0, NULL, 0, NULL, 0, NULL);
    }
    case IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR: {
        struct ioctl_gntdev_get_offset_for_vaddr *op = arg;
        struct shim_map m;
        shim_lock();
        bool found = shim_map_find((uintptr_t)op->vaddr, &m);
        shim_unlock();
        if (!found) {
            errno = EINVAL;
            return -1;
        }
        op->offset = m.index;
        op->count = m.count;
        return 0;
    }
    case IOCTL_GNTDEV_SET_MAX_GRANTS:
        return 0; /* obsolete; accepted */
    case IOCTL_GNTDEV_SET_UNMAP_NOTIFY: {
        const struct ioctl_gntdev_unmap_notify *op = arg;
        return shim_file_call(f, HV_OP_SET_NOTIFY, op->index, op->action, op->event_channel_port,
                              NULL, 0, NULL, 0, NULL);
    }
    case IOCTL_GNTDEV_GRANT_COPY:
        return grant_copy(f, arg);
    default:
        errno = ENOTTY;
        return -1;
    }
}

int shim_grant_ioctl(const struct shim_file *f, unsigned long req, void *arg)
{
    if (!arg) {
        errno = EFAULT;
        return -1;
    }
    return f->kind == HV_KIND_GNTALLOC ? gntalloc_ioctl(f, req, arg) : gntdev_ioctl(f, req, arg);
}

/* Map the runs of the reply over [base, base + npages pages). */
static int map_runs(uint8_t *base, size_t npages, int prot, int flags, const struct shim_call *c)
{
    const struct hv_run *runs = (const struct hv_run *)c->out;
    size_t nruns = c->outlen / sizeof(*runs), at = 0;
    if (c->outlen % sizeof(*runs)) {
        errno = EIO;
        return -1;
    }
    for (size_t i = 0; i < nruns; i++) {
        const struct hv_run *r = &runs[i];
        if (r->fd >= c->nfds || r->npages > npages - at) {
            errno = EIO;
            return -1;
        }
        void *want = base + at * HV_PAGE_SIZE;
        void *got = shim_real.mmap(want, (size_t)r->npages * HV_PAGE_SIZE, prot,
                                   MAP_SHARED | MAP_FIXED | flags, c->fds[r->fd],
                                   (off_t)(r->page * HV_PAGE_SIZE));
        if (got == MAP_FAILED)
            return -1;
        at += r->npages;
    }
    if (at != npages) {
        errno = EIO;
        return -1;
    }
    return 0;
}

void *shim_grant_mmap(const struct shim_file *f, void *addr, size_t len, int prot, int flags,
                      off_t off)
{
    if (!(flags & MAP_SHARED) || len == 0 || off < 0 || (off & (HV_PAGE_SIZE - 1))) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    size_t npages = (len + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE;
    if (npages > HV_MAX_PAGES_PER_CALL) {
        errno = f->kind == HV_KIND_GNTALLOC ? ENOENT : EINVAL;
        return MAP_FAILED;
    }
    shim_lock();
    struct shim_call c = {.req = {.op = HV_OP_MMAP,
                                  .handle = f->handle,
                                  .arg = {(uint64_t)off, npages, (uint64_t)prot}},
                          .cloexec = true};
    if (shim_call(&c) < 0) {
        shim_unlock();
        return MAP_FAILED;
    }
    if (shim_rep_errno(&c) < 0) {
        int e = errno;
        shim_call_done(&c);
        shim_unlock();
        errno = e;
        return MAP_FAILED;
    }
    /* 0: pages xsimd does not track (a guest kernel's own, kmem) */
    uint32_t id = (uint32_t)c.rep.val[0];
    bool dontfork = c.rep.val[1] & HV_MMAP_DONTFORK;
    size_t bytes = npages * HV_PAGE_SIZE;
    uint8_t *base = addr;
    if (!(flags & MAP_FIXED))
        base = shim_real.mmap(addr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                              -1, 0);
    int rc = base == MAP_FAILED
                 ? -1
                 : map_runs(base, npages, prot, flags & (MAP_POPULATE | MAP_LOCKED), &c);
    /* as a VM_DONTCOPY mapping: a forked child has nothing there */
    if (rc == 0 && dontfork)
        rc = madvise(base, bytes, MADV_DONTFORK);
    int e = errno;
    shim_call_done(&c);
    if (rc == 0 && (flags & MAP_FIXED))
        shim_map_forget((uintptr_t)base, bytes); /* whatever was there is gone */
    struct shim_map m = {.addr = (uintptr_t)base,
                         .npages = npages,
                         .id = id,
                         .kind = f->kind,
                         .index = (uint64_t)off,
                         .count = (uint32_t)npages,
                         .dontfork = dontfork};
    if (rc == 0 && id && shim_map_add(&m) < 0) {
        e = ENOMEM;
        rc = -1;
    }
    if (rc < 0) {
        if (base != MAP_FAILED)
            shim_real.munmap(base, bytes);
        struct shim_call u = {.req = {.op = HV_OP_MUNMAP, .arg = {id, 0, npages}}};
        if (id && shim_call(&u) == 0)
            shim_call_done(&u);
    }
    shim_unlock();
    errno = e;
    return rc < 0 ? MAP_FAILED : base;
}
