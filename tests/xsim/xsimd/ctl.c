/* The control socket: a line protocol so that shell tests and the xsim tool
 * can drive the simulation without linking anything. */
#include "ctl.h"

#include "loop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_LINE_MAX 4096
#define CTL_ARGS_MAX 32

struct verb {
    const char *name;
    const char *usage;
    ctl_fn fn;
    struct verb *next;
};

struct client {
    int fd;
    char in[CTL_LINE_MAX];
    size_t inlen;
    char *out;
    size_t outlen, outoff;
};

static struct verb *verbs;

void ctl_register(const char *verb, const char *usage, ctl_fn fn)
{
    struct verb *v = calloc(1, sizeof(*v));
    if (!v)
        abort();
    v->name = verb;
    v->usage = usage;
    v->fn = fn;
    /* keep the list sorted so "help" reads well */
    struct verb **p = &verbs;
    while (*p && strcmp((*p)->name, verb) < 0)
        p = &(*p)->next;
    v->next = *p;
    *p = v;
}

static int help(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    for (struct verb *v = verbs; v; v = v->next)
        fprintf(out, "%s\n", v->usage);
    return 0;
}

static int ping(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    fprintf(out, "pong %ld\n", (long)getpid());
    return 0;
}

static void client_free(struct client *c)
{
    loop_del(c->fd);
    close(c->fd);
    free(c->out);
    free(c);
}

/* 0, or -1 when the client was freed */
static int client_flush(struct client *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                loop_mod(c->fd, EPOLLIN | EPOLLOUT);
                return 0;
            }
            if (errno == EINTR)
                continue;
            client_free(c);
            return -1;
        }
        c->outoff += (size_t)n;
    }
    free(c->out);
    c->out = NULL;
    c->outlen = c->outoff = 0;
    loop_mod(c->fd, EPOLLIN);
    return 0;
}

/* 0, or -1 when the client was freed */
static int run_line(struct client *c, char *line)
{
    char *argv[CTL_ARGS_MAX + 1];
    int argc = 0;
    for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
        if (argc == CTL_ARGS_MAX)
            break;
        argv[argc++] = tok;
    }
    argv[argc] = NULL;

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        client_free(c);
        return -1;
    }
    if (argc == 0) {
        fprintf(out, "ERR empty request\n");
    } else {
        struct verb *v = verbs;
        while (v && strcmp(v->name, argv[0]))
            v = v->next;
        const char *err = NULL;
        if (!v)
            fprintf(out, "ERR unknown verb '%s' (try: help)\n", argv[0]);
        else if (v->fn(argc, argv, out, &err) < 0)
            fprintf(out, "ERR %s\n", err ? err : "failed");
        else
            fprintf(out, "OK\n");
    }
    fclose(out);

    /* append to whatever is still queued for this client */
    char *joined = realloc(c->out, c->outlen + len);
    if (!joined) {
        free(buf);
        client_free(c);
        return -1;
    }
    memcpy(joined + c->outlen, buf, len);
    free(buf);
    c->out = joined;
    c->outlen += len;
    return client_flush(c);
}

static void client_io(int fd, uint32_t events, void *data)
{
    struct client *c = data;
    (void)fd;
    if (events & EPOLLOUT) {
        client_flush(c);
        return;
    }
    ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        client_free(c);
        return;
    }
    c->inlen += (size_t)n;
    char *nl;
    while ((nl = memchr(c->in, '\n', c->inlen))) {
        *nl = '\0';
        size_t used = (size_t)(nl - c->in) + 1;
        char line[CTL_LINE_MAX];
        memcpy(line, c->in, used);
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
        if (run_line(c, line) < 0)
            return;
    }
    if (c->inlen == sizeof(c->in))
        client_free(c); /* a line longer than we accept: not a ctl client */
}

static void listener_io(int fd, uint32_t events, void *data)
{
    (void)events;
    (void)data;
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    struct client *c = calloc(1, sizeof(*c));
    if (!c) {
        close(cfd);
        return;
    }
    c->fd = cfd;
    if (loop_add(cfd, EPOLLIN, client_io, c) < 0) {
        close(cfd);
        free(c);
    }
}

int ctl_init(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/ctl.sock", dir);
    if (loop_listen(path, SOCK_STREAM, listener_io, NULL) < 0)
        return -1;
    ctl_register("help", "help: list the verbs", help);
    ctl_register("ping", "ping: answers pong PID", ping);
    return 0;
}
