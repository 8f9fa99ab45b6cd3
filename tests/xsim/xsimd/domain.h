/* Domains of the simulated machine. Domain 0 always exists. A domain is
 * created by "create N [NAME] [--uuid U] [--type pv|pvh|hvm]" (or
 * implicitly by `xsim run --domid N`) and destroyed by "destroy N". The
 * modules are told through the hooks below. */
#ifndef XSIMD_DOMAIN_H
#define XSIMD_DOMAIN_H

#include <stdbool.h>
#include <sys/types.h>

#define XSIM_MAX_DOMID  0x7fef /* DOMID_FIRST_RESERVED - 1 */
#define DOMAIN_UUID_LEN 36     /* 8-4-4-4-12 hexadecimal digits */

/* libxl's domain types; a type changes what the guest kernel does (a PV
 * kernel's gntdev mappings are not inherited by a forked child). */
enum domain_type { DOMAIN_PV, DOMAIN_PVH, DOMAIN_HVM };

/* What the toolstack knows of a domain when it creates it. */
struct domain_config {
    const char *name;               /* NULL: "guestN" */
    char uuid[DOMAIN_UUID_LEN + 1]; /* "": a random one */
    enum domain_type type;
};

/* true while the domain exists and has not been destroyed. */
bool domain_alive(unsigned domid);

/* Remember a process as running in domain domid: "destroy" SIGKILLs it
 * and "stop" SIGTERMs it. Called for every peer seen on a socket
 * (SO_PEERCRED) and by "track". */
void domain_track_pid(unsigned domid, pid_t pid);

/* Create domain domid; 0, or -1 + errno (EEXIST). */
int domain_create(unsigned domid, const struct domain_config *cfg);
/* The type of a living domain (DOMAIN_PV for one that does not exist). */
enum domain_type domain_type(unsigned domid);
/* "pv", "pvh", "hvm": libxl's names. */
static inline const char *domain_type_name(enum domain_type type)
{
    return type == DOMAIN_HVM ? "hvm" : type == DOMAIN_PVH ? "pvh" : "pv";
}

int domain_init(const char *dir);
/* Kill every tracked process; called on "stop". */
void domain_kill_all(void);

/* ---- hooks implemented by the modules ---- */

/* xenstore: domain created: write what libxl__domain_make writes
 * (/local/domain/N with its directories and permissions, /vm/UUID,
 * /libxl/N), listen on xs-domN.sock, fire @introduceDomain. cfg->uuid is
 * set. 0 or -1 + errno. */
int xs_domain_created(unsigned domid, const struct domain_config *cfg);
/* xenstore: domain destroyed: close its connections, drop its watches,
 * remove /local/domain/N, /vm/UUID and /libxl/N, fire @releaseDomain. */
void xs_domain_destroyed(unsigned domid, const char *uuid);

/* hypervisor and guest kernel: domain created: its sysfs, its kernel's
 * xen_gntalloc loaded, its xenbus. 0 or -1 + errno. */
int hv_domain_created(unsigned domid);
/* hypervisor: domain destroyed: close its event channels (remote ends
 * become unbound), refuse new maps of its grants, keep existing maps;
 * its kernel and sysfs are gone. */
void hv_domain_destroyed(unsigned domid);
/* Stopping: remove what xsimd keeps on disk beside the sockets. */
void hv_fini(void);

/* Module start-up, given the state directory; 0 or -1 + errno. */
int xs_init(const char *dir);
/* Which xenstored decides transaction commits: "xenstored" (C, the
 * default) or "oxenstored"; -1 for another name. */
int xs_set_rule(const char *name);
int hv_init(const char *dir);

#endif
