/* Internals of the backend core shared by its files. */
#ifndef XFB_BACK_PRIVATE_H
#define XFB_BACK_PRIVATE_H

#include "back.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "proto/layout.h"

/* Limits used when the backend directory has none (attach and the
 * daemon write them, with this same default: backend/devnodes.h). */
#define XFB_DEFAULT_MAX_WIDTH  3840
#define XFB_DEFAULT_MAX_HEIGHT 2160

/* No machine has more than 52 bits of physical address (x86-64, Arm64):
 * no frame number a guest writes can be larger. */
#define XFB_FRAME_MAX ((1ULL << 40) - 1)

/* xen-kbdfront's axes when the backend directory gives no width and
 * height (its ptr_size default, XENFB_WIDTH x XENFB_HEIGHT). */
#define XFB_KERNEL_PTR_WIDTH  800
#define XFB_KERNEL_PTR_HEIGHT 600

/* Out rings a vfb may fill per wakeup (its re-checks included). */
#define XFB_FB_PASSES 4
/* Event channel ports handled per dispatch, over all guests. */
#define XFB_PORTS_PER_DISPATCH 64
/* Watch events taken from the queue per dispatch, over all guests. */
#define XFB_WATCHES_PER_DISPATCH 256
/* Wakeups without any ring progress a frontend may cause per second
 * before it counts as a flood. A frontend notifies after producing or
 * consuming, never otherwise. */
#define XFB_IDLE_EVENTS_PER_SEC 5000
/* Wakeups in a row without any progress that count as a flood however
 * slowly they come: each notification of an honest frontend comes with
 * progress, and causes at most one wakeup that finds it already handled. */
#define XFB_IDLE_EVENTS_IN_A_ROW 1000
/* Changes of a frontend's state per second before it counts as flapping
 * (an honest one makes a handful per connection), and how long its state
 * watch is then ignored. */
#define XFB_STATE_CHANGES_PER_SEC 100
#define XFB_FLAP_MUTE_SEC         1
/* Wakeups one device may cause per slice, with progress or without (5000
 * a second): past that its port stays masked until the slice is over, and
 * the notifications meanwhile fold into one. A frontend that makes
 * progress on every notification is within the protocol, but on Xen a
 * notification is a cheap hypercall and would keep a dom0 core busy. */
#define XFB_SLICE_NS          10000000LL
#define XFB_WAKEUPS_PER_SLICE 50

enum xfb_dev_kind { XFB_DEV_FB, XFB_DEV_KBD, XFB_DEV_CLIP };

struct xfb_dev {
    struct xfb_back_guest *g;
    enum xfb_dev_kind kind;
    const char *type; /* backend type: xenfb, xenkbd, vfb-xenfb or vinput */
    const char *name; /* in messages: vfb, vkbd, kernel vfb or vinput */
    int devid;
    bool present;                         /* backend directory seen */
    char *bpath;                          /* our directory for this device */
    char *fpath;                          /* the frontend's directory */
    char *fwatch;                         /* the watched frontend node: fpath/state */
    int state;                            /* what we last wrote to bpath/state */
    int fstate;                           /* the frontend's state when we last looked */
    unsigned long tried_gref, tried_port; /* what the last connect used (a
                                           * grant, or a frame number) */
    bool frames;                          /* the shared page and framebuffer are mapped by frame
                                           * number (page-ref), not by grant */
    bool not_ours_said;                   /* the frontend names another backend: said once */
    bool closed;        /* went to Closed; waits for the frontend's Initialising */
    time_t flap_sec;    /* the second state changes are counted in */
    unsigned flaps;     /* state changes seen in it */
    time_t muted_until; /* state watch ignored before this second; 0: not */
    bool connected;
    bool unwritten;    /* xenstore refused our state or features: retry them */
    unsigned refusals; /* in a row, for logging once */

    int port; /* local port, -1 when unbound */
    volatile uint8_t *page;
    bool front_alive;      /* the frontend set its liveness byte */
    uint32_t seen_in_cons; /* the frontend's in_cons at the last wakeup */
    struct timespec idle_since;
    unsigned idle_events;
    unsigned idle_run;   /* wakeups since the last one with progress */
    int64_t slice_start; /* xfb_mono_ns() when the current slice began */
    unsigned slice_wakeups;
    bool throttled; /* port left masked until the slice is over */
    time_t throttle_logged;

    /* vfb */
    uint32_t max_width, max_height;
    volatile uint8_t *fb;
    uint32_t fb_pages;
    uint32_t mem_length;
    uint32_t out_cons, in_prod; /* our indices, kept here: the page is shared */
    bool release_wanted;        /* the frontend wrote request-release */
    uint32_t released;          /* the release index we last stored */
    bool held;                  /* a viewer holds the release (xfb_back_hold) */
    bool dispatching;           /* damaged callbacks of a pass are running */
    struct xfb_back_surface surf;
    bool refresh_pending;
    bool again; /* events left after XFB_FB_PASSES: the next dispatch resumes */

