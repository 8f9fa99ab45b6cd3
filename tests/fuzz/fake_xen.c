/* The Xen libraries' API over in-memory state: see fake_xen.h. */
#include "fake_xen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

/* Bounds that keep one input's memory small, as xenstored's quotas and
 * the devices' limits do. */
#define MAX_NODES   256
#define MAX_VALUE   4096
#define MAX_EVENTS  1024
#define MAX_PENDING 4096
#define MAX_WATCHES 64

struct node {
    char *path;
    char *val;
    size_t len;
};

struct event {
    char *path, *token;
};

struct xs_handle {
    struct xs_handle *next;
    char home[64];
    int fd;
    struct event q[MAX_EVENTS];
    unsigned q_head, q_len;
    bool signalled;
};

struct watch {
    struct xs_handle *h;
    char *path, *token;
};

struct xenevtchn_handle {
    struct xenevtchn_handle *next;
    int fd;
    uint32_t q[MAX_PENDING];
    unsigned q_head, q_len;
    bool signalled;
};

struct binding {
    struct binding *next;
    struct xenevtchn_handle *h;
    uint32_t local, remote;
    bool interdomain;
};

struct xengntdev_handle {
    int unused;
};

struct xenforeignmemory_handle {
    int unused;
};

struct mapping {
    struct mapping *next;
    uint8_t *addr;
    uint32_t count;
    bool aliased; /* a guest page: not ours to free */
    bool shared;  /* gntshr, not gnttab */
    long notify_offs;
};

static struct {
    struct node nodes[MAX_NODES];
    unsigned n_nodes;
    struct watch watches[MAX_WATCHES];
    unsigned n_watches;
    struct xs_handle *xs;
    struct xenevtchn_handle *xce;
    struct binding *bindings;
    struct mapping *maps;
    uint32_t next_port, next_ref, tx;
    unsigned fm_open; /* foreign memory handles */
    unsigned long notifications;
    int unbound_port;
    uint8_t *shared_page;
    bool fault[FX_FAULTS];
    char home[64];
    /* page-aligned, as a guest's pages are: the harness and the code
     * under test read them through struct xenfb_page and the rings,
     * whatever the members above add up to */
    _Alignas(4096) uint8_t guest[FX_GUEST_PAGES][FX_PAGE];
} fx = {.next_port = 1, .next_ref = 100, .unbound_port = -1, .home = "/local/domain/0"};

static bool take(enum fx_fault f)
{
    bool t = fx.fault[f];
    fx.fault[f] = false;
    return t;
}

void fx_fail(enum fx_fault f)
{
    if ((unsigned)f < FX_FAULTS)
        fx.fault[f] = true;
}

void fx_clear_faults(void)
{
    memset(fx.fault, 0, sizeof(fx.fault));
}

void fx_set_home(const char *home)
{
    snprintf(fx.home, sizeof(fx.home), "%s", home);
}

static void set_readable(int fd, bool *signalled, bool on)
{
    uint64_t v = 1;
    if (on && !*signalled) {
        if (write(fd, &v, sizeof(v)) == sizeof(v))
            *signalled = true;
    } else if (!on && *signalled) {
        if (read(fd, &v, sizeof(v)) == sizeof(v))
            *signalled = false;
    }
}

/* ---- the store ---- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

/* An absolute path: relative ones are below the handle's home. */
static char *canon(const struct xs_handle *h, const char *path)
{
    if (path[0] == '/' || path[0] == '@' || !h)
        return xstrdup(path);
    char *p;
    if (asprintf(&p, "%s/%s", h->home, path) < 0)
        abort();
    return p;
}

static bool below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && path[n] == '/';
}

static struct node *find(const char *path)
{
    for (unsigned i = 0; i < fx.n_nodes; i++)
        if (!strcmp(fx.nodes[i].path, path))
            return &fx.nodes[i];
    return NULL;
}

static bool exists(const char *path)
{
    if (find(path))
        return true;
    for (unsigned i = 0; i < fx.n_nodes; i++)
        if (below(fx.nodes[i].path, path))
            return true;
    return false;
}

