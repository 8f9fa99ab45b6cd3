/* The requests that only look: READ, DIRECTORY, DIRECTORY_PART and
 * GET_PERMS, on a canonical path. A transaction records what it looked
 * at, for either commit rule. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *children_list(const struct snode *n, size_t *len)
{
    size_t total = 0, off = 0;
    char *out;

    for (unsigned i = 0; i < n->nkids; i++)
        total += strlen(n->kids[i]->name) + 1;
    out = malloc(total + 1);
    if (!out)
        return NULL;
    for (unsigned i = 0; i < n->nkids; i++) {
        size_t l = strlen(n->kids[i]->name) + 1;

        memcpy(out + off, n->kids[i]->name, l);
        off += l;
    }
    out[off] = '\0';
    *len = total;
    return out;
}

/* One chunk of the children list: "<generation>\0" then as many names as
 * fit in max bytes, then an extra "\0" once the list is complete. */
static int directory_part(const struct snode *n, size_t offset, size_t max, char **out, size_t *len)
{
    char *kids, gen[24], *buf;
    size_t klen, glen, take = 0, maxlen;

    kids = children_list(n, &klen);
    if (!kids)
        return ENOMEM;
    glen = (size_t)snprintf(gen, sizeof(gen), "%" PRIu64, n->gen) + 1;
    maxlen = max > glen + 1 ? max - glen - 1 : 0;
    if (offset < klen) {
        const char *c = kids + offset;

        while (take + strlen(c) < maxlen) {
            take += strlen(c) + 1;
            c += strlen(c) + 1;
            if (offset + take >= klen)
                break;
        }
    }
    buf = malloc(glen + take + 1);
    if (!buf) {
        free(kids);
        return ENOMEM;
    }
    memcpy(buf, gen, glen);
    if (take)
        memcpy(buf + glen, kids + offset, take);
    *len = glen + take;
    if (offset >= klen || offset + take >= klen)
        buf[(*len)++] = '\0';
    free(kids);
    *out = buf;
    return 0;
}

int store__query(struct view *v, const struct tx_req *q, const char *path, char **out, size_t *len)
{
    struct snode *n;
    int err;

    store__tx_see(v, path);
    err = store__get_node(v, path, STORE_PERM_READ, &n);
    if (err)
        return err;
    /* oxenstored notes what was read only once the read succeeded */
    store__tx_low(v, false, path, strlen(path));
    switch (q->kind) {
    case REQ_READ:
        *out = malloc(n->len + 1);
        if (!*out)
            return ENOMEM;
        memcpy(*out, n->val, n->len + 1);
        *len = n->len;
        return 0;
    case REQ_DIRECTORY:
        *out = children_list(n, len);
        return *out ? 0 : ENOMEM;
    case REQ_DIRECTORY_PART:
        return directory_part(n, q->offset, q->max, out, len);
    case REQ_GET_PERMS:
        *out = store__perms_format(&n->perms, len);
        return *out ? 0 : ENOMEM;
    default:
        return EINVAL;
    }
}
