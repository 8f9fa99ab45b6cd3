/* What toolstack.c (the domains and the loop) and toolstack_steps.c (the
 * work on one domain) share. */
#ifndef XFB_TOOLSTACK_INT_H
#define XFB_TOOLSTACK_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "backoff.h"
#include "devnodes.h"
#include "proto/layout.h"
#include "toolstack.h"

/* A domain the daemon looks after: running, or gone with backend
 * directories left to remove. */
struct tdom {
    struct tdom *next;
    int domid;
    bool gone;     /* no home: remove its backend directories, then forget it */
    bool dirty;    /* work to do: its devices may not be what they should */
    bool known;    /* name and UUID read */
    bool watching; /* its name and target nodes */
    char name[GUESTCONF_ID_MAX];
    char uuid[37];
    bool stubdom; /* a device model's stub domain (has `target`): not for "*" */
    bool named;   /* by the configuration, when last looked at */
    /* done by the current work so far, said once it is over */
    unsigned made, updated, removed;
    const char *removed_what, *removed_why; /* for the line about removals */
    /* its kernel's devices: what was said of them last (said again only
     * when it changes) and what the current work found */
    char kernel_said[160];
    char kernel_now[160];
    struct backoff retry; /* after a conflict */
};

struct toolstack {
    struct toolstack_opts o;
    struct aml *aml;
    struct xs_handle *xs;
    struct aml_handler *xs_h;
    struct aml_timer *timer;
    struct guest_config cfg;
    struct tdom *doms;
    bool scan_pending;
};

enum ts_result {
    TS_DONE,      /* the domain's devices are what they should be */
    TS_AGAIN,     /* a transaction conflicted: retry.at is set */
    TS_BUDGET,    /* out of transactions for this turn */
    TS_FORGOTTEN, /* gone and cleaned up: the record is freed */
};

/* toolstack_steps.c: bring one domain's devices to what the
 * configuration says, spending at most *budget transactions. */
enum ts_result ts_steps(struct toolstack *ts, struct tdom *d, int *budget);

/* toolstack.c */
void ts_log(struct toolstack *ts, enum xfb_log_level level, int domid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* a transaction conflicted: try again after a pause */
void ts_refused(struct toolstack *ts, struct tdom *d);
void ts_forget(struct toolstack *ts, struct tdom *d);
/* set the timer for the work that is due */
void ts_kick(struct toolstack *ts);

#endif
