/* The RFB front door: xenfb-backend's own listener in front of each
 * guest's neatvnc server.
 *
 * neatvnc 0.5.4 can be made to use a client it has freed by bytes any
 * network client may send, before any authentication (rfbfilter.h). So
 * no byte of a viewer reaches it unchecked: the guard accepts the
 * connection, speaks the handshake itself (RFB 3.8; security None, or
 * VeNCrypt X509Plain: TLS, then the password, with the rate limit), and
 * only then connects the viewer to neatvnc's private Unix socket as a
 * local client with security None, passing on whole, valid messages
 * (rfbfilter) one way and neatvnc's bytes unchanged the other (spliced
 * through a pipe without TLS, encrypted here with it).
 *
 * neatvnc 0.5.4 has no ExtendedDesktopSize: the guard gives it. To a
 * viewer that asks for it, it sends the size (rfbproto 7.8.2) between
 * two of neatvnc's messages (rfbout finds where they end), answers its
 * SetDesktopSize with the status (invalid layout, prohibited while the
 * guest takes no requests, else accepted and handed to the loop, which
 * asks the guest); the new size then reaches every viewer as neatvnc's
 * DesktopSize.
 *
 * Each connection has a thread of its own (two while relaying) doing
 * blocking I/O: nothing wakes while nobody talks, and a slow viewer
 * blocks nobody else. The handshake must be over within
 * RFBGUARD_HANDSHAKE_SECS. Every thread only touches its connection and
 * the guard's own state (reference-counted, the rate limit under a lock):
 * the guard outlives its listener until the last connection ends.
 */
#ifndef XFB_RFBGUARD_H
#define XFB_RFBGUARD_H

#include <stdbool.h>

#include "core/back.h"

#define RFBGUARD_HANDSHAKE_SECS 30
#define RFBGUARD_MAX_CONNS      64 /* per listener, handshaking or relaying */

struct rfbguard;
struct rfbguard_tls;

/* The certificate and key files (PEM) for VeNCrypt; NULL + errno. */
struct rfbguard_tls *rfbguard_tls_load(const char *cert, const char *key);
void rfbguard_tls_free(struct rfbguard_tls *t);

/* A viewer asked for this size (SetDesktopSize), in the loop's thread. */
typedef void (*rfbguard_resize_fn)(void *data, unsigned w, unsigned h);

/* One line of the log, from any thread. */
typedef void (*rfbguard_log_fn)(int domid, enum xfb_log_level level, const char *msg);

struct rfbguard_opts {
    int domid;                /* named in log lines */
    const char *inner;        /* neatvnc's Unix socket */
    struct rfbguard_tls *tls; /* NULL: security None; else VeNCrypt + password */
    const char *password;     /* with tls */
    rfbguard_log_fn log;
    rfbguard_resize_fn resize; /* NULL: requests are refused */
    void *resize_data;
};

/* Serve the listening socket fd (the guard takes it) from the default
 * aml loop. NULL + errno. */
struct rfbguard *rfbguard_new(int fd, const struct rfbguard_opts *o);

/* Viewers' update requests are clipped to w x h from now on: what
 * every framebuffer neatvnc may encode from holds (rfbfilter.h). Any
 * thread; before the first call requests cover nothing. */
void rfbguard_set_bound(struct rfbguard *g, unsigned w, unsigned h);

/* Whether the guest takes size requests now: a viewer's SetDesktopSize
 * is answered "prohibited" (status 1) while it does not. Any thread. */
void rfbguard_set_resizable(struct rfbguard *g, bool yes);

/* Stop listening (the loop's thread). Connections already made run on
 * until either side closes: neatvnc closing the guest's server ends them. */
void rfbguard_close(struct rfbguard *g);

#endif
