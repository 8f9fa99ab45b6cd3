/* Fuzzing xsimd's xenstored with hostile clients: the input is a program
 * of what clients of dom0 and of a guest can do on their sockets, run
 * against xsimd's real connection, request and store code (xs_conn.c,
 * xs_req.c, xs_watch.c, xs_domain.c, store*.c): send well-framed messages
 * of every type (paths, values, permission lists, transactions, watches)
 * or any bytes at all, cut messages anywhere, hang up, reconnect; and the
 * test tool's side: destroy and re-create the guest, set quotas, inject
 * commit failures, switch between C xenstored's and oxenstored's commit
 * rules. See README.md for the format.
 *
 * xsimd's event loop is replaced by a table (loop_* below), so the
 * harness calls the real socket callbacks itself; the sockets are real
 * (abstract Unix sockets, nothing on disk). Besides crashes, leaks and
 * sanitizer reports, the harness checks that every connection is gone
 * after its client hung up.
 */
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "domain.h"
#include "loop.h"
#include "xs_conn.h"

/* ---- xsimd's loop, as a table the harness drives ---- */

#define MAX_FDS 64

static struct {
    int fd;
    loop_io_fn fn;
    void *data;
    uint32_t events;
} fds[MAX_FDS];

static struct {
    char path[108];
    int fd;
    loop_io_fn fn;
    void *data;
} listeners[4];

int loop_add(int fd, uint32_t events, loop_io_fn fn, void *data)
{
    for (int i = 0; i < MAX_FDS; i++) {
        if (!fds[i].fn) {
            fds[i].fd = fd;
            fds[i].fn = fn;
            fds[i].data = data;
            fds[i].events = events;
            return 0;
        }
    }
    errno = ENOSPC;
    return -1;
}

int loop_mod(int fd, uint32_t events)
{
    for (int i = 0; i < MAX_FDS; i++) {
        if (fds[i].fn && fds[i].fd == fd) {
            fds[i].events = events;
            return 0;
        }
    }
    errno = ENOENT;
    return -1;
}

void loop_del(int fd)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].fn && fds[i].fd == fd)
            fds[i].fn = NULL;
    for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++)
        if (listeners[i].fn && listeners[i].fd == fd)
            listeners[i].fn = NULL;
}

/* An abstract socket named after path: nothing on disk, one per domain. */
static int abstract_addr(const char *path, struct sockaddr_un *a, socklen_t *len)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    int n =
        snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "xfb-fuzz-%d-%s", (int)getpid(), path);
    if (n < 0 || (size_t)n >= sizeof(a->sun_path) - 1) {
        errno = ENAMETOOLONG;
        return -1;
    }
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    return 0;
}

int loop_listen(const char *path, int type, loop_io_fn fn, void *data)
{
    struct sockaddr_un a;
    socklen_t alen;
    if (abstract_addr(path, &a, &alen) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
        if (listeners[i].fn)
            continue;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return -1;
        if (bind(fd, (struct sockaddr *)&a, alen) < 0 || listen(fd, 16) < 0) {
            close(fd);
            return -1;
        }
        snprintf(listeners[i].path, sizeof(listeners[i].path), "%s", path);
        listeners[i].fd = fd;
        listeners[i].fn = fn;
        listeners[i].data = data;
        return fd;
    }
    errno = ENOSPC;
    return -1;
}

uint64_t loop_timer_add(uint64_t ms, loop_timer_fn fn, void *data)
{
    (void)ms;
    (void)fn;
    (void)data;
    return 1;
}

void loop_timer_cancel(uint64_t id)
{
    (void)id;
}

/* ---- the rest of xsimd the xenstore part calls ---- */

void domain_track_pid(unsigned domid, pid_t pid)
{
    (void)domid;
    (void)pid;
}

bool domain_alive(unsigned domid)
{
    return domid <= 1;
}

static struct {
    const char *verb;
    ctl_fn fn;
} verbs[8];

void ctl_register(const char *verb, const char *usage, ctl_fn fn)
{
    (void)usage;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (!verbs[i].verb) {
            verbs[i].verb = verb;
            verbs[i].fn = fn;
            return;
        }
    }
}

static int run_verb(const char *verb, int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (verbs[i].verb && !strcmp(verbs[i].verb, verb)) {
            char *text = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&text, &len);
            const char *err = NULL;
            int rc = out ? verbs[i].fn(argc, argv, out, &err) : -1;
            if (out)
                fclose(out);
            free(text);
            return rc;
        }
    }
    return -1;
}

/* ---- clients ---- */

#define STATE_DIR "fuzz"
#define SLOTS     3
/* slot 0 is a dom0 client (a toolstack, the backend), 1 and 2 a guest's */
static const unsigned slot_domid[SLOTS] = {0, 1, 1};

static struct client {
    int fd;     /* our end, -1 when not connected */
    int server; /* xsimd's end */
} clients[SLOTS] = {{-1, -1}, {-1, -1}, {-1, -1}};

