/* xsimd's hypervisor: the process connections of libxsim-preload.so
 * (DIR/hv.sock), the device sockets it hands out, and the dispatch of
 * requests to the event-channel and grant code. See xsim/hv_proto.h. */
#define _GNU_SOURCE 1
#include "hv.h"

#include "domain.h"
#include "evtchn.h"
#include "frames.h"
#include "grant.h"
#include "loop.h"
#include "sysfs.h"
#include "xenbus_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define OUTQ_MAX        (16u << 20) /* replies a process does not read: then drop it */
#define MSGS_PER_WAKEUP 64          /* so one busy process cannot starve the others */

struct hv_handle {
    uint32_t id;
    enum hv_kind kind;
    unsigned domid;
    int fd; /* our end of the device socket */
    union {
        struct ev_user *ev;
        struct ga_file *ga;
        struct gd_file *gd;
        struct kmem_file *km;
    } u; /* NULL for privcmd, which keeps nothing of its own */
    struct hv_handle *next;
};

struct out_frame {
    struct out_frame *next;
    size_t len;
    uint8_t *buf;
    uint32_t nfds;
    int fds[]; /* our own duplicates, closed once sent */
};

struct hv_proc {
    int fd;
    uint32_t id; /* 0 until HELLO */
    unsigned domid;
    pid_t pid;
    pid_t sender; /* of the last frame */
    uint8_t *in;  /* the message being reassembled */
    size_t inlen, incap;
    struct out_frame *outq, **outtail;
    size_t outbytes;
    struct gnt_space *space;
    struct hv_proc *next;
};

static struct hv_handle *handles;
static struct hv_proc *procs;
static uint32_t next_handle_id, next_proc_id;
static uint64_t next_stamp;

void *hv_reply_grow(struct hv_reply *r, size_t n)
{
    if (n > HV_MSG_MAX || r->len + n > HV_MSG_MAX - sizeof(struct hv_rep))
        return NULL;
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < r->len + n)
            cap *= 2;
        uint8_t *d = realloc(r->data, cap);
        if (!d)
            return NULL;
        r->data = d;
        r->cap = cap;
    }
    void *p = r->data + r->len;
    r->len += n;
    return p;
}

int hv_reply_fd(struct hv_reply *r, int fd)
{
    if (r->nfds == r->fdcap) {
        uint32_t cap = r->fdcap ? r->fdcap * 2 : 8;
        int *f = realloc(r->fds, cap * sizeof(*f));
        if (!f)
            return -1;
        r->fds = f;
        r->fdcap = cap;
    }
    r->fds[r->nfds] = fd;
    return (int)r->nfds++;
}

/* ---- device sockets ---- */

/* h is not in the list (yet, or any more) */
static void handle_destroy(struct hv_handle *h)
{
    loop_del(h->fd);
    if (h->u.ev) {
        switch (h->kind) {
        case HV_KIND_EVTCHN:
            ev_user_release(h->u.ev);
            break;
        case HV_KIND_GNTALLOC:
            ga_file_release(h->u.ga);
            break;
        case HV_KIND_GNTDEV:
            gd_file_release(h->u.gd);
            break;
        case HV_KIND_KMEM:
            kmem_file_release(h->u.km);
            break;
        case HV_KIND_PRIVCMD:
            break;
        }
    }
    close(h->fd);
    free(h);
}

static void handle_close(struct hv_handle *h)
{
    for (struct hv_handle **pp = &handles; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    }
    handle_destroy(h);
}

static void handle_io(int fd, uint32_t events, void *data)
{
    struct hv_handle *h = data;
    if (h->kind == HV_KIND_EVTCHN) {
        if (events & EPOLLOUT)
            ev_user_output(h->u.ev);
        if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && ev_user_input(h->u.ev) < 0)
            handle_close(h);
        return;
    }
    /* the other devices carry nothing: only their end (the release) matters */
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        handle_close(h);
}

