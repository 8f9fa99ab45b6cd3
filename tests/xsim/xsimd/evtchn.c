/* Event channels: per-domain port tables, delivery with masking, and the
 * state of each open /dev/xen/evtchn. Semantics follow Xen's
 * common/event_channel.c and Linux's drivers/xen/evtchn.c. */
#include "evtchn.h"

#include "domain.h"
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define DOMID_SELF   0x7ff0u
#define UNRESTRICTED 0xffffu
/* Ports queued for a program that does not read them: past this, drop. */
#define EV_OUT_MAX (64u * 1024)

enum ev_state {
    EV_UNBOUND = 1,
    EV_INTERDOMAIN,
    EV_CLOSED,
};

struct ev_port {
    unsigned domid;
    uint32_t port;
    enum ev_state state;
    unsigned remote_dom;
    uint32_t remote_port;
    /* The file that bound it. NULL once the program let go while an unmap
     * notification still holds the port open. */
    struct ev_user *owner;
    struct ev_port *next_owned;
    bool masked, pending;
    unsigned holds; /* unmap notifications that will signal this port */
    unsigned refs;  /* the table's while open + holds + a delay timer */
    uint32_t drop;  /* fault: events still to drop */
    uint32_t delay_ms;
    uint64_t timer;
};

struct ev_dom {
    unsigned domid;
    struct ev_port **ports;
    uint32_t cap;
    struct ev_dom *next; /* sorted by domid */
};

struct ev_user {
    unsigned domid;
    int fd;
    unsigned restrict_dom;
    struct ev_port *ports;
    uint8_t *out; /* ports to write to fd */
    size_t outlen, outoff, outcap;
    bool want_out;
    uint8_t in[4]; /* a port the program wrote in part */
    size_t inlen;
};

static struct ev_dom *doms;

