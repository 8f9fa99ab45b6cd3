/* xenfb-backend: the dom0 side of xenfb. Subcommands:
 *   attach   create a guest's vfb/vkbd device nodes (the toolstack's part)
 *   detach   remove them
 *   serve    run the backend with its viewers (serve.c)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "devnodes.h"
#include "guestconf.h"
#include "serve.h"

static const char usage_text[] =
    "usage: xenfb-backend attach --domid N [--xenfb] [--kernel] [--vfb] [--vkbd]\n"
    "                            [--max-width W --max-height H] [--devid N] [--backend-domid B]\n"
    "       xenfb-backend detach --domid N [--devid N] [--backend-domid B]\n"
    "       xenfb-backend serve [--domid N] [--foreground] [--syslog] [--verbose]\n"
    "                           [--vnc ADDR:PORT|PORT|/PATH] [--keymap LAYOUT]\n"
    "                           [--tls-cert FILE --tls-key FILE --password-file FILE]\n"
    "                           [--insecure-no-auth] [--web [ADDR:]PORT] [--novnc-dir DIR]\n"
    "                           [--sdl] [--user USER]\n"
    "                           [--websockify PROG] [--state-dir DIR] [--refresh MS]\n"
    "                           [--config FILE] [--guest SPEC]...\n"
    "  attach makes xenfb's devices (--xenfb, the default) or the guest kernel's\n"
    "  (--kernel), or both; --vfb or --vkbd only one of each.\n"
    "  serve gives the guests named in --config FILE (default " XFB_GUESTS_CONF ")\n"
    "  and by --guest their devices: lines \"guest NAME|UUID|* [max-size=WxH] "
    "[keyboard=yes|no]\n"
    "  [devices=both|kernel|xenfb]\",\n"
    "  --guest takes the words after \"guest\"; SIGHUP reads them again.\n";

/* One line to stderr, exit status 2: the command line was wrong. */
static int bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad_usage(const char *cmd, const char *fmt, ...)
{
    fprintf(stderr, "xenfb-backend%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see xenfb-backend --help)\n", stderr);
    return 2;
}

