/* Internals of libxenfbfront, shared by its files:
 *   front.c   open/close, options, the poll descriptor, dispatch
 *   log.c     the log sink and level
 *   xenbus.c  xenstore nodes and the XenbusState machine, both reconnect paths
 *   grant.c   gntalloc pages, the grant directory, the event channel
 *   fbring.c  vfb rings: update/resize out with coalescing, refresh period in
 *   kbdring.c vkbd in ring with validation
 */
#ifndef XFB_FRONT_PRIVATE_H
#define XFB_FRONT_PRIVATE_H

#include "xenfb/front.h"
#include "proto/layout.h"
#include "proto/rect.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define XFB_EXPORT __attribute__((visibility("default")))

struct xs_handle;
struct xenevtchn_handle;
struct xengntdev_handle;
struct xentoollog_logger;

/* Ring events handled per dispatch: a backend flooding the ring cannot
 * keep the caller (the X server) busy for longer than this. */
#define XFB_EVENTS_PER_DISPATCH 64

#define XFB_DEFAULT_TIMEOUT_MS 10000u

struct xfb_front {
    enum xfb_front_kind kind;
    unsigned devid;
    const char *name; /* the protocol, for messages: "vfb" or "vkbd" */
    const char *type; /* the xenstore device type: XFB_TYPE_FB or _KBD */
    char fe_path[48]; /* relative to our domain: device/xenfb/0 */
    char *be_path;    /* the backend directory, absolute */
    unsigned be_id;

    struct xs_handle *xs;
    struct xenevtchn_handle *xce;
    struct xengntdev_handle *xgs; /* xengntshr_handle */
    struct xentoollog_logger *xtl;
    int epfd, timerfd, kickfd;
    int port; /* ours, bound unbound for be_id; -1 = none */

    /* the shared page and, for vfb, framebuffer and grant directory */
    volatile uint8_t *page;
    uint32_t page_gref;
    uint8_t *fb;
    uint32_t fb_pages;
    uint32_t *dir;
    uint32_t dir_pages;
    uint32_t mem_length;
    struct xfb_layout layout;

    /* xenbus */
    int state;      /* ours */
    int be_state;   /* last read */
    bool started;   /* state 1 written: close walks 5 and 6 */
    bool published; /* our nodes are in the store */
    bool connected; /* state 4 and the backend alive */
    bool broken;    /* the backend broke the ring: wait for another */
    bool warned_gref, warned_timeout, timed_out;
    unsigned publish_fails; /* commits refused in a row (EAGAIN): retried by the timer */

    /* what the backend offers */
    bool be_request_update, be_resize, be_abs, be_raw, be_hwheel, be_lazy_notify;
    int32_t be_width, be_height; /* vkbd absolute range without raw */
    bool use_abs, use_raw, use_hwheel; /* what we requested */

    /* vfb mode */
    uint32_t width, height, stride, depth, offset;
    uint32_t max_width, max_height;

    /* our own ring indices: the page copy is for the backend only, since a
     * hostile backend may rewrite it */
    uint32_t out_prod, in_cons;

    /* vfb out queue: what could not be sent because the ring was full */
    bool pend_resize;
    /* a notification skipped for a backend that was behind (feature-lazy-
     * notify) is checked on after XFB_LAZY_CHECK_MS: out_cons then */
    bool lazy_armed;
    uint32_t lazy_cons;
    struct xfb_rect pend;
    int64_t refresh; /* -1 = none received */

    /* logging */
    xfb_front_log_fn log_fn;
    void *log_data;
    int log_level;
    struct xfb_rate {
        struct timespec last;
        unsigned suppressed;
    } rate[2]; /* [XFB-010], [XFB-011] */

    xfb_front_event_fn event_fn;
    void *event_data;
    unsigned timeout_ms;
};

/* log.c */
void xfb_log(struct xfb_front *f, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int xfb_log_level_from_env(void);
/* A xentoollog logger that forwards the Xen libraries' messages at debug. */
struct xentoollog_logger *xfb_log_xtl_new(struct xfb_front *f);
/* True when a rate-limited line may be logged now; counts the others in
 * r->suppressed, which the caller reports and resets. */
bool xfb_log_rate_ok(struct xfb_rate *r);

/* grant.c */
int xfb_grant_open(struct xfb_front *f);
/* Share the shared page (with the liveness notify on our port) and, for
 * vfb, the framebuffer and directory; fills the page header. */
int xfb_grant_alloc(struct xfb_front *f);
void xfb_grant_release(struct xfb_front *f);
int xfb_grant_notify(struct xfb_front *f);
bool xfb_grant_backend_alive(const struct xfb_front *f);
/* Process pending ports; 0 or -1 + errno (the evtchn device failed). */
int xfb_grant_evtchn_dispatch(struct xfb_front *f);

/* xenbus.c */
int xfb_xenbus_open(struct xfb_front *f);
/* Remove stale nodes, state 1, watch the backend. */
int xfb_xenbus_start(struct xfb_front *f);
/* Re-read the backend and move our state; called on watches and timers. */
void xfb_xenbus_step(struct xfb_front *f);
int xfb_xenbus_watch_dispatch(struct xfb_front *f);
void xfb_xenbus_backend_gone(struct xfb_front *f, const char *why);
void xfb_xenbus_close(struct xfb_front *f);
void xfb_xenbus_set_state(struct xfb_front *f, int state);

/* fbring.c */
void xfb_fbring_init_page(struct xfb_front *f);
/* Queue or send an update; never blocks. */
void xfb_fbring_update(struct xfb_front *f, struct xfb_rect r);
void xfb_fbring_flush(struct xfb_front *f);
int xfb_fbring_resize(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride, uint32_t depth,
                      uint32_t offset);
/* Consume in events; returns true when more are left for the next call. */
bool xfb_fbring_read(struct xfb_front *f);
void xfb_fbring_reset(struct xfb_front *f);
void xfb_fbring_connected(struct xfb_front *f);
/* The timer after a skipped notification: remind a backend that made no
 * progress meanwhile (its notification may be lost). */
void xfb_fbring_lazy_check(struct xfb_front *f);

/* kbdring.c */
struct xfb_kbd_range {
    bool abs;    /* absolute positions requested */
    bool hwheel; /* the horizontal wheel requested */
    int32_t x_max, y_max;
};

enum xfb_kbd_verdict {
    XFB_KBD_OK = 0,
    XFB_KBD_UNKNOWN_TYPE = 1,
    XFB_KBD_BAD_KEYCODE = 2,
};

union xenkbd_in_event;
/* Validate one event already copied out of the ring, fill *out. Pure. */
enum xfb_kbd_verdict xfb_kbd_validate(const union xenkbd_in_event *in,
                                      const struct xfb_kbd_range *range,
                                      struct xfb_front_event *out);
bool xfb_kbdring_read(struct xfb_front *f);
void xfb_kbdring_reset(struct xfb_front *f);
void xfb_kbdring_init_page(struct xfb_front *f);

/* front.c */
/* Our port fired: liveness, in ring, space in the out ring. */
void xfb_front_port_event(struct xfb_front *f);
void xfb_front_emit(struct xfb_front *f, const struct xfb_front_event *ev);
/* Make the poll descriptor readable again: ring events are left over. */
void xfb_front_kick(struct xfb_front *f);
void xfb_front_arm_timer(struct xfb_front *f, unsigned ms);

#endif
