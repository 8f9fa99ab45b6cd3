/* What the verbs share for their arguments and errors; apart from the
 * control socket so that the fuzzing harness links the same code. */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *ctl_errf(const char *fmt, ...)
{
    static char errbuf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
    va_end(ap);
    return errbuf;
}

int ctl_parse_uint(const char *s, unsigned long max, unsigned long *val)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *val = v;
    return 0;
}