static void queue_event(struct xs_handle *h, const char *path, const char *token)
{
    if (h->q_len >= MAX_EVENTS)
        return; /* dropped, as a full xenstored queue would */
    struct event *e = &h->q[(h->q_head + h->q_len) % MAX_EVENTS];
    e->path = xstrdup(path);
    e->token = xstrdup(token);
    h->q_len++;
    set_readable(h->fd, &h->signalled, true);
}

/* A change of path fires the watches on it, above it and (for a
 * removal) below it. */
static void fire_change(const char *path, bool removal)
{
    for (unsigned i = 0; i < fx.n_watches; i++) {
        struct watch *w = &fx.watches[i];
        if (!strcmp(w->path, path) || below(path, w->path) || (removal && below(w->path, path)))
            queue_event(w->h, path, w->token);
    }
}

void fx_fire(const char *path, const char *token)
{
    for (struct xs_handle *h = fx.xs; h; h = h->next)
        queue_event(h, path, token);
}

static int store_write(const char *path, const void *val, size_t len)
{
    if (len > MAX_VALUE) {
        errno = E2BIG;
        return -1;
    }
    struct node *n = find(path);
    if (!n) {
        if (fx.n_nodes >= MAX_NODES) {
            errno = ENOSPC;
            return -1;
        }
        n = &fx.nodes[fx.n_nodes++];
        n->path = xstrdup(path);
        n->val = NULL;
    }
    free(n->val);
    n->val = malloc(len + 1);
    if (!n->val)
        abort();
    memcpy(n->val, val, len);
    n->val[len] = '\0';
    n->len = len;
    fire_change(path, false);
    return 0;
}

static int store_rm(const char *path)
{
    if (!exists(path)) {
        errno = ENOENT;
        return -1;
    }
    for (unsigned i = 0; i < fx.n_nodes;) {
        if (!strcmp(fx.nodes[i].path, path) || below(fx.nodes[i].path, path)) {
            free(fx.nodes[i].path);
            free(fx.nodes[i].val);
            fx.nodes[i] = fx.nodes[--fx.n_nodes];
        } else {
            i++;
        }
    }
    fire_change(path, true);
    return 0;
}

void fx_write(const char *path, const void *val, size_t len)
{
    store_write(path, val, len);
}

void fx_write_str(const char *path, const char *val)
{
    store_write(path, val, strlen(val));
}

void fx_rm(const char *path)
{
    store_rm(path);
}

const char *fx_read(const char *path)
{
    struct node *n = find(path);
    return n ? n->val : NULL;
}

struct xs_handle *xs_open(unsigned long flags)
{
    (void)flags;
    if (take(FX_FAIL_OPEN)) {
        errno = ENOENT;
        return NULL;
    }
    struct xs_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (h->fd < 0) {
        free(h);
        return NULL;
    }
    snprintf(h->home, sizeof(h->home), "%s", fx.home);
    h->next = fx.xs;
    fx.xs = h;
    return h;
}

void xs_close(struct xs_handle *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < fx.n_watches;) {
        if (fx.watches[i].h == h) {
            free(fx.watches[i].path);
            free(fx.watches[i].token);
            fx.watches[i] = fx.watches[--fx.n_watches];
        } else {
            i++;
        }
    }
    for (; h->q_len; h->q_len--, h->q_head = (h->q_head + 1) % MAX_EVENTS) {
        free(h->q[h->q_head].path);
        free(h->q[h->q_head].token);
    }
    for (struct xs_handle **pp = &fx.xs; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    }
    close(h->fd);
    free(h);
}

