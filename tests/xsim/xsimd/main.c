/* xsimd: the simulated hypervisor and xenstored. See xsim(1). */
#include "ctl.h"
#include "domain.h"
#include "loop.h"
#include "xenbus_dev.h"
#include "xs_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *state_dir;

static int cmd_stop(int argc, char **argv, FILE *out, const char **err)
{
    (void)argc;
    (void)argv;
    (void)out;
    (void)err;
    loop_quit();
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    loop_quit();
}

static int write_pidfile(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/xsimd.pid", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "%ld\n", (long)getpid());
    return fclose(f);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xsimd --dir DIR [--ready-fd FD] [--xenstored xenstored|oxenstored]\n");
}

int main(int argc, char **argv)
{
    int ready_fd = -1;
    const char *xenstored = "xenstored";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            state_dir = argv[++i];
        } else if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc) {
            ready_fd = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--xenstored") && i + 1 < argc) {
            xenstored = argv[++i];
        } else if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "xsimd: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!state_dir) {
        usage(stderr);
        return 2;
    }
    if (strcmp(xenstored, "xenstored") && strcmp(xenstored, "oxenstored")) {
        fprintf(stderr, "xsimd: no xenstored named '%s' (xenstored or oxenstored)\n", xenstored);
        return 2;
    }
    if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "xsimd: cannot create %s: %s\n", state_dir, strerror(errno));
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (ctl_init(state_dir) < 0 || domain_init(state_dir) < 0 || xs_init(state_dir) < 0 ||
        xs_set_rule(xenstored) < 0 || hv_init(state_dir) < 0) {
        fprintf(stderr, "xsimd: start-up in %s failed: %s\n", state_dir, strerror(errno));
        return 1;
    }
    /* the guest kernels' xenbus follows the store */
    xenbus_init(xs_store);
    xs_on_change(xenbus_store_changed);
    if (domain_create(0, &(struct domain_config){.name = "Domain-0"}) < 0) {
        fprintf(stderr, "xsimd: start-up in %s failed: %s\n", state_dir, strerror(errno));
        return 1;
    }
    ctl_register("stop", "stop: stop every process in the simulation, then xsimd", cmd_stop);
    if (write_pidfile(state_dir) < 0) {
        fprintf(stderr, "xsimd: cannot write the pid file: %s\n", strerror(errno));
        return 1;
    }
    if (ready_fd >= 0) {
        /* everything listens now: tell whoever started us */
        if (write(ready_fd, "R", 1) != 1) {
            /* the starter went away; keep serving anyway */
        }
        close(ready_fd);
    }

    int rc = loop_run();
    domain_kill_all();
    hv_fini();
    return rc < 0 ? 1 : 0;
}
