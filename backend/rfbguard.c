/* The RFB front door (rfbguard.h says why and how). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <aml.h>
#include <gnutls/gnutls.h>

#include "rfbguard.h"

/* Failed logins, per listener: after AUTH_BURST failures within
 * AUTH_WINDOW seconds every login is refused for AUTH_LOCKOUT seconds,
 * right password or not. */
#define AUTH_BURST   3
#define AUTH_WINDOW  60
#define AUTH_LOCKOUT 30

#define RFB_VERSION        "RFB 003.008\n"
#define SEC_NONE           1
#define SEC_VENCRYPT       19
#define VENCRYPT_X509PLAIN 262
#define MAX_CREDENTIAL     255
#define THREAD_STACK       (1024 * 1024) /* GnuTLS handshakes, sanitizers */

struct rfbguard_tls {
    gnutls_certificate_credentials_t creds;
};

struct rfbguard {
    atomic_int refs;
    atomic_int conns;
    int fd;
    rfbguard_serve_fn serve;
    void *serve_data;
    struct aml_handler *h;
    struct aml_timer *resume; /* after running out of fds */
    int domid;
    struct rfbguard_tls *tls;
    char password[MAX_CREDENTIAL + 1];
    rfbguard_log_fn log;
    pthread_mutex_t lock; /* the rate limit and the log throttle */
    time_t fail_start, locked_until, full_logged;
    int fails;
};

struct rfbguard_conn {
    struct rfbguard *g;
    int fd;
    gnutls_session_t tls; /* NULL: plain */
    bool corked;          /* TLS records held back for more (the writer's) */
    char peer[80];
};

/* ---- the guard ---- */

