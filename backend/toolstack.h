/* The daemon as the toolstack of its devices. libxl rebuilds a domain
 * from its own configuration on reboot, restore and migration, and knows
 * nothing of xenfb's device types: so the daemon makes the devices of
 * every domain its configuration names (guestconf.h) as soon as the
 * domain appears (@introduceDomain), and removes the backend directories
 * of a domain that is gone (@releaseDomain; libxl removes the domain's
 * home itself). At start it does the same for every running domain and
 * removes the backend directories that outlived theirs.
 *
 * Which devices are whose: the backend directory's created-by (see
 * devnodes.h). A domain no longer named loses only the devices the daemon
 * made; one made by hand (attach) stays until its domain is gone.
 *
 * Every xenstore change is one transaction of devnodes.c; one that
 * conflicts is tried again from a timer, with a growing pause, so the
 * loop never spins and never waits. Nothing runs when nothing changes.
 */
#ifndef XFB_TOOLSTACK_H
#define XFB_TOOLSTACK_H

#include <aml.h>

#include "core/back.h"
#include "guestconf.h"

struct toolstack;

struct toolstack_opts {
    int backend_domid; /* our own domain: 0 in dom0 */
    int only_domid;    /* > 0: look after this domain only (serve --domid) */
    /* one line about a domain (-1: about none) */
    void (*log)(void *data, enum xfb_log_level level, int domid, const char *msg);
    void *log_data;
};

/* Open our own xenstore connection, watch the domains come and go. The
 * configuration is taken over (*cfg is left empty). What is running is
 * looked at from the loop, soon after. NULL + errno. */
struct toolstack *toolstack_new(struct aml *aml, const struct toolstack_opts *o,
                                struct guest_config *cfg);

/* A new configuration (SIGHUP), taken over: every running domain gets
 * or loses its devices according to it. */
void toolstack_reconfigure(struct toolstack *ts, struct guest_config *cfg);

/* Stop; the devices stay, for the next daemon to serve. */
void toolstack_free(struct toolstack *ts);

#endif
