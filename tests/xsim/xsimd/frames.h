/* Each guest's memory as frames with numbers (frames.c): what its kernel
 * allocates, grants and writes into shared pages (/dev/xsim/kmem, for the
 * kernel stand-ins), and what dom0 maps with privcmd's foreign mapping
 * (/dev/xen/privcmd, for libxenforeignmemory).
 *
 * Functions returning int give 0 or -errno, as the ioctl fails on Linux. */
#ifndef XSIMD_FRAMES_H
#define XSIMD_FRAMES_H

#include "hv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A guest's memory: 64 MiB (a Linux guest's framebuffer is a few MiB) */
#define FRAMES_PER_DOMAIN 16384u

struct kmem_file;  /* an open /dev/xsim/kmem */
struct frames_vma; /* one privcmd mapping of a guest's frames */
struct gnt_space;

/* A guest's memory comes and goes with the domain (not dom0's). A
 * destroyed domain's frames take no new foreign maps; pages mapped stay
 * valid until unmapped, as Xen keeps a page a foreign mapping holds. */
int frames_domain_created(unsigned domid);
void frames_domain_destroyed(unsigned domid);

struct kmem_file *kmem_file_new(unsigned domid);
/* Frees every allocation and ends every grant of the file. */
void kmem_file_release(struct kmem_file *f);
/* count pages of the domain's free memory: r->rep.val[0] = index, data =
 * uint64_t frames[count]. */
int kmem_alloc(struct kmem_file *f, uint64_t count, struct hv_reply *r);
int kmem_free(struct kmem_file *f, uint64_t index);
int kmem_grant(struct kmem_file *f, uint64_t frame, uint64_t grantee, bool ro, uint32_t *ref);
int kmem_end_grant(struct kmem_file *f, uint64_t ref);
/* mmap of npages from index: the runs and the memory's memfd into r. */
int kmem_mmap(struct kmem_file *f, uint64_t index, uint64_t npages, struct hv_reply *r);

/* privcmd's MMAPBATCH_V2 by a process of domain `mapper` (s: its mapped
 * pages) of `count` frames of domain `domid`; see HV_OP_PM_MAP. Each
 * frame fails alone, as Xen fails it: -EPERM when the mapper is not dom0,
 * -ESRCH when the domain does not exist, -EINVAL for a number that is
 * not one of its frames. */
int frames_map(struct gnt_space *s, unsigned mapper, uint64_t domid, const uint64_t *frames,
               uint32_t count, int prot, struct hv_reply *r);
/* The last page of a privcmd mapping was unmapped (grant_map.c). */
void frames_vma_closed(struct frames_vma *v);

/* One line per guest memory: "domain=D first=0xF frames=N used=N
 * foreign-maps=N", "(destroyed)" after the domain while mapped. */
void frames_dump(FILE *out);
/* The next n foreign maps fail with err for every frame. */
void frames_fault_map(uint32_t n, int err);

#endif
