/* xsimd's control socket (ctl.sock): the xsim command-line tool and tests
 * speak a line protocol to it.
 *
 * Request: one line, words separated by spaces: "VERB ARG...\n".
 * Reply:   zero or more lines of output, then "OK\n" or "ERR message\n".
 *
 * Modules register their verbs at start-up. A handler writes its output
 * lines to `out` and returns 0, or writes nothing useful and returns -1 after
 * setting *err to a static or strdup'ed message (the caller frees nothing:
 * use a static string or ctl_errf()).
 */
#ifndef XSIMD_CTL_H
#define XSIMD_CTL_H

#include <stdio.h>

typedef int (*ctl_fn)(int argc, char **argv, FILE *out, const char **err);

/* Register VERB with a one-line usage text shown by "help". */
void ctl_register(const char *verb, const char *usage, ctl_fn fn);

/* Format an error message into a buffer owned by ctl (valid until the
 * handler returns); returns it, for `*err = ctl_errf(...)`. */
const char *ctl_errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a non-negative decimal integer argument no larger than max;
 * 0, or -1 when it is not one. */
int ctl_parse_uint(const char *s, unsigned long max, unsigned long *val);

int ctl_init(const char *dir);

#endif
