/* xsim: start, drive and stop the simulated Xen. See xsim(1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[PATH_MAX];
static char exe_dir[PATH_MAX];

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("xsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void usage(FILE *f)
{
    fputs("usage: xsim [--dir DIR] COMMAND [ARGS...]\n"
          "  start [--xenstored xenstored|oxenstored]\n"
          "                             start the simulation (xsimd) in DIR; its\n"
          "                             transactions commit as C xenstored (default)\n"
          "                             or oxenstored would\n"
          "  stop                       stop it and every process it runs\n"
          "  run --domid N [DOMAIN OPTIONS] -- CMD [ARGS...]\n"
          "                             run CMD as a process of domain N\n"
          "  env --domid N [DOMAIN OPTIONS]\n"
          "                             print the environment a domain's process needs\n"
          "  create N [NAME] [--uuid UUID] [--type pv|pvh|hvm]\n"
          "                             create domain N\n"
          "  destroy N                  destroy domain N (kills its processes)\n"
          "  dump                       print xenstore, grants, event channels, frames\n"
          "  ctl VERB [ARGS...]         send any control verb (ctl help lists them)\n"
          "DOMAIN OPTIONS (for a domain run or env creates): --name NAME, --uuid UUID,\n"
          "  --type pv|pvh|hvm\n"
          "DIR defaults to $XSIM_DIR, else ${XDG_RUNTIME_DIR:-/tmp}/xsim-$UID.\n",
          f);
}

static void pick_dir(const char *opt)
{
    const char *env = getenv("XSIM_DIR");
    int n;
    if (opt)
        n = snprintf(dir, sizeof(dir), "%s", opt);
    else if (env && *env)
        n = snprintf(dir, sizeof(dir), "%s", env);
    else {
        const char *rt = getenv("XDG_RUNTIME_DIR");
        n = snprintf(dir, sizeof(dir), "%s/xsim-%ld", rt && *rt ? rt : "/tmp", (long)getuid());
    }
    if (n < 0 || (size_t)n >= sizeof(dir))
        die("state directory name too long");
    if (dir[0] != '/') {
        char cwd[PATH_MAX], abs[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)) ||
            (size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, dir) >= sizeof(abs))
            die("cannot make %s absolute", dir);
        memcpy(dir, abs, sizeof(dir));
    }
}

static void find_exe_dir(void)
{
    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
    if (n <= 0)
        die("cannot find my own location: %s", strerror(errno));
    exe_dir[n] = '\0';
    char *slash = strrchr(exe_dir, '/');
    if (slash)
        *slash = '\0';
}

/* The tool runs from the build tree (tests/xsim/) or from an install
 * (PKGLIBEXECDIR); look beside it first. */
static void sibling(char *out, size_t len, const char *const *names)
{
    for (; *names; names++) {
        struct stat st;
        snprintf(out, len, "%s/%s", exe_dir, *names);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return;
    }
    die("cannot find %s next to %s", names[-1], exe_dir);
}

static int ctl_connect(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", dir) >=
        sizeof(sa.sun_path))
        die("state directory name too long for a socket: %s", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send one request; copy the output lines to `out` (may be NULL); returns
 * 0 on OK, 1 on ERR (message on stderr), -1 when xsimd is not there. */
static int ctl_request(int argc, char **argv, FILE *out)
{
    int fd = ctl_connect();
    if (fd < 0)
        return -1;
    char line[4096];
    size_t len = 0;
    for (int i = 0; i < argc; i++) {
        int n = snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= sizeof(line) - len)
            die("request too long");
        len += (size_t)n;
    }
    if (len + 1 >= sizeof(line))
        die("request too long");
    line[len++] = '\n';
    if (write(fd, line, len) != (ssize_t)len)
        die("cannot talk to xsimd: %s", strerror(errno));
    FILE *in = fdopen(fd, "r");
    if (!in)
        die("fdopen: %s", strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    int rc = -1;
    while (getline(&buf, &cap, in) > 0) {
        if (!strcmp(buf, "OK\n")) {
            rc = 0;
            break;
        }
        if (!strncmp(buf, "ERR ", 4)) {
            fprintf(stderr, "xsim: %s", buf + 4);
            rc = 1;
            break;
        }
        if (out)
            fputs(buf, out);
    }
    free(buf);
    fclose(in);
    if (rc < 0)
        die("xsimd closed the connection without an answer");
    return rc;
}

static int ctl_simple(const char *verb, const char *a1, const char *a2)
{
    char *argv[] = {(char *)verb, (char *)a1, (char *)a2, NULL};
    int argc = a2 ? 3 : a1 ? 2 : 1;
    int rc = ctl_request(argc, argv, stdout);
    if (rc < 0)
        die("no simulation running in %s (start one with: xsim start)", dir);
    return rc;
}

static long read_pid(void)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/xsimd.pid", dir);
    FILE *f = fopen(path, "r");
    long pid = -1;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = -1;
        fclose(f);
    }
    return pid;
}

