/* /dev/xen/gntdev, after Linux's drivers/xen/gntdev.c: MAP_GRANT_REF only
 * records refs at a free index; the grant "hypercall" happens at mmap,
 * which is where a bad ref, a grant to another domain or a write mapping of
 * a read-only grant fails (EINVAL, whatever the hypervisor's reason, as the
 * kernel reports it). A map ends when it is both unmapped from the file
 * (UNMAP_GRANT_REF or release) and no longer mapped by any process; then
 * its unmap notification fires. */
#include "grant_int.h"

#include "domain.h"
#include "evtchn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/sys/gntdev.h>

/* GNTST_* of Xen's grant_table.h, for GRANT_COPY statuses */
#define GNTST_bad_domain        (-2)
#define GNTST_bad_gntref        (-4)
#define GNTST_permission_denied (-8)

struct gd_file {
    unsigned domid;
    struct gd_map *maps; /* by index */
};

static struct gd_map *all_maps;

struct gd_file *gd_file_new(unsigned domid)
{
    struct gd_file *f = calloc(1, sizeof(*f));
    if (f)
        f->domid = domid;
    return f;
}

static void map_free(struct gd_map *m)
{
    if (m->all_prev)
        m->all_prev->all_next = m->all_next;
    else
        all_maps = m->all_next;
    if (m->all_next)
        m->all_next->all_prev = m->all_prev;
    free(m->refs);
    free(m->ents);
    free(m);
}

/* The final release: gntdev_put_map() of the last user. */
static void map_maybe_final(struct gd_map *m)
{
    if (m->file || m->vmas)
        return;
    if (m->mapped) {
        uint32_t pg = (uint32_t)(m->notify_addr >> HV_PAGE_SHIFT);
        if ((m->notify & UNMAP_NOTIFY_CLEAR_BYTE) && !m->dead && pg < m->count)
            gnt_clear_byte(m->ents[pg], (uint32_t)(m->notify_addr & (HV_PAGE_SIZE - 1)));
        for (uint32_t i = 0; i < m->count; i++)
            gnt_entry_unmap(m->ents[i]);
    }
    if (m->notify_port)
        ev_port_put(m->notify_port, (m->notify & UNMAP_NOTIFY_SEND_EVENT) && !m->dead);
    map_free(m);
}

static void map_unlink(struct gd_map *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        m->file->maps = m->next;
    if (m->next)
        m->next->prev = m->prev;
    m->next = m->prev = NULL;
    m->file = NULL;
}

void gd_map_vma_closed(struct gd_map *m)
{
    m->vmas--;
    map_maybe_final(m);
}

void gd_file_release(struct gd_file *f)
{
    while (f->maps) {
        struct gd_map *m = f->maps;
        map_unlink(m);
        map_maybe_final(m);
    }
    free(f);
}

int gd_map(struct gd_file *f, uint32_t count, const struct hv_grant_ref *refs, uint64_t *index)
{
    if (count == 0 || count > HV_MAX_PAGES_PER_CALL)
        return -EINVAL;
    struct gd_map *m = calloc(1, sizeof(*m));
    if (!m || !(m->refs = malloc(count * sizeof(*refs))) ||
        !(m->ents = calloc(count, sizeof(*m->ents)))) {
        if (m)
            free(m->refs);
        free(m);
        return -ENOMEM;
    }
    memcpy(m->refs, refs, count * sizeof(*refs));
    m->domid = f->domid;
    m->count = count;
    /* first gap in the index space, as gntdev_add_map() */
    struct gd_map *prev = NULL, *next = f->maps;
    for (; next; prev = next, next = next->next) {
        if (m->index + count < next->index)
            break;
        m->index = next->index + next->count;
    }
    m->file = f;
    m->prev = prev;
    m->next = next;
    if (prev)
        prev->next = m;
    else
        f->maps = m;
    if (next)
        next->prev = m;
    m->all_next = all_maps;
    if (all_maps)
        all_maps->all_prev = m;
    all_maps = m;
    *index = m->index << HV_PAGE_SHIFT;
    return 0;
}

static struct gd_map *map_find(struct gd_file *f, uint64_t index, uint32_t count)
{
    for (struct gd_map *m = f->maps; m; m = m->next)
        if (m->index == index && (!count || m->count == count))
            return m;
    return NULL;
}

int gd_unmap(struct gd_file *f, uint64_t index, uint32_t count)
{
    struct gd_map *m = map_find(f, index >> HV_PAGE_SHIFT, count);
    if (!m)
        return -ENOENT;
    map_unlink(m);
    map_maybe_final(m);
    return 0;
}

int gd_set_notify(struct gd_file *f, uint64_t index, uint32_t action, uint32_t port)
{
    if (action & ~(uint32_t)(UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT))
        return -EINVAL;
    struct ev_port *p = NULL;
    if (action & UNMAP_NOTIFY_SEND_EVENT) {
        p = ev_port_get(f->domid, port);
        if (!p)
            return -EINVAL;
    }
    struct gd_map *m = f->maps;
    for (; m; m = m->next) {
        uint64_t begin = m->index << HV_PAGE_SHIFT;
        if (index >= begin && index < begin + ((uint64_t)m->count << HV_PAGE_SHIFT))
            break;
    }
    int err = !m ? -ENOENT : (action & UNMAP_NOTIFY_CLEAR_BYTE) && m->ro ? -EINVAL : 0;
    if (err) {
        if (p)
            ev_port_put(p, false);
        return err;
    }
    if (m->notify_port)
        ev_port_put(m->notify_port, false);
    m->notify = (uint8_t)action;
    m->notify_addr = index - (m->index << HV_PAGE_SHIFT);
    m->notify_portno = port;
    m->notify_port = p;
    return 0;
}

