/* The process connection: made on first use, close-on-exec, and remade for
 * a child at fork. When the process has grant pages mapped, the fork
 * handler connects for the child *before* fork and has xsimd copy the
 * mappings to that connection, so that the pages stay held without a gap
 * even if the parent unmaps them straight away. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Programs rarely reach this high; keeps the connection clear of code
 * that closes or dup2()s over low descriptors. */
#define CONN_FD_MIN 900

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int conn_fd = -1;
static pid_t conn_pid;
static uint32_t conn_id;
static dev_t conn_dev;
static ino_t conn_ino;
static int fork_fd = -1; /* made in the prepare handler for the child */
static uint32_t fork_id;

void shim_lock(void)
{
    pthread_mutex_lock(&lock);
}

void shim_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

static int send_all(int fd, const struct shim_call *c)
{
    struct iovec part[3] = {
        {.iov_base = (void *)&c->req, .iov_len = sizeof(c->req)},
        {.iov_base = (void *)c->data, .iov_len = c->len},
        {.iov_base = (void *)c->data2, .iov_len = c->len2},
    };
    size_t total = sizeof(c->req) + c->len + c->len2;
    if (total > HV_MSG_MAX) {
        errno = E2BIG;
        return -1;
    }
    int pi = 0;
    size_t poff = 0, sent = 0;
    do {
        struct hv_frame hdr = {0};
        struct iovec iov[5] = {{.iov_base = &hdr, .iov_len = sizeof(hdr)}};
        int n = 1;
        size_t room = HV_FRAME_MAX - sizeof(hdr), chunk = 0;
        while (room && pi < 3) {
            size_t take = part[pi].iov_len - poff;
            if (take > room)
                take = room;
            if (take) {
                iov[n].iov_base = (char *)part[pi].iov_base + poff;
                iov[n++].iov_len = take;
            }
            room -= take;
            chunk += take;
            poff += take;
            if (poff == part[pi].iov_len) {
                pi++;
                poff = 0;
            }
        }
        sent += chunk;
        hdr.flags = sent < total ? HV_FRAME_MORE : 0;
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t r;
        do {
            r = sendmsg(fd, &mh, MSG_NOSIGNAL);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            return -1;
    } while (sent < total);
    return 0;
}

static int keep_fd(struct shim_call *c, int fd)
{
    int *fds = realloc(c->fds, (c->nfds + 1) * sizeof(*fds));
    if (!fds) {
        close(fd);
        return -1;
    }
    c->fds = fds;
    c->fds[c->nfds++] = fd;
    return 0;
}

static int recv_all(int fd, struct shim_call *c)
{
    static uint8_t frame[HV_FRAME_MAX]; /* under the lock */
    uint8_t *msg = NULL;
    size_t len = 0;
    struct hv_frame hdr;
    do {
        union {
            char buf[CMSG_SPACE(sizeof(int) * HV_FRAME_FDS)];
            struct cmsghdr align;
        } cmsg;
        struct iovec iov = {.iov_base = frame, .iov_len = sizeof(frame)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = cmsg.buf,
                            .msg_controllen = sizeof(cmsg)};
        ssize_t n;
        do {
            n = recvmsg(fd, &mh, c->cloexec ? MSG_CMSG_CLOEXEC : 0);
        } while (n < 0 && errno == EINTR);
        if (n > 0) {
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                    continue;
                size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < nfds; i++) {
                    int got;
                    memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(got));
                    keep_fd(c, got);
                }
            }
        }
        if (n < (ssize_t)sizeof(hdr) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
            free(msg);
            return -1;
        }
        memcpy(&hdr, frame, sizeof(hdr));
        size_t chunk = (size_t)n - sizeof(hdr);
        uint8_t *m = realloc(msg, len + chunk + 1);
        if (!m) {
            free(msg);
            return -1;
        }
        msg = m;
        memcpy(msg + len, frame + sizeof(hdr), chunk);
        len += chunk;
    } while (hdr.flags & HV_FRAME_MORE);
    if (len < sizeof(c->rep)) {
        free(msg);
        return -1;
    }
    memcpy(&c->rep, msg, sizeof(c->rep));
    c->outlen = len - sizeof(c->rep);
    memmove(msg, msg + sizeof(c->rep), c->outlen);
    c->out = msg;
    return 0;
}

static int call_on(int fd, struct shim_call *c)
{
    c->out = NULL;
    c->outlen = 0;
    c->fds = NULL;
    c->nfds = 0;
    if (send_all(fd, c) < 0 || recv_all(fd, c) < 0) {
        shim_call_done(c);
        errno = EIO;
        return -1;
    }
    return 0;
}

