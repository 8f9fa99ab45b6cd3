/* A guest's memory as frames (frames.h). Each guest has FRAMES_PER_DOMAIN
 * pages, one memfd made on first use, at frame numbers of its own that no
 * other domain shares (machine frame numbers, as a PV guest writes them),
 * with a gap of numbers between domains that belong to nobody.
 *
 * Its kernel allocates pages through /dev/xsim/kmem; the allocator walks
 * the memory in a scattered order, so that consecutive pages of an
 * allocation have unrelated frame numbers, as vmalloc's have. dom0 maps
 * any frame of the guest, allocated or not (on Xen a freed page is still
 * the guest's), through privcmd: each privcmd mapping holds the memory
 * until its last page is unmapped, whatever happens to the guest. */
#define _GNU_SOURCE 1
#include "frames.h"

#include "domain.h"
#include "grant_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FRAMES_FIRST 0x100000u /* the first guest's memory starts at 4 GiB */
#define FRAMES_GAP   4096u     /* numbers between two guests: nobody's */

struct ram {
    unsigned domid;
    bool alive;
    uint64_t first;      /* the frame number of page 0 */
    struct gnt_mem *mem; /* NULL until used */
    uint8_t *used;       /* per page: allocated by the kernel */
    uint32_t nused;
    uint32_t cursor; /* the allocator's walk */
    uint32_t maps;   /* privcmd mappings still held */
    uint32_t holds;  /* the domain while alive, kmem files, mappings */
    struct ram *next;
};

struct kmem_alloc {
    uint64_t index; /* bytes */
    uint32_t n;
    uint32_t *pages;
    struct kmem_alloc *next;
};

struct kmem_grant {
    struct gnt_entry *e;
    struct kmem_grant *next;
};

struct kmem_file {
    struct ram *ram;
    uint64_t next_index;
    struct kmem_alloc *allocs;
    struct kmem_grant *grants;
};

struct frames_vma {
    struct ram *ram;
    struct gnt_mem *mem;
};

static struct ram *rams;
static uint64_t next_first = FRAMES_FIRST;
static uint32_t fault_n;
static int fault_err;

static struct ram *ram_of(unsigned domid)
{
    for (struct ram *m = rams; m; m = m->next)
        if (m->domid == domid && m->alive)
            return m;
    return NULL;
}

static void ram_put(struct ram *m)
{
    if (--m->holds)
        return;
    for (struct ram **pp = &rams; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    if (m->mem)
        gnt_mem_unref(m->mem);
    free(m->used);
    free(m);
}

/* The memfd, made on first use: most domains of the tests never need it. */
static int ram_mem(struct ram *m)
{
    if (!m->mem && !(m->mem = gnt_mem_new("xsim-frames", FRAMES_PER_DOMAIN)))
        return -ENOMEM;
    return 0;
}

int frames_domain_created(unsigned domid)
{
    if (domid == 0)
        return 0; /* dom0's memory is not simulated */
    struct ram *m = calloc(1, sizeof(*m));
    if (!m || !(m->used = calloc(FRAMES_PER_DOMAIN, 1))) {
        free(m);
        errno = ENOMEM;
        return -1;
    }
    m->domid = domid;
    m->alive = true;
    m->holds = 1;
    m->first = next_first;
    /* a domain created again is a new one: new frames */
    next_first += FRAMES_PER_DOMAIN + FRAMES_GAP;
    m->next = rams;
    rams = m;
    return 0;
}

void frames_domain_destroyed(unsigned domid)
{
    struct ram *m = ram_of(domid);
    if (!m)
        return;
    m->alive = false;
    ram_put(m);
}

/* ---- the kernel's allocator ---- */

/* The walk: an odd multiplier modulo a power of two visits every page. */
_Static_assert((FRAMES_PER_DOMAIN & (FRAMES_PER_DOMAIN - 1)) == 0, "a power of two");
static uint32_t walk(uint32_t k)
{
    return (k * 5821u + 3163u) & (FRAMES_PER_DOMAIN - 1);
}

static int take_pages(struct ram *m, uint32_t n, uint32_t *pages)
{
    if (n > FRAMES_PER_DOMAIN - m->nused)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p;
        do
            p = walk(m->cursor++);
        while (m->used[p]);
        m->used[p] = 1;
        pages[i] = p;
    }
    m->nused += n;
    return 0;
}

static void give_pages(struct ram *m, const uint32_t *pages, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        m->used[pages[i]] = 0;
    m->nused -= n;
}

