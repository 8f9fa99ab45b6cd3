/* Internals shared by grant.c (grant tables, gntalloc), grant_dev.c
 * (gntdev) and grant_map.c (what processes map). */
#ifndef XSIMD_GRANT_INT_H
#define XSIMD_GRANT_INT_H

#include "grant.h"

#include <stdbool.h>

struct ev_port;
struct gd_map;
struct frames_vma;

/* One gntalloc mmap, shared by the processes that inherited it at fork:
 * Linux's gntalloc_vma_private_data. Its pages hold their grants until
 * every page of it is unmapped everywhere (a partial munmap releases
 * nothing). */
struct ga_vma {
    uint32_t users; /* processes mapping some of it */
    uint32_t n;
    struct gnt_entry **ents;
};

/* The memory of one gntalloc allocation, or a guest's whole memory (its
 * frames, frames.c): every grant naming it holds a reference. */
struct gnt_mem {
    int fd;    /* memfd, read-write */
    int ro_fd; /* the same file opened read-only, on first need */
    uint32_t npages;
    uint32_t refs; /* grants that still name it */
    /* the reply being built that already carries it, and where */
    uint64_t stamp, ro_stamp;
    uint32_t slot, ro_slot;
};

/* One grant reference. It lives while the granter holds it (users) or a
 * grantee maps it (maps). Once the granter lets go, Linux ends foreign
 * access only when no grantee maps the page any more (the end is deferred,
 * grant-table.c): until then the grant stays as it was, and the grantee
 * may even map it again. */
struct gnt_entry {
    unsigned granter, grantee;
    uint32_t ref;
    bool ro;
    bool revoked; /* the granting domain died: no new maps */
    bool dead;    /* the granting domain was destroyed: no notification */
    struct gnt_mem *mem;
    uint32_t page;
    uint32_t users; /* the gntalloc file's hold + pages the granter maps */
    uint64_t boot;  /* the granter's life: whose gntalloc counts it */
    uint32_t maps;  /* gntdev maps of it */
    uint64_t file_index;
    uint8_t notify; /* UNMAP_NOTIFY_* */
    uint16_t notify_off;
    uint32_t notify_portno;
    struct ev_port *notify_port;
};

/* A gntdev map: the refs given to MAP_GRANT_REF, the grants once mmap
 * succeeded. It lives while in its file or mapped by a process. */
struct gd_map {
    struct gd_file *file; /* NULL once unmapped from the file or released */
    unsigned domid;       /* the mapping domain */
    uint64_t index;       /* in pages */
    uint32_t count;
    struct hv_grant_ref *refs;
    struct gnt_entry **ents;
    bool mapped;
    bool ro;
    bool dead; /* the mapping domain was destroyed: no notification */
    uint32_t vmas;
    uint8_t notify;
    uint64_t notify_addr; /* byte offset in the map */
    uint32_t notify_portno;
    struct ev_port *notify_port;
    struct gd_map *next, *prev; /* in the file, by index */
    struct gd_map *all_next, *all_prev;
};

struct gnt_entry *gnt_lookup(unsigned domid, uint32_t ref);
/* A memfd (named for /proc/PID/maps) of npages zeroed pages, held once
 * (refs = 1); NULL + errno. */
struct gnt_mem *gnt_mem_new(const char *name, uint32_t npages);
void gnt_mem_unref(struct gnt_mem *m);
/* A grant of page `page` of m by its guest kernel (not gntalloc: counted
 * against no limit), as gnttab_grant_foreign_access(): held once, by the
 * caller, until gnt_entry_unuse(). 0 or -errno (-ENOSPC: no free ref). */
int gnt_grant_page(unsigned granter, unsigned grantee, bool ro, struct gnt_mem *m, uint32_t page,
                   struct gnt_entry **out);
/* A holder on the granter's side lets go; at the last one the grant is
 * revoked and its unmap notification fires. */
void gnt_entry_unuse(struct gnt_entry *e);
/* A gntdev map of it ended. */
void gnt_entry_unmap(struct gnt_entry *e);
/* The memfd of m, read-only when ro; -1 + errno. */
int gnt_mem_fd(struct gnt_mem *m, bool ro);
/* Clear one byte of a granted page, as the notification does. */
void gnt_clear_byte(struct gnt_entry *e, uint32_t off);

/* A process mapping of n pages: of gntdev map `map`, gntalloc mmap `vma`,
 * or a guest's frames (`fvma`, frames.c); exactly one is set. A dontcopy
 * mapping is not inherited at fork (VM_DONTCOPY). */
int gnt_space_add(struct gnt_space *s, uint32_t n, struct gd_map *map, struct ga_vma *vma,
                  struct frames_vma *fvma, bool dontcopy, uint32_t *id);
/* A process mapping of vma ended entirely (or began, at fork). */
void ga_vma_put(struct ga_vma *v);
/* The index in r of m's memfd (read-only when ro), added once per
 * reply; -1 on ENOMEM. */
int gnt_reply_mem_slot(struct hv_reply *r, struct gnt_mem *m, bool ro);
/* Put the runs covering ents[0..n) and their memfds (read-only ones when
 * ro) into r. */
int gnt_reply_runs(struct hv_reply *r, struct gnt_entry *const *ents, uint32_t n, bool ro);
/* A process mapping of map m ended entirely. */
void gd_map_vma_closed(struct gd_map *m);
/* The mapping domain was destroyed: its maps send no notification. */
void gd_domain_destroyed(unsigned domid);
/* fault-map-fail: the errno the next gntdev mmap fails with, or 0. */
int gnt_fault_map_take(void);

/* ---- grant_module.c: each guest kernel's xen_gntalloc ---- */
/* The loaded module's life (boot) in that domain, or 0 when not loaded. */
uint64_t ga_module_boot(unsigned domid);
/* Count n more pages against the limit of that life: 0, -ENOSPC, or
 * -ESRCH when the module went away. */
int ga_module_charge(unsigned domid, uint64_t boot, uint32_t n);
void ga_module_uncharge(unsigned domid, uint64_t boot, uint32_t n);
/* Open files of the device (rmmod refuses a module in use). */
void ga_module_files(unsigned domid, uint64_t boot, int delta);
/* The domain is gone, and so is its kernel. */
void ga_module_destroyed(unsigned domid);

#endif
