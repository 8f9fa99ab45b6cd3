/* Nodes of the copy-on-write tree, and paths. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct snode *store__node_new(const char *name, size_t nlen)
{
    struct snode *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->refs = 1;
    n->name = strndup(name, nlen);
    n->val = strdup("");
    if (!n->name || !n->val) {
        free(n->name);
        free(n->val);
        free(n);
        return NULL;
    }
    return n;
}

void store__node_unref(struct snode *n)
{
    if (!n || --n->refs)
        return;
    for (unsigned i = 0; i < n->nkids; i++)
        store__node_unref(n->kids[i]);
    free(n->kids);
    free(n->perms.p);
    free(n->name);
    free(n->val);
    free(n);
}

static struct snode *node_clone(const struct snode *n)
{
    struct snode *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->refs = 1;
    c->gen = n->gen;
    c->tgen = n->tgen;
    c->len = n->len;
    c->nkids = n->nkids;
    c->name = strdup(n->name);
    c->val = malloc(n->len + 1);
    c->kids = malloc((n->nkids ? n->nkids : 1) * sizeof(*c->kids));
    if (!c->name || !c->val || !c->kids || store__perms_copy(&c->perms, &n->perms)) {
        free(c->name);
        free(c->val);
        free(c->kids);
        free(c);
        return NULL;
    }
    memcpy(c->val, n->val, n->len + 1);
    for (unsigned i = 0; i < n->nkids; i++) {
        c->kids[i] = n->kids[i];
        c->kids[i]->refs++;
    }
    return c;
}

/* The node in *slot, made private to this tree (cloned if shared). */
static struct snode *node_mut(struct snode **slot)
{
    struct snode *n = *slot, *c;

    if (n->refs == 1)
        return n;
    c = node_clone(n);
    if (!c)
        return NULL;
    n->refs--;
    *slot = c;
    return c;
}

struct snode *store__child_find(const struct snode *n, const char *name, size_t nlen, unsigned *idx)
{
    for (unsigned i = 0; i < n->nkids; i++) {
        if (strlen(n->kids[i]->name) == nlen && !memcmp(n->kids[i]->name, name, nlen)) {
            if (idx)
                *idx = i;
            return n->kids[i];
        }
    }
    return NULL;
}

int store__child_add(struct snode *n, struct snode *kid)
{
    struct snode **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));

    if (!k)
        return -1;
    n->kids = k;
    n->kids[n->nkids++] = kid;
    return 0;
}

/* Next component of a canonical path: *p points after a '/'. */
size_t store__comp_len(const char *p)
{
    return (size_t)(strchrnul(p, '/') - p);
}

struct snode *store__lookup(struct snode *root, const char *path)
{
    struct snode *n = root;
    const char *p = path + 1;

    while (n && *p) {
        size_t l = store__comp_len(p);

        n = store__child_find(n, p, l, NULL);
        p += l;
        if (*p)
            p++;
    }
    return n;
}

uint64_t store__gen_of(struct snode *root, const char *path)
{
    struct snode *n = store__lookup(root, path);

    return n ? n->gen : 0;
}

/* Parent path of a canonical path other than "/", malloc'ed. */
char *store__parent_path(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* The deepest existing node on the way to path (path itself excluded), and
 * the length of its path. */
struct snode *store__nearest_ancestor(struct snode *root, const char *path, size_t *plen)
{
    struct snode *n = root, *next;
    const char *p = path + 1;

    *plen = 1;
    while (*p) {
        size_t l = store__comp_len(p);

        if (!p[l])
            break;
        next = store__child_find(n, p, l, NULL);
        if (!next)
            break;
        n = next;
        *plen = (size_t)(p + l - path);
        p += l + 1;
    }
    return n;
}

struct snode *store__mut_walk(struct snode **root, const char *path, size_t plen, uint64_t tgen)
{
    struct snode **slot = root;
    struct snode *n = node_mut(slot);
    const char *p = path + 1, *end = path + plen;

    if (n)
        n->tgen = tgen;
    while (n && p < end) {
        size_t l = store__comp_len(p);
        unsigned i;

        if (!store__child_find(n, p, l, &i)) {
            errno = ENOENT;
            return NULL;
        }
        slot = &n->kids[i];
        n = node_mut(slot);
        if (n)
            n->tgen = tgen;
        p += l;
        if (p < end)
            p++;
    }
    if (!n && errno != ENOENT)
        errno = ENOMEM;
    return n;
}

unsigned store__count_owned(const struct snode *n, unsigned domid)
{
    unsigned c = n->perms.p[0].domid == domid;

    for (unsigned i = 0; i < n->nkids; i++)
        c += store__count_owned(n->kids[i], domid);
    return c;
}

static bool valid_chars(const char *p)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@";

    return strspn(p, ok) == strlen(p);
}

static bool valid_nodename(const char *p)
{
    size_t len = strlen(p);

    if (p[0] != '/')
        return false;
    if (len > 1 && p[len - 1] == '/')
        return false;
    if (strstr(p, "//"))
        return false;
    if (len > STORE_ABS_PATH_MAX)
        return false;
    return valid_chars(p);
}

char *store_canon(unsigned domid, const char *path)
{
    char *abs;

    if (!path || path[0] == '@') {
        errno = EINVAL;
        return NULL;
    }
    if (path[0] == '/') {
        abs = strdup(path);
    } else if (asprintf(&abs, "/local/domain/%u/%s", domid, path) < 0) {
        abs = NULL;
    }
    if (!abs) {
        errno = ENOMEM;
        return NULL;
    }
    if (!valid_nodename(abs)) {
        free(abs);
        errno = EINVAL;
        return NULL;
    }
    return abs;
}