static int handle_open(struct hv_proc *p, uint64_t kind, struct hv_reply *r)
{
    if (kind != HV_KIND_GNTALLOC && kind != HV_KIND_GNTDEV && kind != HV_KIND_EVTCHN &&
        kind != HV_KIND_PRIVCMD && kind != HV_KIND_KMEM)
        return -EINVAL;
    if (!domain_alive(p->domid))
        return -ESRCH;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    struct hv_handle *h = calloc(1, sizeof(*h));
    if (!h) {
        close(sv[0]);
        close(sv[1]);
        return -ENOMEM;
    }
    h->kind = (enum hv_kind)kind;
    h->domid = p->domid;
    h->fd = sv[0];
    errno = ENOMEM;
    bool made = true;
    if (kind == HV_KIND_EVTCHN)
        made = (h->u.ev = ev_user_new(p->domid, sv[0])) != NULL;
    else if (kind == HV_KIND_GNTALLOC)
        made = (h->u.ga = ga_file_new(p->domid)) != NULL; /* ENOENT: the module is not loaded */
    else if (kind == HV_KIND_GNTDEV)
        made = (h->u.gd = gd_file_new(p->domid)) != NULL;
    else if (kind == HV_KIND_KMEM)
        made = (h->u.km = kmem_file_new(p->domid)) != NULL; /* ENOENT in dom0 */
    int err = made ? ENOMEM : errno;
    if (!made || fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 || hv_reply_fd(r, sv[1]) < 0 ||
        loop_add(sv[0], EPOLLIN, handle_io, h) < 0) {
        handle_destroy(h);
        close(sv[1]);
        return -err;
    }
    if (++next_handle_id == 0)
        next_handle_id = 1;
    h->id = next_handle_id;
    h->next = handles;
    handles = h;
    r->close_after = sv[1];
    r->rep.val[0] = h->id;
    return 0;
}

static struct hv_handle *handle_get(const struct hv_proc *p, uint32_t id)
{
    for (struct hv_handle *h = handles; h; h = h->next)
        if (h->id == id)
            return h->domid == p->domid ? h : NULL;
    return NULL;
}

/* ---- process connections ---- */

