/* The xenstore tree of xsimd: nodes, values, permission lists, transactions
 * and quotas. Pure data structure, no I/O: the connection code (xs_conn.c)
 * speaks the wire protocol and the unit test drives this directly.
 *
 * Every operation acts as one domain (domid 0 is privileged) and takes the
 * path as the client sent it: relative paths mean /local/domain/<domid>/...
 * Results follow xenstored: 0 on success, or -1 with errno set to the value
 * the client gets back (EINVAL, EACCES, ENOENT, EPERM, ENOSPC, EAGAIN...).
 *
 * Transactions are snapshots: the tree is copy-on-write, so starting one
 * costs nothing. Operations inside a transaction report no watch events:
 * the commit reports them. Which commits fail with EAGAIN depends on the
 * rule of the xenstored simulated:
 * - C xenstored (the default): a node the transaction looked at (read,
 *   listed, wrote, created or removed) changed in the live tree since the
 *   start; disjoint nodes do not conflict.
 * - oxenstored: a transaction that changed nothing always commits; one
 *   that did commits if the store did not change, or if nothing changed
 *   under the lowest common path of what it read nor under that of what it
 *   wrote (with the same permissions above them), or else if replaying
 *   all its requests on the current store gives the same answers.
 */
#ifndef XSIMD_STORE_H
#define XSIMD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Permission bits a domain has on a node. */
#define STORE_PERM_READ  1u
#define STORE_PERM_WRITE 2u
#define STORE_PERM_OWNER 4u

/* xenstored's limits on the length of an absolute path. */
#define STORE_ABS_PATH_MAX 3072

enum store_quota {
    STORE_QUOTA_NODES,        /* nodes a domain owns: 1000, ENOSPC */
    STORE_QUOTA_WATCHES,      /* watches of a domain: 128, E2BIG (xs_conn) */
    STORE_QUOTA_VALUE,        /* bytes of one value: 2048, ENOSPC */
    STORE_QUOTA_TRANSACTIONS, /* open transactions of a connection: 10, ENOSPC (xs_conn) */
    STORE_QUOTA_PERMS,        /* entries of one permission list: 5, ENOSPC */
    STORE_QUOTA_COUNT
};

/* One entry of a permission list: 'n', 'r', 'w' or 'b' for domid. Entry 0
 * names the owner; its letter is what domains without an entry get. */
struct store_perm {
    unsigned domid;
    char access;
};

struct store_perms {
    unsigned num;
    struct store_perm *p;
};

/* A change that may fire watches. The connection code matches it against
 * the watches and checks that the watcher may read the node (or its parent,
 * or, after SET_PERMS, the old list), as xenstored does. */
struct store_event {
    char *path;               /* absolute path of the node */
    bool exact;               /* removed below the RM's path: only watches on exactly this path */
    struct store_perms perms; /* the node's list (before removal for RM) */
    struct store_perms parent_perms;
    struct store_perms old_perms; /* SET_PERMS: the list before; num 0 otherwise */
};

struct store_events {
    struct store_event *ev;
    size_t num, cap;
};

struct store;
struct store_tx;

enum store_rule {
    STORE_RULE_XENSTORED,  /* C xenstored: per-node conflicts */
    STORE_RULE_OXENSTORED, /* oxenstored 4.17: lowest paths, coalesce, replay */
};

/* How transaction commits went. */
struct store_stats {
    uint64_t commits;   /* applied: with a change, or read-only */
    uint64_t coalesced; /* oxenstored: applied though the store changed */
    uint64_t replayed;  /* oxenstored: applied after a replay gave the same answers */
    uint64_t conflicts; /* failed with EAGAIN (injected faults not counted) */
};

/* A store holding "/" (n0), /local, /local/domain and /tool, all n0.
 * NULL + errno. */
struct store *store_new(void);
void store_free(struct store *s);

/* Canonical absolute path of `path` as seen by domid: relative paths are
 * under /local/domain/<domid>. Malloc'ed; NULL + EINVAL when the result is
 * not a valid node name (not absolute, trailing or double slash, longer than
 * STORE_ABS_PATH_MAX, a character outside [A-Za-z0-9/_@-]). */
