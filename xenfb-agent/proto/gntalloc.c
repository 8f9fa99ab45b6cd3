/* gntalloc's limit and the advice when it is short (gntalloc.h). */
#include "proto/gntalloc.h"

#include <stdio.h>

long xfb_gntalloc_limit(void)
{
    FILE *fp = fopen(XFB_GNTALLOC_LIMIT_PATH, "re");
    if (!fp)
        return -1;
    long v = -1;
    if (fscanf(fp, "%ld", &v) != 1 || v < 0)
        v = -1;
    fclose(fp);
    return v;
}

unsigned long xfb_gntalloc_want(long limit, uint32_t need)
{
    unsigned long want = limit >= (long)need ? (unsigned long)limit + need : need;
    return (want + 1023) / 1024 * 1024;
}

void xfb_gntalloc_fix(long limit, uint32_t need, char *buf, size_t len)
{
    unsigned long want = xfb_gntalloc_want(limit, need);
    snprintf(buf, len,
             "raise xen_gntalloc's limit: modprobe xen-gntalloc limit=%lu, or echo %lu > %s", want,
             want, XFB_GNTALLOC_LIMIT_PATH);
}
