/* Transactions: snapshots, conflict checks, commit by replay. */
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

static int events_append(struct store_events *dst, struct store_events *src)
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

int store_tx_commit(struct store *s, struct store_tx *tx, struct store_events *ev)
{
    struct store_events local = {0};
    struct snode *root;
    struct view v;
    int err = 0;

    if (s->fault_eagain) {
        s->fault_eagain--;
        tx_free(tx);
        return result(EAGAIN);
    }
    for (size_t i = 0; i < tx->nseen; i++) {
        if (store__gen_of(tx->base, tx->seen[i]) != store__gen_of(s->root, tx->seen[i])) {
            tx_free(tx);
            return result(EAGAIN);
        }
    }
    root = s->root;
    root->refs++;
    store__view_init(&v, s, NULL, tx->domid, &local);
    v.root = &root;
    for (size_t i = 0; i < tx->nops && !err; i++)
        err = replay(&v, &tx->ops[i]);
    tx_free(tx);
    if (err) {
        store__node_unref(root);
        store_events_clear(&local);
        return result(err);
    }
    store__node_unref(s->root);
    s->root = root;
    events_append(ev, &local);
    return 0;
}

void store_fault_commit_eagain(struct store *s, unsigned n)
{
    s->fault_eagain = n;
}
