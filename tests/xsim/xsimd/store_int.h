/* Internals of xsimd's xenstore tree, shared by its files:
 *
 *   store.c        the operations (write, mkdir, rm, perms), events, requests
 *   store_query.c  the requests that look (read, directory, get-perms)
 *   store_node.c   nodes, the copy-on-write tree, paths
 *   store_perms.c  permission lists
 *   store_tx.c     transactions, and C xenstored's commit rule
 *   store_ox.c     oxenstored's commit rule
 *   store_quota.c  quotas
 *   store_dump.c   the dump-store listing
 *
 * The tree is copy-on-write, of reference-counted nodes. A node shared by
 * several roots (the live tree, transaction snapshots) is cloned before it
 * is changed, so a snapshot is one reference to a root. A node's `gen`
 * changes only when its own content (value, permissions, set of children)
 * changes, never when it is merely cloned on the way to a changed
 * descendant: comparing the generation of a path in a transaction's base
 * snapshot with the live one tells whether someone else changed that node.
 * Its `tgen` changes with anything in its subtree, itself included: equal
 * tgens in the base and the live tree mean the same subtree, which
 * oxenstored tells by the physical identity of its immutable nodes.
 *
 * A transaction keeps its own root for reads and writes, the paths it looked
 * at, a log of its successful changes, and every request with its answer.
 * Under C xenstored's rule the commit checks those paths; under
 * oxenstored's it checks two lowest common paths, then may replay the
 * requests (store_ox.c). Either way the changes are applied by replaying
 * the log onto a copy of the live root, which replaces the live root only
 * if every step succeeds: a commit is all or nothing, and its watch events
 * come from the replay.
 *
 * The connection code uses store.h only.
 */
#ifndef XSIMD_STORE_INT_H
#define XSIMD_STORE_INT_H

#include "store.h"

#include <stdint.h>

struct snode {
    unsigned refs;
    uint64_t gen;
    uint64_t tgen; /* of the subtree */
    char *name;    /* "" for the root */
    char *val;     /* always NUL-terminated, len excludes the NUL */
    size_t len;
    struct store_perms perms;
    struct snode **kids; /* creation order, as xenstored lists them */
    unsigned nkids;
};

enum tx_op_kind { OP_WRITE, OP_MKDIR, OP_RM, OP_SET_PERMS };

/* The requests a transaction can make. */
enum store_req {
    REQ_READ,
    REQ_DIRECTORY,
    REQ_DIRECTORY_PART,
    REQ_GET_PERMS,
    REQ_WRITE,
    REQ_MKDIR,
    REQ_RM,
    REQ_SET_PERMS,
};

/* A request as the client made it (path as given), and its answer. */
struct tx_req {
    enum store_req kind;
    char *path;
    char *data; /* WRITE: the value; SET_PERMS: the list */
    size_t dlen;
    size_t offset, max; /* DIRECTORY_PART */
    int err;            /* the answer: 0 or an errno value */
    char *out;          /* and what a query returned */
    size_t outlen;
};

struct tx_op {
    enum tx_op_kind kind;
    char *path; /* canonical */
    char *data; /* value, or the permission strings */
    size_t len;
};

struct store_tx {
    unsigned domid;
    struct snode *base; /* the live root when the transaction started */
    struct snode *root; /* the transaction's own view */
    char **seen;        /* paths looked at, checked at commit */
    size_t nseen, capseen;
    struct tx_op *ops;
    size_t nops, capops;
    struct tx_req *reqs; /* every request, for oxenstored's replay */
    size_t nreqs, capreqs;
    /* oxenstored's lowest common paths of what was read and written;
     * NULL while there is none */
    char *read_low, *write_low;
};

struct quota_override {
    unsigned domid;
    unsigned val[STORE_QUOTA_COUNT];
};

struct store {
    struct snode *root;
    uint64_t gen;
    enum store_rule rule;
    struct store_stats stats;
    unsigned fault_eagain;
    struct store_perms introduce_perms, release_perms;
    struct quota_override *quotas;
    size_t nquotas;
};

