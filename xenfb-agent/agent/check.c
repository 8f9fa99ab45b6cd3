/* `xenfb-agent check`: look at everything the frontend needs, one line per
 * finding, each problem with its [XFB-nnn] id and what to do about it.
 * It goes through the same libraries (and so the same devices) the
 * frontend uses, rather than testing paths, so it sees what they see. */
#include "agent.h"

#include "proto/gntalloc.h"
#include "proto/layout.h"
#include "proto/sysfs.h"
#include "xenfb/front.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

struct check {
    unsigned devid;
    uint32_t width, height; /* 0 = the backend's max-width/height */
    uint32_t depth;         /* 32 (depth 24) or 16 */
    unsigned problems;
    struct xs_handle *xs;
    unsigned be_id;
    bool vfb_connected;
};

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ok: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    c->problems++;
}

/* The Xen libraries would log to stderr on their own. */
static void quiet_vmessage(struct xentoollog_logger *l, xentoollog_level level, int errnoval,
                           const char *context, const char *format, va_list al)
{
    (void)l, (void)level, (void)errnoval, (void)context, (void)format, (void)al;
}
static struct xentoollog_logger quiet = {.vmessage = quiet_vmessage};

static void dev_problem(struct check *c, const char *dev, const char *module, int err)
{
    if (err == EACCES || err == EPERM)
        problem(c,
                "[XFB-002] /dev/xen/%s: %s: run as root or give this user access to "
                "/dev/xen/%s (a udev rule)",
                dev, strerror(err), dev);
    else
        problem(c, "[XFB-001] /dev/xen/%s: %s: load the %s module (modprobe %s)", dev,
                strerror(err), module, module);
}

static xengntshr_handle *check_devices(struct check *c)
{
    xenevtchn_handle *xce = xenevtchn_open(&quiet, 0);
    if (xce) {
        ok("/dev/xen/evtchn: opens");
        xenevtchn_close(xce);
    } else {
        dev_problem(c, "evtchn", "xen-evtchn", errno);
    }
    xengntshr_handle *xgs = xengntshr_open(&quiet, 0);
    if (xgs)
        ok("/dev/xen/gntalloc: opens");
    else
        dev_problem(c, "gntalloc", "xen-gntalloc", errno);
    c->xs = xs_open(0);
    if (c->xs)
        ok("xenstore: reachable");
    else
        problem(c,
                "[XFB-012] xenstore: %s: mount xenfs or load xen-evtchn and the xenbus "
                "device, or start xenstored",
                strerror(errno));
    return xgs;
}

static char *rd(struct check *c, const char *dir, const char *node)
{
    char path[256];
    unsigned len;
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_read(c->xs, XBT_NULL, path, &len);
}

static long rd_long(struct check *c, const char *dir, const char *node)
{
    char *v = rd(c, dir, node);
    if (!v)
        return -1;
    char *end;
    long n = strtol(v, &end, 10);
    bool bad = end == v || *end;
    free(v);
    return bad ? -1 : n;
}

/* xenfb's own device: no kernel driver may hold it (the library refuses
 * it the same way, by sysfs). */
static void check_kernel(struct check *c, const char *type, const char *name)
{
    char drv[64];
    if (xfb_sysfs_driver(type, c->devid, drv, sizeof(drv)))
        problem(c,
                "[XFB-005] %s %u: a kernel driver (%s) drives device/%s/%u: unbind it "
                "(/sys/bus/xen/drivers/%s/unbind)",
                name, c->devid, drv, type, c->devid, drv);
    else
        ok("%s %u: no kernel driver bound to device/%s/%u", name, c->devid, type, c->devid);
}

/* The stock kernel frontends, where the kernel has bound them: they drive
 * the standard vfb and vkbd devices (the guest's console), beside
 * xenfb's own devices. */
static void report_kernel_frontends(struct check *c)
{
    static const char *const types[] = {"vfb", "vkbd"};
    if (!xfb_sysfs_has_xen_bus())
        return;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char drv[64];
        if (xfb_sysfs_driver(types[i], c->devid, drv, sizeof(drv)))
            ok("%s %u: the kernel's %s drives it (the console; xenfb's X screen uses its own "
               "device beside it)",
               types[i], c->devid, !strcmp(types[i], "vfb") ? "xen-fbfront" : "xen-kbdfront");
    }
}

/* One device: present, backend running, features, kernel driver. name is
 * its protocol ("vfb" or "vkbd"), type its xenstore device type. */
