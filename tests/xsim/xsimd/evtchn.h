/* Event channels of the simulated hypervisor, and the per-open-file state
 * of /dev/xen/evtchn (what Linux's evtchn driver keeps per user).
 *
 * Each domain has its own port table; a port is unbound (waiting for one
 * named remote domain) or interdomain (linked to a remote domain's port).
 * A port is owned by the evtchn file that bound it. A delivered port stays
 * masked until the program writes it back; notifications in between
 * collapse into one, delivered on unmask.
 *
 * Functions returning int give 0 (or a port) on success, -errno on failure:
 * the value the ioctl fails with on Linux. */
#ifndef XSIMD_EVTCHN_H
#define XSIMD_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EV_MAX_PORTS 4096 /* the 2-level ABI of a 64-bit guest */

struct ev_user;
struct ev_port;

/* A new evtchn file of domain domid; ports are written to fd (xsimd's end
 * of the device socket, non-blocking, watched by the caller). */
struct ev_user *ev_user_new(unsigned domid, int fd);
/* The file is released: every port it bound is closed. Frees u. */
void ev_user_release(struct ev_user *u);
/* fd is readable: take the ports the program wrote back (unmask).
 * 0, or -1 when the program closed its end. */
int ev_user_input(struct ev_user *u);
/* fd is writable again: write the ports still queued. */
void ev_user_output(struct ev_user *u);

int ev_bind_virq(struct ev_user *u, uint32_t virq);
int ev_bind_interdomain(struct ev_user *u, uint32_t remote_dom, uint32_t remote_port);
int ev_bind_unbound(struct ev_user *u, uint32_t remote_dom);
int ev_unbind(struct ev_user *u, uint32_t port);
int ev_notify(struct ev_user *u, uint32_t port);
int ev_reset(struct ev_user *u);
int ev_restrict(struct ev_user *u, uint32_t domid);

/* A reference that keeps a port bound for an unmap notification, as the
 * kernel's evtchn_get() does: NULL when domid has no such port bound by a
 * program. ev_port_put() sends the event first when `send` is true (and
 * the port is still open), then drops the reference. */
struct ev_port *ev_port_get(unsigned domid, uint32_t port);
void ev_port_put(struct ev_port *p, bool send);

/* Domain destroyed: close all its ports; remote ends become unbound. */
void ev_domain_destroyed(unsigned domid);

/* One line per open port: domain, port, state, masked, pending. */
void ev_dump(FILE *out);
/* Faults on the port `port` of domain domid: drop the next n events
 * arriving there, or deliver each after ms milliseconds (0: at once). */
int ev_fault_drop(unsigned domid, uint32_t port, uint32_t n);
int ev_fault_delay(unsigned domid, uint32_t port, uint32_t ms);

#endif
