/* xenfb-agent: subcommand dispatch. See xenfb-agent(8). */
#include "agent.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: xenfb-agent check [--dev N] [--width W] [--height H] [--depth 24|16]\n"
#ifdef XFB_AGENT_CLIPBOARD
          "       xenfb-agent clipboard [--dev N]\n"
#endif
          "  check      look for everything libxenfbfront needs and say what to fix\n"
#ifdef XFB_AGENT_CLIPBOARD
          "  clipboard  the X session's CLIPBOARD and PRIMARY to and from dom0\n"
#endif
          ,
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "check"))
        return agent_check(argc - 2, argv + 2);
#ifdef XFB_AGENT_CLIPBOARD
    if (!strcmp(argv[1], "clipboard"))
        return agent_clipboard(argc - 2, argv + 2);
#endif
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "xenfb-agent: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