    /* size requests (resreq.c, protocol.md 9): one in flight at a time,
     * the latest asked meanwhile waiting for its answer */
    bool resreq; /* the frontend wrote feature-resize-request */
    struct xfb_resreq_state {
        bool inflight, pending;
        uint32_t sent_w, sent_h; /* in flight */
        uint32_t want_w, want_h; /* pending */
        char from[40];           /* who asked, for the log */
    } req;

    /* the cursor extension (cursor.c); NULL: not asked for */
    struct xfb_cursor_dev *cursor;

    /* the clipboard device (clip.c) */
    struct xfb_clip_dev *clip;

    /* vkbd */
    bool abs, raw, hwheel;
    uint32_t kbd_width, kbd_height; /* the range advertised for abs */
    uint32_t abs_max_x, abs_max_y;  /* the frontend's largest absolute position */
    union xenkbd_in_event *queue;   /* XFB_BACK_KBD_QUEUE entries */
    unsigned q_head, q_len;
    int last_x, last_y;
};

struct xfb_back_guest {
    struct xfb_back *b;
    struct xfb_back_guest *next;
    enum xfb_back_kind kind;
    int domid, devid; /* devid: xenfb's; a kernel guest's devices have their own */
    struct xfb_dev fb, kbd, clip;
    unsigned refresh_ms;
    bool clash_logged; /* a second kernel vfb or vkbd was ignored */
    void *user;
};

struct xfb_back {
    int only_domid; /* 0: every guest */
    struct xs_handle *xs;
    xenevtchn_handle *xce;
    xengnttab_handle *xgt;
    xenforeignmemory_handle *xfm; /* NULL: no privcmd, frame numbers refused */
    char why[160];                /* what foreign.c found wrong, for a log line */
    int timer_fd;                 /* fires when a muted device is due (see xenbus.c) */
    int domid;
    char *base; /* /local/domain/B/backend */
    struct xfb_back_guest *guests;
    const struct xfb_back_ops *ops;
    void *data;
    unsigned refresh_ms;
    xfb_back_log_fn log_fn;
    void *log_data;
    enum xfb_log_level log_level;
    int64_t retry_at;  /* monotonic ns: try refused writes again; 0: none */
    unsigned retry_ms; /* the pause before it: 10 ms, doubling up to 2 s */
};

static inline int64_t xfb_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A guest's devices, for loops over all of them: i in 0..XFB_GUEST_DEVS-1. */
#define XFB_GUEST_DEVS 3
static inline struct xfb_dev *xfb_guest_dev(struct xfb_back_guest *g, int i)
{
    return i == 0 ? &g->fb : i == 1 ? &g->kbd : &g->clip;
}

/* ---- back.c ---- */
/* The device's port fired (or it is looked at again): its kind's work. */
void xfb_dev_event(struct xfb_dev *d);
/* Set the timer for the earliest muted or throttled device that is due. */
void xfb_back_arm_timer(struct xfb_back *b);