static int cmd_start(const char *xenstored)
{
    if (ctl_connect() >= 0)
        die("a simulation is already running in %s (stop it with: xsim stop)", dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        die("cannot create %s: %s", dir, strerror(errno));
    char xsimd[PATH_MAX + 16];
    sibling(xsimd, sizeof(xsimd), (const char *const[]){"xsimd/xsimd", "xsimd", NULL});
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        /* detach: the daemon outlives this command and its terminal */
        setsid();
        int null = open("/dev/null", O_RDWR);
        char log[PATH_MAX + 16];
        snprintf(log, sizeof(log), "%s/xsimd.log", dir);
        int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        dup2(null, 0);
        dup2(logfd >= 0 ? logfd : null, 1);
        dup2(logfd >= 0 ? logfd : null, 2);
        int rfd = dup(p[1]); /* without O_CLOEXEC, for xsimd */
        char fdbuf[16];
        snprintf(fdbuf, sizeof(fdbuf), "%d", rfd);
        execl(xsimd, "xsimd", "--dir", dir, "--ready-fd", fdbuf, "--xenstored", xenstored,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char c;
    ssize_t n;
    do {
        n = read(p[0], &c, 1);
    } while (n < 0 && errno == EINTR);
    close(p[0]);
    if (n != 1) {
        int st;
        waitpid(pid, &st, 0);
        die("xsimd did not start; see %s/xsimd.log", dir);
    }
    printf("xsim: running in %s (pid %ld)\n", dir, (long)pid);
    return 0;
}

static int cmd_stop(void)
{
    long pid = read_pid();
    char *argv[] = {"stop", NULL};
    if (ctl_request(1, argv, NULL) < 0)
        die("no simulation running in %s", dir);
    /* xsimd stops its processes and exits; wait for that, bounded */
    for (int i = 0; pid > 0 && i < 1000; i++) {
        if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (pid > 0 && kill((pid_t)pid, 0) == 0)
        die("xsimd (pid %ld) did not exit", pid);
    /* leave nothing behind: sockets, pid file and log, then the directory */
    DIR *dh = opendir(dir);
    struct dirent *de;
    char path[PATH_MAX + 300];
    while (dh && (de = readdir(dh))) {
        size_t l = strlen(de->d_name);
        if ((l > 5 && !strcmp(de->d_name + l - 5, ".sock")) || !strcmp(de->d_name, "xsimd.pid") ||
            !strcmp(de->d_name, "xsimd.log")) {
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            unlink(path);
        }
    }
    if (dh)
        closedir(dh);
    rmdir(dir);
    return 0;
}

static void build_env(unsigned long domid, char *preload, size_t plen)
{
    char buf[64];
    setenv("XSIM_DIR", dir, 1);
    snprintf(buf, sizeof(buf), "%lu", domid);
    setenv("XSIM_DOMID", buf, 1);
    char xs[PATH_MAX + 32];
    snprintf(xs, sizeof(xs), "%s/xs-dom%lu.sock", dir, domid);
    setenv("XENSTORED_PATH", xs, 1);
    sibling(preload, plen,
            (const char *const[]){".libs/libxsim-preload.so", "libxsim-preload.so", NULL});
    /* keep what the caller preloads already, after the shim */
    const char *old = getenv("LD_PRELOAD");
    char *joined;
    if (old && *old && !strstr(old, "libxsim-preload")) {
        if (asprintf(&joined, "%s:%s", preload, old) < 0)
            die("out of memory");
    } else {
        joined = strdup(preload);
    }
    setenv("LD_PRELOAD", joined, 1);
    free(joined);
}

static unsigned long parse_domid(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > 0x7fef)
        die("'%s' is not a domain id (0 to 32751)", s);
    return v;
}

/* How run and env create a domain that does not exist yet. */
struct domain_opts {
    const char *name, *uuid, *type;
};

/* Take a domain option at argv[*i]; false when it is none. */
static bool domain_opt(int argc, char **argv, int *i, struct domain_opts *o)
{
    const char **slot = !strcmp(argv[*i], "--name")   ? &o->name
                        : !strcmp(argv[*i], "--uuid") ? &o->uuid
                        : !strcmp(argv[*i], "--type") ? &o->type
                                                      : NULL;
    if (!slot || *i + 1 >= argc)
        return false;
    *slot = argv[++*i];
    return true;
}

static void ensure_domain(unsigned long domid, const struct domain_opts *o)
{
    char d[32];
    snprintf(d, sizeof(d), "%lu", domid);
    /* an existing domain is fine, whatever its options */
    char *argv[9] = {"create", d, "--exist-ok"};
    int argc = 3;
    if (o->name)
        argv[argc++] = (char *)o->name;
    if (o->uuid) {
        argv[argc++] = "--uuid";
        argv[argc++] = (char *)o->uuid;
    }
    if (o->type) {
        argv[argc++] = "--type";
        argv[argc++] = (char *)o->type;
    }
    int rc = ctl_request(argc, argv, NULL);
    if (rc < 0)
        die("no simulation running in %s (start one with: xsim start)", dir);
    if (rc > 0)
        exit(1);
}

static int cmd_run(int argc, char **argv)
{
    unsigned long domid = 0;
    struct domain_opts o = {0};
    int i = 0;
    int have_domid = 0;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--domid") && i + 1 < argc) {
            domid = parse_domid(argv[++i]);
            have_domid = 1;
        } else if (domain_opt(argc, argv, &i, &o)) {
            continue;
        } else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else {
            break;
        }
    }
    if (!have_domid || i >= argc)
        die("usage: xsim run --domid N [--name NAME] [--uuid UUID] [--type pv|pvh|hvm] -- CMD "
            "[ARGS...]");
    ensure_domain(domid, &o);
    char preload[PATH_MAX + 32];
    build_env(domid, preload, sizeof(preload));
    char d[32], p[32];
    snprintf(d, sizeof(d), "%lu", domid);
    snprintf(p, sizeof(p), "%ld", (long)getpid());
    char *targv[] = {"track", d, p, NULL};
    if (ctl_request(3, targv, NULL) != 0)
        die("cannot register this process with domain %lu", domid);
    execvp(argv[i], argv + i);
    die("cannot run %s: %s", argv[i], strerror(errno));
}

