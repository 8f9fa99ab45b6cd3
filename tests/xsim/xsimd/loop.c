/* A small epoll loop. Deleting an fd from inside a callback is common
 * (a peer hangs up while we dispatch the batch), so handlers are looked up
 * by fd for every event rather than carried in epoll_data. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct handler {
    loop_io_fn fn;
    void *data;
    uint64_t gen; /* guards against a stale event for a reused fd */
};

struct timer {
    uint64_t id;
    uint64_t due_ms;
    loop_timer_fn fn;
    void *data;
    struct timer *next;
};

static int epfd = -1;
static struct handler *handlers;
static int nhandlers;
static uint64_t generation;
static struct timer *timers; /* sorted by due time */
static uint64_t next_timer_id = 1;
static int quitting;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int ensure_epoll(void)
{
    if (epfd < 0)
        epfd = epoll_create1(EPOLL_CLOEXEC);
    return epfd < 0 ? -1 : 0;
}

static int grow(int fd)
{
    if (fd < nhandlers)
        return 0;
    int n = nhandlers ? nhandlers : 64;
    while (n <= fd)
        n *= 2;
    struct handler *h = realloc(handlers, (size_t)n * sizeof(*h));
    if (!h)
        return -1;
    for (int i = nhandlers; i < n; i++)
        h[i] = (struct handler){0};
    handlers = h;
    nhandlers = n;
    return 0;
}

int loop_add(int fd, uint32_t events, loop_io_fn fn, void *data)
{
    if (fd < 0 || !fn) {
        errno = EINVAL;
        return -1;
    }
    if (ensure_epoll() < 0 || grow(fd) < 0)
        return -1;
    uint64_t gen = ++generation;
    struct epoll_event ev = {.events = events,
                             .data.u64 = ((uint64_t)fd << 32) | (gen & 0xffffffff)};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return -1;
    handlers[fd] = (struct handler){.fn = fn, .data = data, .gen = gen & 0xffffffff};
    return 0;
}

int loop_mod(int fd, uint32_t events)
{
    if (fd < 0 || fd >= nhandlers || !handlers[fd].fn) {
        errno = EBADF;
        return -1;
    }
    struct epoll_event ev = {.events = events, .data.u64 = ((uint64_t)fd << 32) | handlers[fd].gen};
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

void loop_del(int fd)
{
    if (fd < 0 || fd >= nhandlers || !handlers[fd].fn)
        return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    handlers[fd] = (struct handler){0};
}

int loop_listen(const char *path, int type, loop_io_fn fn, void *data)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
        loop_add(fd, EPOLLIN, fn, data) < 0) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
        return -1;
    }
    return fd;
}

uint64_t loop_timer_add(uint64_t ms, loop_timer_fn fn, void *data)
{
    struct timer *t = calloc(1, sizeof(*t));
    if (!t)
        return 0;
    t->id = next_timer_id++;
    t->due_ms = now_ms() + ms;
    t->fn = fn;
    t->data = data;
    struct timer **p = &timers;
    while (*p && (*p)->due_ms <= t->due_ms)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    return t->id;
}

void loop_timer_cancel(uint64_t id)
{
    for (struct timer **p = &timers; *p; p = &(*p)->next) {
        if ((*p)->id == id) {
            struct timer *t = *p;
            *p = t->next;
            free(t);
            return;
        }
    }
}

static int run_due_timers(void)
{
    uint64_t now = now_ms();
    while (timers && timers->due_ms <= now) {
        struct timer *t = timers;
        timers = t->next;
        t->fn(t->data);
        free(t);
    }
    if (!timers)
        return -1;
    uint64_t wait = timers->due_ms - now;
    return wait > 60000 ? 60000 : (int)wait;
}

int loop_run(void)
{
    if (ensure_epoll() < 0)
        return -1;
    struct epoll_event evs[64];
    while (!quitting) {
        int timeout = run_due_timers();
        if (quitting)
            break;
        int n = epoll_wait(epfd, evs, 64, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < n && !quitting; i++) {
            int fd = (int)(evs[i].data.u64 >> 32);
            uint32_t gen = (uint32_t)evs[i].data.u64;
            if (fd >= nhandlers || !handlers[fd].fn || handlers[fd].gen != gen)
                continue;
            handlers[fd].fn(fd, evs[i].events, handlers[fd].data);
        }
    }
    return 0;
}

void loop_quit(void)
{
    quitting = 1;
}