int xs_fileno(struct xs_handle *h)
{
    return h->fd;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    (void)t;
    if (take(FX_FAIL_READ_ENOENT)) {
        errno = ENOENT;
        return NULL;
    }
    if (take(FX_FAIL_READ_EACCES)) {
        errno = EACCES;
        return NULL;
    }
    if (take(FX_FAIL_READ_EIO)) {
        errno = EIO;
        return NULL;
    }
    char *p = canon(h, path);
    struct node *n = find(p);
    const char *val = n ? n->val : "";
    size_t l = n ? n->len : 0;
    if (!n && !exists(p)) {
        free(p);
        errno = ENOENT;
        return NULL;
    }
    free(p);
    char *out = malloc(l + 1);
    if (!out)
        return NULL;
    memcpy(out, val, l);
    out[l] = '\0';
    if (len)
        *len = (unsigned)l;
    return out;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
    (void)t;
    if (take(FX_FAIL_WRITE)) {
        errno = EACCES;
        return false;
    }
    char *p = canon(h, path);
    int rc = store_write(p, data, len);
    free(p);
    return rc == 0;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    (void)t;
    if (take(FX_FAIL_RM)) {
        errno = EACCES;
        return false;
    }
    char *p = canon(h, path);
    int rc = store_rm(p);
    free(p);
    return rc == 0;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
    (void)t;
    if (take(FX_FAIL_DIRECTORY)) {
        errno = EACCES;
        return NULL;
    }
    char *p = canon(h, path);
    if (!exists(p)) {
        free(p);
        errno = ENOENT;
        return NULL;
    }
    /* the children's names, unique, in one allocation as libxenstore does */
    const char *names[MAX_NODES];
    size_t lens[MAX_NODES], total = 0;
    unsigned n = 0;
    size_t pl = strlen(p);
    for (unsigned i = 0; i < fx.n_nodes; i++) {
        const char *c = fx.nodes[i].path;
        if (!below(c, p))
            continue;
        c += pl + 1;
        size_t cl = strcspn(c, "/");
        bool dup = false;
        for (unsigned j = 0; j < n && !dup; j++)
            dup = lens[j] == cl && !strncmp(names[j], c, cl);
        if (!dup) {
            names[n] = c;
            lens[n++] = cl;
            total += cl + 1;
        }
    }
    char **out = malloc(n * sizeof(char *) + total + 1);
    if (!out) {
        free(p);
        return NULL;
    }
    char *s = (char *)(out + n);
    for (unsigned i = 0; i < n; i++) {
        memcpy(s, names[i], lens[i]);
        s[lens[i]] = '\0';
        out[i] = s;
        s += lens[i] + 1;
    }
    free(p);
    *num = n;
    return out;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    if (take(FX_FAIL_WATCH) || fx.n_watches >= MAX_WATCHES) {
        errno = ENOSPC;
        return false;
    }
    struct watch *w = &fx.watches[fx.n_watches++];
    w->h = h;
    w->path = canon(h, path);
    w->token = xstrdup(token);
    /* a new watch fires once at once */
    queue_event(h, w->path, token);
    return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    char *p = canon(h, path);
    for (unsigned i = 0; i < fx.n_watches; i++) {
        struct watch *w = &fx.watches[i];
        if (w->h == h && !strcmp(w->path, p) && !strcmp(w->token, token)) {
            free(w->path);
            free(w->token);
            *w = fx.watches[--fx.n_watches];
            free(p);
            return true;
        }
    }
    free(p);
    errno = ENOENT;
    return false;
}

char **xs_check_watch(struct xs_handle *h)
{
    if (take(FX_FAIL_CHECK_WATCH)) {
        errno = EIO;
        return NULL;
    }
    if (!h->q_len) {
        set_readable(h->fd, &h->signalled, false);
        errno = EAGAIN;
        return NULL;
    }
    struct event *e = &h->q[h->q_head];
    h->q_head = (h->q_head + 1) % MAX_EVENTS;
    h->q_len--;
    size_t pl = strlen(e->path) + 1, tl = strlen(e->token) + 1;
    char **out = malloc(2 * sizeof(char *) + pl + tl);
    if (out) {
        char *s = (char *)(out + 2);
        memcpy(s, e->path, pl);
        memcpy(s + pl, e->token, tl);
        out[XS_WATCH_PATH] = s;
        out[XS_WATCH_TOKEN] = s + pl;
    }
    free(e->path);
    free(e->token);
    return out;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    (void)h;
    if (take(FX_FAIL_TX_START)) {
        errno = ENOSPC;
        return XBT_NULL;
    }
    if (++fx.tx == XBT_NULL)
        ++fx.tx;
    return fx.tx;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort_)
{
    (void)h;
    (void)t;
    if (!abort_ && take(FX_FAIL_TX_EAGAIN)) {
        errno = EAGAIN;
        return false;
    }
    return true;
}