static struct ev_dom *dom_find(unsigned domid)
{
    for (struct ev_dom *d = doms; d && d->domid <= domid; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

static struct ev_dom *dom_get(unsigned domid)
{
    struct ev_dom **pp = &doms;
    while (*pp && (*pp)->domid < domid)
        pp = &(*pp)->next;
    if (*pp && (*pp)->domid == domid)
        return *pp;
    struct ev_dom *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->next = *pp;
    *pp = d;
    return d;
}

static struct ev_port *port_find(unsigned domid, uint32_t port)
{
    struct ev_dom *d = dom_find(domid);
    if (!d || port >= d->cap)
        return NULL;
    return d->ports[port];
}

/* Xen hands out the lowest free port; port 0 is never used. */
static struct ev_port *port_alloc(unsigned domid, int *err)
{
    struct ev_dom *d = dom_get(domid);
    if (!d) {
        *err = -ENOMEM;
        return NULL;
    }
    uint32_t port = 1;
    while (port < d->cap && d->ports[port])
        port++;
    if (port >= EV_MAX_PORTS) {
        *err = -ENOSPC;
        return NULL;
    }
    if (port >= d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 64;
        struct ev_port **n = realloc(d->ports, cap * sizeof(*n));
        if (!n) {
            *err = -ENOMEM;
            return NULL;
        }
        memset(n + d->cap, 0, (cap - d->cap) * sizeof(*n));
        d->ports = n;
        d->cap = cap;
    }
    struct ev_port *p = calloc(1, sizeof(*p));
    if (!p) {
        *err = -ENOMEM;
        return NULL;
    }
    p->domid = domid;
    p->port = port;
    p->refs = 1;
    d->ports[port] = p;
    return p;
}

static void port_unref(struct ev_port *p)
{
    if (--p->refs == 0)
        free(p);
}

static void owner_unlink(struct ev_port *p)
{
    if (!p->owner)
        return;
    for (struct ev_port **pp = &p->owner->ports; *pp; pp = &(*pp)->next_owned) {
        if (*pp == p) {
            *pp = p->next_owned;
            break;
        }
    }
    p->owner = NULL;
    p->next_owned = NULL;
}

/* EVTCHNOP_close: an interdomain peer falls back to unbound, waiting for
 * this domain again, so that a restarted program can bind to it. */
static void port_close(struct ev_port *p)
{
    if (p->state == EV_CLOSED)
        return;
    if (p->state == EV_INTERDOMAIN) {
        struct ev_port *r = port_find(p->remote_dom, p->remote_port);
        if (r && r->state == EV_INTERDOMAIN && r->remote_dom == p->domid &&
            r->remote_port == p->port) {
            r->state = EV_UNBOUND;
            r->remote_port = 0;
        }
    }
    owner_unlink(p);
    struct ev_dom *d = dom_find(p->domid);
    if (d && p->port < d->cap && d->ports[p->port] == p)
        d->ports[p->port] = NULL;
    p->state = EV_CLOSED;
    if (p->timer) {
        loop_timer_cancel(p->timer);
        p->timer = 0;
        p->refs--; /* the timer's; the table's is still held */
    }
    port_unref(p);
}

static void user_set_out(struct ev_user *u, bool want)
{
    if (u->want_out == want)
        return;
    u->want_out = want;
    loop_mod(u->fd, EPOLLIN | (want ? EPOLLOUT : 0));
}

void ev_user_output(struct ev_user *u)
{
    while (u->outoff < u->outlen) {
        ssize_t n =
            send(u->fd, u->out + u->outoff, u->outlen - u->outoff, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                user_set_out(u, true);
                return;
            }
            break; /* the program is gone; its EOF will release the file */
        }
        u->outoff += (size_t)n;
    }
    u->outlen = u->outoff = 0;
    user_set_out(u, false);
}

static void user_queue(struct ev_user *u, uint32_t port)
{
    if (u->outlen - u->outoff >= EV_OUT_MAX)
        return;
    if (u->outlen + sizeof(port) > u->outcap) {
        if (u->outoff) {
            memmove(u->out, u->out + u->outoff, u->outlen - u->outoff);
            u->outlen -= u->outoff;
            u->outoff = 0;
        }
        if (u->outlen + sizeof(port) > u->outcap) {
            size_t cap = u->outcap ? u->outcap * 2 : 64;
            uint8_t *n = realloc(u->out, cap);
            if (!n)
                return;
            u->out = n;
            u->outcap = cap;
        }
    }
    memcpy(u->out + u->outlen, &port, sizeof(port));
    u->outlen += sizeof(port);
    if (!u->want_out)
        ev_user_output(u);
}

/* The event reaches the port: deliver it, or remember it while masked. */
static void port_set_pending(struct ev_port *p)
{
    if (!p->owner)
        return;
    if (p->masked) {
        p->pending = true;
        return;
    }
    p->masked = true;
    p->pending = false;
    user_queue(p->owner, p->port);
}

static void delay_fire(void *data)
{
    struct ev_port *p = data;
    p->timer = 0;
    if (p->state != EV_CLOSED)
        port_set_pending(p);
    port_unref(p);
}

static void port_raise(struct ev_port *p)
{
    if (p->drop) {
        p->drop--;
        return;
    }
    if (p->delay_ms) {
        /* events arriving during the delay collapse into the delayed one */
        if (!p->timer) {
            p->timer = loop_timer_add(p->delay_ms, delay_fire, p);
            if (p->timer)
                p->refs++;
            else
                port_set_pending(p);
        }
        return;
    }
    port_set_pending(p);
}

/* EVTCHNOP_send: an unbound port drops the event silently, as Xen does. */
static void port_send(struct ev_port *p)
{
    if (p->state != EV_INTERDOMAIN)
        return;
    struct ev_port *r = port_find(p->remote_dom, p->remote_port);
    if (r)
        port_raise(r);
}

static void port_own(struct ev_user *u, struct ev_port *p)
{
    p->owner = u;
    p->next_owned = u->ports;
    u->ports = p;
}

/* The program lets go of a port; an unmap notification may keep it open. */
static void port_disown(struct ev_port *p)
{
    owner_unlink(p);
    p->masked = p->pending = false;
    if (!p->holds)
        port_close(p);
}

struct ev_user *ev_user_new(unsigned domid, int fd)
{
    struct ev_user *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->domid = domid;
    u->fd = fd;
    u->restrict_dom = UNRESTRICTED;
    return u;
}

void ev_user_release(struct ev_user *u)
{
    while (u->ports)
        port_disown(u->ports);
    free(u->out);
    free(u);
}

static void user_unmask(struct ev_user *u, uint32_t port)
{
    struct ev_port *p = port_find(u->domid, port);
    if (!p || p->owner != u || !p->masked)
        return;
    p->masked = false;
    if (p->pending)
        port_set_pending(p);
}

int ev_user_input(struct ev_user *u)
{
    uint8_t buf[4096];
    for (;;) {
        ssize_t n = recv(u->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0)
            return -1;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        for (ssize_t i = 0; i < n; i++) {
            u->in[u->inlen++] = buf[i];
            if (u->inlen == sizeof(u->in)) {
                uint32_t port;
                memcpy(&port, u->in, sizeof(port));
                u->inlen = 0;
                user_unmask(u, port);
            }
        }
    }
}

static unsigned self_or(unsigned dom, unsigned self)
{
    return dom == DOMID_SELF ? self : dom;
}

int ev_bind_virq(struct ev_user *u, uint32_t virq)
{
    (void)virq;
    if (u->restrict_dom != UNRESTRICTED)
        return -EACCES;
    return -EINVAL; /* no virtual IRQ is simulated */
}

int ev_bind_unbound(struct ev_user *u, uint32_t remote_dom)
{
    if (u->restrict_dom != UNRESTRICTED)
        return -EACCES;
    if (!domain_alive(u->domid))
        return -ESRCH;
    remote_dom = self_or(remote_dom, u->domid);
    if (remote_dom > XSIM_MAX_DOMID)
        return -EINVAL;
    int err;
    struct ev_port *p = port_alloc(u->domid, &err);
    if (!p)
        return err;
    p->state = EV_UNBOUND;
    p->remote_dom = remote_dom;
    port_own(u, p);
    return (int)p->port;
}

int ev_bind_interdomain(struct ev_user *u, uint32_t remote_dom, uint32_t remote_port)
{
    if (u->restrict_dom != UNRESTRICTED && u->restrict_dom != remote_dom)
        return -EACCES;
    if (!domain_alive(u->domid))
        return -ESRCH;
    remote_dom = self_or(remote_dom, u->domid);
    if (remote_dom > XSIM_MAX_DOMID || !domain_alive(remote_dom))
        return -ESRCH;
    struct ev_port *r = port_find(remote_dom, remote_port);
    if (!r || r->state != EV_UNBOUND || r->remote_dom != u->domid)
        return -EINVAL;
    int err;
    struct ev_port *p = port_alloc(u->domid, &err);
    if (!p)
        return err;
    p->state = EV_INTERDOMAIN;
    p->remote_dom = remote_dom;
    p->remote_port = remote_port;
    r->state = EV_INTERDOMAIN;
    r->remote_port = p->port;
    port_own(u, p);
    /* Xen marks the new port pending, in case the remote end signalled
     * before the bind: the program sees one event straight away. */
    port_set_pending(p);
    return (int)p->port;
}

int ev_unbind(struct ev_user *u, uint32_t port)
{
    if (port >= EV_MAX_PORTS)
        return -EINVAL;
    struct ev_port *p = port_find(u->domid, port);
    if (!p || p->owner != u)
        return -ENOTCONN;
    port_disown(p);
    return 0;
}

int ev_notify(struct ev_user *u, uint32_t port)
{
    struct ev_port *p = port_find(u->domid, port);
    if (!p || p->owner != u)
        return -ENOTCONN;
    port_send(p);
    return 0;
}

int ev_reset(struct ev_user *u)
{
    /* Like clearing the kernel's ring: ports not yet read are lost and stay
     * masked. A port written in part is finished first. */
    size_t keep = (u->outoff + 3) & ~(size_t)3;
    if (keep < u->outlen)
        u->outlen = keep;
    return 0;
}

int ev_restrict(struct ev_user *u, uint32_t domid)
{
    if (u->restrict_dom != UNRESTRICTED)
        return -EACCES;
    if (domid == 0 || domid >= DOMID_SELF)
        return -EINVAL;
    u->restrict_dom = domid;
    return 0;
}

struct ev_port *ev_port_get(unsigned domid, uint32_t port)
{
    struct ev_port *p = port_find(domid, port);
    if (!p || (!p->owner && !p->holds))
        return NULL;
    p->holds++;
    p->refs++;
    return p;
}

void ev_port_put(struct ev_port *p, bool send)
{
    if (send && p->state != EV_CLOSED)
        port_send(p);
    p->holds--;
    if (!p->holds && !p->owner)
        port_close(p);
    port_unref(p);
}

void ev_domain_destroyed(unsigned domid)
{
    struct ev_dom *d = dom_find(domid);
    if (!d)
        return;
    for (uint32_t i = 0; i < d->cap; i++)
        if (d->ports[i])
            port_close(d->ports[i]);
    for (struct ev_dom **pp = &doms; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
    free(d->ports);
    free(d);
}

void ev_dump(FILE *out)
{
    for (struct ev_dom *d = doms; d; d = d->next) {
        for (uint32_t i = 0; i < d->cap; i++) {
            struct ev_port *p = d->ports[i];
            if (!p)
                continue;
            fprintf(out, "domain=%u port=%u ", d->domid, p->port);
            if (p->state == EV_INTERDOMAIN)
                fprintf(out, "state=interdomain remote=%u:%u", p->remote_dom, p->remote_port);
            else
                fprintf(out, "state=unbound remote=%u", p->remote_dom);
            fprintf(out, " masked=%d pending=%d%s", p->masked, p->pending,
                    p->owner ? "" : " orphan");
            if (p->drop)
                fprintf(out, " drop=%u", p->drop); /* fault-evtchn-drop still to come */
            fputc('\n', out);
        }
    }
}

int ev_fault_drop(unsigned domid, uint32_t port, uint32_t n)
{
    struct ev_port *p = port_find(domid, port);
    if (!p)
        return -ENOENT;
    p->drop = n;
    return 0;
}

int ev_fault_delay(unsigned domid, uint32_t port, uint32_t ms)
{
    struct ev_port *p = port_find(domid, port);
    if (!p)
        return -ENOENT;
    p->delay_ms = ms;
    return 0;
}
