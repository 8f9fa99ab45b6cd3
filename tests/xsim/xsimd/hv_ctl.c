/* Control verbs of the hypervisor: dumps for tests that prove nothing
 * leaked, the gntalloc limit, and fault injection. */
#include "hv.h"

#include "ctl.h"
#include "domain.h"
#include "evtchn.h"
#include "frames.h"
#include "grant.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define FAULT_COUNT_MAX 1000000ul
#define DELAY_MS_MAX    600000ul

static const struct {
    const char *name;
    int value;
} errnos[] = {
    {"EPERM", EPERM},   {"ENOENT", ENOENT},     {"ESRCH", ESRCH},         {"EINTR", EINTR},
    {"EIO", EIO},       {"ENXIO", ENXIO},       {"E2BIG", E2BIG},         {"EBADF", EBADF},
    {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM},     {"EACCES", EACCES},       {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},   {"EEXIST", EEXIST},     {"ENODEV", ENODEV},       {"EINVAL", EINVAL},
    {"ENFILE", ENFILE}, {"EMFILE", EMFILE},     {"ENOTTY", ENOTTY},       {"ENOSPC", ENOSPC},
    {"ENOSYS", ENOSYS}, {"ENOTCONN", ENOTCONN}, {"ETIMEDOUT", ETIMEDOUT},
};

/* An errno name (ENOSPC) or number; 0 when it is neither. */
static int parse_errno(const char *s)
{
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
        if (!strcmp(s, errnos[i].name))
            return errnos[i].value;
    unsigned long v;
    if (ctl_parse_uint(s, 4095, &v) == 0 && v > 0)
        return (int)v;
    return 0;
}

static int cmd_dump_grants(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    gnt_dump(out);
    return 0;
}

static int cmd_dump_ports(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    ev_dump(out);
    return 0;
}

static int cmd_dump_frames(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    frames_dump(out);
    return 0;
}

static const char *module_err(int rc, unsigned long domid)
{
    switch (rc) {
    case -ESRCH:
        return ctl_errf("domain %lu does not exist", domid);
    case -ENOENT:
        return ctl_errf("xen_gntalloc is not loaded in domain %lu", domid);
    case -EBUSY:
        return ctl_errf("xen_gntalloc is in use in domain %lu", domid);
    case -EINVAL:
        return ctl_errf("a limit is at most %u pages in xsim", GNT_MAX_LIMIT);
    default:
        return ctl_errf("domain %lu: %s", domid, strerror(-rc));
    }
}

static int cmd_gntalloc_limit(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid, n;
    if (argc == 1) {
        gnt_module_dump(out);
        return 0;
    }
    if (argc > 3 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0 ||
        (argc == 3 && ctl_parse_uint(argv[2], GNT_MAX_LIMIT, &n) < 0)) {
        *err = ctl_errf("usage: gntalloc-limit [DOMID [PAGES]] (at most %u)", GNT_MAX_LIMIT);
        return -1;
    }
    int limit;
    uint32_t used;
    int rc = argc == 3 ? gnt_limit_set((unsigned)domid, (long)n)
                       : gnt_limit_get((unsigned)domid, &limit, &used);
    if (rc < 0) {
        *err = module_err(rc, domid);
        return -1;
    }
    if (argc == 2)
        fprintf(out, "limit=%d used=%u\n", limit, used);
    return 0;
}

/* modprobe DOMID xen_gntalloc [limit=N], rmmod DOMID xen_gntalloc: what a
 * guest's modprobe.d and the administrator do to its kernel. */
static int cmd_module(int argc, char **argv, FILE *out, const char **err)
{
    bool load = !strcmp(argv[0], "modprobe");
    unsigned long domid, n = 0;
    (void)out;
    if (argc < 3 || argc > (load ? 4 : 3) || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0 ||
        (argc == 4 &&
         (strncmp(argv[3], "limit=", 6) || ctl_parse_uint(argv[3] + 6, GNT_MAX_LIMIT, &n) < 0))) {
        *err = load ? "usage: modprobe DOMID xen_gntalloc [limit=PAGES]"
                    : "usage: rmmod DOMID xen_gntalloc";
        return -1;
    }
    if (strcmp(argv[2], "xen_gntalloc") && strcmp(argv[2], "xen-gntalloc")) {
        *err = ctl_errf("xsim has no module %s (only xen_gntalloc)", argv[2]);
        return -1;
    }
    int rc = load ? gnt_module_load((unsigned)domid, argc == 4 ? (long)n : -1)
                  : gnt_module_unload((unsigned)domid);
    if (rc < 0) {
        *err = module_err(rc, domid);
        return -1;
    }
    return 0;
}

