/* Transactions: snapshots, what they did, C xenstored's conflict check,
 * and the commit that applies them. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int result(int err)
{
    if (!err)
        return 0;
    errno = err;
    return -1;
}

void store__tx_see(struct view *v, const char *path)
{
    struct store_tx *tx = v->tx;
    char *copy;

    if (!tx)
        return;
    for (size_t i = 0; i < tx->nseen; i++)
        if (!strcmp(tx->seen[i], path))
            return;
    if (tx->nseen == tx->capseen) {
        size_t cap = tx->capseen ? tx->capseen * 2 : 16;
        char **n = realloc(tx->seen, cap * sizeof(*n));

        if (!n)
            return;
        tx->seen = n;
        tx->capseen = cap;
    }
    copy = strdup(path);
    if (copy)
        tx->seen[tx->nseen++] = copy;
}

void store__tx_see_subtree(struct view *v, const struct snode *n, char *path, size_t plen)
{
    store__tx_see(v, path);
    for (unsigned i = 0; i < n->nkids; i++) {
        char *sub;

        if (asprintf(&sub, "%s/%s", plen > 1 ? path : "", n->kids[i]->name) < 0)
            continue;
        store__tx_see_subtree(v, n->kids[i], sub, strlen(sub));
        free(sub);
    }
}

int store__tx_log(struct view *v, enum tx_op_kind kind, const char *path, const void *data,
                  size_t len)
{
    struct store_tx *tx = v->tx;
    struct tx_op *op;

    if (!tx)
        return 0;
    if (tx->nops == tx->capops) {
        size_t cap = tx->capops ? tx->capops * 2 : 8;
        struct tx_op *n = realloc(tx->ops, cap * sizeof(*n));

        if (!n)
            return -1;
        tx->ops = n;
        tx->capops = cap;
    }
    op = &tx->ops[tx->nops];
    op->kind = kind;
    op->len = len;
    op->path = strdup(path);
    op->data = malloc(len + 1);
    if (!op->path || !op->data) {
        free(op->path);
        free(op->data);
        return -1;
    }
    if (len)
        memcpy(op->data, data, len);
    op->data[len] = '\0';
    tx->nops++;
    return 0;
}

int store__tx_record(struct store_tx *tx, const struct tx_req *q)
{
    struct tx_req *r;

    if (tx->nreqs == tx->capreqs) {
        size_t cap = tx->capreqs ? tx->capreqs * 2 : 8;
        struct tx_req *n = realloc(tx->reqs, cap * sizeof(*n));

        if (!n)
            return -1;
        tx->reqs = n;
        tx->capreqs = cap;
    }
    r = &tx->reqs[tx->nreqs];
    *r = *q;
    r->path = q->path ? strdup(q->path) : NULL;
    r->data = malloc(q->dlen + 1);
    r->out = malloc(q->outlen + 1);
    if ((q->path && !r->path) || !r->data || !r->out) {
        free(r->path);
        free(r->data);
        free(r->out);
        return -1;
    }
    if (q->dlen)
        memcpy(r->data, q->data, q->dlen);
    if (q->outlen)
        memcpy(r->out, q->out, q->outlen);
    tx->nreqs++;
    return 0;
}

/* Length of the next component of a path of len bytes, from i. */
static size_t comp_end(const char *p, size_t len, size_t i)
{
    while (i < len && p[i] != '/')
        i++;
    return i;
}

/* Store.Path.get_common_prefix on canonical paths (or prefixes of them
 * ending at a node): the length of the deepest node both are in, 1 for
 * the root. */
static size_t common_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t last = 1, i = 1;

    while (i < alen && i < blen) {
        size_t ea = comp_end(a, alen, i), eb = comp_end(b, blen, i);

        if (ea != eb || memcmp(a + i, b + i, ea - i))
            break;
        last = ea;
        i = ea + 1;
    }
    return last;
}

void store__tx_low(struct view *v, bool write, const char *path, size_t len)
{
    struct store_tx *tx = v->tx;
    char **low;
    size_t keep;

    if (!tx)
        return;
    low = write ? &tx->write_low : &tx->read_low;
    keep = *low ? common_prefix(*low, strlen(*low), path, len) : len;
    if (*low && keep == strlen(*low))
        return;
    char *n = strndup(*low ? *low : path, keep);
    if (n) {
        free(*low);
        *low = n;
    }
}

