/* The xenstore operations as xenstored does them: permission checks,
 * implicit parents, inheritance, quotas, and the events a change fires.
 * See store_int.h for the design. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_events_clear(struct store_events *ev)
{
    for (size_t i = 0; i < ev->num; i++) {
        free(ev->ev[i].path);
        free(ev->ev[i].perms.p);
        free(ev->ev[i].parent_perms.p);
        free(ev->ev[i].old_perms.p);
    }
    free(ev->ev);
    ev->ev = NULL;
    ev->num = ev->cap = 0;
}

static int emit(struct view *v, const char *path, bool exact, const struct store_perms *perms,
                const struct store_perms *parent, const struct store_perms *old)
{
    struct store_events *ev = v->ev;
    struct store_event *e;
    static const struct store_perms none;

    if (!ev)
        return 0;
    if (ev->num == ev->cap) {
        size_t cap = ev->cap ? ev->cap * 2 : 8;
        struct store_event *n = realloc(ev->ev, cap * sizeof(*n));

        if (!n)
            return -1;
        ev->ev = n;
        ev->cap = cap;
    }
    e = &ev->ev[ev->num];
    memset(e, 0, sizeof(*e));
    e->path = strdup(path);
    e->exact = exact;
    if (!e->path || store__perms_copy(&e->perms, perms) ||
        store__perms_copy(&e->parent_perms, parent ? parent : &none) ||
        store__perms_copy(&e->old_perms, old ? old : &none)) {
        free(e->path);
        free(e->perms.p);
        free(e->parent_perms.p);
        free(e->old_perms.p);
        return -1;
    }
    ev->num++;
    return 0;
}

static bool privileged(unsigned domid)
{
    return domid == 0;
}

/* xenstored's get_node(): the node if domid has `perm` on it; otherwise
 * ENOENT or EACCES, EACCES whenever the nearest existing ancestor would not
 * grant `perm` either, so a missing node reveals nothing. */
int store__get_node(struct view *v, const char *path, unsigned perm, struct snode **out)
{
    struct snode *n = store__lookup(*v->root, path), *anc;
    int err = ENOENT;
    size_t alen;

    *out = NULL;
    if (n) {
        if ((store__perm_for(&n->perms, v->domid) & perm) == perm) {
            *out = n;
            return 0;
        }
        err = EACCES;
    }
    if (!strcmp(path, "/"))
        return err;
    anc = store__nearest_ancestor(*v->root, path, &alen);
    if (!(store__perm_for(&anc->perms, v->domid) & perm))
        err = EACCES;
    return err;
}

static struct snode *parent_of(struct snode *root, const char *path)
{
    char *pp;
    struct snode *p;

    if (!strcmp(path, "/"))
        return NULL;
    pp = store__parent_path(path);
    if (!pp)
        return NULL;
    p = store__lookup(root, pp);
    free(pp);
    return p;
}

static int set_value(struct snode *n, uint64_t gen, const void *val, size_t len)
{
    char *copy = malloc(len + 1);

    if (!copy)
        return ENOMEM;
    if (len)
        memcpy(copy, val, len);
    copy[len] = '\0';
    free(n->val);
    n->val = copy;
    n->len = len;
    n->gen = gen;
    return 0;
}

/* Create path and its missing parents, the last one with value val. */
static int create(struct view *v, const char *path, const void *val, size_t len)
{
    struct store *s = v->s;
    size_t alen;
    struct snode *m;
    unsigned missing = 1;
    const char *p;

    store__nearest_ancestor(*v->root, path, &alen);
    for (p = path + alen + (alen > 1); *p; p++)
        if (*p == '/')
            missing++;
    if (!privileged(v->domid) && store__count_owned(*v->root, v->domid) + missing >
                                     store_quota_get(s, v->domid, STORE_QUOTA_NODES))
        return ENOSPC;

    m = store__mut_walk(v->root, path, alen, ++s->gen);
    if (!m)
        return errno;
    m->gen = s->gen;
    if (v->tx) {
        char *ap = strndup(path, alen);

        if (ap)
            store__tx_see(v, ap);
        free(ap);
    }
    p = path + alen + (alen > 1);
    while (*p) {
        size_t l = store__comp_len(p);
        struct snode *kid = store__node_new(p, l);

        if (!kid || store__perms_copy(&kid->perms, &m->perms) || store__child_add(m, kid)) {
            /* m is private to this tree and still consistent without kid. */
            if (kid)
                store__node_unref(kid);
            return ENOMEM;
        }
        if (!privileged(v->domid))
            kid->perms.p[0].domid = v->domid;
        kid->gen = kid->tgen = ++s->gen;
        if (v->tx) {
            char *kp = strndup(path, (size_t)(p + l - path));

            if (kp)
                store__tx_see(v, kp);
            free(kp);
        }
        m = kid;
        p += l;
        if (*p)
            p++;
    }
    return set_value(m, m->gen, val, len);
}

