/* The RFB front door: xenfb-backend's own listener for each guest's
 * VNC viewers, in front of its RFB server (rfbserver.h).
 *
 * The guard accepts the connection, speaks the handshake (RFB 3.8;
 * security None, or VeNCrypt X509Plain: TLS, then the password, with
 * the rate limit), and only then hands the connection to the server,
 * which reads and writes it through rfbguard_recv/rfbguard_send (TLS or
 * not).
 *
 * Each connection has a thread of its own doing blocking I/O: nothing
 * wakes while nobody talks, and a slow viewer blocks nobody else. The
 * handshake must be over within RFBGUARD_HANDSHAKE_SECS. Every thread
 * only touches its connection and the guard's own state (reference-
 * counted, the rate limit under a lock): the guard outlives its
 * listener until the last connection ends.
 */
#ifndef XFB_RFBGUARD_H
#define XFB_RFBGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/back.h"

#define RFBGUARD_HANDSHAKE_SECS 30
#define RFBGUARD_MAX_CONNS      64 /* per listener, handshaking or relaying */

struct rfbguard;
struct rfbguard_tls;

/* The certificate and key files (PEM) for VeNCrypt; NULL + errno. */
struct rfbguard_tls *rfbguard_tls_load(const char *cert, const char *key);
void rfbguard_tls_free(struct rfbguard_tls *t);

struct rfbguard_conn;

/* One line of the log, from any thread. */
typedef void (*rfbguard_log_fn)(int domid, enum xfb_log_level level, const char *msg);

/* A viewer through the handshake, in its connection's thread: serve it
 * until it leaves (the connection is closed after the return). */
typedef void (*rfbguard_serve_fn)(void *data, struct rfbguard_conn *c, const char *peer);

struct rfbguard_opts {
    int domid;                /* named in log lines */
    struct rfbguard_tls *tls; /* NULL: security None; else VeNCrypt + password */
    const char *password;     /* with tls */
    rfbguard_log_fn log;
    rfbguard_serve_fn serve;
    void *serve_data;
};

/* Serve the listening socket fd (the guard takes it) from the default
 * aml loop. NULL + errno. */
struct rfbguard *rfbguard_new(int fd, const struct rfbguard_opts *o);

/* Stop listening (the loop's thread). Connections already made run on
 * until their server ends them. */
void rfbguard_close(struct rfbguard *g);

/* Some bytes from the viewer: 0 when it hung up, -1 on error. */
ssize_t rfbguard_recv(struct rfbguard_conn *c, void *buf, size_t n);

/* All of buf to the viewer, 0 or -1; more: another piece of the same
 * message follows at once (held back to go out with it). One thread
 * sends, another may receive at the same time. */
int rfbguard_send(struct rfbguard_conn *c, const void *buf, size_t n, bool more);

/* End the connection both ways: blocked reads and writes return. */
void rfbguard_hang_up(struct rfbguard_conn *c);

void rfbguard_log(struct rfbguard_conn *c, enum xfb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