static void proc_close(struct hv_proc *p)
{
    loop_del(p->fd);
    close(p->fd);
    for (struct hv_proc **pp = &procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    while (p->outq) {
        struct out_frame *f = p->outq;
        p->outq = f->next;
        for (uint32_t i = 0; i < f->nfds; i++)
            close(f->fds[i]);
        free(f->buf);
        free(f);
    }
    /* the address space is gone: whatever it mapped is unmapped */
    if (p->space)
        gnt_space_free(p->space);
    free(p->in);
    free(p);
}

static ssize_t send_frame(int fd, const uint8_t *buf, size_t len, const int *fds, uint32_t nfds)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int) * HV_FRAME_FDS)];
        struct cmsghdr align;
    } cmsg;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        mh.msg_control = cmsg.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do {
        n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* 0, or -1 when the connection broke (the caller closes it) */
static int proc_flush(struct hv_proc *p)
{
    while (p->outq) {
        struct out_frame *f = p->outq;
        if (send_frame(p->fd, f->buf, f->len, f->fds, f->nfds) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return loop_mod(p->fd, EPOLLIN | EPOLLOUT);
            return -1;
        }
        p->outq = f->next;
        p->outbytes -= f->len;
        for (uint32_t i = 0; i < f->nfds; i++)
            close(f->fds[i]);
        free(f->buf);
        free(f);
    }
    p->outtail = &p->outq;
    return loop_mod(p->fd, EPOLLIN);
}

static int proc_queue(struct hv_proc *p, const uint8_t *buf, size_t len, const int *fds,
                      uint32_t nfds)
{
    if (p->outbytes + len > OUTQ_MAX)
        return -1;
    struct out_frame *f = calloc(1, sizeof(*f) + nfds * sizeof(int));
    if (!f || !(f->buf = malloc(len))) {
        free(f);
        return -1;
    }
    memcpy(f->buf, buf, len);
    f->len = len;
    for (; f->nfds < nfds; f->nfds++) {
        f->fds[f->nfds] = fcntl(fds[f->nfds], F_DUPFD_CLOEXEC, 0);
        if (f->fds[f->nfds] < 0)
            break;
    }
    if (f->nfds < nfds) {
        for (uint32_t i = 0; i < f->nfds; i++)
            close(f->fds[i]);
        free(f->buf);
        free(f);
        return -1;
    }
    *p->outtail = f;
    p->outtail = &f->next;
    p->outbytes += len;
    return loop_mod(p->fd, EPOLLIN | EPOLLOUT);
}

/* Cut the reply into frames; what the socket does not take now is queued.
 * 0, or -1 when the connection must be dropped. */
static int proc_send(struct hv_proc *p, const struct hv_reply *r)
{
    size_t total = sizeof(r->rep) + r->len;
    uint8_t *msg = malloc(total);
    uint8_t *frame = malloc(HV_FRAME_MAX);
    int rc = -1;
    if (!msg || !frame)
        goto out;
    memcpy(msg, &r->rep, sizeof(r->rep));
    if (r->len)
        memcpy(msg + sizeof(r->rep), r->data, r->len);
    size_t off = 0;
    uint32_t fdoff = 0;
    bool more;
    do {
        size_t chunk = total - off;
        if (chunk > HV_FRAME_MAX - sizeof(struct hv_frame))
            chunk = HV_FRAME_MAX - sizeof(struct hv_frame);
        uint32_t nf = r->nfds - fdoff;
        if (nf > HV_FRAME_FDS)
            nf = HV_FRAME_FDS;
        more = off + chunk < total || fdoff + nf < r->nfds;
        struct hv_frame hdr = {.flags = more ? HV_FRAME_MORE : 0, .nfds = nf};
        memcpy(frame, &hdr, sizeof(hdr));
        memcpy(frame + sizeof(hdr), msg + off, chunk);
        size_t flen = sizeof(hdr) + chunk;
        if (p->outq) {
            if (proc_queue(p, frame, flen, r->fds + fdoff, nf) < 0)
                goto out;
        } else if (send_frame(p->fd, frame, flen, r->fds + fdoff, nf) < 0) {
            if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
                proc_queue(p, frame, flen, r->fds + fdoff, nf) < 0)
                goto out;
        }
        off += chunk;
        fdoff += nf;
    } while (more);
    rc = 0;
out:
    free(frame);
    free(msg);
    return rc;
}