/* ---- event channels ---- */

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
    (void)logger;
    (void)flags;
    if (take(FX_FAIL_OPEN)) {
        errno = ENOENT;
        return NULL;
    }
    struct xenevtchn_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->fd = eventfd(0, EFD_CLOEXEC);
    if (h->fd < 0) {
        free(h);
        return NULL;
    }
    h->next = fx.xce;
    fx.xce = h;
    return h;
}

int xenevtchn_close(xenevtchn_handle *h)
{
    if (!h)
        return 0;
    for (struct binding **pp = &fx.bindings; *pp;) {
        if ((*pp)->h == h) {
            struct binding *b = *pp;
            *pp = b->next;
            free(b);
        } else {
            pp = &(*pp)->next;
        }
    }
    for (struct xenevtchn_handle **pp = &fx.xce; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    }
    close(h->fd);
    free(h);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *h)
{
    return h->fd;
}

static struct binding *bind_port(xenevtchn_handle *h, uint32_t remote, bool interdomain)
{
    struct binding *b = calloc(1, sizeof(*b));
    if (!b)
        abort();
    b->h = h;
    b->local = fx.next_port++;
    b->remote = remote;
    b->interdomain = interdomain;
    b->next = fx.bindings;
    fx.bindings = b;
    return b;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    (void)domid;
    if (take(FX_FAIL_BIND) || remote_port == 0 || remote_port > 4095) {
        errno = EINVAL;
        return -1;
    }
    return (xenevtchn_port_or_error_t)bind_port(h, remote_port, true)->local;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *h, uint32_t domid)
{
    (void)domid;
    if (take(FX_FAIL_BIND)) {
        errno = ENOSPC;
        return -1;
    }
    fx.unbound_port = (int)bind_port(h, 0, false)->local;
    return fx.unbound_port;
}

