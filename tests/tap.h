/* A tiny TAP producer for the C tests, read by automake's tap-driver.
 * Each check prints one "ok"/"not ok" line; a failure also prints where it
 * was and what was expected, as a TAP diagnostic. */
#ifndef XFB_TESTS_TAP_H
#define XFB_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed, tap_planned;

static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    fputs("\n", stdout);
    va_end(ap);
    fflush(stdout);
}

static inline int tap_result(int pass, const char *file, int line, const char *fmt, va_list ap)
{
    tap_count++;
    if (!pass)
        tap_failed++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass)
        printf("#   failed at %s:%d\n", file, line);
    fflush(stdout);
    return pass;
}

static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = tap_result(pass, file, line, fmt, ap);
    va_end(ap);
    return r;
}

static inline int tap_is_int(intmax_t got, intmax_t want, const char *file, int line,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int tap_is_int(intmax_t got, intmax_t want, const char *file, int line,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = tap_result(got == want, file, line, fmt, ap);
    va_end(ap);
    if (!r)
        printf("#   expected: %jd\n#        got: %jd\n", want, got);
    return r;
}

static inline int tap_is_str(const char *got, const char *want, const char *file, int line,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int tap_is_str(const char *got, const char *want, const char *file, int line,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int same = (got == NULL && want == NULL) || (got && want && !strcmp(got, want));
    int r = tap_result(same, file, line, fmt, ap);
    va_end(ap);
    if (!r)
        printf("#   expected: '%s'\n#        got: '%s'\n", want ? want : "(null)",
               got ? got : "(null)");
    return r;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                                     \
    tap_is_int((intmax_t)(got), (intmax_t)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* Exit status for main(): failure if any check failed or the count is off. */
static inline int done_testing(void)
{
    if (!tap_planned)
        printf("1..%d\n", tap_count);
    else if (tap_count != tap_planned)
        printf("# planned %d checks, ran %d\n", tap_planned, tap_count);
    fflush(stdout);
    return tap_failed || (tap_planned && tap_count != tap_planned) ? 1 : 0;
}

#endif