struct store_tx *store_tx_begin(struct store *s, unsigned domid)
{
    struct store_tx *tx = calloc(1, sizeof(*tx));

    if (!tx)
        return NULL;
    tx->domid = domid;
    tx->base = s->root;
    tx->root = s->root;
    s->root->refs += 2;
    return tx;
}

unsigned store_tx_domid(const struct store_tx *tx)
{
    return tx->domid;
}

static void tx_free(struct store_tx *tx)
{
    store__node_unref(tx->base);
    store__node_unref(tx->root);
    for (size_t i = 0; i < tx->nseen; i++)
        free(tx->seen[i]);
    free(tx->seen);
    for (size_t i = 0; i < tx->nops; i++) {
        free(tx->ops[i].path);
        free(tx->ops[i].data);
    }
    free(tx->ops);
    for (size_t i = 0; i < tx->nreqs; i++) {
        free(tx->reqs[i].path);
        free(tx->reqs[i].data);
        free(tx->reqs[i].out);
    }
    free(tx->reqs);
    free(tx->read_low);
    free(tx->write_low);
    free(tx);
}

void store_tx_abort(struct store *s, struct store_tx *tx)
{
    (void)s;
    tx_free(tx);
}

static int replay(struct view *v, const struct tx_op *op)
{
    switch (op->kind) {
    case OP_WRITE:
        return store__do_write(v, op->path, op->data, op->len);
    case OP_MKDIR:
        return store__do_mkdir(v, op->path);
    case OP_RM:
        return store__do_rm(v, op->path);
    case OP_SET_PERMS:
        return store__do_set_perms(v, op->path, op->data, op->len);
    }
    return EINVAL;
}

int store__events_append(struct store_events *dst, struct store_events *src)
{
    if (!dst) {
        store_events_clear(src);
        return 0;
    }
    if (dst->num + src->num > dst->cap) {
        size_t cap = dst->num + src->num;
        struct store_event *n = realloc(dst->ev, cap * sizeof(*n));

        if (!n) {
            store_events_clear(src);
            return -1;
        }
        dst->ev = n;
        dst->cap = cap;
    }
    if (src->num)
        memcpy(dst->ev + dst->num, src->ev, src->num * sizeof(*src->ev));
    dst->num += src->num;
    free(src->ev);
    src->ev = NULL;
    src->num = src->cap = 0;
    return 0;
}

int store__tx_apply(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    struct store_events local = {0};
    struct snode *root;
    struct view v;
    int err = 0;

    root = s->root;
    root->refs++;
    store__view_init(&v, s, NULL, tx->domid, &local);
    v.root = &root;
    for (size_t i = 0; i < tx->nops && !err; i++)
        err = replay(&v, &tx->ops[i]);
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

/* C xenstored: EAGAIN when a node the transaction looked at changed. */
static int c_commit(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    for (size_t i = 0; i < tx->nseen; i++) {
        if (store__gen_of(tx->base, tx->seen[i]) != store__gen_of(s->root, tx->seen[i])) {
            s->stats.conflicts++;
            return EAGAIN;
        }
    }
    int err = store__tx_apply(s, tx, ev);
    if (!err)
        s->stats.commits++;
    return err;
}

int store_tx_commit(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    int err;

    if (s->fault_eagain) {
        s->fault_eagain--;
        err = EAGAIN;
    } else if (s->rule == STORE_RULE_OXENSTORED) {
        err = store__ox_commit(s, tx, ev);
    } else {
        err = c_commit(s, tx, ev);
    }
    tx_free(tx);
    return result(err);
}

void store_set_rule(struct store *s, enum store_rule rule)
{
    s->rule = rule;
}

enum store_rule store_get_rule(const struct store *s)
{
    return s->rule;
}

int store_rule_parse(const char *name)
{
    if (!strcmp(name, "xenstored"))
        return STORE_RULE_XENSTORED;
    if (!strcmp(name, "oxenstored"))
        return STORE_RULE_OXENSTORED;
    return -1;
}

const char *store_rule_name(enum store_rule rule)
{
    return rule == STORE_RULE_OXENSTORED ? "oxenstored" : "xenstored";
}

void store_get_stats(const struct store *s, struct store_stats *st)
{
    *st = s->stats;
}

void store_fault_commit_eagain(struct store *s, unsigned n)
{
    s->fault_eagain = n;
}
