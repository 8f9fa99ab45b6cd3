/* Trying a xenstore transaction again after a conflict, from a timer:
 * the pause doubles from 10 ms to 2 s, and a long run of conflicts is
 * worth one warning. oxenstored answers EAGAIN whenever anything below
 * the lowest common path of a transaction changed meanwhile, which on a
 * busy host happens; C xenstored when a node it used did. */
#ifndef XFB_BACKOFF_H
#define XFB_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define BACKOFF_FIRST_MS 10
#define BACKOFF_MAX_MS   2000
#define BACKOFF_WARN_AT  6 /* conflicts in a row */

struct backoff {
    unsigned ms;       /* the last pause */
    unsigned refusals; /* conflicts in a row */
    int64_t at;        /* backoff_now_ms() of the next try; 0: now */
};

static inline int64_t backoff_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A conflict: the next try is due later. True once, when the conflicts
 * have gone on long enough to say so. */
static inline bool backoff_refused(struct backoff *b)
{
    b->ms = b->ms ? b->ms * 2 : BACKOFF_FIRST_MS;
    if (b->ms > BACKOFF_MAX_MS)
        b->ms = BACKOFF_MAX_MS;
    b->at = backoff_now_ms() + b->ms;
    return ++b->refusals == BACKOFF_WARN_AT;
}

/* It went through (or there is nothing left to try): how many conflicts
 * came before, if they were said (0 otherwise). */
static inline unsigned backoff_reset(struct backoff *b)
{
    unsigned said = b->refusals >= BACKOFF_WARN_AT ? b->refusals : 0;
    b->ms = b->refusals = 0;
    b->at = 0;
    return said;
}

#endif