int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
    for (struct binding **pp = &fx.bindings; *pp; pp = &(*pp)->next) {
        if ((*pp)->h == h && (*pp)->local == port) {
            struct binding *b = *pp;
            *pp = b->next;
            free(b);
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
    for (struct binding *b = fx.bindings; b; b = b->next) {
        if (b->h == h && b->local == port) {
            fx.notifications++;
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

static void pend(struct xenevtchn_handle *h, uint32_t port)
{
    if (h->q_len >= MAX_PENDING)
        return;
    h->q[(h->q_head + h->q_len++) % MAX_PENDING] = port;
    set_readable(h->fd, &h->signalled, true);
}

void fx_notify_remote(uint32_t remote_port)
{
    for (struct binding *b = fx.bindings; b; b = b->next)
        if (b->interdomain && b->remote == remote_port)
            pend(b->h, b->local);
}

void fx_pend(uint32_t local_port)
{
    for (struct binding *b = fx.bindings; b; b = b->next)
        if (b->local == local_port)
            pend(b->h, b->local);
}

unsigned long fx_notifications(void)
{
    return fx.notifications;
}

int fx_unbound_port(void)
{
    return fx.unbound_port;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    if (take(FX_FAIL_PENDING)) {
        errno = EIO;
        return -1;
    }
    if (!h->q_len) {
        set_readable(h->fd, &h->signalled, false);
        errno = EAGAIN;
        return -1;
    }
    uint32_t p = h->q[h->q_head];
    h->q_head = (h->q_head + 1) % MAX_PENDING;
    h->q_len--;
    return (xenevtchn_port_or_error_t)p;
}

int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
    (void)h;
    (void)port;
    return 0;
}

/* ---- grant maps (the backend's side) and shares (the frontend's) ---- */

static struct xengntdev_handle *dev_open(void)
{
    if (take(FX_FAIL_OPEN)) {
        errno = ENOENT;
        return NULL;
    }
    return calloc(1, sizeof(struct xengntdev_handle));
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return dev_open();
}

int xengnttab_close(xengnttab_handle *xgt)
{
    free(xgt);
    return 0;
}

uint8_t *fx_guest_page(unsigned ref)
{
    return fx.guest[ref % FX_GUEST_PAGES];
}

static struct mapping *add_map(uint8_t *addr, uint32_t count, bool aliased, bool shared)
{
    struct mapping *m = calloc(1, sizeof(*m));
    if (!m)
        abort();
    m->addr = addr;
    m->count = count;
    m->aliased = aliased;
    m->shared = shared;
    m->notify_offs = -1;
    m->next = fx.maps;
    fx.maps = m;
    return m;
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
                                      uint32_t *refs, int prot)
{
    (void)xgt;
    (void)domid;
    (void)prot;
    if (take(FX_FAIL_MAP) || count == 0 || count > FX_MAP_MAX) {
        errno = count > FX_MAP_MAX ? ENOMEM : EINVAL;
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (refs[i] >= FX_REF_LIMIT) {
            errno = EINVAL;
            return NULL;
        }
    }
    /* one page of the guest's is that page itself, as a real map
     * aliases guest memory (a cursor header, a grant directory change
     * under the reader's feet) */
    if (count == 1 && refs[0] < FX_GUEST_PAGES) {
        add_map(fx.guest[refs[0]], 1, true, false);
        return fx.guest[refs[0]];
    }
    /* exactly count pages: a read past them is an ASan report; the
     * guest's pages among them are copied as they are now */
    uint8_t *p = calloc(count, FX_PAGE);
    if (!p)
        return NULL;
    for (uint32_t i = 0; i < count; i++)
        if (refs[i] < FX_GUEST_PAGES)
            memcpy(p + (size_t)i * FX_PAGE, fx.guest[refs[i]], FX_PAGE);
    add_map(p, count, false, false);
    return p;
}

void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot,
                                     uint32_t notify_offset, evtchn_port_t notify_port)
{
    (void)xgt;
    (void)domid;
    (void)prot;
    (void)notify_port;
    if (take(FX_FAIL_MAP_NOTIFY) || ref >= FX_REF_LIMIT || notify_offset >= FX_PAGE) {
        errno = EINVAL;
        return NULL;
    }
    uint8_t *p;
    bool aliased = ref < FX_GUEST_PAGES;
    if (aliased) {
        p = fx.guest[ref];
    } else {
        p = calloc(1, FX_PAGE);
        if (!p)
            return NULL;
    }
    add_map(p, 1, aliased, false)->notify_offs = notify_offset;
    return p;
}

static int unmap(void *addr, uint32_t count, bool shared)
{
    for (struct mapping **pp = &fx.maps; *pp; pp = &(*pp)->next) {
        struct mapping *m = *pp;
        if (m->addr != addr || m->shared != shared)
            continue;
        if (m->count != count) {
            errno = EINVAL;
            return -1;
        }
        /* the device's unmap notification: clear the byte in the page */
        if (m->notify_offs >= 0 && !shared)
            m->addr[m->notify_offs] = 0;
        if (m->addr == fx.shared_page)
            fx.shared_page = NULL;
        if (!m->aliased)
            free(m->addr);
        *pp = m->next;
        free(m);
        return 0;
    }
    errno = EINVAL;
    return -1;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    (void)xgt;
    return unmap(start_address, count, false);
}

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return dev_open();
}

int xengntshr_close(xengntshr_handle *xgs)
{
    free(xgs);
    return 0;
}

int xengntshr_fd(xengntshr_handle *xgs)
{
    (void)xgs;
    return -1;
}

void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs,
                            int writable)
{
    (void)xgs;
    (void)domid;
    (void)writable;
    if (take(FX_FAIL_SHARE) || count <= 0 || (uint32_t)count > FX_MAP_MAX) {
        errno = ENOSPC;
        return NULL;
    }
    uint8_t *p = calloc((size_t)count, FX_PAGE);
    if (!p)
        return NULL;
    for (int i = 0; i < count; i++)
        refs[i] = fx.next_ref++;
    add_map(p, (uint32_t)count, false, true);
    return p;
}

void *xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid, uint32_t *ref,
                                  int writable, uint32_t notify_offset, evtchn_port_t notify_port)
{
    (void)notify_port;
    if (notify_offset >= FX_PAGE) {
        errno = EINVAL;
        return NULL;
    }
    uint8_t *p = xengntshr_share_pages(xgs, domid, 1, ref, writable);
    if (p)
        fx.shared_page = p;
    return p;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
    (void)xgs;
    return unmap(start_address, count, true);
}

uint8_t *fx_shared_page(void)
{
    return fx.shared_page;
}

