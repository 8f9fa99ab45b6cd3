/* The domain table and the process bookkeeping behind "destroy" and
 * "stop". Processes are remembered per domain so that destroying a domain
 * kills what runs "inside" it, as tearing down a real guest would. */
#include "domain.h"

#include "ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct proc {
    unsigned domid;
    pid_t pid;
    struct proc *next;
};

struct dom {
    unsigned domid;
    char name[64];
    struct dom *next;
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

int domain_create(unsigned domid, const char *name)
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
    if (name)
        snprintf(d->name, sizeof(d->name), "%s", name);
    else if (domid == 0)
        snprintf(d->name, sizeof(d->name), "Domain-0");
    else
        snprintf(d->name, sizeof(d->name), "guest%u", domid);
    d->next = doms;
    doms = d;
    if (xs_domain_created(domid, d->name) < 0) {
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
    free(d);
    /* processes first: on Xen a dying domain runs nothing, and their
     * sockets closing is what releases their grants and ports */
    kill_domain_procs(domid, SIGKILL);
    hv_domain_destroyed(domid);
    xs_domain_destroyed(domid);
    return 0;
}

static int cmd_create(int argc, char **argv, FILE *out, const char **err)
{
    unsigned long domid;
    (void)out;
    if (argc < 2 || argc > 3 || ctl_parse_uint(argv[1], XSIM_MAX_DOMID, &domid) < 0) {
        *err = "usage: create DOMID [NAME]";
        return -1;
    }
    if (domain_create((unsigned)domid, argc == 3 ? argv[2] : NULL) < 0) {
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
    ctl_register("create", "create DOMID [NAME]: create a domain", cmd_create);
    ctl_register("destroy", "destroy DOMID: kill its processes, release it", cmd_destroy);
    ctl_register("track", "track DOMID PID: a process runs in domain DOMID", cmd_track);
    ctl_register("domains", "domains: one line per domain: DOMID NAME PID...", cmd_domains);
    return 0;
}
