/* xenfb-agent: subcommand dispatch. See xenfb-agent(8). */
#include "agent.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: xenfb-agent check [--dev N] [--width W] [--height H] [--depth 24|16]\n"
          "  check   look for everything libxenfbfront needs and say what to fix\n",
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
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "xenfb-agent: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
