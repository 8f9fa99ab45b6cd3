/* xsimd's xenstored: the parts behind the store that talk to clients.
 *
 *   xs_conn.c    per-domain listening sockets, connections, framing, output
 *   xs_req.c     one request in, one reply out (the wire protocol)
 *   xs_watch.c   watches and event delivery
 *   xs_domain.c  the domain hooks of domain.h and the ctl verbs
 *
 * Each socket DIR/xs-dom<N>.sock is one domain: whoever connects to it acts
 * as domain N, so one process can be dom0 and another a guest.
 */
#ifndef XSIMD_XS_CONN_H
#define XSIMD_XS_CONN_H

#include "store.h"

#include <errno.h> /* before xs_wire.h, which keys its error table on EINVAL */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <xen/io/xs_wire.h>

#define XS_HDR_LEN ((size_t)sizeof(struct xsd_sockmsg))
/* Replies and events queued for a client that does not read: past this the
 * client is dropped rather than letting xsimd grow without bound. */
#define XS_OUT_MAX (16u << 20)

struct xs_watch {
    struct xs_watch *next;
    char *path; /* absolute, or a special name such as @releaseDomain */
    char *token;
    bool relative; /* given relative: events are reported relative too */
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    struct store_tx *tx;
};

struct xs_out {
    struct xs_out *next;
    size_t len, off;
    char data[];
};

struct xs_conn {
    struct xs_conn *next;
    int fd;
    unsigned domid;
    pid_t pid;
    bool dead; /* to be closed once nothing on the stack uses it */
    char in[XS_HDR_LEN + XENSTORE_PAYLOAD_MAX];
    size_t inlen;
    struct xs_out *out, *out_tail;
    size_t outbytes;
    bool want_out;
    struct xs_watch *watches;
    struct xs_txn *txns;
    unsigned ntxns;
    uint32_t next_txid;
};

/* The tree, and every open connection. */
extern struct store *xs_store;
extern struct xs_conn *xs_conns;

/* ---- xs_conn.c ---- */
/* Listen on DIR/xs-dom<domid>.sock; 0 or -1 + errno. */
int xs_listen(const char *dir, unsigned domid);
/* Close the socket of domid and every connection of that domain. */
void xs_unlisten(unsigned domid);
/* Queue a message for c; sent when the socket takes it. */
void xs_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *data,
             size_t len);
/* Drop c with its watches and transactions. */
void xs_close(struct xs_conn *c);

/* ---- xs_req.c ---- */
/* Handle one request; body has len bytes, followed by a NUL not counted. */
void xs_request(struct xs_conn *c, const struct xsd_sockmsg *m, const char *body);

/* ---- xs_watch.c ---- */
/* WATCH: the new watch, or NULL and an errno value for the client in *err. */
struct xs_watch *xs_watch_add(struct xs_conn *c, const char *path, const char *token, int *err);
/* UNWATCH: 0, or ENOENT (or EINVAL for a bad path). */
int xs_watch_remove(struct xs_conn *c, const char *path, const char *token);
/* The path as the watch reports it: relative when the watch was set up
 * with a relative path. Points into path. */
const char *xs_watch_path(const struct xs_conn *c, const struct xs_watch *w, const char *path);
/* Send one event for watch w about path. */
void xs_watch_notify(struct xs_conn *c, const struct xs_watch *w, const char *path);
void xs_watch_clear(struct xs_conn *c);
/* Send the events of a change to every watch that should see them. */
void xs_watch_deliver(const struct store_events *ev);
/* Fire @introduceDomain or @releaseDomain. */
void xs_watch_fire_special(const char *name);
/* Tell fn of every change too (before its watch events go out). */
void xs_on_change(void (*fn)(const struct store_events *ev));

/* ---- xs_domain.c ---- */
bool xs_introduced(unsigned domid);
/* Mark domid introduced or released, firing the special watch on a change. */
void xs_set_introduced(unsigned domid, bool introduced);

#endif
