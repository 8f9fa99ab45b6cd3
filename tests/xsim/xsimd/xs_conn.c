/* xenstore connections: one listening socket per domain, message framing,
 * and output queues.
 *
 * libxenstore writes a header and its payload separately, so input is
 * buffered until a whole message is there. Replies and watch events are
 * queued and written as the socket takes them (EPOLLOUT), so a client that
 * reads slowly delays only itself. A client that breaks the framing (a
 * payload over XENSTORE_PAYLOAD_MAX) is dropped, as xenstored drops it.
 */
#define _GNU_SOURCE 1
#include "xs_conn.h"

#include "domain.h"
#include "loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads per wake-up, so that one busy client cannot starve the others. */
#define XS_READS_PER_WAKE 16

struct xs_listener {
    struct xs_listener *next;
    unsigned domid;
    int fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct store *xs_store;
struct xs_conn *xs_conns;
static struct xs_listener *listeners;

static void update_events(struct xs_conn *c)
{
    bool want = c->out != NULL || c->dead;

    if (want == c->want_out)
        return;
    if (loop_mod(c->fd, EPOLLIN | (want ? EPOLLOUT : 0)) == 0)
        c->want_out = want;
}

void xs_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *data,
             size_t len)
{
    struct xsd_sockmsg h = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len};
    struct xs_out *o;

    if (c->dead)
        return;
    if (c->outbytes + XS_HDR_LEN + len > XS_OUT_MAX) {
        fprintf(stderr, "xsimd: xenstore: dom%u pid %ld reads no replies, dropping it\n", c->domid,
                (long)c->pid);
        c->dead = true;
        update_events(c);
        return;
    }
    o = malloc(sizeof(*o) + XS_HDR_LEN + len);
    if (!o) {
        c->dead = true;
        update_events(c);
        return;
    }
    o->next = NULL;
    o->len = XS_HDR_LEN + len;
    o->off = 0;
    memcpy(o->data, &h, XS_HDR_LEN);
    if (len)
        memcpy(o->data + XS_HDR_LEN, data, len);
    if (c->out_tail)
        c->out_tail->next = o;
    else
        c->out = o;
    c->out_tail = o;
    c->outbytes += o->len;
    update_events(c);
}

/* 0, or -1 when the socket is broken. */
static int flush(struct xs_conn *c)
{
    while (c->out) {
        struct xs_out *o = c->out;
        ssize_t n = send(c->fd, o->data + o->off, o->len - o->off, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        o->off += (size_t)n;
        c->outbytes -= (size_t)n;
        if (o->off < o->len)
            continue;
        c->out = o->next;
        if (!c->out)
            c->out_tail = NULL;
        free(o);
    }
    update_events(c);
    return 0;
}

void xs_close(struct xs_conn *c)
{
    for (struct xs_conn **pp = &xs_conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    loop_del(c->fd);
    close(c->fd);
    xs_watch_clear(c);
    while (c->txns) {
        struct xs_txn *t = c->txns;

        c->txns = t->next;
        store_tx_abort(xs_store, t->tx);
        free(t);
    }
    while (c->out) {
        struct xs_out *o = c->out;

        c->out = o->next;
        free(o);
    }
    free(c);
}

/* Handle every whole message in the input buffer; -1 to drop the client. */
static int process(struct xs_conn *c)
{
    char body[XENSTORE_PAYLOAD_MAX + 1];

    while (c->inlen >= XS_HDR_LEN) {
        struct xsd_sockmsg m;
        size_t used;

        memcpy(&m, c->in, XS_HDR_LEN);
        if (m.len > XENSTORE_PAYLOAD_MAX) {
            fprintf(stderr,
                    "xsimd: xenstore: dom%u pid %ld sent a %u-byte payload (limit %d), "
                    "dropping it\n",
                    c->domid, (long)c->pid, m.len, XENSTORE_PAYLOAD_MAX);
            return -1;
        }
        used = XS_HDR_LEN + m.len;
        if (c->inlen < used)
            break;
        memcpy(body, c->in + XS_HDR_LEN, m.len);
        body[m.len] = '\0';
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
        xs_request(c, &m, body);
        if (c->dead)
            return -1;
    }
    return 0;
}

static void conn_io(int fd, uint32_t events, void *data)
{
    struct xs_conn *c = data;
    (void)fd;

    if (c->dead)
        goto drop;
    if ((events & EPOLLOUT) && flush(c) < 0)
        goto drop;
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (int i = 0; i < XS_READS_PER_WAKE; i++) {
        ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);

        if (n == 0)
            goto drop; /* a message cut short by the close is dropped with it */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            goto drop;
        }
        c->inlen += (size_t)n;
        if (process(c) < 0)
            goto drop;
    }
    if (flush(c) < 0)
        goto drop;
    return;
drop:
    xs_close(c);
}

static void listener_io(int fd, uint32_t events, void *data)
{
    struct xs_listener *l = data;
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    struct xs_conn *c, **tail;
    int cfd;
    (void)events;

    cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (!c) {
        close(cfd);
        return;
    }
    c->fd = cfd;
    c->domid = l->domid;
    c->next_txid = 1;
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
        c->pid = cred.pid;
        domain_track_pid(l->domid, cred.pid);
    }
    if (loop_add(cfd, EPOLLIN, conn_io, c) < 0) {
        close(cfd);
        free(c);
        return;
    }
    /* keep accept order, so dump-store lists connections as they came */
    for (tail = &xs_conns; *tail; tail = &(*tail)->next)
        ;
    *tail = c;
}

int xs_listen(const char *dir, unsigned domid)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/xs-dom%u.sock", dir, domid);
    struct xs_listener *l = calloc(1, sizeof(*l));
    if (!l)
        return -1;
    int fd = loop_listen(path, SOCK_STREAM, listener_io, l);
    if (fd < 0) {
        int e = errno;
        free(l);
        errno = e;
        return -1;
    }
    /* fits: loop_listen refuses a path longer than a socket address */
    memcpy(l->path, path, strlen(path) + 1);
    l->fd = fd;
    l->domid = domid;
    l->next = listeners;
    listeners = l;
    return 0;
}

void xs_unlisten(unsigned domid)
{
    for (struct xs_listener **pp = &listeners; *pp; pp = &(*pp)->next) {
        struct xs_listener *l = *pp;

        if (l->domid != domid)
            continue;
        *pp = l->next;
        loop_del(l->fd);
        close(l->fd);
        unlink(l->path);
        free(l);
        break;
    }
    for (struct xs_conn **pp = &xs_conns; *pp;) {
        if ((*pp)->domid == domid)
            xs_close(*pp); /* unlinks it: *pp is now the next one */
        else
            pp = &(*pp)->next;
    }
}
