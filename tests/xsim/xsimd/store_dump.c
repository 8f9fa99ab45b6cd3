/* The listing behind the dump-store verb. */
#define _GNU_SOURCE 1
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_put_escaped(FILE *out, const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else
            fprintf(out, "\\x%02x", c);
    }
}

static int by_name(const void *a, const void *b)
{
    const struct snode *x = *(const struct snode *const *)a;
    const struct snode *y = *(const struct snode *const *)b;

    return strcmp(x->name, y->name);
}

static void dump_node(const struct snode *n, const char *path, FILE *out)
{
    struct snode **sorted;

    fprintf(out, "%s = \"", path);
    store_put_escaped(out, n->val, n->len);
    fputs("\" (", out);
    for (unsigned i = 0; i < n->perms.num; i++)
        fprintf(out, "%s%c%u", i ? "," : "", n->perms.p[i].access, n->perms.p[i].domid);
    fputs(")\n", out);

    if (!n->nkids)
        return;
    sorted = malloc(n->nkids * sizeof(*sorted));
    if (!sorted)
        return;
    memcpy(sorted, n->kids, n->nkids * sizeof(*sorted));
    qsort(sorted, n->nkids, sizeof(*sorted), by_name);
    for (unsigned i = 0; i < n->nkids; i++) {
        char *sub;

        if (asprintf(&sub, "%s/%s", strcmp(path, "/") ? path : "", sorted[i]->name) < 0)
            break;
        dump_node(sorted[i], sub, out);
        free(sub);
    }
    free(sorted);
}

void store_dump(struct store *s, FILE *out)
{
    dump_node(s->root, "/", out);
}