static int cmd_env(int argc, char **argv)
{
    struct domain_opts o = {0};
    if (argc < 2 || strcmp(argv[0], "--domid"))
        die("usage: xsim env --domid N [--name NAME] [--uuid UUID] [--type pv|pvh|hvm]");
    unsigned long domid = parse_domid(argv[1]);
    for (int i = 2; i < argc; i++)
        if (!domain_opt(argc, argv, &i, &o))
            die("usage: xsim env --domid N [--name NAME] [--uuid UUID] [--type pv|pvh|hvm]");
    ensure_domain(domid, &o);
    char preload[PATH_MAX + 32];
    build_env(domid, preload, sizeof(preload));
    const char *vars[] = {"XSIM_DIR", "XSIM_DOMID", "XENSTORED_PATH", "LD_PRELOAD", NULL};
    for (const char **v = vars; *v; v++)
        printf("export %s='%s'\n", *v, getenv(*v));
    return 0;
}

static int cmd_dump(void)
{
    const char *verbs[] = {"domains",    "dump-store",  "dump-grants",
                           "dump-ports", "dump-frames", NULL};
    int rc = 0;
    for (const char **v = verbs; *v; v++) {
        printf("== %s\n", *v);
        fflush(stdout);
        if (ctl_simple(*v, NULL, NULL) != 0)
            rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const char *opt_dir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            opt_dir = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "xsim: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    pick_dir(opt_dir);
    find_exe_dir();
    const char *cmd = argv[i++];
    int rest = argc - i;
    char **rargv = argv + i;
    if (!strcmp(cmd, "start") && rest == 0)
        return cmd_start("xenstored");
    if (!strcmp(cmd, "start") && rest == 2 && !strcmp(rargv[0], "--xenstored")) {
        if (strcmp(rargv[1], "xenstored") && strcmp(rargv[1], "oxenstored"))
            die("'%s' is not a xenstored xsim knows (xenstored or oxenstored)", rargv[1]);
        return cmd_start(rargv[1]);
    }
    if (!strcmp(cmd, "stop") && rest == 0)
        return cmd_stop();
    if (!strcmp(cmd, "run"))
        return cmd_run(rest, rargv);
    if (!strcmp(cmd, "env"))
        return cmd_env(rest, rargv);
    if (!strcmp(cmd, "create") && rest >= 1) {
        char *cargv[16] = {"create"};
        if (rest > 15)
            die("too many arguments to create");
        memcpy(cargv + 1, rargv, (size_t)rest * sizeof(*rargv));
        int rc = ctl_request(rest + 1, cargv, stdout);
        if (rc < 0)
            die("no simulation running in %s (start one with: xsim start)", dir);
        return rc;
    }
    if (!strcmp(cmd, "destroy") && rest == 1)
        return ctl_simple("destroy", rargv[0], NULL);
    if (!strcmp(cmd, "dump") && rest == 0)
        return cmd_dump();
    if (!strcmp(cmd, "ctl") && rest >= 1) {
        int rc = ctl_request(rest, rargv, stdout);
        if (rc < 0)
            die("no simulation running in %s (start one with: xsim start)", dir);
        return rc;
    }
    fprintf(stderr, "xsim: unknown command or wrong arguments: %s\n", cmd);
    usage(stderr);
    return 2;
}
