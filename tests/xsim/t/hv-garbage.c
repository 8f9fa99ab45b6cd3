/* hv-garbage: a misbehaving client of xsimd's hv.sock. Malformed frames,
 * requests out of order, absurd counts and random requests must each get
 * an error reply or a disconnection, and xsimd must keep serving. Run with
 * XSIM_DIR set to a running simulation (hv-garbage.sh does). */
#define _GNU_SOURCE 1
#include "tap.h"
#include "xsim/hv_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/sys/gntalloc.h>

static const char *dir;

static int connect_to(const char *name, int type)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

static void send_frame(int fd, uint32_t flags, const void *data, size_t len, int passfd)
{
    uint8_t buf[HV_FRAME_MAX];
    struct hv_frame hdr = {.flags = flags, .nfds = passfd >= 0};
    memcpy(buf, &hdr, sizeof(hdr));
    if (len)
        memcpy(buf + sizeof(hdr), data, len);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(hdr) + len};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } cm;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (passfd >= 0) {
        mh.msg_control = cm.b;
        mh.msg_controllen = sizeof(cm.b);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &passfd, sizeof(int));
    }
    sendmsg(fd, &mh, MSG_NOSIGNAL);
}

static void send_req(int fd, uint32_t op, uint32_t handle, uint64_t a0, uint64_t a1, uint64_t a2,
                     const void *data, size_t len)
{
    uint8_t buf[HV_FRAME_MAX];
    struct hv_req q = {.op = op, .handle = handle, .arg = {a0, a1, a2}};
    memcpy(buf, &q, sizeof(q));
    if (len > sizeof(buf) - sizeof(q) - sizeof(struct hv_frame))
        len = sizeof(buf) - sizeof(q) - sizeof(struct hv_frame);
    if (len)
        memcpy(buf + sizeof(q), data, len);
    send_frame(fd, 0, buf, sizeof(q) + len, -1);
}

/* The reply's error (>= 0), -1 when xsimd hung up, -2 on no answer. Closes
 * any descriptor passed; *fdout gets the first when wanted. */
static int reply(int fd, uint64_t *val, int *fdout)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0)
        return -2;
    int err = -1;
    struct hv_frame hdr;
    do {
        static uint8_t buf[HV_FRAME_MAX];
        union {
            char b[CMSG_SPACE(sizeof(int) * HV_FRAME_FDS)];
            struct cmsghdr align;
        } cm;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm)};
        ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        if (n <= 0)
            return -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            int *fds = (int *)CMSG_DATA(c);
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                if (fdout && *fdout < 0)
                    *fdout = fds[i];
                else
                    close(fds[i]);
            }
        }
        memcpy(&hdr, buf, sizeof(hdr));
        if (err < 0) {
            struct hv_rep r;
            memcpy(&r, buf + sizeof(hdr), sizeof(r));
            err = r.err;
            if (val)
                *val = r.val[0];
        }
    } while (hdr.flags & HV_FRAME_MORE);
    return err;
}

static int hello(int fd, uint64_t magic, uint64_t domid)
{
    send_req(fd, HV_OP_HELLO, 0, magic, domid, 0, NULL, 0);
    return reply(fd, NULL, NULL);
}

static const uint64_t MAGIC = HV_PROTO_MAGIC | (uint64_t)HV_PROTO_VERSION << 32;

static int new_proc(void)
{
    int fd = connect_to(HV_SOCKET_NAME, SOCK_SEQPACKET);
    if (hello(fd, MAGIC, 0) != 0) {
        fprintf(stderr, "HELLO refused\n");
        exit(1);
    }
    return fd;
}

static bool hung_up(int fd)
{
    return reply(fd, NULL, NULL) == -1;
}

/* xsimd still answers on its control socket: "dump-grants" */
static char *ctl_dump(const char *verb)
{
    int fd = connect_to("ctl.sock", SOCK_STREAM);
    char line[64];
    snprintf(line, sizeof(line), "%s\n", verb);
    if (write(fd, line, strlen(line)) < 0)
        return NULL;
    static char out[65536];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(out) - 1 && (n = read(fd, out + len, sizeof(out) - 1 - len)) > 0) {
        len += (size_t)n;
        out[len] = '\0';
        if (strstr(out, "OK\n") || strstr(out, "ERR"))
            break;
    }
    out[len] = '\0';
    close(fd);
    return out;
}

