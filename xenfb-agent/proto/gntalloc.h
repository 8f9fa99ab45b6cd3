/* gntalloc's page limit as the guest kernel shows it, and the one fix to
 * give when a framebuffer does not fit under it. The library's [XFB-003]
 * line and `xenfb-agent check` both word it through here, so the two
 * never advise different numbers. */
#ifndef XFB_PROTO_GNTALLOC_H
#define XFB_PROTO_GNTALLOC_H

#include <stddef.h>
#include <stdint.h>

#define XFB_GNTALLOC_LIMIT_PATH "/sys/module/xen_gntalloc/parameters/limit"

/* The module parameter `limit` (pages per guest kernel), or -1 when it
 * cannot be read (no module loaded, not Linux). */
long xfb_gntalloc_limit(void);

/* The limit to set so that `need` more pages fit: need itself when the
 * limit is below it, else limit + need (the pages are short although the
 * limit is high enough, so others hold some), rounded up to 1024. */
unsigned long xfb_gntalloc_want(long limit, uint32_t need);

/* "raise xen_gntalloc's limit: modprobe xen-gntalloc limit=N, or echo N
 * > /sys/module/xen_gntalloc/parameters/limit" into buf. */
void xfb_gntalloc_fix(long limit, uint32_t need, char *buf, size_t len);

#endif
