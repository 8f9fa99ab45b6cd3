/* Each guest kernel's xen_gntalloc module, after Linux's gntalloc.c: it is
 * loaded or not (no /dev/xen/gntalloc, no /sys/module/xen_gntalloc), and
 * its `limit` parameter (1024 by default, writable at run time through
 * sysfs) bounds the pages that kernel's gntalloc holds. The count is per
 * kernel, so one domain sharing many pages takes nothing from another.
 *
 * A kernel is one life of a domain: a domain destroyed and created again
 * has a new one, and what the old one held is counted nowhere. */
#define _GNU_SOURCE 1
#include "grant_int.h"

#include "domain.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_DIR "module/xen_gntalloc"
#define LIMIT_FILE MODULE_DIR "/parameters/limit"

struct ga_module {
    unsigned domid;
    uint64_t boot; /* which life of the domain */
    bool loaded;
    int limit;      /* the parameter, as the kernel keeps it (an int) */
    uint32_t used;  /* gref_size: pages held, counted against limit */
    uint32_t files; /* open /dev/xen/gntalloc files */
    struct ga_module *next;
};

static struct ga_module *mods;
static uint64_t boots;

static struct ga_module *mod_find(unsigned domid)
{
    for (struct ga_module *m = mods; m; m = m->next)
        if (m->domid == domid)
            return m;
    return NULL;
}

/* The module of that life of the domain, or NULL. */
static struct ga_module *mod_of(unsigned domid, uint64_t boot)
{
    struct ga_module *m = mod_find(domid);
    return m && m->boot == boot ? m : NULL;
}

static int show_limit(const struct ga_module *m)
{
    char text[16];
    snprintf(text, sizeof(text), "%d\n", m->limit);
    return sysfs_file(m->domid, LIMIT_FILE, text, 0644);
}

static int show_module(const struct ga_module *m)
{
    if (!m->loaded) {
        sysfs_remove(m->domid, MODULE_DIR);
        return 0;
    }
    if (sysfs_mkdir(m->domid, MODULE_DIR "/parameters") < 0 ||
        sysfs_file(m->domid, MODULE_DIR "/initstate", "live\n", 0444) < 0)
        return -1;
    return show_limit(m);
}

int gnt_domain_created(unsigned domid)
{
    struct ga_module *m = mod_find(domid);
    if (!m) {
        m = calloc(1, sizeof(*m));
        if (!m)
            return -1;
        m->domid = domid;
        m->next = mods;
        mods = m;
    }
    /* loaded at boot, as a guest configured for xenfb has it */
    m->boot = ++boots;
    m->loaded = true;
    m->limit = GNT_DEFAULT_LIMIT;
    m->used = 0;
    m->files = 0;
    return show_module(m);
}

void ga_module_destroyed(unsigned domid)
{
    for (struct ga_module **pp = &mods; *pp; pp = &(*pp)->next) {
        if ((*pp)->domid == domid) {
            struct ga_module *m = *pp;
            *pp = m->next;
            free(m);
            return;
        }
    }
}

uint64_t ga_module_boot(unsigned domid)
{
    struct ga_module *m = mod_find(domid);
    return m && m->loaded ? m->boot : 0;
}

int ga_module_charge(unsigned domid, uint64_t boot, uint32_t n)
{
    struct ga_module *m = mod_of(domid, boot);
    if (!m)
        return -ESRCH;
    /* gntalloc_ioctl_alloc: gref_size + op.count > limit */
    if ((int64_t)m->used + n > (int64_t)m->limit || (uint64_t)m->used + n > GNT_MAX_LIMIT)
        return -ENOSPC;
    m->used += n;
    return 0;
}

void ga_module_uncharge(unsigned domid, uint64_t boot, uint32_t n)
{
    struct ga_module *m = mod_of(domid, boot);
    if (m)
        m->used -= n;
}

void ga_module_files(unsigned domid, uint64_t boot, int delta)
{
    struct ga_module *m = mod_of(domid, boot);
    if (m)
        m->files = (uint32_t)((int)m->files + delta);
}

int gnt_module_load(unsigned domid, long limit)
{
    struct ga_module *m = mod_find(domid);
    if (!m)
        return -ESRCH;
    if (m->loaded)
        return 0; /* modprobe of a loaded module changes nothing */
    if (limit > GNT_MAX_LIMIT)
        return -EINVAL;
    m->loaded = true;
    m->limit = limit < 0 ? GNT_DEFAULT_LIMIT : (int)limit;
    m->used = 0;
    m->boot = ++boots;
    return show_module(m);
}

int gnt_module_unload(unsigned domid)
{
    struct ga_module *m = mod_find(domid);
    if (!m)
        return -ESRCH;
    if (!m->loaded)
        return -ENOENT;
    /* the module is in use while a file is open (or a page still held) */
    if (m->files || m->used)
        return -EBUSY;
    m->loaded = false;
    return show_module(m);
}

int gnt_limit_get(unsigned domid, int *limit, uint32_t *used)
{
    struct ga_module *m = mod_find(domid);
    if (!m)
        return -ESRCH;
    if (!m->loaded)
        return -ENOENT;
    *limit = m->limit;
    *used = m->used;
    return 0;
}

int gnt_limit_set(unsigned domid, long limit)
{
    struct ga_module *m = mod_find(domid);
    if (!m)
        return -ESRCH;
    if (!m->loaded)
        return -ENOENT;
    if (limit < INT_MIN || limit > GNT_MAX_LIMIT)
        return -EINVAL;
    m->limit = (int)limit;
    return show_limit(m) < 0 ? -errno : 0;
}

/* kstrtoint(s, 0, &v) as param_set_int calls it: a sign, then decimal,
 * 0x hexadecimal or 0 octal digits, then at most one newline. */
static int parse_kernel_int(const char *s, size_t len, long *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[len - 1] == '\n')
        buf[--len] = '\0';
    const char *p = buf;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p++;
    }
    if (!*p || strchr(" \t\n+-", *p))
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long v = strtoul(p, &end, base);
    if (*end || errno || v > (neg ? (unsigned long)INT_MAX + 1 : (unsigned long)INT_MAX))
        return -EINVAL;
    *out = neg ? -(long)v : (long)v;
    return 0;
}

int gnt_param_write(unsigned domid, const char *module, const char *param, const char *val,
                    size_t len)
{
    if (strcmp(module, "xen_gntalloc") || strcmp(param, "limit"))
        return -ENOENT;
    long v;
    int err = parse_kernel_int(val, len, &v);
    return err ? err : gnt_limit_set(domid, v);
}

void gnt_module_dump(FILE *out)
{
    for (unsigned want = 0, next; want <= XSIM_MAX_DOMID; want = next) {
        const struct ga_module *best = NULL;
        for (const struct ga_module *m = mods; m; m = m->next)
            if (m->domid >= want && (!best || m->domid < best->domid))
                best = m;
        if (!best)
            break;
        if (best->loaded)
            fprintf(out, "%u limit=%d used=%u\n", best->domid, best->limit, best->used);
        else
            fprintf(out, "%u not-loaded\n", best->domid);
        next = best->domid + 1;
    }
}