/* What the hypervisor checks for domain `domid` to use grant (dom, ref). */
static int grant_check(unsigned domid, uint32_t dom, uint32_t ref, bool write,
                       struct gnt_entry **out)
{
    if (!domain_alive(dom))
        return GNTST_bad_domain;
    struct gnt_entry *e = gnt_lookup(dom, ref);
    if (!e || e->revoked)
        return GNTST_bad_gntref; /* a released grant still mapped is still there */
    if (e->grantee != domid || (write && e->ro))
        return GNTST_permission_denied;
    *out = e;
    return 0;
}

int gd_mmap(struct gnt_space *s, struct gd_file *f, uint64_t offset, uint32_t npages, int prot,
            struct hv_reply *r)
{
    struct gd_map *m = map_find(f, offset >> HV_PAGE_SHIFT, npages);
    if (!m || m->mapped)
        return -EINVAL;
    int fault = gnt_fault_map_take();
    if (fault)
        return -fault;
    bool write = prot & PROT_WRITE;
    for (uint32_t i = 0; i < npages; i++)
        if (grant_check(f->domid, m->refs[i].domid, m->refs[i].ref, write, &m->ents[i]))
            return -EINVAL;
    int err = gnt_reply_runs(r, m->ents, npages, !write);
    uint32_t id;
    /* gntdev_mmap: with use_ptemod (a PV kernel) the VMA is VM_DONTCOPY,
     * so a forked child does not get the mapping */
    bool dontcopy = domain_type(f->domid) == DOMAIN_PV;
    if (!err)
        err = gnt_space_add(s, npages, m, NULL, NULL, dontcopy, &id);
    if (err)
        return err;
    for (uint32_t i = 0; i < npages; i++)
        m->ents[i]->maps++;
    m->mapped = true;
    m->ro = !write;
    m->vmas = 1;
    r->rep.val[0] = id;
    r->rep.val[1] = dontcopy ? HV_MMAP_DONTFORK : 0;
    return 0;
}

static int copy_gref(struct gnt_entry *e, uint16_t off, uint8_t *buf, uint16_t len, bool to_page)
{
    off_t at = (off_t)e->page * HV_PAGE_SIZE + off;
    ssize_t n = to_page ? pwrite(e->mem->fd, buf, len, at) : pread(e->mem->fd, buf, len, at);
    return n == len ? 0 : GNTST_bad_gntref;
}

int gd_copy(unsigned domid, const struct hv_copy_seg *segs, uint32_t count, const uint8_t *src,
            size_t srclen, struct hv_reply *r)
{
    if (count > HV_MAX_COPY_SEGS)
        return -EINVAL;
    for (uint32_t i = 0; i < count; i++) {
        const struct hv_copy_seg *g = &segs[i];
        if (!(g->flags & (HV_COPY_SOURCE_GREF | HV_COPY_DEST_GREF)) || g->len > HV_PAGE_SIZE ||
            ((g->flags & HV_COPY_SOURCE_GREF) && g->src_off + g->len > HV_PAGE_SIZE) ||
            ((g->flags & HV_COPY_DEST_GREF) && g->dst_off + g->len > HV_PAGE_SIZE))
            return -EINVAL;
    }
    size_t stlen = (count * sizeof(int16_t) + 7) & ~(size_t)7;
    if (!hv_reply_grow(r, stlen))
        return -ENOMEM;
    memset(r->data, 0, stlen);
    size_t srcoff = 0;
    for (uint32_t i = 0; i < count; i++) {
        const struct hv_copy_seg *g = &segs[i];
        uint8_t buf[HV_PAGE_SIZE];
        int st = 0;
        struct gnt_entry *se = NULL, *de = NULL;
        if (!(g->flags & HV_COPY_SOURCE_GREF)) {
            if (srclen - srcoff < g->len)
                return -EINVAL;
            memcpy(buf, src + srcoff, g->len);
            srcoff += g->len;
        } else if (!(st = grant_check(domid, g->src_dom, g->src_ref, false, &se))) {
            st = copy_gref(se, g->src_off, buf, g->len, false);
        }
        if (!st && (g->flags & HV_COPY_DEST_GREF)) {
            st = grant_check(domid, g->dst_dom, g->dst_ref, true, &de);
            if (!st)
                st = copy_gref(de, g->dst_off, buf, g->len, true);
        } else if (!st) {
            uint8_t *out = hv_reply_grow(r, g->len);
            if (!out)
                return -ENOMEM;
            memcpy(out, buf, g->len);
        }
        int16_t st16 = (int16_t)st;
        memcpy(r->data + i * sizeof(st16), &st16, sizeof(st16));
    }
    return 0;
}

void gd_domain_destroyed(unsigned domid)
{
    for (struct gd_map *m = all_maps; m; m = m->all_next)
        if (m->domid == domid)
            m->dead = true;
}