struct kmem_file *kmem_file_new(unsigned domid)
{
    struct ram *m = ram_of(domid);
    if (!m) {
        errno = ENOENT; /* dom0 (or a domain going away) has no such device */
        return NULL;
    }
    struct kmem_file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->ram = m;
    m->holds++;
    return f;
}

static void alloc_free(struct kmem_file *f, struct kmem_alloc *a)
{
    give_pages(f->ram, a->pages, a->n);
    free(a->pages);
    free(a);
}

void kmem_file_release(struct kmem_file *f)
{
    while (f->grants) {
        struct kmem_grant *g = f->grants;
        f->grants = g->next;
        gnt_entry_unuse(g->e);
        free(g);
    }
    while (f->allocs) {
        struct kmem_alloc *a = f->allocs;
        f->allocs = a->next;
        alloc_free(f, a);
    }
    ram_put(f->ram);
    free(f);
}

int kmem_alloc(struct kmem_file *f, uint64_t count, struct hv_reply *r)
{
    if (count == 0 || count > HV_MAX_PAGES_PER_CALL)
        return -EINVAL;
    if (!f->ram->alive)
        return -ESRCH;
    int err = ram_mem(f->ram);
    if (err)
        return err;
    struct kmem_alloc *a = calloc(1, sizeof(*a));
    uint64_t *frames = hv_reply_grow(r, count * sizeof(uint64_t));
    if (!a || !frames || !(a->pages = malloc(count * sizeof(*a->pages)))) {
        free(a);
        return -ENOMEM;
    }
    err = take_pages(f->ram, (uint32_t)count, a->pages);
    if (err) {
        free(a->pages);
        free(a);
        return err;
    }
    for (uint64_t i = 0; i < count; i++)
        frames[i] = f->ram->first + a->pages[i];
    a->n = (uint32_t)count;
    a->index = f->next_index;
    f->next_index += count * HV_PAGE_SIZE;
    a->next = f->allocs;
    f->allocs = a;
    r->rep.val[0] = a->index;
    return 0;
}

int kmem_free(struct kmem_file *f, uint64_t index)
{
    for (struct kmem_alloc **pp = &f->allocs; *pp; pp = &(*pp)->next) {
        if ((*pp)->index == index) {
            struct kmem_alloc *a = *pp;
            *pp = a->next;
            alloc_free(f, a);
            return 0;
        }
    }
    return -EINVAL;
}

int kmem_grant(struct kmem_file *f, uint64_t frame, uint64_t grantee, bool ro, uint32_t *ref)
{
    struct ram *m = f->ram;
    if (!m->alive)
        return -ESRCH;
    if (frame < m->first || frame - m->first >= FRAMES_PER_DOMAIN || grantee > XSIM_MAX_DOMID)
        return -EINVAL;
    int err = ram_mem(m);
    struct kmem_grant *g = err ? NULL : calloc(1, sizeof(*g));
    if (!g)
        return err ? err : -ENOMEM;
    err = gnt_grant_page(m->domid, (unsigned)grantee, ro, m->mem, (uint32_t)(frame - m->first),
                         &g->e);
    if (err) {
        free(g);
        return err;
    }
    g->next = f->grants;
    f->grants = g;
    *ref = g->e->ref;
    return 0;
}

int kmem_end_grant(struct kmem_file *f, uint64_t ref)
{
    for (struct kmem_grant **pp = &f->grants; *pp; pp = &(*pp)->next) {
        if ((*pp)->e->ref == ref) {
            struct kmem_grant *g = *pp;
            *pp = g->next;
            /* ends now, or once the grantee unmaps it (deferred) */
            gnt_entry_unuse(g->e);
            free(g);
            return 0;
        }
    }
    return -EINVAL;
}

/* Runs over pages[0..n) of the memory, merging neighbours. */
static int reply_runs(struct hv_reply *r, struct gnt_mem *mem, bool ro, const uint32_t *pages,
                      const int32_t *err, uint32_t n)
{
    int slot = gnt_reply_mem_slot(r, mem, ro);
    if (slot < 0)
        return -ENOMEM;
    struct hv_run *last = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t fd = err && err[i] ? HV_RUN_HOLE : (uint32_t)slot;
        if (last && last->fd == fd &&
            (fd == HV_RUN_HOLE || last->page + last->npages == pages[i])) {
            last->npages++;
            continue;
        }
        last = hv_reply_grow(r, sizeof(*last));
        if (!last)
            return -ENOMEM;
        *last = (struct hv_run){.fd = fd, .npages = 1, .page = fd == HV_RUN_HOLE ? 0 : pages[i]};
    }
    return 0;
}