static int find_fd(int fd)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].fn && fds[i].fd == fd)
            return i;
    return -1;
}

/* Forget the server ends xsimd closed, before their numbers are reused. */
static void settle(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (clients[i].server >= 0 && find_fd(clients[i].server) < 0)
            clients[i].server = -1;
}

/* Run xsimd's callback for the server end as its loop would. */
static void serve(struct client *c, uint32_t events)
{
    int i = find_fd(c->server);
    if (i < 0)
        return; /* xsimd dropped it */
    fds[i].fn(fds[i].fd, events & (fds[i].events | EPOLLHUP | EPOLLERR), fds[i].data);
    settle();
}

static void drain(struct client *c)
{
    char buf[8192];
    for (int i = 0; i < 64; i++) {
        if (find_fd(c->server) >= 0 && (fds[find_fd(c->server)].events & EPOLLOUT))
            serve(c, EPOLLOUT);
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n <= 0)
            break;
    }
}

static void hang_up(struct client *c)
{
    if (c->fd < 0)
        return;
    close(c->fd);
    c->fd = -1;
    serve(c, EPOLLIN | EPOLLHUP);
    c->server = -1;
}

static struct client *get(unsigned slot)
{
    struct client *c = &clients[slot % SLOTS];
    if (c->fd >= 0 && c->server >= 0)
        return c;
    if (c->fd >= 0) {
        /* xsimd dropped it: the client sees its socket closed */
        close(c->fd);
        c->fd = -1;
    }
    char path[64];
    snprintf(path, sizeof(path), "%s/xs-dom%u.sock", STATE_DIR, slot_domid[slot % SLOTS]);
    for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
        if (!listeners[i].fn || strcmp(listeners[i].path, path))
            continue;
        struct sockaddr_un a;
        socklen_t alen;
        if (abstract_addr(path, &a, &alen) < 0)
            return NULL;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return NULL;
        if (connect(fd, (struct sockaddr *)&a, alen) < 0) {
            close(fd);
            return NULL;
        }
        int before[MAX_FDS];
        for (int k = 0; k < MAX_FDS; k++)
            before[k] = fds[k].fn ? fds[k].fd : -1;
        listeners[i].fn(listeners[i].fd, EPOLLIN, listeners[i].data);
        c->server = -1;
        for (int k = 0; k < MAX_FDS; k++)
            if (fds[k].fn && fds[k].fd != before[k])
                c->server = fds[k].fd;
        if (c->server < 0) {
            close(fd);
            return NULL;
        }
        c->fd = fd;
        return c;
    }
    return NULL; /* the domain has no socket (destroyed) */
}

static void client_send(struct client *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) {
            /* xsimd's buffer is full: let it read, or it dropped us */
            serve(c, EPOLLIN);
            if (find_fd(c->server) < 0)
                return;
            drain(c);
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    serve(c, EPOLLIN);
}

/* ---- the program ---- */

static const char *const strings[] = {
    "/",
    "/local",
    "/local/domain/0",
    "/local/domain/1",
    "/local/domain/1/device",
    "/local/domain/1/device/xenfb/0/state",
    "device/xenfb/0",
    "device",
    "data/x",
    "/tool",
    "/local/domain/0/backend/xenfb/1/0",
    "@releaseDomain",
    "@introduceDomain",
    "@other",
    "",
    "tok",
    "0",
    "1",
    "2",
    "32752",
    "65535",
    "65536",
    "T",
    "F",
    "n0",
    "r1",
    "w1",
    "b1",
    "n1",
    "x1",
    "//",
    "/local/domain/1/",
    "a/../b",
    "/local/domain/1/data/"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};
#define N_STRINGS (sizeof(strings) / sizeof(strings[0]))

enum op {
    OP_MSG,   /* slot, type, req_id u8, tx u8, payload */
    OP_RAW,   /* slot, len u8, bytes: anything, framing included */
    OP_SPLIT, /* slot, a message sent in two parts with xsimd reading between */
    OP_HUP,   /* slot */
    OP_DRAIN, /* slot */
    OP_GUEST, /* destroy or re-create the guest */
    OP_VERB,  /* quota / fault-commit-eagain */
    OP_COUNT
};

/* A payload: NUL-separated strings from the table or the input, with or
 * without the last NUL; or raw bytes. Returns its length. */
static size_t payload(struct fin *in, char *out, size_t cap)
{
    uint8_t how = fin_u8(in);
    size_t len = 0;
    if (how & 0x80) {
        len = fin_u8(in);
        if (how & 0x40)
            len *= 16;
        if (len > cap)
            len = cap;
        fin_bytes(in, out, len);
        return len;
    }
    unsigned n = how & 3;
    for (unsigned i = 0; i <= n; i++) {
        char buf[64];
        const char *s = fin_str(in, strings, N_STRINGS, buf);
        size_t sl = strlen(s);
        if (len + sl + 1 > cap)
            break;
        memcpy(out + len, s, sl + 1);
        len += sl + 1;
    }
    if ((how & 4) && len)
        len--; /* no final NUL */
    return len;
}

