/* xenstored's quotas for unprivileged domains, adjustable per domain. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const unsigned quota_defaults[STORE_QUOTA_COUNT] = {
    [STORE_QUOTA_NODES] = 1000,      [STORE_QUOTA_WATCHES] = 128, [STORE_QUOTA_VALUE] = 2048,
    [STORE_QUOTA_TRANSACTIONS] = 10, [STORE_QUOTA_PERMS] = 5,
};

static const char *const quota_names[STORE_QUOTA_COUNT] = {
    [STORE_QUOTA_NODES] = "nodes", [STORE_QUOTA_WATCHES] = "watches",
    [STORE_QUOTA_VALUE] = "value", [STORE_QUOTA_TRANSACTIONS] = "transactions",
    [STORE_QUOTA_PERMS] = "perms",
};

static struct quota_override *quota_find(const struct store *s, unsigned domid)
{
    for (size_t i = 0; i < s->nquotas; i++)
        if (s->quotas[i].domid == domid)
            return &s->quotas[i];
    return NULL;
}

unsigned store_quota_get(const struct store *s, unsigned domid, enum store_quota kind)
{
    const struct quota_override *q = quota_find(s, domid);

    return q ? q->val[kind] : quota_defaults[kind];
}

int store_quota_set(struct store *s, unsigned domid, enum store_quota kind, unsigned val)
{
    struct quota_override *q = quota_find(s, domid);

    if ((unsigned)kind >= STORE_QUOTA_COUNT) {
        errno = EINVAL;
        return -1;
    }
    if (!q) {
        q = realloc(s->quotas, (s->nquotas + 1) * sizeof(*q));
        if (!q)
            return -1;
        s->quotas = q;
        q = &s->quotas[s->nquotas++];
        q->domid = domid;
        memcpy(q->val, quota_defaults, sizeof(q->val));
    }
    q->val[kind] = val;
    return 0;
}

void store_quota_reset(struct store *s, unsigned domid)
{
    struct quota_override *q = quota_find(s, domid);

    if (q)
        *q = s->quotas[--s->nquotas];
}

int store_quota_parse(const char *name)
{
    for (int i = 0; i < STORE_QUOTA_COUNT; i++)
        if (!strcmp(name, quota_names[i]))
            return i;
    return -1;
}

unsigned store_count_owned(struct store *s, unsigned domid)
{
    return store__count_owned(s->root, domid);
}