/* A new connection that has said HELLO; clone_of names the parent's. */
static int conn_open(uint32_t clone_of, uint32_t *id)
{
    const char *dir;
    unsigned domid;
    if (!shim_env(&dir, &domid)) {
        errno = ENOENT;
        return -1;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, HV_SOCKET_NAME) >=
        sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        errno = e == ECONNREFUSED ? ENOENT : e;
        return -1;
    }
    int high = fcntl(fd, F_DUPFD_CLOEXEC, CONN_FD_MIN);
    if (high >= 0) {
        close(fd);
        fd = high;
    }
    struct shim_call c = {
        .req = {.op = HV_OP_HELLO,
                .arg = {HV_PROTO_MAGIC | (uint64_t)HV_PROTO_VERSION << 32, domid, clone_of}}};
    if (call_on(fd, &c) < 0) {
        close(fd);
        return -1;
    }
    int err = c.rep.err;
    *id = (uint32_t)c.rep.val[0];
    shim_call_done(&c);
    if (err) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* Forget the connection. What xsimd held for it (our mappings) is gone
 * with it, or was never ours, so the table of mappings goes too. */
static void conn_drop(bool close_it)
{
    if (conn_fd >= 0 && close_it)
        close(conn_fd);
    conn_fd = -1;
    shim_map_clear();
}

/* conn_fd still is our socket (a program may have closed it) */
static bool conn_intact(void)
{
    struct stat st;
    return conn_fd >= 0 && fstat(conn_fd, &st) == 0 && st.st_dev == conn_dev &&
           st.st_ino == conn_ino;
}

/* The connection of this process, made if needed; -1 + errno. */
static int conn_get(void)
{
    if (conn_pid == getpid() && conn_intact())
        return conn_fd;
    /* none yet; or it was closed behind our back (the descriptor may be
     * someone else's now); or we are a child no fork handler saw, sharing
     * the parent's (vfork-like): start afresh, closing nothing */
    if (conn_fd >= 0)
        conn_drop(false);
    uint32_t id;
    struct stat st;
    int fd = conn_open(0, &id);
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    conn_fd = fd;
    conn_id = id;
    conn_pid = getpid();
    conn_dev = st.st_dev;
    conn_ino = st.st_ino;
    return fd;
}

int shim_call(struct shim_call *c)
{
    int fd = conn_get();
    if (fd < 0)
        return -1;
    if (call_on(fd, c) < 0) {
        conn_drop(true);
        return -1;
    }
    return 0;
}

void shim_call_done(struct shim_call *c)
{
    for (size_t i = 0; i < c->nfds; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    free(c->fds);
    free(c->out);
    c->fds = NULL;
    c->out = NULL;
    c->nfds = c->outlen = 0;
}

int shim_rep_errno(const struct shim_call *c)
{
    if (!c->rep.err)
        return 0;
    errno = c->rep.err;
    return -1;
}

int shim_file_call(const struct shim_file *f, uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2,
                   const void *data, size_t len, void *out, size_t outlen, uint64_t *val)
{
    shim_lock();
    struct shim_call c = {
        .req = {.op = op, .handle = f->handle, .arg = {a0, a1, a2}}, .data = data, .len = len};
    int rc = shim_call(&c);
    if (rc == 0) {
        rc = shim_rep_errno(&c);
        if (rc == 0 && out && c.outlen != outlen) {
            errno = EIO;
            rc = -1;
        } else if (rc == 0) {
            if (out)
                memcpy(out, c.out, outlen);
            if (val)
                *val = c.rep.val[0];
        }
        shim_call_done(&c);
    }
    shim_unlock();
    return rc;
}

static void fork_prepare(void)
{
    shim_lock();
    fork_fd = -1;
    if (conn_fd >= 0 && conn_pid == getpid() && shim_map_count())
        fork_fd = conn_open(conn_id, &fork_id);
}

static void fork_parent(void)
{
    if (fork_fd >= 0)
        close(fork_fd);
    fork_fd = -1;
    shim_unlock();
}

static void fork_child(void)
{
    pthread_mutex_init(&lock, NULL);
    if (conn_intact())
        close(conn_fd); /* the parent's */
    conn_fd = fork_fd;
    fork_fd = -1;
    struct stat st;
    if (conn_fd >= 0 && fstat(conn_fd, &st) == 0) {
        conn_id = fork_id;
        conn_pid = getpid();
        conn_dev = st.st_dev;
        conn_ino = st.st_ino;
        struct shim_call c = {.req = {.op = HV_OP_TRACK}};
        if (call_on(conn_fd, &c) == 0)
            shim_call_done(&c);
        shim_map_forget_dontfork(); /* xsimd did not copy them either */
    } else {
        conn_drop(true);
    }
}

void shim_conn_atfork(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}
