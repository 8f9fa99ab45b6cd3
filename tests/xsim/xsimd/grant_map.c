/* The grant pages (and a guest's frames) each process has mapped. The
 * kernel keeps this in the process's VMAs; here the process's connection
 * keeps it, told of every munmap by the shim, and its end (exit, crash,
 * exec) unmaps the rest. A mapping is tracked page by page because a
 * program may unmap part of it, but as in the kernel, what it holds (a
 * gntdev map, a gntalloc mmap's grants, a privcmd mapping's frames) is let
 * go only when no page of it is mapped any more. */
#include "grant_int.h"

#include "frames.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gnt_mapping {
    uint32_t id;
    uint32_t npages;
    uint32_t live;           /* pages still mapped */
    uint8_t *mapped;         /* 0 once that page is unmapped */
    struct gd_map *map;      /* for a gntdev mapping */
    struct ga_vma *vma;      /* for a gntalloc mapping */
    struct frames_vma *fvma; /* for a privcmd mapping of a guest's frames */
    bool dontcopy;           /* not inherited at fork */
    struct gnt_mapping *next;
};

struct gnt_space {
    struct gnt_mapping *maps;
    uint32_t next_id;
};

struct gnt_space *gnt_space_new(void)
{
    return calloc(1, sizeof(struct gnt_space));
}

int gnt_space_add(struct gnt_space *s, uint32_t n, struct gd_map *map, struct ga_vma *vma,
                  struct frames_vma *fvma, bool dontcopy, uint32_t *id)
{
    struct gnt_mapping *m = calloc(1, sizeof(*m));
    if (!m || !(m->mapped = malloc(n))) {
        free(m);
        return -ENOMEM;
    }
    memset(m->mapped, 1, n);
    if (++s->next_id == 0)
        s->next_id = 1;
    m->id = s->next_id;
    m->npages = m->live = n;
    m->map = map;
    m->vma = vma;
    m->fvma = fvma;
    m->dontcopy = dontcopy;
    m->next = s->maps;
    s->maps = m;
    *id = m->id;
    return 0;
}

static void page_unmap(struct gnt_mapping *m, uint32_t i)
{
    if (!m->mapped[i])
        return;
    m->mapped[i] = 0;
    m->live--;
    if (m->live)
        return;
    if (m->map)
        gd_map_vma_closed(m->map);
    else if (m->vma)
        ga_vma_put(m->vma);
    else
        frames_vma_closed(m->fvma);
}

int gnt_munmap(struct gnt_space *s, uint32_t id, uint32_t first, uint32_t npages)
{
    struct gnt_mapping **pp = &s->maps;
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    struct gnt_mapping *m = *pp;
    if (!m || first > m->npages || npages > m->npages - first)
        return -EINVAL;
    for (uint32_t i = first; i < first + npages; i++)
        page_unmap(m, i);
    if (!m->live) {
        *pp = m->next;
        free(m->mapped);
        free(m);
    }
    return 0;
}

void gnt_space_free(struct gnt_space *s)
{
    while (s->maps) {
        struct gnt_mapping *m = s->maps;
        s->maps = m->next;
        for (uint32_t i = 0; i < m->npages; i++)
            page_unmap(m, i);
        free(m->mapped);
        free(m);
    }
    free(s);
}

struct gnt_space *gnt_space_clone(const struct gnt_space *s)
{
    struct gnt_space *c = gnt_space_new();
    if (!c)
        return NULL;
    c->next_id = s->next_id;
    struct gnt_mapping **tail = &c->maps;
    for (const struct gnt_mapping *m = s->maps; m; m = m->next) {
        if (m->dontcopy)
            continue;
        /* privcmd mappings are VM_DONTCOPY: only grant mappings get here */
        struct gnt_mapping *n = calloc(1, sizeof(*n));
        if (!n || !(n->mapped = malloc(m->npages))) {
            free(n);
            gnt_space_free(c);
            return NULL;
        }
        memcpy(n->mapped, m->mapped, m->npages);
        n->id = m->id;
        n->npages = m->npages;
        n->live = m->live;
        n->map = m->map;
        n->vma = m->vma;
        /* the vm_ops->open of the child's copy */
        if (n->map)
            n->map->vmas++;
        else
            n->vma->users++;
        *tail = n;
        tail = &n->next;
    }
    return c;
}

int gnt_reply_mem_slot(struct hv_reply *r, struct gnt_mem *m, bool ro)
{
    uint64_t *stamp = ro ? &m->ro_stamp : &m->stamp;
    uint32_t *slot = ro ? &m->ro_slot : &m->slot;
    if (*stamp != r->stamp) {
        int fd = gnt_mem_fd(m, ro);
        int idx = fd < 0 ? -1 : hv_reply_fd(r, fd);
        if (idx < 0)
            return -1;
        *stamp = r->stamp;
        *slot = (uint32_t)idx;
    }
    return (int)*slot;
}

int gnt_reply_runs(struct hv_reply *r, struct gnt_entry *const *ents, uint32_t n, bool ro)
{
    size_t first = r->len, nruns = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct gnt_entry *e = ents[i];
        int slot = gnt_reply_mem_slot(r, e->mem, ro);
        if (slot < 0)
            return -ENOMEM;
        struct hv_run *last = nruns ? (struct hv_run *)(r->data + first) + nruns - 1 : NULL;
        if (last && last->fd == (uint32_t)slot && last->page + last->npages == e->page) {
            last->npages++;
            continue;
        }
        struct hv_run *run = hv_reply_grow(r, sizeof(*run));
        if (!run)
            return -ENOMEM;
        *run = (struct hv_run){.fd = (uint32_t)slot, .npages = 1, .page = e->page};
        nruns++;
    }
    return 0;
}