/* One operation's context: which tree, as whom, where to record. */
struct view {
    struct store *s;
    struct snode **root;
    unsigned domid;
    struct store_tx *tx;     /* record looked-at paths and changes */
    struct store_events *ev; /* NULL inside a transaction */
};

/* ---- store_perms.c ---- */
/* The STORE_PERM_* bits domid has under list p. */
unsigned store__perm_for(const struct store_perms *p, unsigned domid);
int store__perms_copy(struct store_perms *dst, const struct store_perms *src);
/* A list of one entry. */
int store__perms_set1(struct store_perms *p, unsigned domid, char access);
/* Parse "n0\0r1\0..."; 0, or EINVAL, or ENOSPC past max entries. */
int store__perms_parse(const char *str, size_t len, unsigned max, struct store_perms *out);
/* "n0\0r1\0...", malloc'ed. */
char *store__perms_format(const struct store_perms *p, size_t *len);

/* ---- store_node.c ---- */
struct snode *store__node_new(const char *name, size_t nlen);
void store__node_unref(struct snode *n);
struct snode *store__child_find(const struct snode *n, const char *name, size_t nlen,
                                unsigned *idx);
int store__child_add(struct snode *n, struct snode *kid);
/* Length of the path component at p (which follows a '/'). */
size_t store__comp_len(const char *p);
struct snode *store__lookup(struct snode *root, const char *path);
/* Generation of the node at path, 0 when there is none. */
uint64_t store__gen_of(struct snode *root, const char *path);
char *store__parent_path(const char *path);
struct snode *store__nearest_ancestor(struct snode *root, const char *path, size_t *plen);
/* The node at a path, made private along the whole way from the root, each
 * node of the way marked changed (tgen). */
struct snode *store__mut_walk(struct snode **root, const char *path, size_t plen, uint64_t tgen);
unsigned store__count_owned(const struct snode *n, unsigned domid);

/* ---- store.c: operations on canonical paths; 0 or an errno value ---- */
/* xenstored's get_node(): the node if domid may do `perm` on it. */
int store__get_node(struct view *v, const char *path, unsigned perm, struct snode **out);
/* 0, or -1 with errno = err. */
int store__result(int err);
/* Do a request on a view (path as the client gave it); *out gets what a
 * query returns (malloc'ed), or NULL. */
int store__request(struct view *v, const struct tx_req *q, char **out, size_t *len);
void store__view_init(struct view *v, struct store *s, struct store_tx *tx, unsigned domid,
                      struct store_events *ev);
int store__do_write(struct view *v, const char *path, const void *val, size_t len);
int store__do_mkdir(struct view *v, const char *path);
int store__do_rm(struct view *v, const char *path);
int store__do_set_perms(struct view *v, const char *path, const char *str, size_t len);

/* ---- store_query.c ---- */
/* READ, DIRECTORY, DIRECTORY_PART or GET_PERMS of q on canonical path. */
int store__query(struct view *v, const struct tx_req *q, const char *path, char **out, size_t *len);

/* ---- store_tx.c: what a transaction looked at and did (no-ops outside) ---- */
void store__tx_see(struct view *v, const char *path);
void store__tx_see_subtree(struct view *v, const struct snode *n, char *path, size_t plen);
int store__tx_log(struct view *v, enum tx_op_kind kind, const char *path, const void *data,
                  size_t len);
/* Keep a copy of a request and its answer; -1 on ENOMEM. */
int store__tx_record(struct store_tx *tx, const struct tx_req *q);
/* oxenstored's set_read_lowpath / set_write_lowpath with the first len
 * bytes of path (a canonical path or a prefix of one ending at a node). */
void store__tx_low(struct view *v, bool write, const char *path, size_t len);
/* Move src's events to the end of dst (or drop them when dst is NULL). */
int store__events_append(struct store_events *dst, struct store_events *src);
/* Apply the change log onto a copy of the live root: 0 and the events, or
 * an errno value and nothing changed. */
int store__tx_apply(struct store *s, struct store_tx *tx, struct store_events *ev);

/* ---- store_ox.c ---- */
/* oxenstored's commit of tx (not freed): 0 when applied, or an errno
 * value (EAGAIN). */
int store__ox_commit(struct store *s, struct store_tx *tx, struct store_events *ev);

#endif
