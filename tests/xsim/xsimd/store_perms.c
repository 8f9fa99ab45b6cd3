/* Permission lists: entry 0 names the owner and what everyone else gets. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned access_bits(char c)
{
    switch (c) {
    case 'r':
        return STORE_PERM_READ;
    case 'w':
        return STORE_PERM_WRITE;
    case 'b':
        return STORE_PERM_READ | STORE_PERM_WRITE;
    default:
        return 0;
    }
}

unsigned store__perm_for(const struct store_perms *p, unsigned domid)
{
    if (domid == 0 || p->p[0].domid == domid)
        return STORE_PERM_READ | STORE_PERM_WRITE | STORE_PERM_OWNER;
    for (unsigned i = 1; i < p->num; i++)
        if (p->p[i].domid == domid)
            return access_bits(p->p[i].access);
    return access_bits(p->p[0].access);
}

bool store_perms_readable(const struct store_perms *p, unsigned domid)
{
    return p->num > 0 && (store__perm_for(p, domid) & STORE_PERM_READ);
}

bool store_event_visible(const struct store_event *e, unsigned domid)
{
    return store_perms_readable(&e->old_perms, domid) || store_perms_readable(&e->perms, domid) ||
           store_perms_readable(&e->parent_perms, domid);
}

int store__perms_copy(struct store_perms *dst, const struct store_perms *src)
{
    dst->num = src->num;
    dst->p = NULL;
    if (!src->num)
        return 0;
    dst->p = malloc(src->num * sizeof(*src->p));
    if (!dst->p) {
        dst->num = 0;
        return -1;
    }
    memcpy(dst->p, src->p, src->num * sizeof(*src->p));
    return 0;
}

int store__perms_set1(struct store_perms *p, unsigned domid, char access)
{
    p->p = malloc(sizeof(*p->p));
    if (!p->p)
        return -1;
    p->num = 1;
    p->p[0].domid = domid;
    p->p[0].access = access;
    return 0;
}

/* Parse "n0\0r1\0..." (each entry NUL-terminated). 0 or an errno value. */
int store__perms_parse(const char *str, size_t len, unsigned max, struct store_perms *out)
{
    unsigned num = 0;

    for (size_t i = 0; i < len; i++)
        if (str[i] == '\0')
            num++;
    if (num == 0)
        return EINVAL;
    if (num > max)
        return ENOSPC;
    out->p = calloc(num, sizeof(*out->p));
    if (!out->p)
        return ENOMEM;
    out->num = num;
    for (unsigned i = 0; i < num; i++) {
        const char *e = str;
        unsigned long id = 0;

        if (!access_bits(*e) && *e != 'n')
            goto inval;
        if (!e[1])
            goto inval;
        for (e++; *e; e++) {
            if (*e < '0' || *e > '9' || id > 0xffff)
                goto inval;
            id = id * 10 + (unsigned)(*e - '0');
        }
        if (id > 0xffff)
            goto inval;
        out->p[i].access = str[0];
        out->p[i].domid = (unsigned)id;
        str = e + 1;
    }
    return 0;
inval:
    free(out->p);
    out->p = NULL;
    out->num = 0;
    return EINVAL;
}

char *store__perms_format(const struct store_perms *p, size_t *len)
{
    char *out = malloc(p->num * 8 + 1);
    size_t n = 0;

    if (!out)
        return NULL;
    for (unsigned i = 0; i < p->num; i++)
        n += (size_t)sprintf(out + n, "%c%u", p->p[i].access, p->p[i].domid) + 1;
    *len = n;
    return out;
}