int store__do_write(struct view *v, const char *path, const void *val, size_t len)
{
    struct snode *n, *parent;
    int err;

    store__tx_see(v, path);
    err = store__get_node(v, path, STORE_PERM_WRITE, &n);
    if ((!err || err == ENOENT) && !privileged(v->domid) &&
        len > store_quota_get(v->s, v->domid, STORE_QUOTA_VALUE))
        return ENOSPC;
    if (err == ENOENT) {
        size_t alen;

        /* oxenstored counts where the new nodes hang: their nearest
         * existing ancestor */
        store__nearest_ancestor(*v->root, path, &alen);
        err = create(v, path, val, len);
        if (!err)
            store__tx_low(v, true, path, alen);
    } else if (!err) {
        n = store__mut_walk(v->root, path, strlen(path), ++v->s->gen);
        err = n ? set_value(n, v->s->gen, val, len) : errno;
        if (!err)
            store__tx_low(v, true, path, strlen(path));
    }
    if (err)
        return err;
    n = store__lookup(*v->root, path);
    parent = parent_of(*v->root, path);
    if (emit(v, path, false, &n->perms, parent ? &parent->perms : NULL, NULL) ||
        store__tx_log(v, OP_WRITE, path, val, len))
        return ENOMEM;
    return 0;
}

int store__do_mkdir(struct view *v, const char *path)
{
    struct snode *n, *parent;
    int err;

    store__tx_see(v, path);
    err = store__get_node(v, path, STORE_PERM_WRITE, &n);
    if (!err)
        return 0;
    if (err != ENOENT)
        return err;
    size_t alen;
    store__nearest_ancestor(*v->root, path, &alen);
    err = create(v, path, "", 0);
    if (err)
        return err;
    store__tx_low(v, true, path, alen);
    n = store__lookup(*v->root, path);
    parent = parent_of(*v->root, path);
    if (emit(v, path, false, &n->perms, parent ? &parent->perms : NULL, NULL) ||
        store__tx_log(v, OP_MKDIR, path, NULL, 0))
        return ENOMEM;
    return 0;
}

/* Events for the nodes below a removed one: watches on exactly those paths
 * fire with their own path. */
static int emit_removed(struct view *v, const struct snode *n, const char *path)
{
    for (unsigned i = 0; i < n->nkids; i++) {
        char *sub;
        int err;

        if (asprintf(&sub, "%s/%s", strcmp(path, "/") ? path : "", n->kids[i]->name) < 0)
            return ENOMEM;
        err = emit(v, sub, true, &n->kids[i]->perms, &n->perms, NULL) ? ENOMEM : 0;
        if (!err)
            err = emit_removed(v, n->kids[i], sub);
        free(sub);
        if (err)
            return err;
    }
    return 0;
}