static size_t message(struct fin *in, char *msg)
{
    struct xsd_sockmsg h;
    uint8_t type = fin_u8(in);
    h.type = type < 0xf0 ? type % (XS_TYPE_COUNT + 1) : (uint32_t)type << 24;
    h.req_id = fin_u8(in);
    uint8_t tx = fin_u8(in);
    h.tx_id = tx < 0xf0 ? tx % 16 : 0xffffffffu - (tx & 0xf);
    size_t len = payload(in, msg + sizeof(h), XENSTORE_PAYLOAD_MAX);
    h.len = (uint32_t)len;
    memcpy(msg, &h, sizeof(h));
    return sizeof(h) + len;
}

static const struct domain_config guest_cfg = {
    .name = "guest", .uuid = "6a1d5b0e-3c2f-4e8a-9b7d-0f1e2d3c4b5a", .type = DOMAIN_PV};

static void reset_store(void)
{
    /* what xs_init leaves: dom0's home */
    struct store_events ev = {0};
    store_free(xs_store);
    xs_store = store_new();
    if (!xs_store)
        abort();
    store_write(xs_store, NULL, 0, "/local/domain/0/name", "Domain-0", 8, &ev);
    store_write(xs_store, NULL, 0, "/local/domain/0/domid", "0", 1, &ev);
    store_events_clear(&ev);
    for (unsigned d = 2; d <= XSIM_MAX_DOMID; d++)
        xs_set_introduced(d, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static char msg[XS_HDR_LEN + XENSTORE_PAYLOAD_MAX + 256];
    struct fin in = {data, size};
    bool guest = true;

    if (!ready) {
        if (xs_init(STATE_DIR) < 0)
            abort();
        ready = true;
    }
    if (xs_domain_created(1, &guest_cfg) < 0)
        abort();
    while (fin_more(&in)) {
        uint8_t op = fin_u8(&in) % OP_COUNT;
        uint8_t slot = op == OP_GUEST || op == OP_VERB ? 0 : fin_u8(&in) % SLOTS;
        struct client *c = op == OP_GUEST || op == OP_VERB ? NULL : get(slot);
        switch (op) {
        case OP_MSG: {
            size_t len = message(&in, msg);
            if (c)
                client_send(c, msg, len);
            break;
        }
        case OP_RAW: {
            size_t len = (size_t)fin_u8(&in) * 4;
            fin_bytes(&in, msg, len);
            if (c)
                client_send(c, msg, len);
            break;
        }
        case OP_SPLIT: {
            size_t len = message(&in, msg);
            size_t cut = fin_u8(&in) % (len + 1);
            if (c) {
                client_send(c, msg, cut);
                if (find_fd(c->server) >= 0)
                    client_send(c, msg + cut, len - cut);
            }
            break;
        }
        case OP_HUP:
            if (c)
                hang_up(c);
            break;
        case OP_DRAIN:
            if (c)
                drain(c);
            break;
        case OP_GUEST:
            if (guest)
                xs_domain_destroyed(1, guest_cfg.uuid);
            else if (xs_domain_created(1, &guest_cfg) < 0)
                abort();
            guest = !guest;
            settle();
            break;
        case OP_VERB: {
            char a1[16], a2[16], a3[16];
            uint8_t which = fin_u8(&in);
            snprintf(a1, sizeof(a1), "%u", fin_u8(&in) % 4);
            static const char *const kinds[] = {"nodes",        "watches", "value",
                                                "transactions", "perms",   "bogus"};
            snprintf(a2, sizeof(a2), "%s", kinds[fin_u8(&in) % 6]);
            snprintf(a3, sizeof(a3), "%u", fin_u8(&in));
            /* either commit rule: oxenstored's replays what clients sent */
            xs_set_rule(which & 2 ? "oxenstored" : "xenstored");
            if (which & 1) {
                char *argv[] = {"fault-commit-eagain", a3, NULL};
                run_verb(argv[0], 2, argv);
            } else {
                char *argv[] = {"quota", a1, a2, a3, NULL};
                run_verb(argv[0], 4, argv);
            }
            break;
        }
        }
        if (c && c->fd >= 0)
            drain(c);
    }
    for (int i = 0; i < SLOTS; i++) {
        if (clients[i].fd >= 0 && clients[i].server < 0) {
            close(clients[i].fd);
            clients[i].fd = -1;
        }
        hang_up(&clients[i]);
    }
    if (xs_conns) {
        fprintf(stderr, "fuzz-xsimd: a connection is left after its client hung up\n");
        abort();
    }
    if (guest)
        xs_domain_destroyed(1, guest_cfg.uuid);
    reset_store();
    return 0;
}