int main(void)
{
    dir = getenv("XSIM_DIR");
    if (!dir) {
        fprintf(stderr, "XSIM_DIR is not set\n");
        return 1;
    }
    plan(21);

    int fd = connect_to(HV_SOCKET_NAME, SOCK_SEQPACKET);
    send_frame(fd, 0, "x", 0, -1);
    ok(hung_up(fd), "a frame with no request is dropped with the connection");
    close(fd);

    fd = connect_to(HV_SOCKET_NAME, SOCK_SEQPACKET);
    send(fd, "ab", 2, MSG_NOSIGNAL);
    ok(hung_up(fd), "a frame shorter than its header: disconnected");
    close(fd);

    fd = connect_to(HV_SOCKET_NAME, SOCK_SEQPACKET);
    send_req(fd, HV_OP_OPEN, 0, HV_KIND_GNTALLOC, 0, 0, NULL, 0);
    ok(hung_up(fd), "a request before HELLO: disconnected");
    close(fd);

    fd = connect_to(HV_SOCKET_NAME, SOCK_SEQPACKET);
    is_int(hello(fd, 12345, 0), EPROTO, "HELLO with a wrong magic: EPROTO");
    is_int(hello(fd, MAGIC, 99999), EINVAL, "HELLO with a domid out of range: EINVAL");
    is_int(hello(fd, MAGIC, 77), ESRCH, "HELLO from a domain that does not exist: ESRCH");
    is_int(hello(fd, MAGIC, 0), 0, "HELLO from dom0");
    is_int(hello(fd, MAGIC, 0), EPROTO, "a second HELLO: EPROTO");
    close(fd);

    fd = new_proc();
    static uint8_t big[HV_FRAME_MAX];
    for (size_t sent = 0; sent <= HV_MSG_MAX; sent += sizeof(big) - 64)
        send_frame(fd, HV_FRAME_MORE, big, sizeof(big) - 64, -1);
    ok(hung_up(fd), "a message longer than HV_MSG_MAX: disconnected");
    close(fd);

    fd = new_proc();
    int devnull = open("/dev/null", O_RDONLY);
    struct hv_req q = {.op = HV_OP_OPEN, .arg = {HV_KIND_GNTALLOC}};
    send_frame(fd, 0, &q, sizeof(q), devnull);
    close(devnull);
    uint64_t h = 0;
    int dev = -1;
    is_int(reply(fd, &h, &dev), 0, "a request carrying a descriptor is served (and it is closed)");
    ok(dev >= 0, "OPEN gives the device socket");

    send_req(fd, HV_OP_GA_ALLOC, (uint32_t)h, 0, GNTALLOC_FLAG_WRITABLE, 0xffffffffu, NULL, 0);
    is_int(reply(fd, NULL, NULL), ENOSPC, "allocating 2^32-1 pages: ENOSPC (the limit)");
    send_req(fd, HV_OP_GA_ALLOC, (uint32_t)h, 0, 0, UINT64_MAX, NULL, 0);
    is_int(reply(fd, NULL, NULL), ENOMEM, "allocating 2^64-1 pages: ENOMEM");
    send_req(fd, HV_OP_MMAP, (uint32_t)h, 0, 0, 3, NULL, 0);
    is_int(reply(fd, NULL, NULL), EINVAL, "mmap of 0 pages: EINVAL");
    send_req(fd, HV_OP_MMAP, (uint32_t)h, 1u << 30, 1 << 20, 3, NULL, 0);
    is_int(reply(fd, NULL, NULL), EINVAL, "mmap of 2^20 pages: EINVAL");
    send_req(fd, HV_OP_MUNMAP, 0, 777, 0, UINT32_MAX, NULL, 0);
    is_int(reply(fd, NULL, NULL), EINVAL, "munmap of a mapping that does not exist: EINVAL");
    send_req(fd, HV_OP_GD_MAP, (uint32_t)h, 4, 0, 0, "abc", 3);
    is_int(reply(fd, NULL, NULL), ENOTTY, "a gntdev request on a gntalloc handle: ENOTTY");
    send_req(fd, HV_OP_EV_NOTIFY, 424242, 1, 0, 0, NULL, 0);
    is_int(reply(fd, NULL, NULL), EBADF, "a request for a handle that does not exist: EBADF");

    /* random requests: each gets an answer or a hang-up */
    srand(42);
    int sent = 0, answered = 0, dropped = 0;
    for (int i = 0; i < 3000; i++) {
        uint8_t data[256];
        for (size_t k = 0; k < sizeof(data); k++)
            data[k] = (uint8_t)rand();
        uint32_t op = (uint32_t)(rand() % 40);
        uint32_t handle = rand() % 3 ? (uint32_t)h : (uint32_t)rand();
        uint64_t a[3];
        for (int k = 0; k < 3; k++)
            a[k] =
                rand() % 2 ? (uint64_t)(rand() % 64) : ((uint64_t)rand() << 32 | (uint64_t)rand());
        if (op == HV_OP_OPEN || op == HV_OP_TRACK)
            continue; /* would really open devices or track pids */
        send_req(fd, op, handle, a[0], a[1], a[2], data, (size_t)(rand() % 256));
        sent++;
        int rc = reply(fd, NULL, NULL);
        if (rc == -2)
            break;
        if (rc == -1) {
            dropped++;
            close(fd);
            fd = new_proc();
        } else {
            answered++;
        }
    }
    ok(sent > 2500 && answered + dropped == sent, "%d random requests: %d answered, %d hung up",
       sent, answered, dropped);
    close(dev);
    close(fd);

    char *pong = ctl_dump("ping");
    ok(pong && !strncmp(pong, "pong ", 5), "xsimd still answers");
    char *dump = NULL;
    for (int i = 0; i < 100; i++) {
        dump = ctl_dump("dump-grants");
        if (dump && !strcmp(dump, "OK\n"))
            break;
        usleep(20000);
    }
    is_str(dump, "OK\n", "no grant is left behind");
    return done_testing();
}