char *store_canon(unsigned domid, const char *path);

/* Value of a node: malloc'ed copy (NUL-terminated for convenience, *len
 * excludes the NUL). Needs read permission. */
int store_read(struct store *s, struct store_tx *tx, unsigned domid, const char *path, char **val,
               size_t *len);
/* Set a value, creating missing parents (inheriting their parent's list; an
 * unprivileged creator becomes the owner). Needs write permission on the
 * node, or on the nearest existing ancestor when creating. */
int store_write(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                const void *val, size_t len, struct store_events *ev);
/* Create an empty node; OK without event when it exists. */
int store_mkdir(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                struct store_events *ev);
/* Remove a subtree. A missing node is OK if its parent exists, else ENOENT. */
int store_rm(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
             struct store_events *ev);
/* Children names, each NUL-terminated, in creation order; malloc'ed. */
int store_directory(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    char **list, size_t *len);
/* One chunk of the children list for DIRECTORY_PART: "<generation>\0" then
 * as many names as fit in `max` bytes, then an extra "\0" once the list is
 * complete. */
int store_directory_part(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                         size_t offset, size_t max, char **out, size_t *len);
/* The permission list as "n0\0r1\0...". */
int store_get_perms(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    char **out, size_t *len);
/* Replace the list with `perms` ("n0\0r1\0...", `len` bytes). Owner (or
 * dom0) only; an unprivileged domain may not change the owner (EPERM).
 * Also accepts @introduceDomain and @releaseDomain. */
int store_set_perms(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    const char *perms, size_t len, struct store_events *ev);

/* May domid read a node whose list is p? */
bool store_perms_readable(const struct store_perms *p, unsigned domid);
/* Does a watch of domid get this event? As xenstored: when it may read the
 * node, its parent, or (SET_PERMS) the node under its old list. */
bool store_event_visible(const struct store_event *e, unsigned domid);
/* Permission list of @introduceDomain or @releaseDomain (NULL for another
 * name). Default n0: only dom0 gets those events. */
const struct store_perms *store_special_perms(struct store *s, const char *name);

/* Start a transaction for domid; NULL + errno (ENOMEM). */
struct store_tx *store_tx_begin(struct store *s, unsigned domid);
/* Commit and free tx. -1 + EAGAIN on a conflict (or an injected fault),
 * or the error replaying the transaction gave (ENOSPC for a quota); on
 * failure nothing is applied. Events of the commit go to ev. */
int store_tx_commit(struct store *s, struct store_tx *tx, struct store_events *ev);
void store_tx_abort(struct store *s, struct store_tx *tx);
unsigned store_tx_domid(const struct store_tx *tx);

/* The next n commits fail with EAGAIN. */
void store_fault_commit_eagain(struct store *s, unsigned n);

/* The commit rule (for transactions started from now on, and commits). */
void store_set_rule(struct store *s, enum store_rule rule);
enum store_rule store_get_rule(const struct store *s);
/* "xenstored" / "oxenstored" and back; -1 for another name. */
int store_rule_parse(const char *name);
const char *store_rule_name(enum store_rule rule);
void store_get_stats(const struct store *s, struct store_stats *st);

/* Quotas apply to unprivileged domains only. */
unsigned store_quota_get(const struct store *s, unsigned domid, enum store_quota kind);
int store_quota_set(struct store *s, unsigned domid, enum store_quota kind, unsigned val);
/* Back to the defaults (a destroyed domain). */
void store_quota_reset(struct store *s, unsigned domid);
/* "nodes", "watches", ... -> kind; -1 for an unknown name. */
int store_quota_parse(const char *name);
/* Nodes domid owns in the live tree. */
unsigned store_count_owned(struct store *s, unsigned domid);

/* Every node, one a line, sorted: `path = "value" (n0,r1)` with bytes
 * outside printable ASCII, '"' and '\' escaped. */
void store_dump(struct store *s, FILE *out);
/* Write bytes escaped as store_dump does. */
void store_put_escaped(FILE *out, const char *v, size_t len);

void store_events_clear(struct store_events *ev);

#endif
