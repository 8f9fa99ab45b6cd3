/* The domain table and the process bookkeeping behind "destroy" and
 * "stop". Processes are remembered per domain so that destroying a domain
 * kills what runs "inside" it, as tearing down a real guest would. */
#include "domain.h"

#include "ctl.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

struct proc {
    unsigned domid;
    pid_t pid;
    struct proc *next;
};

struct dom {
    unsigned domid;
    char name[64];
    char uuid[DOMAIN_UUID_LEN + 1];
    enum domain_type type;
    struct dom *next;
};

static const char *const type_names[] = {
    [DOMAIN_PV] = "pv",
    [DOMAIN_PVH] = "pvh",
    [DOMAIN_HVM] = "hvm",
};

static struct dom *doms;
static struct proc *procs;

static struct dom *find(unsigned domid)
{
    for (struct dom *d = doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

bool domain_alive(unsigned domid)
{
    return find(domid) != NULL;
}

enum domain_type domain_type(unsigned domid)
{
    struct dom *d = find(domid);
    return d ? d->type : DOMAIN_PV;
}

static int parse_type(const char *s, enum domain_type *type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (!strcmp(s, type_names[i])) {
            *type = (enum domain_type)i;
            return 0;
        }
    }
    return -1;
}

/* libxl_uuid_from_string's format, kept in lower case as libxl prints it. */
static int parse_uuid(const char *s, char *out)
{
    if (strlen(s) != DOMAIN_UUID_LEN)
        return -1;
    for (size_t i = 0; i < DOMAIN_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return -1;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[DOMAIN_UUID_LEN] = '\0';
    return 0;
}

/* A random (version 4) UUID, as xl gives a domain without one. */
static int random_uuid(char *out)
{
    uint8_t b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        return -1;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, DOMAIN_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

void domain_track_pid(unsigned domid, pid_t pid)
{
    if (pid <= 0 || pid == getpid())
        return;
    for (struct proc *p = procs; p; p = p->next)
        if (p->pid == pid) {
            p->domid = domid;
            return;
        }
    struct proc *p = calloc(1, sizeof(*p));
    if (!p)
        return;
    p->domid = domid;
    p->pid = pid;
    p->next = procs;
    procs = p;
}

static void forget_dead(void)
{
    for (struct proc **pp = &procs; *pp;) {
        if (kill((*pp)->pid, 0) < 0 && errno == ESRCH) {
            struct proc *p = *pp;
            *pp = p->next;
            free(p);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static void kill_domain_procs(unsigned domid, int sig)
{
    forget_dead();
    for (struct proc **pp = &procs; *pp;) {
        struct proc *p = *pp;
        if (p->domid == domid) {
            kill(p->pid, sig);
            *pp = p->next;
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

void domain_kill_all(void)
{
    forget_dead();
    for (struct proc *p = procs; p; p = p->next)
        kill(p->pid, SIGTERM);
    /* give them a moment to exit cleanly, then make sure */
    for (int i = 0; i < 50 && procs; i++) {
        usleep(20000);
        forget_dead();
    }
    while (procs) {
        struct proc *p = procs;
        kill(p->pid, SIGKILL);
        procs = p->next;
        free(p);
    }
}

int domain_create(unsigned domid, const struct domain_config *cfg)
{
    if (domid > XSIM_MAX_DOMID) {
        errno = EINVAL;
        return -1;
    }
    if (find(domid)) {
        errno = EEXIST;
        return -1;
    }
    struct dom *d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    d->domid = domid;
    d->type = cfg->type;
    if (cfg->name)
        snprintf(d->name, sizeof(d->name), "%s", cfg->name);
    else if (domid == 0)
        snprintf(d->name, sizeof(d->name), "Domain-0");
    else
        snprintf(d->name, sizeof(d->name), "guest%u", domid);
    if (cfg->uuid[0])
        memcpy(d->uuid, cfg->uuid, sizeof(d->uuid));
    else if (domid == 0)
        snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-0000-0000-000000000000");
    else if (random_uuid(d->uuid) < 0) {
        free(d);
        return -1;
    }
    d->next = doms;
    doms = d;
    struct domain_config made = {.name = d->name, .type = d->type};
    memcpy(made.uuid, d->uuid, sizeof(made.uuid));
    int rc = xs_domain_created(domid, &made);
    if (rc == 0 && (rc = hv_domain_created(domid)) < 0) {
        int e = errno;
        xs_domain_destroyed(domid, d->uuid);
        errno = e;
    }
    if (rc < 0) {
        int e = errno;
        doms = d->next;
        free(d);
        errno = e;
        return -1;
    }
    return 0;
}

static int domain_destroy(unsigned domid)
{
    struct dom **pp = &doms;
    while (*pp && (*pp)->domid != domid)
        pp = &(*pp)->next;
    if (!*pp) {
        errno = ESRCH;
        return -1;
    }
    struct dom *d = *pp;
    *pp = d->next;
    /* processes first: on Xen a dying domain runs nothing, and their
     * sockets closing is what releases their grants and ports */
    kill_domain_procs(domid, SIGKILL);
    hv_domain_destroyed(domid);
    xs_domain_destroyed(domid, d->uuid);
    free(d);
    return 0;
}

#define CREATE_USAGE "usage: create DOMID [NAME] [--uuid UUID] [--type pv|pvh|hvm] [--exist-ok]"

static int cmd_create(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid;
    struct domain_config cfg = {.type = DOMAIN_PV};
    bool exist_ok = false;
    (void)out;
    if (argc < 2 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0) {
        *err = CREATE_USAGE;
        return -1;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--uuid") && i + 1 < argc) {
            if (parse_uuid(argv[++i], cfg.uuid) < 0) {
                *err = ctl_errf("'%s' is not a UUID (8-4-4-4-12 hexadecimal digits)", argv[i]);
                return -1;
            }
        } else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
            if (parse_type(argv[++i], &cfg.type) < 0) {
                *err = ctl_errf("'%s' is not a domain type (pv, pvh or hvm)", argv[i]);
                return -1;
            }
        } else if (!strcmp(argv[i], "--exist-ok")) {
            exist_ok = true; /* xsim run and env: use the domain if it is there */
        } else if (argv[i][0] != '-' && !cfg.name) {
            cfg.name = argv[i];
        } else {
            *err = CREATE_USAGE;
            return -1;
        }
    }
    if (exist_ok && domain_alive((unsigned)domid))
        return 0;
    if (domain_create((unsigned)domid, &cfg) < 0) {
        *err = ctl_errf("domain %lu: %s", domid, strerror(errno));
        return -1;
    }
    return 0;
}

static int cmd_destroy(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid;
    (void)out;
    if (argc != 2 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0) {
        *err = "usage: destroy DOMID";
        return -1;
    }
    if (domid == 0) {
        *err = "domain 0 cannot be destroyed (use stop)";
        return -1;
    }
    if (domain_destroy((unsigned)domid) < 0) {
        *err = ctl_errf("domain %lu: %s", domid, strerror(errno));
        return -1;
    }
    return 0;
}

static int cmd_track(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid, pid;
    (void)out;
    if (argc != 3 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0 ||
        ctl_parse_uint(argv[2], 0x7fffffff, &pid) < 0) {
        *err = "usage: track DOMID PID";
        return -1;
    }
    if (!domain_alive((unsigned)domid)) {
        *err = ctl_errf("domain %lu does not exist", domid);
        return -1;
    }
    domain_track_pid((unsigned)domid, (pid_t)pid);
    return 0;
}

static int cmd_domains(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    forget_dead();
    for (struct dom *d = doms; d; d = d->next) {
        fprintf(out, "%u %s", d->domid, d->name);
        for (struct proc *p = procs; p; p = p->next)
            if (p->domid == d->domid)
                fprintf(out, " %ld", (long)p->pid);
        fprintf(out, "\n");
    }
    return 0;
}

int domain_init(const char *dir)
{
    (void)dir;
    ctl_register("create",
                 "create DOMID [NAME] [--uuid UUID] [--type pv|pvh|hvm]: create a domain as "
                 "libxl does (a random UUID, type pv by default)",
                 cmd_create);
    ctl_register("destroy", "destroy DOMID: kill its processes, release it", cmd_destroy);
    ctl_register("track", "track DOMID PID: a process runs in domain DOMID", cmd_track);
    ctl_register("domains", "domains: one line per domain: DOMID NAME PID...", cmd_domains);
    return 0;
}