static struct hv_proc *proc_find(uint32_t id)
{
    for (struct hv_proc *p = procs; p; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

static int op_hello(struct hv_proc *p, const struct hv_req *q, struct hv_reply *r)
{
    if (q->arg[0] != (HV_PROTO_MAGIC | (uint64_t)HV_PROTO_VERSION << 32))
        return -EPROTO;
    if (q->arg[1] > XSIM_MAX_DOMID)
        return -EINVAL;
    unsigned domid = (unsigned)q->arg[1];
    if (!domain_alive(domid))
        return -ESRCH;
    if (q->arg[2]) {
        struct hv_proc *parent = proc_find((uint32_t)q->arg[2]);
        if (!parent || parent->domid != domid || !parent->space)
            return -ESRCH;
        p->space = gnt_space_clone(parent->space);
    } else {
        p->space = gnt_space_new();
        domain_track_pid(domid, p->pid);
    }
    if (!p->space)
        return -ENOMEM;
    if (++next_proc_id == 0)
        next_proc_id = 1;
    p->id = next_proc_id;
    p->domid = domid;
    r->rep.val[0] = p->id;
    return 0;
}

static int ev_op(struct hv_handle *h, const struct hv_req *q)
{
    struct ev_user *u = h->u.ev;
    uint32_t a0 = (uint32_t)q->arg[0], a1 = (uint32_t)q->arg[1];
    switch (q->op) {
    case HV_OP_EV_BIND_VIRQ:
        return ev_bind_virq(u, a0);
    case HV_OP_EV_BIND_INTERDOMAIN:
        return ev_bind_interdomain(u, a0, a1);
    case HV_OP_EV_BIND_UNBOUND:
        return ev_bind_unbound(u, a0);
    case HV_OP_EV_UNBIND:
        return ev_unbind(u, a0);
    case HV_OP_EV_NOTIFY:
        return ev_notify(u, a0);
    case HV_OP_EV_RESET:
        return ev_reset(u);
    default:
        return ev_restrict(u, a0);
    }
}

/* privcmd: the foreign mapping "hypercall", and nothing else */
static int privcmd_op(struct hv_proc *p, const struct hv_req *q, const uint8_t *data, size_t len,
                      struct hv_reply *r)
{
    if (q->op != HV_OP_PM_MAP)
        return -ENOTTY;
    if (q->arg[1] == 0 || q->arg[1] > HV_MAX_PAGES_PER_CALL || len != q->arg[1] * sizeof(uint64_t))
        return -EINVAL;
    uint64_t *frames = malloc(len);
    if (!frames)
        return -ENOMEM;
    memcpy(frames, data, len);
    int err =
        frames_map(p->space, p->domid, q->arg[0], frames, (uint32_t)q->arg[1], (int)q->arg[2], r);
    free(frames);
    return err;
}

static int kmem_op(struct hv_handle *h, const struct hv_req *q, struct hv_reply *r)
{
    uint32_t ref;
    int err;
    switch (q->op) {
    case HV_OP_KM_ALLOC:
        return kmem_alloc(h->u.km, q->arg[0], r);
    case HV_OP_KM_FREE:
        return kmem_free(h->u.km, q->arg[0]);
    case HV_OP_KM_GRANT:
        err = kmem_grant(h->u.km, q->arg[0], q->arg[1], q->arg[2] != 0, &ref);
        if (!err)
            r->rep.val[0] = ref;
        return err;
    case HV_OP_KM_END_GRANT:
        return kmem_end_grant(h->u.km, q->arg[0]);
    case HV_OP_MMAP:
        return kmem_mmap(h->u.km, q->arg[0], q->arg[1], r);
    default:
        return -ENOTTY;
    }
}

static int grant_op(struct hv_proc *p, struct hv_handle *h, const struct hv_req *q,
                    const uint8_t *data, size_t len, struct hv_reply *r)
{
    if (h->kind == HV_KIND_PRIVCMD)
        return privcmd_op(p, q, data, len, r);
    if (h->kind == HV_KIND_KMEM)
        return kmem_op(h, q, r);
    bool ga = h->kind == HV_KIND_GNTALLOC;
    uint32_t a1 = (uint32_t)q->arg[1];
    if (q->op == HV_OP_SET_NOTIFY)
        return ga ? ga_set_notify(h->u.ga, q->arg[0], a1, (uint32_t)q->arg[2])
                  : gd_set_notify(h->u.gd, q->arg[0], a1, (uint32_t)q->arg[2]);
    if (q->op == HV_OP_MMAP) {
        if (q->arg[1] == 0 || q->arg[1] > HV_MAX_PAGES_PER_CALL)
            return -EINVAL;
        return ga ? ga_mmap(p->space, h->u.ga, q->arg[0], a1, r)
                  : gd_mmap(p->space, h->u.gd, q->arg[0], a1, (int)q->arg[2], r);
    }
    if (ga && q->op == HV_OP_GA_ALLOC) {
        uint64_t count = q->arg[2];
        if (count > UINT32_MAX)
            return -ENOMEM;
        uint32_t *refs = NULL;
        if (count && count <= HV_MAX_PAGES_PER_CALL &&
            !(refs = hv_reply_grow(r, count * sizeof(*refs))))
            return -ENOMEM;
        return ga_alloc(h->u.ga, (uint16_t)q->arg[0], a1, (uint32_t)count, &r->rep.val[0], refs);
    }
    if (ga && q->op == HV_OP_GA_DEALLOC)
        return ga_dealloc(h->u.ga, q->arg[0], a1);
    if (!ga && q->op == HV_OP_GD_MAP) {
        if (q->arg[0] > HV_MAX_PAGES_PER_CALL || len != q->arg[0] * sizeof(struct hv_grant_ref))
            return -EINVAL;
        struct hv_grant_ref *refs = malloc(len ? len : 1);
        if (!refs)
            return -ENOMEM;
        memcpy(refs, data, len);
        int err = gd_map(h->u.gd, (uint32_t)q->arg[0], refs, &r->rep.val[0]);
        free(refs);
        return err;
    }
    if (!ga && q->op == HV_OP_GD_UNMAP)
        return gd_unmap(h->u.gd, q->arg[0], a1);
    if (!ga && q->op == HV_OP_GD_COPY) {
        size_t segbytes = q->arg[0] * sizeof(struct hv_copy_seg);
        if (q->arg[0] > HV_MAX_COPY_SEGS || len < segbytes)
            return -EINVAL;
        struct hv_copy_seg *segs = malloc(segbytes ? segbytes : 1);
        if (!segs)
            return -ENOMEM;
        memcpy(segs, data, segbytes);
        int err = gd_copy(h->domid, segs, (uint32_t)q->arg[0], data + segbytes, len - segbytes, r);
        free(segs);
        return err;
    }
    return -ENOTTY;
}

/* "MODULE\0PARAM\0" and the bytes written, as the kernel's sysfs store()
 * takes them. */
static int param_write(struct hv_proc *p, const uint8_t *data, size_t len)
{
    const char *module = (const char *)data;
    const char *nul = memchr(data, '\0', len);
    const char *param = nul ? nul + 1 : NULL;
    nul = param ? memchr(param, '\0', len - (size_t)(param - module)) : NULL;
    if (!nul)
        return -EINVAL;
    const char *val = nul + 1;
    return gnt_param_write(p->domid, module, param, val, len - (size_t)(val - module));
}

/* The result for the reply: >= 0 (a value for val[0] of ioctls that
 * return one) or -errno. */
static int proc_request(struct hv_proc *p, const struct hv_req *q, const uint8_t *data, size_t len,
                        struct hv_reply *r)
{
    if (q->op == HV_OP_HELLO)
        return p->id ? -EPROTO : op_hello(p, q, r);
    if (q->op == HV_OP_TRACK) {
        /* the kernel's word for who sent it, not the message's */
        p->pid = p->sender;
        domain_track_pid(p->domid, p->pid);
        return 0;
    }
    if (q->op == HV_OP_OPEN)
        return handle_open(p, q->arg[0], r);
    if (q->op == HV_OP_PARAM_WRITE)
        return param_write(p, data, len);
    if (q->op == HV_OP_MUNMAP) {
        if (q->arg[0] > UINT32_MAX || q->arg[1] > UINT32_MAX || q->arg[2] > UINT32_MAX)
            return -EINVAL;
        return gnt_munmap(p->space, (uint32_t)q->arg[0], (uint32_t)q->arg[1], (uint32_t)q->arg[2]);
    }
    struct hv_handle *h = handle_get(p, q->handle);
    if (!h)
        return -EBADF;
    if (q->op >= HV_OP_EV_BIND_VIRQ && q->op <= HV_OP_EV_RESTRICT) {
        if (h->kind != HV_KIND_EVTCHN)
            return -EBADF;
        int rc = ev_op(h, q);
        if (rc > 0)
            r->rep.val[0] = (uint64_t)rc;
        return rc < 0 ? rc : 0;
    }
    if (h->kind == HV_KIND_EVTCHN)
        return -EBADF;
    return grant_op(p, h, q, data, len, r);
}

/* 0, or -1 when the connection must be dropped */
static int proc_dispatch(struct hv_proc *p)
{
    struct hv_req q;
    if (p->inlen < sizeof(q))
        return -1;
    memcpy(&q, p->in, sizeof(q));
    if (!p->id && q.op != HV_OP_HELLO)
        return -1;
    struct hv_reply r = {.stamp = ++next_stamp, .close_after = -1};
    int rc = proc_request(p, &q, p->in + sizeof(q), p->inlen - sizeof(q), &r);
    if (rc < 0) {
        r.rep.err = -rc;
        r.len = 0;
        r.nfds = 0;
    }
    int sent = proc_send(p, &r);
    if (r.close_after >= 0)
        close(r.close_after);
    free(r.data);
    free(r.fds);
    return sent;
}

/* Take one frame; 1 when a frame came, 0 when none is waiting, -1 when the
 * connection ended or broke the protocol. */
static int proc_read_frame(struct hv_proc *p)
{
    uint8_t buf[HV_FRAME_MAX];
    union {
        char buf[CMSG_SPACE(sizeof(int) * HV_FRAME_FDS) + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } cmsg;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cmsg.buf, .msg_controllen = sizeof(cmsg)};
    ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int *fds = (int *)CMSG_DATA(c);
            size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]); /* nothing a process sends us carries descriptors */
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                   c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof(cred));
            p->sender = cred.pid;
        }
    }
    if (n == 0 || (size_t)n < sizeof(struct hv_frame) || (mh.msg_flags & MSG_TRUNC))
        return -1;
    struct hv_frame hdr;
    memcpy(&hdr, buf, sizeof(hdr));
    size_t chunk = (size_t)n - sizeof(hdr);
    if (p->inlen + chunk > HV_MSG_MAX)
        return -1;
    if (p->inlen + chunk > p->incap) {
        size_t cap = p->incap ? p->incap : 256;
        while (cap < p->inlen + chunk)
            cap *= 2;
        uint8_t *in = realloc(p->in, cap);
        if (!in)
            return -1;
        p->in = in;
        p->incap = cap;
    }
    if (chunk) {
        memcpy(p->in + p->inlen, buf + sizeof(hdr), chunk);
        p->inlen += chunk;
    }
    if (hdr.flags & HV_FRAME_MORE)
        return 1;
    int rc = proc_dispatch(p);
    p->inlen = 0;
    return rc < 0 ? -1 : 1;
}

