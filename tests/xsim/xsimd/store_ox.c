/* oxenstored 4.17's commit rule (transaction.ml, process.ml):
 *
 * - a transaction that changed nothing is not committed at all, so it
 *   succeeds whatever happened meanwhile (do_transaction_end);
 * - if the store did not change since the transaction began, it commits;
 * - else it coalesces when, for the lowest common path of what it read and
 *   for that of what it wrote, the node there is the same (nothing below
 *   it was written: the node's tgen) with the same permissions on every
 *   node above, or is missing in both stores under an existing parent
 *   (test_coalesce);
 * - else its requests are replayed on the current store, and it commits
 *   if every answer is the same as the first time (transaction_replay);
 * - else EAGAIN.
 *
 * The lowest paths follow Transaction's rules (store_tx.c, store.c): a
 * read, listing or permission query of a path, once it succeeded; a write
 * of an existing node, that node; a node created (by a write or mkdir),
 * the existing node it was created under; a removal, the parent; a
 * permission change, the node. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool perms_equal(const struct store_perms *a, const struct store_perms *b)
{
    if (a->num != b->num)
        return false;
    for (unsigned i = 0; i < a->num; i++)
        if (a->p[i].domid != b->p[i].domid || a->p[i].access != b->p[i].access)
            return false;
    return true;
}

/* check_parents_perms_identical: every node from the root to path (path
 * included) exists in both trees with the same list. */
static bool parents_perms_identical(struct snode *old, struct snode *cur, const char *path)
{
    struct snode *a = old, *b = cur;
    const char *p = path + 1;

    for (;;) {
        if (!a || !b || !perms_equal(&a->perms, &b->perms))
            return false;
        if (!*p)
            return true;
        size_t l = store__comp_len(p);
        a = store__child_find(a, p, l, NULL);
        b = store__child_find(b, p, l, NULL);
        p += l;
        if (*p)
            p++;
    }
}

/* Does path's parent exist in root? Store.Path.get_node fails (and so does
 * test_coalesce) when a node above the last one is missing. */
static bool parent_exists(struct snode *root, const char *path)
{
    char *pp;
    bool ok;

    if (!strcmp(path, "/"))
        return true;
    pp = store__parent_path(path);
    ok = pp && store__lookup(root, pp);
    free(pp);
    return ok;
}

/* test_coalesce for one lowest path (NULL: none, which does not stand in
 * the way). */
static bool can_coalesce(struct snode *old, struct snode *cur, const char *path)
{
    struct snode *a, *b;

    if (!path)
        return true;
    if (!parent_exists(old, path) || !parent_exists(cur, path))
        return false;
    a = store__lookup(old, path);
    b = store__lookup(cur, path);
    if (a && b)
        return a->tgen == b->tgen && parents_perms_identical(old, cur, path);
    /* missing from both: sneak it in under its parent */
    return !a && !b;
}

static bool same_answer(const struct tx_req *q, int err, const char *out, size_t len)
{
    if (err != q->err)
        return false;
    if (err || q->kind >= REQ_WRITE)
        return true; /* errors compare by name, acknowledgements are alike */
    return len == q->outlen && !memcmp(out, q->out, len);
}

/* transaction_replay: every request again, on a copy of the live store;
 * applied only when each answer is the same. */
static int replay(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    struct store_events local = {0};
    struct snode *root = s->root;
    struct view v;
    int err = 0;

    root->refs++;
    store__view_init(&v, s, NULL, tx->domid, &local);
    v.root = &root;
    for (size_t i = 0; i < tx->nreqs && !err; i++) {
        const struct tx_req *q = &tx->reqs[i];
        char *out;
        size_t len;
        int e = store__request(&v, q, &out, &len);

        if (e == ENOMEM)
            err = ENOMEM;
        else if (!same_answer(q, e, out, len))
            err = EAGAIN;
        free(out);
    }
    if (err) {
        store__node_unref(root);
        store_events_clear(&local);
        return err;
    }
    store__node_unref(s->root);
    s->root = root;
    store__events_append(ev, &local);
    return 0;
}

int store__ox_commit(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    int err;

    if (!tx->nops) {
        s->stats.commits++;
        return 0;
    }
    if (s->root->tgen == tx->base->tgen) {
        err = store__tx_apply(s, tx, ev);
    } else if (can_coalesce(tx->base, s->root, tx->read_low) &&
               can_coalesce(tx->base, s->root, tx->write_low)) {
        err = store__tx_apply(s, tx, ev);
        if (!err)
            s->stats.coalesced++;
    } else {
        err = replay(s, tx, ev);
        if (!err)
            s->stats.replayed++;
    }
    if (!err)
        s->stats.commits++;
    else if (err == EAGAIN)
        s->stats.conflicts++;
    return err;
}
