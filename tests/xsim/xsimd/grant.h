/* Grant tables of the simulated hypervisor, and the per-open-file state of
 * /dev/xen/gntalloc (pages a domain grants) and /dev/xen/gntdev (grants a
 * domain maps), plus the grant pages each process has mapped.
 *
 * Pages are memfds: each gntalloc allocation is one memfd of that many
 * pages, each grant naming (memfd, page). Mapping hands the memfds to the
 * program, so a mapping stays valid whatever happens to the grant or the
 * granting domain later, as a mapped grant does on Xen.
 *
 * Functions returning int give 0 on success or -errno: the value the ioctl
 * or mmap fails with on Linux. */
#ifndef XSIMD_GRANT_H
#define XSIMD_GRANT_H

#include "hv.h"

#include <stdint.h>
#include <stdio.h>

#define GNT_FIRST_REF     8 /* Xen keeps refs 0-7 for the toolstack */
#define GNT_DEFAULT_LIMIT 1024
#define GNT_MAX_LIMIT     (1u << 20)

struct ga_file;   /* an open /dev/xen/gntalloc */
struct gd_file;   /* an open /dev/xen/gntdev */
struct gnt_space; /* the grant pages mapped by one process */

struct ga_file *ga_file_new(unsigned domid);
/* The file is released: its grants live on only while mapped. */
void ga_file_release(struct ga_file *f);
int ga_alloc(struct ga_file *f, unsigned grantee, unsigned flags, uint32_t count, uint64_t *index,
             uint32_t *refs);
int ga_dealloc(struct ga_file *f, uint64_t index, uint32_t count);
int ga_set_notify(struct ga_file *f, uint64_t index, uint32_t action, uint32_t port);
/* mmap(offset, npages) of the file: the runs and memfds go into r, the
 * mapping id into r->rep.val[0]. */
int ga_mmap(struct gnt_space *s, struct ga_file *f, uint64_t offset, uint32_t npages,
            struct hv_reply *r);

struct gd_file *gd_file_new(unsigned domid);
void gd_file_release(struct gd_file *f);
int gd_map(struct gd_file *f, uint32_t count, const struct hv_grant_ref *refs, uint64_t *index);
int gd_unmap(struct gd_file *f, uint64_t index, uint32_t count);
int gd_set_notify(struct gd_file *f, uint64_t index, uint32_t action, uint32_t port);
/* The "hypercall": checks every grant (granter alive, ref live, granted to
 * this domain, writable when prot has PROT_WRITE). */
int gd_mmap(struct gnt_space *s, struct gd_file *f, uint64_t offset, uint32_t npages, int prot,
            struct hv_reply *r);
/* GNTDEV_GRANT_COPY for domain domid; see HV_OP_GD_COPY for the layout. */
int gd_copy(unsigned domid, const struct hv_copy_seg *segs, uint32_t count, const uint8_t *src,
            size_t srclen, struct hv_reply *r);

struct gnt_space *gnt_space_new(void);
/* A child's copy at fork: its pages hold the grants as the parent's do. */
struct gnt_space *gnt_space_clone(const struct gnt_space *s);
/* The process is gone (or exec'd): everything it mapped is unmapped. */
void gnt_space_free(struct gnt_space *s);
int gnt_munmap(struct gnt_space *s, uint32_t id, uint32_t first, uint32_t npages);

/* Domain destroyed: its grants take no new maps and send no unmap
 * notifications; pages already mapped stay valid. */
void gnt_domain_destroyed(unsigned domid);

/* Domain created: its kernel boots with xen_gntalloc loaded, limit 1024. */
int gnt_domain_created(unsigned domid);

/* The xen_gntalloc module of a domain's kernel (grant_module.c): load it
 * with a limit (-1: the default), unload it (-EBUSY while in use), read or
 * set the limit parameter (-ENOENT when not loaded, -ESRCH for a domain
 * that does not exist, -EINVAL past GNT_MAX_LIMIT). */
int gnt_module_load(unsigned domid, long limit);
int gnt_module_unload(unsigned domid);
int gnt_limit_get(unsigned domid, int *limit, uint32_t *used);
int gnt_limit_set(unsigned domid, long limit);
/* A process of domid writes val to /sys/module/MODULE/parameters/PARAM. */
int gnt_param_write(unsigned domid, const char *module, const char *param, const char *val,
                    size_t len);

/* One line per domain: "DOMID limit=N used=N", or "DOMID not-loaded". */
void gnt_module_dump(FILE *out);
void gnt_dump(FILE *out);
/* The next n allocations (or gntdev mmaps) fail with err. */
void gnt_fault_alloc(uint32_t n, int err);
void gnt_fault_map(uint32_t n, int err);

#endif