static void glog(struct rfbguard *g, enum xfb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void glog(struct rfbguard *g, enum xfb_log_level level, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    g->log(g->domid, level, msg);
}

static void guard_unref(struct rfbguard *g)
{
    if (atomic_fetch_sub(&g->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&g->lock);
    memset(g->password, 0, sizeof(g->password));
    free(g);
}

struct rfbguard_tls *rfbguard_tls_load(const char *cert, const char *key)
{
    struct rfbguard_tls *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (gnutls_certificate_allocate_credentials(&t->creds) < 0) {
        free(t);
        errno = ENOMEM;
        return NULL;
    }
    if (gnutls_certificate_set_x509_key_file(t->creds, cert, key, GNUTLS_X509_FMT_PEM) < 0) {
        gnutls_certificate_free_credentials(t->creds);
        free(t);
        errno = EINVAL;
        return NULL;
    }
    return t;
}

void rfbguard_tls_free(struct rfbguard_tls *t)
{
    if (!t)
        return;
    gnutls_certificate_free_credentials(t->creds);
    free(t);
}

/* ---- bytes to and from the viewer ---- */

/* Some bytes, TLS or not; 0 at the end, -1 on error or timeout. */
static ssize_t viewer_recv(struct rfbguard_conn *c, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = c->tls ? gnutls_record_recv(c->tls, buf, n) : recv(c->fd, buf, n, 0);
        if (r >= 0)
            return r;
        if (c->tls ? r != GNUTLS_E_INTERRUPTED : errno != EINTR)
            return -1; /* a timeout is EAGAIN: as fatal as the rest */
    }
}

static int viewer_recv_all(struct rfbguard_conn *c, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = viewer_recv(c, (uint8_t *)buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* flags: MSG_MORE when more of the message follows at once */
static int fd_send(int fd, const void *buf, size_t n, int flags)
{
    for (size_t sent = 0; sent < n;) {
        ssize_t r = send(fd, (const uint8_t *)buf + sent, n - sent, MSG_NOSIGNAL | flags);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        sent += (size_t)r;
    }
    return 0;
}

static int viewer_send(struct rfbguard_conn *c, const void *buf, size_t n)
{
    if (!c->tls)
        return fd_send(c->fd, buf, n, 0);
    for (size_t sent = 0; sent < n;) {
        ssize_t r = gnutls_record_send(c->tls, (const uint8_t *)buf + sent, n - sent);
        if (r == GNUTLS_E_INTERRUPTED)
            continue;
        if (r <= 0)
            return -1;
        sent += (size_t)r;
    }
    return 0;
}

static void set_timeout(int fd, int secs)
{
    struct timeval tv = {.tv_sec = secs};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* RFB 3.8's way to end a handshake: a count or result word saying
 * failure (width bytes of it), then the reason. */
static void refuse(struct rfbguard_conn *c, size_t width, const char *reason)
{
    uint8_t b[4 + 4 + 64] = {0};
    size_t len = strlen(reason);
    if (width == 4)
        b[3] = 1;
    put_be32(b + width, (uint32_t)len);
    memcpy(b + width + 4, reason, len);
    viewer_send(c, b, width + 4 + len);
}

/* What a viewer sent as its version, printable in a log line. */
static void printable(const char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '.';
    out[n] = '\0';
}

/* ---- the handshake ---- */

/* The password as sent (plen bytes, NULs included) against ours; the
 * rate limit. */
static bool password_ok(struct rfbguard *g, const char *password, size_t plen, char *why,
                        size_t why_size)
{
    time_t now = time(NULL);
    bool ok = false;
    pthread_mutex_lock(&g->lock);
    if (now < g->locked_until) {
        snprintf(why, why_size, "refused: too many wrong passwords, locked for %ld s",
                 (long)(g->locked_until - now));
        goto out;
    }
    size_t a = plen, b = strlen(g->password);
    unsigned diff = a != b;
    for (size_t i = 0; i < a && i < b; i++)
        diff |= (unsigned char)(password[i] ^ g->password[i]);
    if (!diff) {
        g->fails = 0;
        ok = true;
        goto out;
    }
    snprintf(why, why_size, "wrong password, disconnected");
    if (now - g->fail_start > AUTH_WINDOW) {
        g->fail_start = now;
        g->fails = 0;
    }
    if (++g->fails >= AUTH_BURST) {
        g->locked_until = now + AUTH_LOCKOUT;
        snprintf(why, why_size,
                 "wrong password, disconnected; %d wrong passwords: refusing every login for %d s",
                 g->fails, AUTH_LOCKOUT);
        g->fails = 0;
    }
out:
    pthread_mutex_unlock(&g->lock);
    return ok;
}

static int plain_auth(struct rfbguard_conn *c)
{
    uint8_t h[8];
    if (viewer_recv_all(c, h, sizeof(h)) < 0)
        return -1;
    uint32_t ulen = be32(h), plen = be32(h + 4);
    if (ulen > MAX_CREDENTIAL || plen > MAX_CREDENTIAL) {
        refuse(c, 4, "Username or password too long");
        glog(c->g, XFB_LOG_WARNING,
             "VNC viewer from %s: a username or password of over %d bytes: refused", c->peer,
             MAX_CREDENTIAL);
        return -1;
    }
    char user[MAX_CREDENTIAL + 1] = "", pass[MAX_CREDENTIAL + 1] = "";
    if (viewer_recv_all(c, user, ulen) < 0 || viewer_recv_all(c, pass, plen) < 0)
        return -1;
    user[ulen] = pass[plen] = '\0';
    char why[120];
    bool ok = password_ok(c->g, pass, plen, why, sizeof(why));
    memset(pass, 0, sizeof(pass));
    char shown[33];
    printable(user, ulen < 32 ? ulen : 32, shown);
    if (!ok) {
        refuse(c, 4, "Invalid username or password");
        glog(c->g, XFB_LOG_WARNING, "VNC login as '%s' from %s: %s", shown, c->peer, why);
        return -1;
    }
    uint8_t okw[4] = {0};
    return viewer_send(c, okw, sizeof(okw));
}

static int start_tls(struct rfbguard_conn *c)
{
    if (gnutls_init(&c->tls, GNUTLS_SERVER) < 0) {
        c->tls = NULL;
        return -1;
    }
    gnutls_set_default_priority(c->tls);
    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, c->g->tls->creds);
    gnutls_transport_set_int(c->tls, c->fd);
    gnutls_handshake_set_timeout(c->tls, RFBGUARD_HANDSHAKE_SECS * 1000);
    int r;
    do
        r = gnutls_handshake(c->tls);
    while (r == GNUTLS_E_INTERRUPTED);
    if (r < 0) {
        glog(c->g, XFB_LOG_WARNING, "VNC viewer from %s: TLS handshake failed: %s", c->peer,
             gnutls_strerror(r));
        return -1;
    }
    return 0;
}

/* VeNCrypt 0.2 with the one subtype offered, X509Plain. */
static int vencrypt(struct rfbguard_conn *c)
{
    uint8_t b[6] = {0, 2};
    if (viewer_send(c, b, 2) < 0 || viewer_recv_all(c, b, 2) < 0)
        return -1;
    if (b[0] != 0 || b[1] != 2) {
        glog(c->g, XFB_LOG_WARNING, "VNC viewer from %s: VeNCrypt %u.%u, not 0.2: refused", c->peer,
             b[0], b[1]);
        b[0] = 0xff;
        viewer_send(c, b, 1);
        return -1;
    }
    b[0] = 0; /* version accepted */
    b[1] = 1; /* one subtype */
    put_be32(b + 2, VENCRYPT_X509PLAIN);
    if (viewer_send(c, b, 1) < 0 || viewer_send(c, b + 1, 5) < 0 || viewer_recv_all(c, b, 4) < 0)
        return -1;
    uint32_t sub = be32(b);
    b[0] = sub == VENCRYPT_X509PLAIN;
    if (viewer_send(c, b, 1) < 0)
        return -1;
    if (sub != VENCRYPT_X509PLAIN) {
        glog(c->g, XFB_LOG_WARNING,
             "VNC viewer from %s: VeNCrypt subtype %u, not X509Plain: refused", c->peer, sub);
        return -1;
    }
    return start_tls(c) < 0 ? -1 : plain_auth(c);
}

/* The server's side of the handshake with the viewer, up to its
 * ClientInit (*shared). */
static int greet(struct rfbguard_conn *c, uint8_t *shared)
{
    char v[12], shown[13];
    if (viewer_send(c, RFB_VERSION, 12) < 0)
        return -1;
    if (viewer_recv_all(c, v, sizeof(v)) < 0) {
        glog(c->g, XFB_LOG_INFO,
             "VNC viewer from %s hung up (or said nothing for %d s) before the handshake", c->peer,
             RFBGUARD_HANDSHAKE_SECS);
        return -1;
    }
    if (memcmp(v, RFB_VERSION, 12) != 0) {
        refuse(c, 1, "Unsupported version");
        printable(v, 11, shown);
        glog(c->g, XFB_LOG_WARNING, "VNC viewer from %s: version '%s', not RFB 003.008: refused",
             c->peer, shown);
        return -1;
    }
    uint8_t types[2] = {1, c->g->tls ? SEC_VENCRYPT : SEC_NONE}, t;
    if (viewer_send(c, types, sizeof(types)) < 0 || viewer_recv_all(c, &t, 1) < 0)
        return -1;
    if (t != types[1]) {
        refuse(c, 4, "Unsupported security type");
        glog(c->g, XFB_LOG_WARNING,
             "VNC viewer from %s: security type %u, not the %s offered: refused", c->peer, t,
             c->g->tls ? "VeNCrypt" : "None");
        return -1;
    }
    if (c->g->tls) {
        if (vencrypt(c) < 0)
            return -1;
    } else {
        uint8_t okw[4] = {0};
        if (viewer_send(c, okw, sizeof(okw)) < 0)
            return -1;
    }
    return viewer_recv_all(c, shared, 1);
}

/* ---- connections ---- */

static void describe_peer(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "?";
    snprintf(out, size, "an unknown address");
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
        snprintf(out, size, "%s:%u", host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
        snprintf(out, size, "[%s]:%u", host, ntohs(a->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        struct ucred cr;
        socklen_t cl = sizeof(cr);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
            snprintf(out, size, "a local process (pid %d, uid %u)", (int)cr.pid, (unsigned)cr.uid);
    }
}

static void conn_free(struct rfbguard_conn *c)
{
    if (c->tls)
        gnutls_deinit(c->tls);
    close(c->fd);
    atomic_fetch_sub(&c->g->conns, 1);
    guard_unref(c->g);
    free(c);
}

static void *conn_main(void *arg)
{
    struct rfbguard_conn *c = arg;
    uint8_t shared;
    set_timeout(c->fd, RFBGUARD_HANDSHAKE_SECS);
    if (greet(c, &shared) == 0) {
        set_timeout(c->fd, 0);
        /* every viewer shares the screen: the flag changes nothing */
        glog(c->g, XFB_LOG_INFO, "VNC viewer connected from %s", c->peer);
        c->g->serve(c->g->serve_data, c, c->peer);
    }
    conn_free(c);
    return NULL;
}

/* At most one such line every 10 s: a flood of connections is one line. */
static bool throttled(struct rfbguard *g)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&g->lock);
    bool quiet = now - g->full_logged < 10;
    if (!quiet)
        g->full_logged = now;
    pthread_mutex_unlock(&g->lock);
    return quiet;
}

static void take(struct rfbguard *g, int fd)
{
    struct rfbguard_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->g = g;
    c->fd = fd;
    describe_peer(fd, c->peer, sizeof(c->peer));
    if (atomic_load(&g->conns) >= RFBGUARD_MAX_CONNS) {
        if (!throttled(g))
            glog(g, XFB_LOG_WARNING,
                 "%d VNC connections already: refused the one from %s (and any more for 10 s "
                 "unlogged)",
                 RFBGUARD_MAX_CONNS, c->peer);
        close(fd);
        free(c);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    atomic_fetch_add(&g->conns, 1);
    atomic_fetch_add(&g->refs, 1);
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, THREAD_STACK);
    int e = pthread_create(&t, &a, conn_main, c);
    pthread_attr_destroy(&a);
    if (e) {
        glog(g, XFB_LOG_ERROR, "VNC viewer from %s: no thread for it: %s", c->peer, strerror(e));
        conn_free(c);
    }
}

static void on_resume(void *obj)
{
    struct rfbguard *g = aml_get_userdata(obj);
    aml_start(aml_get_default(), g->h);
}

static void on_listen(void *obj)
{
    struct rfbguard *g = aml_get_userdata(obj);
    for (;;) {
        int fd = accept4(g->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            take(g, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* the pending connection stays: listen again in a second
             * rather than being woken for it at once, over and over */
            if (!throttled(g))
                glog(g, XFB_LOG_ERROR, "cannot accept VNC connections: %s", strerror(errno));
            aml_stop(aml_get_default(), g->h);
            aml_start(aml_get_default(), g->resume);
        }
        return;
    }
}

struct rfbguard *rfbguard_new(int fd, const struct rfbguard_opts *o)
{
    struct rfbguard *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    atomic_init(&g->refs, 1);
    atomic_init(&g->conns, 0);
    g->fd = fd;
    g->domid = o->domid;
    g->tls = o->tls;
    g->log = o->log;
    g->serve = o->serve;
    g->serve_data = o->serve_data;
    snprintf(g->password, sizeof(g->password), "%s", o->password ? o->password : "");
    pthread_mutex_init(&g->lock, NULL);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    g->h = aml_handler_new(fd, on_listen, g, NULL);
    g->resume = aml_timer_new(1000, on_resume, g, NULL);
    if (!g->h || !g->resume || aml_start(aml_get_default(), g->h) < 0) {
        if (g->h) {
            aml_stop(aml_get_default(), g->h);
            aml_unref(g->h);
        }
        if (g->resume)
            aml_unref(g->resume);
        close(fd);
        guard_unref(g);
        errno = ENOMEM;
        return NULL;
    }
    return g;
}

void rfbguard_close(struct rfbguard *g)
{
    aml_stop(aml_get_default(), g->h);
    aml_stop(aml_get_default(), g->resume);
    aml_unref(g->h);
    aml_unref(g->resume);
    close(g->fd);
    guard_unref(g);
}

/* ---- a connection after the handshake ---- */

ssize_t rfbguard_recv(struct rfbguard_conn *c, void *buf, size_t n)
{
    return viewer_recv(c, buf, n);
}

int rfbguard_send(struct rfbguard_conn *c, const void *buf, size_t n, bool more)
{
    if (!c->tls)
        return fd_send(c->fd, buf, n, more ? MSG_MORE : 0);
    if (more && !c->corked) {
        gnutls_record_cork(c->tls); /* one record for many small pieces */
        c->corked = true;
    }
    if (viewer_send(c, buf, n) < 0)
        return -1;
    if (!more && c->corked) {
        c->corked = false;
        int r;
        do
            r = gnutls_record_uncork(c->tls, GNUTLS_RECORD_WAIT);
        while (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN);
        return r < 0 ? -1 : 0;
    }
    return 0;
}

void rfbguard_hang_up(struct rfbguard_conn *c)
{
    shutdown(c->fd, SHUT_RDWR);
}

void rfbguard_log(struct rfbguard_conn *c, enum xfb_log_level level, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->g->log(c->g->domid, level, msg);
}