/* ---- log.c ---- */
void xfb_log_(struct xfb_back *b, enum xfb_log_level level, const struct xfb_dev *d,
              const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* xfb_log(level, dev, fmt, ...): one line about a device (dev may not be
 * NULL); xfb_log_ctx for the context itself. */
#define xfb_log(level, dev, ...)                                                                   \
    xfb_log_((dev)->g->b, (level), (dev), __FILE__, __LINE__, __VA_ARGS__)
#define xfb_log_ctx(b, level, ...) xfb_log_((b), (level), NULL, __FILE__, __LINE__, __VA_ARGS__)

/* Refusals in a row (EAGAIN) before a device says so. */
#define XFB_REFUSALS_TO_WARN 6

/* ---- xenbus.c: discovery and the state machine ---- */
int xfb_xenbus_watch(struct xfb_back *b);
void xfb_xenbus_handle_watch(struct xfb_back *b, const char *path, const char *token);
void xfb_xenbus_retry(struct xfb_back *b);
/* A write of d's failed: if xenstore refused it (EAGAIN), write d's
 * state and features again later. */
void xfb_dev_refused(struct xfb_dev *d);
/* back.c: run xfb_xenbus_retry soon */
void xfb_back_retry_later(struct xfb_back *b);
/* The timer fired: look again at the devices whose mute is over. */
void xfb_xenbus_unmute(struct xfb_back *b);
/* Close a device the guest broke: log why, unmap, go Closed. */
void xfb_dev_fail(struct xfb_dev *d, const char *why);
void xfb_dev_disconnect(struct xfb_dev *d);
/* The frontend let go of the page without telling xenstore (its
 * liveness byte was cleared): unmap, go Closed, wait for Initialising. */
void xfb_dev_gone(struct xfb_dev *d);
void xfb_guest_forget(struct xfb_back_guest *g);
/* xenstore helpers: read a node below dir as a string (malloc'ed) or an
 * unsigned number; -1 + errno (ENOENT, EINVAL). */
char *xfb_xs_read(struct xfb_back *b, const char *dir, const char *node);
int xfb_xs_read_uint(struct xfb_back *b, const char *dir, const char *node, unsigned long max,
                     unsigned long *out);
int xfb_xs_write(struct xfb_back *b, const char *dir, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- dev.c: what both device kinds share ---- */
/* Bind to the frontend's port and map its shared page read-write: by
 * grant (with the unmap notification on our liveness byte), or by frame
 * number when d->frames. 0 or -1 (logged). */
int xfb_dev_map_page(struct xfb_dev *d, unsigned long ref, unsigned long port);
void xfb_dev_unmap_page(struct xfb_dev *d);
/* The frontend is still there (its liveness byte, once seen set). */
bool xfb_dev_front_alive(struct xfb_dev *d);
/* Count a wakeup, with or without progress on the rings; false when the
 * frontend floods. */
bool xfb_dev_wakeup(struct xfb_dev *d, bool progress);
/* Count a wakeup against the device's slice; false when it is over
 * budget: leave its port masked, the timer unmasks it. */
bool xfb_dev_budget(struct xfb_dev *d);
void xfb_dev_notify(struct xfb_dev *d);

/* ---- foreign.c: a standard frontend's pages, mapped by frame number ---- */
/* Open privcmd (0), or log why not and go on without it (-1). */
int xfb_foreign_open(struct xfb_back *b);
void xfb_foreign_close(struct xfb_back *b);
/* The shared page, read-write; NULL (logged). */
void *xfb_foreign_map_page(struct xfb_dev *d, uint64_t frame);
/* The framebuffer named by n_dir directory frames in pd[]: into d->fb,
 * read-only. 0, or -1 and *why. */
int xfb_foreign_map_fb(struct xfb_dev *d, const struct xfb_layout *l, uint32_t n_dir, uint32_t n_fb,
                       const char **why);
void xfb_foreign_unmap(struct xfb_back *b, volatile void *addr, uint32_t pages);

/* ---- fb.c ---- */
int xfb_fb_connect(struct xfb_dev *d);
void xfb_fb_disconnect(struct xfb_dev *d);
void xfb_fb_event(struct xfb_dev *d);
/* Release what was consumed, unless held; true: notify the frontend. */
bool xfb_fb_release(struct xfb_dev *d);
void xfb_fb_send_refresh(struct xfb_dev *d);
/* Put one event on the vfb in ring and notify: false when the ring is
 * full (or broken: then the device is closed). */
bool xfb_fb_put_in(struct xfb_dev *d, const union xenfb_in_event *ev);

/* ---- resreq.c ---- */
/* At vfb connect: does the frontend take size requests? A request in
 * flight is answered by the mode it connects with (a re-grant). */
void xfb_resreq_connect(struct xfb_dev *d);
/* The frontend resized: the answer to a request in flight, if any; the
 * one waiting goes out. */
void xfb_resreq_answered(struct xfb_dev *d);
/* A request waiting for room in the in ring: try again. */
void xfb_resreq_retry(struct xfb_dev *d);

/* ---- clip.c ---- */
/* Map the page and the clipboard's buffers, read the policy; 0 or -1
 * (logged). */
int xfb_clip_connect(struct xfb_dev *d);
void xfb_clip_disconnect(struct xfb_dev *d);
void xfb_clip_event(struct xfb_dev *d);
/* dom0 rewrote the device's policy node: apply it to a connected device. */
void xfb_clip_policy_changed(struct xfb_dev *d);

/* ---- cursor.c ---- */
/* At vfb connect: map the cursor pages if the frontend published
 * cursor-gref; 0 (also when it did not) or -1, logged. */
int xfb_cursor_connect(struct xfb_dev *d);
void xfb_cursor_disconnect(struct xfb_dev *d);
/* A wakeup: read the header if it changed; true when it did (progress). */
bool xfb_cursor_event(struct xfb_dev *d);

/* ---- kbd.c ---- */
int xfb_kbd_connect(struct xfb_dev *d);
void xfb_kbd_disconnect(struct xfb_dev *d);
void xfb_kbd_event(struct xfb_dev *d);

#endif