/* ---- xenforeignmemory: a guest's frames, as a standard frontend names
 * them; the frame numbers work as the grant references do ---- */

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
                                               unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    if (take(FX_FAIL_OPEN)) {
        errno = ENOENT;
        return NULL;
    }
    xenforeignmemory_handle *h = calloc(1, sizeof(*h));
    if (h)
        fx.fm_open++;
    return h;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    if (fmem)
        fx.fm_open--;
    free(fmem);
    return 0;
}

/* As privcmd: each frame fails alone in err[] (EINVAL beyond
 * FX_REF_LIMIT; every frame with FX_FAIL_FOREIGN); without err, any
 * failure fails the whole map, as the library does. One frame mapped
 * writable is the guest's own page (a shared page the harness keeps
 * changing); more are a copy of exactly that many pages. */
void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
                           const xen_pfn_t arr[], int err[])
{
    (void)fmem;
    (void)dom;
    if (pages == 0 || pages > FX_MAP_MAX) {
        errno = pages ? ENOMEM : EINVAL;
        return NULL;
    }
    bool fail_all = take(FX_FAIL_FOREIGN);
    int dummy[FX_MAP_MAX];
    int *e = err ? err : dummy;
    bool any = false;
    for (size_t i = 0; i < pages; i++) {
        e[i] = fail_all ? -EFAULT : arr[i] >= FX_REF_LIMIT ? -EINVAL : 0;
        any |= e[i] != 0;
    }
    if (any && !err) {
        errno = fail_all ? EFAULT : EINVAL;
        return NULL;
    }
    if (pages == 1 && (prot & PROT_WRITE) && arr[0] < FX_GUEST_PAGES && !e[0]) {
        add_map(fx.guest[arr[0]], 1, true, false);
        return fx.guest[arr[0]];
    }
    uint8_t *p = calloc(pages, FX_PAGE);
    if (!p)
        return NULL;
    for (size_t i = 0; i < pages; i++)
        if (!e[i] && arr[i] < FX_GUEST_PAGES)
            memcpy(p + i * FX_PAGE, fx.guest[arr[i]], FX_PAGE);
    add_map(p, (uint32_t)pages, false, false);
    return p;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
    (void)fmem;
    return unmap(addr, (uint32_t)pages, false);
}

/* ---- xentoollog ---- */

void xtl_logger_destroy(struct xentoollog_logger *logger)
{
    if (logger && logger->destroy)
        logger->destroy(logger);
}

/* ---- reset ---- */

unsigned fx_reset(void)
{
    unsigned live = 0;
    for (struct xs_handle *h = fx.xs; h; h = h->next)
        live++;
    for (struct xenevtchn_handle *h = fx.xce; h; h = h->next)
        live++;
    live += fx.fm_open;
    fx.fm_open = 0;
    while (fx.xs)
        xs_close(fx.xs);
    while (fx.maps) {
        live++;
        unmap(fx.maps->addr, fx.maps->count, fx.maps->shared);
    }
    for (struct binding *b = fx.bindings; b; b = b->next)
        live++;
    while (fx.xce)
        xenevtchn_close(fx.xce);
    for (unsigned i = 0; i < fx.n_nodes; i++) {
        free(fx.nodes[i].path);
        free(fx.nodes[i].val);
    }
    fx.n_nodes = 0;
    fx.next_port = 1;
    fx.next_ref = 100;
    fx.tx = 0;
    fx.notifications = 0;
    fx.unbound_port = -1;
    fx.shared_page = NULL;
    fx_clear_faults();
    memset(fx.guest, 0, sizeof(fx.guest));
    return live;
}

static void write_at(const char *dir, const char *node, const char *value)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/%s", dir, node);
    fx_write_str(p, value);
}

void fx_link_device(const char *fe, const char *be)
{
    write_at(fe, "backend", be);
    write_at(fe, "backend-id", "0");
    write_at(fe, "state", "1");
    write_at(be, "frontend", fe);
    write_at(be, "state", "1");
}

void fx_attach_device(const char *fe, const char *be)
{
    fx_link_device(fe, be);
    write_at(be, "frontend-id", "1");
    write_at(be, "online", "1");
}
