/* Grant tables and /dev/xen/gntalloc, after Linux's drivers/xen/gntalloc.c:
 * ALLOC_GREF makes zeroed pages with one grant each, at a page-aligned
 * index of the file; the file and every page mapped by the granter hold
 * the grant; when the last of them lets go, its unmap notification fires
 * and it stops counting against the limit of that kernel's gntalloc
 * (grant_module.c), even while a grantee still maps it; the grant itself
 * ends once no grantee maps it (see grant_int.h). */
#define _GNU_SOURCE 1
#include "grant_int.h"

#include "domain.h"
#include "evtchn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/sys/gntalloc.h>

#define GNT_MAX_REFS (1u << 21)

struct gnt_dom {
    unsigned domid;
    struct gnt_entry **refs;
    uint32_t cap;
    uint32_t hint;        /* no free ref below it */
    struct gnt_dom *next; /* sorted by domid */
};

struct ga_file {
    unsigned domid;
    uint64_t boot; /* the life of the domain whose gntalloc this is */
    uint64_t next_index;
    struct gnt_entry **ents; /* by file_index */
    size_t n, cap;
};

static struct gnt_dom *doms;
static uint32_t fault_alloc_n, fault_map_n;
static int fault_alloc_err, fault_map_err;

static struct gnt_dom *dom_find(unsigned domid)
{
    for (struct gnt_dom *d = doms; d && d->domid <= domid; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

static struct gnt_dom *dom_get(unsigned domid)
{
    struct gnt_dom **pp = &doms;
    while (*pp && (*pp)->domid < domid)
        pp = &(*pp)->next;
    if (*pp && (*pp)->domid == domid)
        return *pp;
    struct gnt_dom *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->hint = GNT_FIRST_REF;
    d->next = *pp;
    *pp = d;
    return d;
}

struct gnt_entry *gnt_lookup(unsigned domid, uint32_t ref)
{
    struct gnt_dom *d = dom_find(domid);
    return d && ref < d->cap ? d->refs[ref] : NULL;
}

/* The lowest free refs, as Xen's free list tends to give. */
static int refs_alloc(struct gnt_dom *d, struct gnt_entry **ents, uint32_t count)
{
    uint32_t found = 0, r = d->hint;
    for (; found < count; r++) {
        if (r >= d->cap) {
            if (d->cap >= GNT_MAX_REFS)
                break;
            uint32_t cap = d->cap ? d->cap * 2 : 1024;
            struct gnt_entry **n = realloc(d->refs, cap * sizeof(*n));
            if (!n)
                break;
            memset(n + d->cap, 0, (cap - d->cap) * sizeof(*n));
            d->refs = n;
            d->cap = cap;
        }
        if (!d->refs[r])
            ents[found++]->ref = r;
    }
    if (found < count)
        return -ENOSPC;
    for (uint32_t i = 0; i < count; i++)
        d->refs[ents[i]->ref] = ents[i];
    while (d->hint < d->cap && d->refs[d->hint])
        d->hint++;
    return 0;
}

void gnt_mem_unref(struct gnt_mem *m)
{
    if (--m->refs)
        return;
    close(m->fd);
    if (m->ro_fd >= 0)
        close(m->ro_fd);
    free(m);
}

int gnt_mem_fd(struct gnt_mem *m, bool ro)
{
    if (!ro)
        return m->fd;
    if (m->ro_fd < 0) {
        /* a read-only description of the same file: mappings made from it
         * can never become writable, as a read-only grant mapping */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", m->fd);
        m->ro_fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    return m->ro_fd;
}

void gnt_clear_byte(struct gnt_entry *e, uint32_t off)
{
    static const uint8_t zero;
    if (pwrite(e->mem->fd, &zero, 1, (off_t)e->page * HV_PAGE_SIZE + off) != 1) {
        /* a memfd write of one byte inside the file cannot fail short */
    }
}

static void entry_maybe_free(struct gnt_entry *e)
{
    if (e->users || e->maps)
        return;
    struct gnt_dom *d = dom_find(e->granter);
    if (d && e->ref < d->cap && d->refs[e->ref] == e) {
        d->refs[e->ref] = NULL;
        if (e->ref < d->hint)
            d->hint = e->ref;
    }
    gnt_mem_unref(e->mem);
    free(e);
}

void gnt_entry_unuse(struct gnt_entry *e)
{
    if (--e->users)
        return;
    ga_module_uncharge(e->granter, e->boot, 1);
    if ((e->notify & UNMAP_NOTIFY_CLEAR_BYTE) && !e->dead)
        gnt_clear_byte(e, e->notify_off);
    if (e->notify_port)
        ev_port_put(e->notify_port, (e->notify & UNMAP_NOTIFY_SEND_EVENT) && !e->dead);
    e->notify_port = NULL;
    e->notify = 0;
    entry_maybe_free(e);
}

void gnt_entry_unmap(struct gnt_entry *e)
{
    e->maps--;
    entry_maybe_free(e);
}

struct ga_file *ga_file_new(unsigned domid)
{
    uint64_t boot = ga_module_boot(domid);
    if (!boot) {
        errno = ENOENT; /* no module, no /dev/xen/gntalloc */
        return NULL;
    }
    struct ga_file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->domid = domid;
    f->boot = boot;
    ga_module_files(domid, boot, 1);
    return f;
}

void ga_file_release(struct ga_file *f)
{
    ga_module_files(f->domid, f->boot, -1);
    for (size_t i = 0; i < f->n; i++)
        gnt_entry_unuse(f->ents[i]);
    free(f->ents);
    free(f);
}

/* Position of `count` grants at consecutive indexes from `index`, or -1:
 * the kernel's find_grefs(). */
static long file_find(const struct ga_file *f, uint64_t index, uint32_t count)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->ents[mid]->file_index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (count == 0 || lo + count > f->n)
        return -1;
    for (uint32_t k = 0; k < count; k++)
        if (f->ents[lo + k]->file_index != index + (uint64_t)k * HV_PAGE_SIZE)
            return -1;
    return (long)lo;
}

struct gnt_mem *gnt_mem_new(const char *name, uint32_t npages)
{
    struct gnt_mem *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->fd = memfd_create(name, MFD_CLOEXEC);
    if (m->fd < 0 || ftruncate(m->fd, (off_t)npages * HV_PAGE_SIZE) < 0) {
        if (m->fd >= 0)
            close(m->fd);
        free(m);
        return NULL;
    }
    m->ro_fd = -1;
    m->npages = npages;
    m->refs = 1;
    return m;
}

int ga_alloc(struct ga_file *f, unsigned grantee, unsigned flags, uint32_t count, uint64_t *index,
             uint32_t *refs)
{
    if (fault_alloc_n) {
        fault_alloc_n--;
        return -fault_alloc_err;
    }
    if (!domain_alive(f->domid))
        return -ESRCH;
    int err = ga_module_charge(f->domid, f->boot, count);
    if (err)
        return err;
    if (count > HV_MAX_PAGES_PER_CALL) {
        ga_module_uncharge(f->domid, f->boot, count);
        return -ENOMEM;
    }
    *index = f->next_index;
    if (count == 0)
        return 0;
    struct gnt_dom *d = dom_get(f->domid);
    struct gnt_mem *m = d ? gnt_mem_new("xsim-grant", count) : NULL;
    struct gnt_entry **ents = calloc(count, sizeof(*ents));
    if (f->n + count > f->cap) {
        size_t cap = f->cap ? f->cap : 64;
        while (cap < f->n + count)
            cap *= 2;
        struct gnt_entry **n = realloc(f->ents, cap * sizeof(*n));
        if (n) {
            f->ents = n;
            f->cap = cap;
        }
    }
    err = -ENOMEM;
    uint32_t made = 0;
    if (m && ents && f->n + count <= f->cap) {
        for (; made < count; made++)
            if (!(ents[made] = calloc(1, sizeof(**ents))))
                break;
        if (made == count)
            err = refs_alloc(d, ents, count);
    }
    if (err) {
        for (uint32_t i = 0; i < made; i++)
            free(ents[i]);
        free(ents);
        if (m)
            gnt_mem_unref(m);
        ga_module_uncharge(f->domid, f->boot, count);
        return err;
    }
    for (uint32_t i = 0; i < count; i++) {
        struct gnt_entry *e = ents[i];
        e->granter = f->domid;
        e->grantee = grantee;
        e->ro = !(flags & GNTALLOC_FLAG_WRITABLE);
        e->mem = m;
        e->page = i;
        e->users = 1;
        e->boot = f->boot;
        e->file_index = f->next_index + (uint64_t)i * HV_PAGE_SIZE;
        f->ents[f->n++] = e;
        refs[i] = e->ref;
    }
    m->refs = count;
    f->next_index += (uint64_t)count * HV_PAGE_SIZE;
    free(ents);
    return 0;
}

int gnt_grant_page(unsigned granter, unsigned grantee, bool ro, struct gnt_mem *m, uint32_t page,
                   struct gnt_entry **out)
{
    struct gnt_dom *d = dom_get(granter);
    struct gnt_entry *e = d ? calloc(1, sizeof(*e)) : NULL;
    if (!e)
        return -ENOMEM;
    int err = refs_alloc(d, &e, 1);
    if (err) {
        free(e);
        return err;
    }
    e->granter = granter;
    e->grantee = grantee;
    e->ro = ro;
    e->mem = m;
    e->page = page;
    e->users = 1;
    e->boot = 0; /* no gntalloc's: counted against no limit */
    m->refs++;
    *out = e;
    return 0;
}

int ga_dealloc(struct ga_file *f, uint64_t index, uint32_t count)
{
    long pos = file_find(f, index, count);
    if (pos < 0)
        return -EINVAL;
    struct gnt_entry **gone = f->ents + pos;
    for (uint32_t k = 0; k < count; k++)
        gnt_entry_unuse(gone[k]);
    memmove(gone, gone + count, (f->n - (size_t)pos - count) * sizeof(*gone));
    f->n -= count;
    return 0;
}

int ga_set_notify(struct ga_file *f, uint64_t index, uint32_t action, uint32_t port)
{
    long pos = file_find(f, index & ~(uint64_t)(HV_PAGE_SIZE - 1), 1);
    if (pos < 0)
        return -ENOENT;
    if (action & ~(uint32_t)(UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT))
        return -EINVAL;
    struct ev_port *p = NULL;
    if (action & UNMAP_NOTIFY_SEND_EVENT) {
        p = ev_port_get(f->domid, port);
        if (!p)
            return -EINVAL;
    }
    struct gnt_entry *e = f->ents[pos];
    if (e->notify_port)
        ev_port_put(e->notify_port, false);
    e->notify = (uint8_t)action;
    e->notify_off = (uint16_t)(index & (HV_PAGE_SIZE - 1));
    e->notify_portno = port;
    e->notify_port = p;
    return 0;
}

int ga_mmap(struct gnt_space *s, struct ga_file *f, uint64_t offset, uint32_t npages,
            struct hv_reply *r)
{
    long pos = file_find(f, offset, npages);
    if (pos < 0)
        return -ENOENT;
    struct gnt_entry **ents = f->ents + pos;
    int err = gnt_reply_runs(r, ents, npages, false);
    if (err)
        return err;
    /* gntalloc_mmap: the mmap holds each page once, until its last VMA
     * closes; gntalloc VMAs are copied at fork */
    struct ga_vma *v = calloc(1, sizeof(*v));
    if (!v || !(v->ents = malloc(npages * sizeof(*ents)))) {
        free(v);
        return -ENOMEM;
    }
    memcpy(v->ents, ents, npages * sizeof(*ents));
    v->n = npages;
    v->users = 1;
    uint32_t id;
    err = gnt_space_add(s, npages, NULL, v, NULL, false, &id);
    if (err) {
        free(v->ents);
        free(v);
        return err;
    }
    for (uint32_t i = 0; i < npages; i++)
        ents[i]->users++;
    r->rep.val[0] = id;
    return 0;
}

void ga_vma_put(struct ga_vma *v)
{
    if (--v->users)
        return;
    for (uint32_t i = 0; i < v->n; i++)
        gnt_entry_unuse(v->ents[i]);
    free(v->ents);
    free(v);
}

void gnt_domain_destroyed(unsigned domid)
{
    struct gnt_dom *d = dom_find(domid);
    for (uint32_t r = 0; d && r < d->cap; r++) {
        if (d->refs[r]) {
            d->refs[r]->revoked = true;
            d->refs[r]->dead = true;
        }
    }
    ga_module_destroyed(domid);
    gd_domain_destroyed(domid);
}

/* released: the granter let go, a grantee still maps it (deferred) */
static const char *entry_state(const struct gnt_entry *e)
{
    if (e->dead)
        return "dead";
    return e->users ? "live" : "released";
}

void gnt_dump(FILE *out)
{
    for (struct gnt_dom *d = doms; d; d = d->next) {
        for (uint32_t r = 0; r < d->cap; r++) {
            const struct gnt_entry *e = d->refs[r];
            if (!e)
                continue;
            fprintf(out, "granter=%u ref=%u grantee=%u access=%s mapped-by=%u notify=", e->granter,
                    e->ref, e->grantee, e->ro ? "ro" : "rw", e->maps);
            if (!e->notify)
                fprintf(out, "none");
            if (e->notify & UNMAP_NOTIFY_CLEAR_BYTE)
                fprintf(out, "clear@%u%s", e->notify_off,
                        e->notify & UNMAP_NOTIFY_SEND_EVENT ? "," : "");
            if (e->notify & UNMAP_NOTIFY_SEND_EVENT)
                fprintf(out, "event@%u", e->notify_portno);
            fprintf(out, " state=%s\n", entry_state(e));
        }
    }
}

void gnt_fault_alloc(uint32_t n, int err)
{
    fault_alloc_n = n;
    fault_alloc_err = err;
}

void gnt_fault_map(uint32_t n, int err)
{
    fault_map_n = n;
    fault_map_err = err;
}

int gnt_fault_map_take(void)
{
    if (!fault_map_n)
        return 0;
    fault_map_n--;
    return fault_map_err;
}