int store__do_rm(struct view *v, const char *path)
{
    struct snode *n, *parent, *m;
    char *pp;
    size_t plen;
    unsigned idx;
    int err;

    store__tx_see(v, path);
    err = store__get_node(v, path, STORE_PERM_WRITE, &n);
    if (err == ENOENT) {
        pp = store__parent_path(path);
        if (!pp)
            return ENOMEM;
        store__tx_see(v, pp);
        parent = store__lookup(*v->root, pp);
        free(pp);
        return parent ? 0 : ENOENT;
    }
    if (err)
        return err;
    if (!strcmp(path, "/"))
        return EINVAL;

    pp = store__parent_path(path);
    if (!pp)
        return ENOMEM;
    plen = strlen(pp);
    free(pp);
    parent = parent_of(*v->root, path);
    if (v->tx) {
        char *copy = strdup(path);

        if (copy) {
            store__tx_see_subtree(v, n, copy, strlen(copy));
            free(copy);
        }
        copy = strndup(path, plen);
        if (copy)
            store__tx_see(v, copy);
        free(copy);
    }
    if (emit(v, path, false, &n->perms, &parent->perms, NULL) || emit_removed(v, n, path))
        return ENOMEM;
    if (store__tx_log(v, OP_RM, path, NULL, 0))
        return ENOMEM;

    m = store__mut_walk(v->root, path, plen, ++v->s->gen);
    if (!m)
        return errno;
    if (!store__child_find(m, strrchr(path, '/') + 1, strlen(strrchr(path, '/') + 1), &idx))
        return ENOENT;
    n = m->kids[idx];
    memmove(&m->kids[idx], &m->kids[idx + 1], (m->nkids - idx - 1) * sizeof(*m->kids));
    m->nkids--;
    m->gen = v->s->gen;
    store__node_unref(n);
    store__tx_low(v, true, path, plen);
    return 0;
}

static int set_perms_special(struct view *v, const char *name, struct store_perms *perms)
{
    struct store_perms *target = (struct store_perms *)store_special_perms(v->s, name);

    if (!target)
        return EINVAL;
    if ((store__perm_for(target, v->domid) & (STORE_PERM_WRITE | STORE_PERM_OWNER)) !=
        (STORE_PERM_WRITE | STORE_PERM_OWNER))
        return EACCES;
    free(target->p);
    *target = *perms;
    perms->p = NULL;
    return 0;
}

int store__do_set_perms(struct view *v, const char *path, const char *str, size_t len)
{
    struct store_perms perms = {0}, old;
    unsigned max = privileged(v->domid) ? ~0u : store_quota_get(v->s, v->domid, STORE_QUOTA_PERMS);
    struct snode *n, *parent;
    int err;

    err = store__perms_parse(str, len, max, &perms);
    if (err)
        return err;
    if (path[0] == '@') {
        err = set_perms_special(v, path, &perms);
        free(perms.p);
        return err;
    }
    store__tx_see(v, path);
    err = store__get_node(v, path, STORE_PERM_WRITE | STORE_PERM_OWNER, &n);
    if (!err && !privileged(v->domid) && perms.p[0].domid != n->perms.p[0].domid)
        err = EPERM;
    if (!err) {
        n = store__mut_walk(v->root, path, strlen(path), ++v->s->gen);
        if (!n)
            err = errno;
    }
    if (err) {
        free(perms.p);
        return err;
    }
    old = n->perms;
    n->perms = perms;
    n->gen = v->s->gen;
    parent = parent_of(*v->root, path);
    err = 0;
    if (emit(v, path, false, &n->perms, parent ? &parent->perms : NULL, &old) ||
        store__tx_log(v, OP_SET_PERMS, path, str, len))
        err = ENOMEM;
    store__tx_low(v, true, path, strlen(path));
    free(old.p);
    return err;
}

void store__view_init(struct view *v, struct store *s, struct store_tx *tx, unsigned domid,
                      struct store_events *ev)
{
    v->s = s;
    v->domid = domid;
    v->tx = tx;
    v->root = tx ? &tx->root : &s->root;
    v->ev = tx ? NULL : ev;
}

int store__result(int err)
{
    if (!err)
        return 0;
    errno = err;
    return -1;
}

int store__request(struct view *v, const struct tx_req *q, char **out, size_t *len)
{
    char *p;
    int err;

    *out = NULL;
    *len = 0;
    if (q->kind == REQ_SET_PERMS && q->path && q->path[0] == '@')
        return store__do_set_perms(v, q->path, q->data, q->dlen);
    p = store_canon(v->domid, q->path);
    if (!p)
        return errno;
    switch (q->kind) {
    case REQ_WRITE:
        err = store__do_write(v, p, q->data, q->dlen);
        break;
    case REQ_MKDIR:
        err = store__do_mkdir(v, p);
        break;
    case REQ_RM:
        err = store__do_rm(v, p);
        break;
    case REQ_SET_PERMS:
        err = store__do_set_perms(v, p, q->data, q->dlen);
        break;
    default:
        err = store__query(v, q, p, out, len);
        break;
    }
    free(p);
    return err;
}