int kmem_mmap(struct kmem_file *f, uint64_t index, uint64_t npages, struct hv_reply *r)
{
    for (struct kmem_alloc *a = f->allocs; a; a = a->next) {
        uint64_t end = a->index + (uint64_t)a->n * HV_PAGE_SIZE;
        if (index < a->index || index >= end || (index & (HV_PAGE_SIZE - 1)))
            continue;
        uint64_t first = (index - a->index) / HV_PAGE_SIZE;
        if (npages > a->n - first)
            return -EINVAL;
        r->rep.val[0] = 0; /* the kernel's own pages: not tracked */
        return reply_runs(r, f->ram->mem, false, a->pages + first, NULL, (uint32_t)npages);
    }
    return -EINVAL;
}

/* ---- privcmd ---- */

int frames_map(struct gnt_space *s, unsigned mapper, uint64_t domid, const uint64_t *frames,
               uint32_t count, int prot, struct hv_reply *r)
{
    if (count == 0 || count > HV_MAX_PAGES_PER_CALL)
        return -EINVAL;
    /* kept here: the reply's buffer moves as the runs grow it */
    int32_t *err = calloc(count, sizeof(*err));
    uint32_t *pages = malloc(count * sizeof(*pages));
    size_t errlen = ((size_t)count * sizeof(int32_t) + 7) & ~(size_t)7;
    uint8_t *out = err && pages ? hv_reply_grow(r, errlen) : NULL;
    if (!out) {
        free(err);
        free(pages);
        return -ENOMEM;
    }
    struct ram *m = domid <= XSIM_MAX_DOMID ? ram_of((unsigned)domid) : NULL;
    int all = 0;
    if (fault_n) {
        fault_n--;
        all = -fault_err;
    } else if (mapper != 0) {
        all = -EPERM; /* only dom0 may map another domain's memory */
    } else if (!m) {
        all = -ESRCH;
    } else if (ram_mem(m) < 0) {
        all = -ENOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (all)
            err[i] = all;
        else if (frames[i] < m->first || frames[i] - m->first >= FRAMES_PER_DOMAIN)
            err[i] = -EINVAL; /* not one of its frames: nobody's, or another domain's */
        else
            pages[i] = (uint32_t)(frames[i] - m->first);
    }
    memset(out, 0, errlen);
    memcpy(out, err, (size_t)count * sizeof(*err));
    int rc = 0;
    struct frames_vma *v = NULL;
    uint32_t id;
    if (all) {
        /* every frame failed: one hole; the mapping is still the process's */
        struct hv_run *run = hv_reply_grow(r, sizeof(*run));
        rc = run ? 0 : -ENOMEM;
        if (run)
            *run = (struct hv_run){.fd = HV_RUN_HOLE, .npages = count};
    } else {
        rc = reply_runs(r, m->mem, !(prot & PROT_WRITE), pages, err, count);
    }
    if (!rc && !(v = calloc(1, sizeof(*v))))
        rc = -ENOMEM;
    /* privcmd's VMAs are VM_DONTCOPY: a forked child has none of them */
    if (!rc && (rc = gnt_space_add(s, count, NULL, NULL, v, true, &id)) == 0) {
        if (m && !all) {
            v->ram = m;
            v->mem = m->mem;
            m->mem->refs++;
            m->holds++;
            m->maps++;
        }
        r->rep.val[0] = id;
        r->rep.val[1] = HV_MMAP_DONTFORK;
    } else {
        free(v);
    }
    free(err);
    free(pages);
    return rc;
}

void frames_vma_closed(struct frames_vma *v)
{
    if (v->ram) {
        v->ram->maps--;
        gnt_mem_unref(v->mem);
        ram_put(v->ram);
    }
    free(v);
}

void frames_dump(FILE *out)
{
    for (struct ram *m = rams; m; m = m->next)
        fprintf(out, "domain=%u first=%#llx frames=%u used=%u foreign-maps=%u%s\n", m->domid,
                (unsigned long long)m->first, FRAMES_PER_DOMAIN, m->nused, m->maps,
                m->alive ? "" : " (destroyed)");
}

void frames_fault_map(uint32_t n, int err)
{
    fault_n = n;
    fault_err = err;
}
