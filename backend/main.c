/* xenfb-backend: the dom0 side of xenfb. Subcommands:
 *   attach   create a guest's vfb/vkbd device nodes (the toolstack's part)
 *   detach   remove them
 *   serve    run the backend with its viewers (not in this version)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"

static const char usage_text[] =
    "usage: xenfb-backend attach --domid N [--vfb] [--vkbd] [--max-width W --max-height H]\n"
    "                            [--devid N] [--backend-domid B]\n"
    "       xenfb-backend detach --domid N [--devid N] [--backend-domid B]\n"
    "       xenfb-backend serve ...   (not available yet)\n";

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

enum { OPT_DOMID = 1, OPT_DEVID, OPT_BDOMID, OPT_VFB, OPT_VKBD, OPT_MAXW, OPT_MAXH };

static const struct option long_opts[] = {
    {"domid", required_argument, NULL, OPT_DOMID},
    {"devid", required_argument, NULL, OPT_DEVID},
    {"backend-domid", required_argument, NULL, OPT_BDOMID},
    {"vfb", no_argument, NULL, OPT_VFB},
    {"vkbd", no_argument, NULL, OPT_VKBD},
    {"max-width", required_argument, NULL, OPT_MAXW},
    {"max-height", required_argument, NULL, OPT_MAXH},
    {NULL, 0, NULL, 0},
};

struct cmdline {
    int domid, devid, bdomid, maxw, maxh;
    bool vfb, vkbd, any_size;
};

/* Parse the options of attach/detach; returns 0 or the exit status. */
static int parse(const char *cmd, int argc, char **argv, bool is_attach, struct cmdline *c)
{
    *c = (struct cmdline){.domid = -1, .devid = -1, .maxw = 1920, .maxh = 1200};
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
        .vfb = c.vfb,
        .vkbd = c.vkbd,
        .max_width = (unsigned)c.maxw,
        .max_height = (unsigned)c.maxh,
    };
    const char *err = "xenstore";
    if (xfb_attach(&o, &err) < 0) {
        fprintf(stderr, "xenfb-backend attach: domain %d: %s: %s\n", c.domid, err, strerror(errno));
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

static int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("xenfb-backend serve: not available in this version yet; "
          "attach and detach are\n",
          stderr);
    return 2;
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
        return bad_usage(NULL, "%s", "a command is required: attach, detach");
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