/* One request of a client: done, and recorded when in a transaction. */
static int request(struct store *s, struct store_tx *tx, unsigned domid, struct store_events *ev,
                   struct tx_req *q, char **out, size_t *len)
{
    struct view v;
    char *o;
    size_t l;

    store__view_init(&v, s, tx, domid, ev);
    q->err = store__request(&v, q, &o, &l);
    q->out = o;
    q->outlen = l;
    if (tx && store__tx_record(tx, q) < 0) {
        free(o);
        return store__result(ENOMEM);
    }
    if (out) {
        *out = o;
        *len = l;
    } else {
        free(o);
    }
    return store__result(q->err);
}

int store_read(struct store *s, struct store_tx *tx, unsigned domid, const char *path, char **val,
               size_t *len)
{
    struct tx_req q = {.kind = REQ_READ, .path = (char *)path};
    return request(s, tx, domid, NULL, &q, val, len);
}

int store_directory(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    char **list, size_t *len)
{
    struct tx_req q = {.kind = REQ_DIRECTORY, .path = (char *)path};
    return request(s, tx, domid, NULL, &q, list, len);
}

int store_directory_part(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                         size_t offset, size_t max, char **out, size_t *len)
{
    struct tx_req q = {
        .kind = REQ_DIRECTORY_PART, .path = (char *)path, .offset = offset, .max = max};
    return request(s, tx, domid, NULL, &q, out, len);
}

int store_get_perms(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    char **out, size_t *len)
{
    struct tx_req q = {.kind = REQ_GET_PERMS, .path = (char *)path};
    return request(s, tx, domid, NULL, &q, out, len);
}

int store_write(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                const void *val, size_t len, struct store_events *ev)
{
    struct tx_req q = {.kind = REQ_WRITE, .path = (char *)path, .data = (char *)val, .dlen = len};
    return request(s, tx, domid, ev, &q, NULL, NULL);
}

int store_mkdir(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                struct store_events *ev)
{
    struct tx_req q = {.kind = REQ_MKDIR, .path = (char *)path};
    return request(s, tx, domid, ev, &q, NULL, NULL);
}

int store_rm(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
             struct store_events *ev)
{
    struct tx_req q = {.kind = REQ_RM, .path = (char *)path};
    return request(s, tx, domid, ev, &q, NULL, NULL);
}

int store_set_perms(struct store *s, struct store_tx *tx, unsigned domid, const char *path,
                    const char *perms, size_t len, struct store_events *ev)
{
    struct tx_req q = {
        .kind = REQ_SET_PERMS, .path = (char *)path, .data = (char *)perms, .dlen = len};
    return request(s, tx, domid, ev, &q, NULL, NULL);
}

const struct store_perms *store_special_perms(struct store *s, const char *name)
{
    if (!strcmp(name, "@introduceDomain"))
        return &s->introduce_perms;
    if (!strcmp(name, "@releaseDomain"))
        return &s->release_perms;
    return NULL;
}

struct store *store_new(void)
{
    static const char *const initial[] = {"/local", "/local/domain", "/tool"};
    struct store *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->root = store__node_new("", 0);
    if (!s->root || store__perms_set1(&s->root->perms, 0, 'n') ||
        store__perms_set1(&s->introduce_perms, 0, 'n') ||
        store__perms_set1(&s->release_perms, 0, 'n'))
        goto fail;
    s->root->gen = s->root->tgen = ++s->gen;
    for (size_t i = 0; i < sizeof(initial) / sizeof(initial[0]); i++)
        if (store_mkdir(s, NULL, 0, initial[i], NULL))
            goto fail;
    return s;
fail:
    store_free(s);
    errno = ENOMEM;
    return NULL;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    store__node_unref(s->root);
    free(s->introduce_perms.p);
    free(s->release_perms.p);
    free(s->quotas);
    free(s);
}
