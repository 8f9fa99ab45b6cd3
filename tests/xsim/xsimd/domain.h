/* Domains of the simulated machine. Domain 0 always exists. A domain is
 * created by "create N [NAME]" (or implicitly by `xsim run --domid N`) and
 * destroyed by "destroy N". The modules are told through the hooks below. */
#ifndef XSIMD_DOMAIN_H
#define XSIMD_DOMAIN_H

#include <stdbool.h>
#include <sys/types.h>

#define XSIM_MAX_DOMID 0x7fef /* DOMID_FIRST_RESERVED - 1 */

/* true while the domain exists and has not been destroyed. */
bool domain_alive(unsigned domid);

/* Remember a process as running in domain domid: "destroy" SIGKILLs it
 * and "stop" SIGTERMs it. Called for every peer seen on a socket
 * (SO_PEERCRED) and by "track". */
void domain_track_pid(unsigned domid, pid_t pid);

/* Create domain domid; 0, or -1 + errno (EEXIST). */
int domain_create(unsigned domid, const char *name);

int domain_init(const char *dir);
/* Kill every tracked process; called on "stop". */
void domain_kill_all(void);

/* ---- hooks implemented by the modules ---- */

/* xenstore: domain created: write /local/domain/N (name, domid, and the
 * directories a toolstack makes), listen on xs-domN.sock, fire
 * @introduceDomain. 0 or -1 + errno. */
int xs_domain_created(unsigned domid, const char *name);
/* xenstore: domain destroyed: close its connections, drop its watches,
 * remove /local/domain/N, fire @releaseDomain. */
void xs_domain_destroyed(unsigned domid);

/* hypervisor: domain destroyed: close its event channels (remote ends
 * become unbound), refuse new maps of its grants, keep existing maps. */
void hv_domain_destroyed(unsigned domid);

/* Module start-up, given the state directory; 0 or -1 + errno. */
int xs_init(const char *dir);
int hv_init(const char *dir);

#endif