static void check_device(struct check *c, const char *name, const char *type)
{
    char fe[64];
    snprintf(fe, sizeof(fe), "device/%s/%u", type, c->devid);
    char *be = rd(c, fe, "backend");
    long be_id = rd_long(c, fe, "backend-id");
    if (!be || be_id < 0) {
        problem(c,
                "[XFB-004] %s %u: not in xenstore (%s): name this guest in the backend "
                "domain's xenfb guests.conf, or run xenfb-backend attach there",
                name, c->devid, fe);
        free(be);
        return;
    }
    c->be_id = (unsigned)be_id;
    long fe_state = rd_long(c, fe, "state");
    ok("%s %u: present (%s), backend %s (domain %ld), frontend state %ld", name, c->devid, fe, be,
       be_id, fe_state);
    long st = rd_long(c, be, "state");
    if (st != 2 && st != 4) {
        problem(c,
                "[XFB-006] %s %u: no backend running (%s state %ld): start xenfb-backend in "
                "domain %ld",
                name, c->devid, be, st, be_id);
    } else if (!strcmp(name, "vfb")) {
        if (rd_long(c, be, "feature-gref") != 1)
            problem(c,
                    "[XFB-007] vfb %u: the backend has no feature-gref (stock QEMU?): it "
                    "cannot show a userspace framebuffer; use xenfb-backend for this guest",
                    c->devid);
        else
            ok("vfb %u: backend state %ld, feature-gref%s", c->devid, st,
               rd_long(c, be, "feature-resize") == 1 ? ", feature-resize" : "");
        if (!c->width && rd_long(c, be, "max-width") > 0 && rd_long(c, be, "max-height") > 0) {
            c->width = (uint32_t)rd_long(c, be, "max-width");
            c->height = (uint32_t)rd_long(c, be, "max-height");
        }
    } else {
        ok("vkbd %u: backend state %ld%s%s", c->devid, st,
           rd_long(c, be, "feature-abs-pointer") == 1 ? ", feature-abs-pointer" : "",
           rd_long(c, be, "feature-raw-pointer") == 1 ? ", feature-raw-pointer" : "");
    }
    if (!strcmp(name, "vfb") && fe_state == 4 && st == 4)
        c->vfb_connected = true;
    check_kernel(c, type, name);
    free(be);
}

/* Can gntalloc give the pages the mode needs? Asking it is the only test
 * that also counts pages other programs hold. The count is the X driver's
 * (xfb_front_mode_pages(): rows on 64 bytes, the mode's own depth) plus
 * the vkbd's page, and a shortage is worded as the driver's [XFB-003]
 * line, with the same fix. */
static void check_gntalloc(struct check *c, xengntshr_handle *xgs)
{
    uint32_t w = c->width ? c->width : 1024, h = c->height ? c->height : 768, d = c->depth;
    uint32_t vfb = xfb_front_mode_pages(w, h, d);
    uint32_t need = vfb + 1; /* + the vkbd page */
    long lim = xfb_gntalloc_limit();
    char limtxt[48] = "";
    if (lim >= 0)
        snprintf(limtxt, sizeof(limtxt), ", under a limit of %ld", lim);
    if (c->vfb_connected) {
        ok("gntalloc: vfb %u is connected: X holds its pages%s", c->devid, limtxt);
        return;
    }
    uint32_t *refs = calloc(need, sizeof(*refs));
    void *p = refs ? xengntshr_share_pages(xgs, c->be_id, need, refs, 0) : NULL;
    int err = errno;
    free(refs);
    if (p) {
        xengntshr_unshare(xgs, p, need);
        ok("gntalloc: %ux%u at %u bits takes %u grant pages (%u for vfb %u, 1 for vkbd %u): "
           "available%s",
           w, h, d, need, vfb, c->devid, c->devid, limtxt);
        return;
    }
    if (err != ENOSPC) {
        problem(c, "gntalloc: cannot share %u pages: %s", need, strerror(err));
        return;
    }
    char fix[200], limnum[32] = "unknown";
    if (lim >= 0)
        snprintf(limnum, sizeof(limnum), "%ld", lim);
    xfb_gntalloc_fix(lim, need, fix, sizeof(fix));
    problem(c,
            "[XFB-003] gntalloc limit reached: vfb %u at %ux%ux%u and vkbd %u need %u grant pages "
            "(limit %s); %s",
            c->devid, w, h, d, c->devid, need, limnum, fix);
}

static int usage(void)
{
    fputs("usage: xenfb-agent check [--dev N] [--width W] [--height H] [--depth 24|16]\n", stderr);
    return 2;
}

int agent_check(int argc, char **argv)
{
    struct check c = {.depth = 32};
    for (int i = 0; i < argc; i += 2) {
        if (i + 1 >= argc)
            return usage();
        unsigned long v = strtoul(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--dev"))
            c.devid = (unsigned)v;
        else if (!strcmp(argv[i], "--width"))
            c.width = (uint32_t)v;
        else if (!strcmp(argv[i], "--height"))
            c.height = (uint32_t)v;
        else if (!strcmp(argv[i], "--depth") && (v == 24 || v == 16))
            c.depth = v == 24 ? 32 : 16; /* depth 24 is 32 bits a pixel */
        else
            return usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    xengntshr_handle *xgs = check_devices(&c);
    if (c.xs) {
        check_device(&c, "vfb", XFB_TYPE_FB);
        check_device(&c, "vkbd", XFB_TYPE_KBD);
        report_kernel_frontends(&c);
    }
    if (xgs) {
        check_gntalloc(&c, xgs);
        xengntshr_close(xgs);
    }
    if (c.xs)
        xs_close(c.xs);
    if (c.problems)
        printf("%u problem%s found\n", c.problems, c.problems == 1 ? "" : "s");
    else
        printf("all is well\n");
    return c.problems ? 1 : 0;
}