static void proc_io(int fd, uint32_t events, void *data)
{
    struct hv_proc *p = data;
    (void)fd;
    if ((events & EPOLLOUT) && proc_flush(p) < 0) {
        proc_close(p);
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (int i = 0; i < MSGS_PER_WAKEUP; i++) {
        int rc = proc_read_frame(p);
        if (rc < 0) {
            proc_close(p);
            return;
        }
        if (rc == 0)
            return;
    }
}

static void listener_io(int fd, uint32_t events, void *data)
{
    (void)events;
    (void)data;
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    struct hv_proc *p = calloc(1, sizeof(*p));
    if (!p) {
        close(cfd);
        return;
    }
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
        p->pid = cred.pid;
    /* every message then carries its sender's pid, checked by the kernel:
     * after fork, the child that uses the connection is not its maker */
    int one = 1;
    setsockopt(cfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
    p->fd = cfd;
    p->outtail = &p->outq;
    if (loop_add(cfd, EPOLLIN, proc_io, p) < 0) {
        close(cfd);
        free(p);
        return;
    }
    p->next = procs;
    procs = p;
}

int hv_domain_created(unsigned domid)
{
    /* the domain's kernel: its sysfs, with xen_gntalloc loaded and the
     * xenbus frontend bus; and its memory */
    if (sysfs_domain_created(domid) < 0)
        return -1;
    if (gnt_domain_created(domid) < 0 || xenbus_domain_created(domid) < 0 ||
        frames_domain_created(domid) < 0) {
        int e = errno;
        sysfs_domain_destroyed(domid);
        errno = e;
        return -1;
    }
    return 0;
}

void hv_domain_destroyed(unsigned domid)
{
    ev_domain_destroyed(domid);
    gnt_domain_destroyed(domid);
    frames_domain_destroyed(domid);
    xenbus_domain_destroyed(domid);
    sysfs_domain_destroyed(domid);
}

void hv_fini(void)
{
    sysfs_fini();
}

int hv_init(const char *dir)
{
    /* every gntalloc allocation keeps a memfd open here */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, HV_SOCKET_NAME);
    if (loop_listen(path, SOCK_SEQPACKET, listener_io, NULL) < 0 || sysfs_init(dir) < 0)
        return -1;
    hv_ctl_register();
    return 0;
}
