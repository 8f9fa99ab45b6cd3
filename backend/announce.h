/* Where a guest's VNC server listens, told to dom0's tools in xenstore.
 *
 * Always in the guest's vfb backend directories (ours):
 *   /local/domain/B/backend/xenfb/D/N/vnc-listen, vnc-port
 *   /local/domain/B/backend/vfb-xenfb/D/N/vnc-listen, vnc-port (the kernel's)
 * and, for `xl vncviewer`, in libxl's place for it:
 *   /local/domain/D/console/vnc-listen, vnc-port
 * but only where nobody else's are: libxl writes there the VNC address
 * of the domain's QEMU (an HVM guest's, or a PV guest's vfb with
 * vnc=1), and `xl vncviewer` then shows QEMU's display. So the daemon
 * never writes console/ of an HVM guest, writes it for PV and PVH guests
 * only while both nodes are absent, and removes only what is still its
 * own. Every write under /local/domain/D is in a transaction that finds
 * the domain's home there: nothing is written for a domain that is gone.
 */
#ifndef XFB_ANNOUNCE_H
#define XFB_ANNOUNCE_H

#include <aml.h>

#include "core/back.h"

struct announce;

/* log: one line about a domain */
struct announce *announce_new(struct aml *aml, int backend_domid,
                              void (*log)(void *data, enum xfb_log_level level, int domid,
                                          const char *msg),
                              void *log_data);

/* Guest domid listens for VNC on listen:port (port 0: listen is a Unix
 * socket's path), recorded in each of its vfbs' backend directories
 * (xenfb's and its kernel's, those there are); listen NULL: it no longer
 * does. Written from the loop, soon after. */
void announce_set(struct announce *a, int domid, const char *listen, int port);
/* A vfb of the guest was found after the address was told: record it
 * there too. */
void announce_again(struct announce *a, int domid);

/* Take back what is still announced (a few tries each: the loop is
 * over), and free everything. */
void announce_free(struct announce *a);

#endif