static int parse_num(const char *s, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

enum {
    OPT_DOMID = 1,
    OPT_DEVID,
    OPT_BDOMID,
    OPT_VFB,
    OPT_VKBD,
    OPT_XENFB,
    OPT_KERNEL,
    OPT_MAXW,
    OPT_MAXH
};

static const struct option long_opts[] = {
    {"domid", required_argument, NULL, OPT_DOMID},
    {"devid", required_argument, NULL, OPT_DEVID},
    {"backend-domid", required_argument, NULL, OPT_BDOMID},
    {"vfb", no_argument, NULL, OPT_VFB},
    {"vkbd", no_argument, NULL, OPT_VKBD},
    {"xenfb", no_argument, NULL, OPT_XENFB},
    {"kernel", no_argument, NULL, OPT_KERNEL},
    {"max-width", required_argument, NULL, OPT_MAXW},
    {"max-height", required_argument, NULL, OPT_MAXH},
    {NULL, 0, NULL, 0},
};

struct cmdline {
    int domid, devid, bdomid, maxw, maxh;
    bool vfb, vkbd, xenfb, kernel, any_size;
};

/* Parse the options of attach/detach; returns 0 or the exit status. */
static int parse(const char *cmd, int argc, char **argv, bool is_attach, struct cmdline *c)
{
    *c = (struct cmdline){.domid = -1,
                          .devid = -1,
                          .maxw = DEVNODES_DEFAULT_MAX_WIDTH,
                          .maxh = DEVNODES_DEFAULT_MAX_HEIGHT};
    opterr = 0;
    optind = 1;
    int o;
    while ((o = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
        const char *name = argv[optind - 1];
        int *num = NULL;
        long max = 0x7fef;
        switch (o) {
        case OPT_DOMID:
            num = &c->domid;
            break;
        case OPT_DEVID:
            num = &c->devid;
            max = 255;
            break;
        case OPT_BDOMID:
            num = &c->bdomid;
            break;
        case OPT_MAXW:
            num = &c->maxw;
            max = 16384;
            c->any_size = true;
            break;
        case OPT_MAXH:
            num = &c->maxh;
            max = 16384;
            c->any_size = true;
            break;
        case OPT_VFB:
            c->vfb = true;
            break;
        case OPT_VKBD:
            c->vkbd = true;
            break;
        case OPT_XENFB:
            c->xenfb = true;
            break;
        case OPT_KERNEL:
            c->kernel = true;
            break;
        case ':':
            return bad_usage(cmd, "%s needs a value", name);
        default:
            return bad_usage(cmd, "unknown option %s", name);
        }
        if (!is_attach && o != OPT_DOMID && o != OPT_DEVID && o != OPT_BDOMID)
            return bad_usage(cmd, "%s is an option of attach only", name);
        if (num &&
            (parse_num(optarg, max, num) < 0 || ((o == OPT_MAXW || o == OPT_MAXH) && *num == 0)))
            return bad_usage(cmd, "bad value '%s'", optarg);
    }
    if (optind < argc)
        return bad_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (c->domid < 0)
        return bad_usage(cmd, "%s", "--domid is required");
    if (c->domid == c->bdomid)
        return bad_usage(cmd, "%s", "the guest cannot be its own backend domain");
    if (!c->vfb && !c->vkbd)
        c->vfb = c->vkbd = true;
    if (!c->xenfb && !c->kernel)
        c->xenfb = true;
    return 0;
}

static int cmd_attach(int argc, char **argv)
{
    struct cmdline c;
    int rc = parse("attach", argc, argv, true, &c);
    if (rc)
        return rc;
    struct xfb_attach_opts o = {
        .domid = c.domid,
        .devid = c.devid < 0 ? 0 : c.devid,
        .backend_domid = c.bdomid,
        .vfb = c.xenfb && c.vfb,
        .vkbd = c.xenfb && c.vkbd,
        .kernel_vfb = c.kernel && c.vfb,
        .kernel_vkbd = c.kernel && c.vkbd,
        .max_width = (unsigned)c.maxw,
        .max_height = (unsigned)c.maxh,
    };
    const char *err = "xenstore";
    if (xfb_attach(&o, &err) < 0) {
        fprintf(stderr, "xenfb-backend attach: domain %d: %s\n", c.domid, err);
        return 1;
    }
    return 0;
}

static int cmd_detach(int argc, char **argv)
{
    struct cmdline c;
    int rc = parse("detach", argc, argv, false, &c);
    if (rc)
        return rc;
    const char *err = "xenstore";
    if (xfb_detach(c.domid, c.devid, c.bdomid, &err) < 0) {
        fprintf(stderr, "xenfb-backend detach: domain %d: %s\n", c.domid, err);
        return 1;
    }
    return 0;
}

enum {
    SOPT_DOMID = 1,
    SOPT_FG,
    SOPT_SYSLOG,
    SOPT_VERBOSE,
    SOPT_VNC,
    SOPT_KEYMAP,
    SOPT_CERT,
    SOPT_KEY,
    SOPT_PASSWORD,
    SOPT_INSECURE,
    SOPT_WEB,
    SOPT_NOVNC,
    SOPT_WEBSOCKIFY,
    SOPT_STATE,
    SOPT_REFRESH,
    SOPT_SDL,
    SOPT_USER,
    SOPT_CONFIG,
    SOPT_GUEST,
};

static const struct option serve_long_opts[] = {
    {"domid", required_argument, NULL, SOPT_DOMID},
    {"foreground", no_argument, NULL, SOPT_FG},
    {"syslog", no_argument, NULL, SOPT_SYSLOG},
    {"verbose", no_argument, NULL, SOPT_VERBOSE},
    {"vnc", required_argument, NULL, SOPT_VNC},
    {"keymap", required_argument, NULL, SOPT_KEYMAP},
    {"tls-cert", required_argument, NULL, SOPT_CERT},
    {"tls-key", required_argument, NULL, SOPT_KEY},
    {"password-file", required_argument, NULL, SOPT_PASSWORD},
    {"insecure-no-auth", no_argument, NULL, SOPT_INSECURE},
    {"web", required_argument, NULL, SOPT_WEB},
    {"novnc-dir", required_argument, NULL, SOPT_NOVNC},
    {"websockify", required_argument, NULL, SOPT_WEBSOCKIFY},
    {"state-dir", required_argument, NULL, SOPT_STATE},
    {"refresh", required_argument, NULL, SOPT_REFRESH},
    {"sdl", no_argument, NULL, SOPT_SDL},
    {"user", required_argument, NULL, SOPT_USER},
    {"config", required_argument, NULL, SOPT_CONFIG},
    {"guest", required_argument, NULL, SOPT_GUEST},
    {NULL, 0, NULL, 0},
};

/* The guests file and --guest specs, read before anything starts: a bad
 * line is a wrong command line (one line, status 2). */
static int load_config(struct serve_opts *o)
{
    char err[1024];
    if (guestconf_load(&o->config, o->config_file, o->config_required, o->guests, o->n_guests, err,
                       sizeof(err)) < 0) {
        fprintf(stderr, "xenfb-backend serve: %s\n", err);
        return 2;
    }
    return 0;
}

/* Parse serve's options into o (--guest specs into guests, argc long);
 * 0 or the exit status. */
static int parse_serve(int argc, char **argv, struct serve_opts *out, const char **guests)
{
    struct serve_opts o = {.domid = -1,
                           .keymap = "us",
                           .refresh_ms = 33,
                           .config_file = XFB_GUESTS_CONF,
                           .guests = guests};
    opterr = 0;
    optind = 1;
    int o_, n;
    while ((o_ = getopt_long(argc, argv, ":", serve_long_opts, NULL)) != -1) {
        const char *name = argv[optind - 1];
        switch (o_) {
        case SOPT_DOMID:
            if (parse_num(optarg, 0x7fef, &o.domid) < 0)
                return bad_usage("serve", "bad value '%s'", optarg);
            break;
        case SOPT_REFRESH:
            if (parse_num(optarg, 10000, &n) < 0 || n == 0)
                return bad_usage("serve", "bad value '%s'", optarg);
            o.refresh_ms = (unsigned)n;
            break;
        case SOPT_FG:
            o.foreground = true;
            break;
        case SOPT_SYSLOG:
            o.use_syslog = true;
            break;
        case SOPT_VERBOSE:
            o.verbose = 1;
            break;
        case SOPT_INSECURE:
            o.insecure_no_auth = true;
            break;
        case SOPT_VNC:
            o.vnc = optarg;
            break;
        case SOPT_KEYMAP:
            o.keymap = optarg;
            break;
        case SOPT_CERT:
            o.tls_cert = optarg;
            break;
        case SOPT_KEY:
            o.tls_key = optarg;
            break;
        case SOPT_PASSWORD:
            o.password_file = optarg;
            break;
        case SOPT_WEB:
            o.web = optarg;
            break;
        case SOPT_SDL:
#ifdef HAVE_SDL
            o.sdl = true;
            break;
#else
            return bad_usage("serve", "--sdl: this xenfb-backend was built without SDL "
                                      "(configure --enable-sdl, with libsdl2-dev)");
#endif
        case SOPT_NOVNC:
            o.novnc_dir = optarg;
            break;
        case SOPT_WEBSOCKIFY:
            o.websockify = optarg;
            break;
        case SOPT_STATE:
            o.state_dir = optarg;
            break;
        case SOPT_USER:
            o.user = optarg;
            break;
        case SOPT_CONFIG:
            o.config_file = optarg;
            o.config_required = true;
            break;
        case SOPT_GUEST:
            guests[o.n_guests++] = optarg;
            break;
        case ':':
            return bad_usage("serve", "%s needs a value", name);
        default:
            return bad_usage("serve", "unknown option %s", name);
        }
    }
    if (optind < argc)
        return bad_usage("serve", "unexpected argument '%s'", argv[optind]);
    if (o.user) {
        struct passwd *pw = getpwnam(o.user);
        if (!pw)
            return bad_usage("serve", "--user %s: no such user (create it, e.g. adduser --system)",
                             o.user);
        if (geteuid() != 0)
            return bad_usage("serve",
                             "--user %s: only root can change user; start as root or "
                             "leave --user out",
                             o.user);
        o.uid = pw->pw_uid;
        o.gid = pw->pw_gid;
    }
    *out = o;
    return load_config(out);
}

static int cmd_serve(int argc, char **argv)
{
    /* every --guest; argv outlives the daemon */
    const char **guests = calloc((size_t)argc, sizeof(*guests));
    if (!guests)
        return 1;
    struct serve_opts o;
    int rc = parse_serve(argc, argv, &o, guests);
    if (rc == 0)
        rc = serve_run(&o);
    free(guests);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"attach", cmd_attach},
    {"detach", cmd_detach},
    {"serve", cmd_serve},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage(NULL, "%s", "a command is required: attach, detach, serve");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        puts(PACKAGE_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    return bad_usage(NULL, "unknown command '%s'", argv[1]);
}