/* fault-alloc-fail and fault-map-fail share their syntax */
static int parse_fail(int argc, char **argv, int dflt, unsigned long *n, int *e, const char **err)
{
    *e = argc == 3 ? parse_errno(argv[2]) : dflt;
    if (argc < 2 || argc > 3 || ctl_parse_uint(argv[1], FAULT_COUNT_MAX, n) < 0 || !*e) {
        *err = ctl_errf("usage: %s COUNT [ERRNO]", argv[0]);
        return -1;
    }
    return 0;
}

static int cmd_fault_alloc(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long n;
    int e;
    (void)out;
    if (parse_fail(argc, argv, ENOMEM, &n, &e, err) < 0)
        return -1;
    gnt_fault_alloc((uint32_t)n, e);
    return 0;
}

static int cmd_fault_map(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long n;
    int e;
    (void)out;
    if (parse_fail(argc, argv, EFAULT, &n, &e, err) < 0)
        return -1;
    gnt_fault_map((uint32_t)n, e);
    return 0;
}

static int cmd_fault_foreign(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long n;
    int e;
    (void)out;
    if (parse_fail(argc, argv, EFAULT, &n, &e, err) < 0)
        return -1;
    frames_fault_map((uint32_t)n, e);
    return 0;
}

/* fault-evtchn-drop and fault-evtchn-delay: DOMID PORT VALUE */
static int cmd_fault_evtchn(int argc, char **argv, FILE *out, const char **err)
{
    bool drop = !strcmp(argv[0], "fault-evtchn-drop");
    unsigned long dom, port, v;
    (void)out;
    if (argc != 4 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &dom) < 0 ||
        ctl_parse_uint(argv[2], EV_MAX_PORTS - 1, &port) < 0 ||
        ctl_parse_uint(argv[3], drop ? FAULT_COUNT_MAX : DELAY_MS_MAX, &v) < 0) {
        *err = ctl_errf("usage: %s DOMID PORT %s", argv[0], drop ? "COUNT" : "MS");
        return -1;
    }
    int rc = drop ? ev_fault_drop((unsigned)dom, (uint32_t)port, (uint32_t)v)
                  : ev_fault_delay((unsigned)dom, (uint32_t)port, (uint32_t)v);
    if (rc < 0) {
        *err = ctl_errf("domain %lu has no port %lu", dom, port);
        return -1;
    }
    return 0;
}

void hv_ctl_register(void)
{
    ctl_register("dump-grants",
                 "dump-grants: one line per grant: granter ref grantee access mapped-by notify "
                 "state",
                 cmd_dump_grants);
    ctl_register("dump-ports",
                 "dump-ports: one line per event channel: domain port state remote masked "
                 "pending",
                 cmd_dump_ports);
    ctl_register("dump-frames",
                 "dump-frames: one line per guest's memory: domain first frames used "
                 "foreign-maps (privcmd mappings held)",
                 cmd_dump_frames);
    ctl_register("gntalloc-limit",
                 "gntalloc-limit [DOMID [PAGES]]: show every domain's gntalloc limit and pages "
                 "used, or one domain's, or set it (as its /sys/module/xen_gntalloc/parameters/"
                 "limit)",
                 cmd_gntalloc_limit);
    ctl_register("modprobe",
                 "modprobe DOMID xen_gntalloc [limit=PAGES]: load gntalloc in a guest kernel "
                 "(loaded at boot, limit 1024)",
                 cmd_module);
    ctl_register("rmmod", "rmmod DOMID xen_gntalloc: unload it (refused while in use)", cmd_module);
    ctl_register("fault-alloc-fail",
                 "fault-alloc-fail COUNT [ERRNO]: the next COUNT gntalloc allocations fail "
                 "(ENOMEM)",
                 cmd_fault_alloc);
    ctl_register("fault-map-fail",
                 "fault-map-fail COUNT [ERRNO]: the next COUNT gntdev mmaps fail (EFAULT)",
                 cmd_fault_map);
    ctl_register("fault-foreign-fail",
                 "fault-foreign-fail COUNT [ERRNO]: every frame of the next COUNT privcmd "
                 "foreign maps fails (EFAULT)",
                 cmd_fault_foreign);
    ctl_register("fault-evtchn-drop",
                 "fault-evtchn-drop DOMID PORT COUNT: drop the next COUNT events to that port",
                 cmd_fault_evtchn);
    ctl_register("fault-evtchn-delay",
                 "fault-evtchn-delay DOMID PORT MS: deliver events to that port MS ms late "
                 "(0: on time)",
                 cmd_fault_evtchn);
}
