/* Internals of libxenfbfront, shared by its files:
 *   front.c   open/close, options, the poll descriptor, dispatch
 *   log.c     the log sink and level
 *   device.c  the device's presence (hotplug), ownership of our nodes
 *   xenbus.c  xenstore nodes and the XenbusState machine, both reconnect paths
 *   timer.c   the one timer: publish retry, lazy check, backend timeout
 *   grant.c   the Xen device handles, the shared page, the event channel
 *   fbmem.c   vfb framebuffer memory: pages and directory, re-grants
 *   fbring.c  vfb rings: update/resize out with coalescing, refresh period in
 *   resreq.c  vfb in ring: the backend's size requests (protocol.md 9)
 *   kbdring.c vkbd in ring with validation
 *   cursor.c  vfb cursor extension: the caller's cursor, its shared pages
 *   clip.c    the clipboard device: the caller's text, its buffers' pages
 */
#ifndef XFB_FRONT_PRIVATE_H
#define XFB_FRONT_PRIVATE_H

#include "xenfb/front.h"
#include "proto/layout.h"
#include "proto/rect.h"
#include "proto/resreq.h"

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

/* Updates remembered for the release extension (protocol.md 2.5). */
#define XFB_HELD_MAX 128

/* The most directory pages any layout's page holds (pd_slots). */
#define XFB_MAX_DIR_PAGES 256

/* vfb framebuffer memory: pages shared read-only with the backend and the
 * directory naming them (protocol.md 2.2). */
struct xfb_fbmem {
    uint8_t *fb;
    uint32_t fb_pages;
    uint32_t *dir;
    uint32_t dir_pages;
    uint32_t dir_refs[XFB_MAX_DIR_PAGES];
    uint32_t mem_length; /* bytes: fb_pages pages */
};

/* The caller's cursor (cursor.c), kept while the device comes and goes. */
struct xfb_cursor_state {
    bool wanted;     /* opened with XFB_FRONT_CURSOR */
    uint32_t *image; /* XFB_CURSOR_IMAGE_SIZE bytes, rows XFB_CURSOR_STRIDE apart */
    uint32_t width, height, hot_x, hot_y, visible;
    int32_t x, y;
    uint32_t seq, image_gen; /* what the shared header says */
};

/* The clipboard device (clip.c): the caller's text, kept while the
 * device comes and goes, and the buffers' pages while it is there. */
struct xfb_clip_state {
    uint8_t *text; /* the caller's, XFB_FRONT_CLIP_MAX bytes */
    uint32_t len;
    bool have;             /* the caller set some text */
    uint8_t *copy;         /* what dom0 sent, copied out: XFB_FRONT_CLIP_MAX + 1 bytes */
    volatile uint8_t *out; /* guest to dom0 pages, read-only to the backend */
    volatile uint8_t *in;  /* dom0 to guest pages, writable by it */
    uint32_t out_seq;      /* our own count for the out buffer */
    uint32_t in_seen;      /* the in buffer's count we last read */
    unsigned policy;       /* XFB_FRONT_CLIP_* as the backend's node says */
    bool warned_policy;
};

/* The deadlines the one timer serves; 0 = none. */
enum xfb_deadline {
    XFB_DL_RETRY,   /* a publish xenstore refused (EAGAIN) */
    XFB_DL_LAZY,    /* a skipped notification to check on */
    XFB_DL_TIMEOUT, /* no progress towards a backend */
    XFB_DL_COUNT
};

struct xfb_front {
    enum xfb_front_kind kind;
    unsigned devid;
    unsigned flags;   /* XFB_FRONT_HOTPLUG */
    const char *name; /* the protocol, for messages: "vfb" or "vkbd" */
    const char *type; /* the xenstore device type: XFB_TYPE_FB or _KBD */
    char fe_path[48]; /* relative to our domain: device/xenfb/0 */

    /* the handle's own resources, for its whole life */
    struct xs_handle *xs;
    struct xenevtchn_handle *xce;
    struct xengntdev_handle *xgs; /* xengntshr_handle */
    struct xentoollog_logger *xtl;
    int epfd, timerfd, kickfd;
    bool watching; /* the watch on fe_path (hotplug) */

    /* the device, while we have it (attached): its backend, our port,
     * the shared page and, for vfb, the framebuffer memory */
    bool attached;
    bool wait_fresh; /* another writer took it: wait until it is made anew */
    bool warned_missing, warned_unusable;
    char *be_path; /* the backend directory, absolute */
    unsigned be_id;
    int port; /* ours, bound unbound for be_id; -1 = none */
    volatile uint8_t *page;
    uint32_t page_gref;
    struct xfb_fbmem mem; /* vfb: fb NULL = none (yet) */
    unsigned mem_gen;     /* counts installs: new grants may reuse an address */
    struct xfb_layout layout;

    /* xenbus */
    int state;         /* ours */
    int state_written; /* the last state the store took from us; -1 unknown */
    int be_state;      /* last read */
    bool started;      /* state 1 written: close walks 5 and 6 */
    bool published;    /* our nodes are in the store */
    bool connected;    /* state 4 and the backend alive */
    bool broken;       /* the backend broke the ring: wait for another */
    bool regranting;   /* Closing to re-grant: start over once the backend let go */
    bool warned_gref, warned_limits;
    unsigned publish_fails; /* commits refused in a row (EAGAIN): retried by the timer */

    /* what the backend offers */
    bool be_request_update, be_resize, be_abs, be_raw, be_hwheel, be_lazy_notify;
    bool be_release;                      /* vfb: feature-release, read before publishing */
    bool use_release;                     /* vfb: we wrote request-release */
    int32_t be_width, be_height;          /* vkbd absolute range without raw */
    uint32_t be_max_width, be_max_height; /* vfb: its limits; 0 = none given */
    bool use_abs, use_raw, use_hwheel;    /* what we requested */
    bool be_cursor;                       /* vfb: feature-cursor */
    bool use_resreq;                      /* vfb: we wrote feature-resize-request (protocol.md 9) */

    /* vfb cursor (cursor.c): header and image pages, read-only to the
     * backend, while the device is there and the backend draws it */
    struct xfb_cursor_state cursor;
    volatile uint8_t *cursor_page;
    uint32_t cursor_gref;
    bool cursor_published; /* cursor-gref is among our nodes */

    /* the clipboard device (clip.c) */
    struct xfb_clip_state clip;

    /* vfb mode */
    uint32_t width, height, stride, depth, offset;
    uint32_t max_width, max_height;
    uint32_t want_bytes;    /* hotplug: memory to grant when the device comes */
    uint32_t nospace_bytes; /* the last size gntalloc had no room for, said */

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

    /* vfb, release (protocol.md 2.5): the updates sent that the backend
     * has not released yet, oldest first, each with the out-ring index
     * after it; a ring of XFB_HELD_MAX, the newest widened when full */
    struct xfb_held {
        uint32_t idx;
        struct xfb_rect r;
    } held[XFB_HELD_MAX];
    unsigned held_first, held_n;
    /* a wait timed out: no more waiting until the backend caught up */
    bool release_stalled;
    uint64_t stall_until_ms; /* and not before this, */
    uint32_t stall_idx;      /* nor before this is released */
    bool warned_release;     /* said once per device; later ones at debug */

    /* the timer and the backend timeout */
    uint64_t deadline[XFB_DL_COUNT]; /* monotonic ms; 0 = none */
    uint64_t progress_ms;            /* the last step towards a backend */
    bool judged;                     /* the timeout said why; quiet until progress */

    /* logging */
    xfb_front_log_fn log_fn;
    void *log_data;
    int log_level;
    struct xfb_rate {
        struct timespec last;
        unsigned suppressed;
    } rate[3]; /* [XFB-010], [XFB-011], [XFB-017] */

    xfb_front_event_fn event_fn;
    void *event_data;
    unsigned timeout_ms;
};

static inline bool xfb_hotplug(const struct xfb_front *f)
{
    return (f->flags & XFB_FRONT_HOTPLUG) != 0;
}

/* log.c */
void xfb_log(struct xfb_front *f, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int xfb_log_level_from_env(void);
/* A xentoollog logger that forwards the Xen libraries' messages at debug. */
struct xentoollog_logger *xfb_log_xtl_new(struct xfb_front *f);
/* A line at most once per XFB_RATE_SECONDS for r; the ones held back
 * are counted and said with the next ("and N more since the last
 * report"). */
void xfb_log_rated(struct xfb_front *f, struct xfb_rate *r, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* [XFB-002]: what (a device, or xenstore) is not this user's to open. */
void xfb_log_no_access(struct xfb_front *f, const char *what, int err);

/* grant.c */
/* Open the evtchn and gntalloc devices (the handle's, not the device's). */
int xfb_grant_open(struct xfb_front *f);
void xfb_grant_close(struct xfb_front *f);
/* The device's port and shared page (with the liveness notify on the
 * port); for vfb the page header, for vkbd the rings. */
int xfb_grant_attach(struct xfb_front *f);
/* Release the device's memory (framebuffer first, the shared page last:
 * that fires the backend's notification) and its port. */
void xfb_grant_detach(struct xfb_front *f);
int xfb_grant_notify(struct xfb_front *f);
bool xfb_grant_backend_alive(const struct xfb_front *f);
/* Process pending ports; 0 or -1 + errno (the evtchn device failed). */
int xfb_grant_evtchn_dispatch(struct xfb_front *f);
/* One line for a gntalloc share that failed: [XFB-003] for ENOSPC. */
void xfb_grant_log_alloc_error(struct xfb_front *f, uint32_t need, int err);

/* fbmem.c */
/* Bytes a mode needs, rounded up to pages; 0 if more than 32 bits hold. */
uint32_t xfb_fbmem_bytes(uint64_t bytes);
/* Share bytes of framebuffer and its directory; logged on failure
 * ([XFB-003], [XFB-008]): -1 + errno. */
int xfb_fbmem_alloc(struct xfb_front *f, uint32_t bytes, struct xfb_fbmem *m);
void xfb_fbmem_free(struct xfb_front *f, struct xfb_fbmem *m);
/* Make m the device's memory: the page's pd[] and mem_length name it. */
void xfb_fbmem_install(struct xfb_front *f, const struct xfb_fbmem *m);
/* Replace the device's memory by bytes of new memory (both held if
 * gntalloc allows, else the old released first and granted again, with
 * its content, if the new cannot be). 0, or -1 + errno. */
int xfb_fbmem_replace(struct xfb_front *f, uint32_t bytes);

/* device.c */
/* Watch device/TYPE/N (hotplug handles). */
int xfb_device_watch(struct xfb_front *f);
/* Take the device: read it, bind, share, state 1, watch the backend.
 * -1 + errno, logged (ENODEV: not there). */
int xfb_device_attach(struct xfb_front *f);
enum xfb_detach {
    XFB_DETACH_CLOSE, /* ours to close: states 5 and 6, our nodes removed */
    XFB_DETACH_GONE,  /* not ours any more: nothing written */
};
void xfb_device_detach(struct xfb_front *f, enum xfb_detach how);
/* The device directory changed: appeared, removed, made anew, or our own
 * nodes rewritten by another writer. */
void xfb_device_check(struct xfb_front *f);
void xfb_device_emit(struct xfb_front *f, bool present, enum xfb_front_device_reason why);
/* At open of a hotplug handle: take the device if it is there (no event). */
void xfb_device_open(struct xfb_front *f);

/* xenbus.c */
int xfb_xenbus_open(struct xfb_front *f);
/* Read device/TYPE/N's backend (f->be_path, f->be_id): 0, or -1 with
 * ENODEV (not there) or EBUSY (a kernel driver drives it); quiet. */
int xfb_xenbus_read_device(struct xfb_front *f);
/* Remove stale nodes, state 1, watch the backend. */
int xfb_xenbus_start(struct xfb_front *f);
/* Re-read the backend and move our state; called on watches and timers. */
void xfb_xenbus_step(struct xfb_front *f);
int xfb_xenbus_watch_dispatch(struct xfb_front *f);
void xfb_xenbus_backend_gone(struct xfb_front *f, const char *why);
/* Leave the backend: with `close`, states 5 and 6 and our nodes removed. */
void xfb_xenbus_stop(struct xfb_front *f, bool close);
void xfb_xenbus_set_state(struct xfb_front *f, int state);
/* The memory changed under a published device: go Closing, and start over
 * once the backend let go (protocol.md 5). */
void xfb_xenbus_reconnect(struct xfb_front *f);
/* Does the mode (and memory) fit the backend's limits? Logs [XFB-015]. */
bool xfb_xenbus_mode_allowed(struct xfb_front *f, uint32_t w, uint32_t h, uint64_t mem, bool log);
/* The backend did not let go within the timeout: start over without it. */
void xfb_xenbus_regrant_timeout(struct xfb_front *f);
/* The watch on device/TYPE/N (hotplug), and what device.c reads there. */
int xfb_xenbus_watch_device(struct xfb_front *f);
void xfb_xenbus_unwatch_device(struct xfb_front *f);
long xfb_xenbus_read_fe(struct xfb_front *f, const char *node); /* -1: none */
bool xfb_xenbus_fe_has(struct xfb_front *f, const char *node);
/* device/TYPE/N's backend and backend-id (NULL, -1 when missing) */
char *xfb_xenbus_read_backend_path(struct xfb_front *f, long *id);

/* timer.c */
void xfb_timer_set(struct xfb_front *f, enum xfb_deadline which, unsigned ms);
void xfb_timer_clear(struct xfb_front *f, enum xfb_deadline which);
/* The timer descriptor fired: run what is due, arm for the next. */
void xfb_timer_fired(struct xfb_front *f);
/* A step towards a backend (a state change of either end): the timeout
 * counts from now, or stops while connected. */
void xfb_timer_progress(struct xfb_front *f);
uint64_t xfb_now_ms(void);

/* fbring.c */
void xfb_fbring_init_page(struct xfb_front *f);
/* Write the mode into the shared page, for the next backend. */
void xfb_fbring_write_geometry(struct xfb_front *f);
/* Queue or send an update; never blocks. */
void xfb_fbring_update(struct xfb_front *f, struct xfb_rect r);
void xfb_fbring_flush(struct xfb_front *f);
/* Check a mode (without memory); 0 or -1 + EINVAL, logged. */
int xfb_fbring_check_mode(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride,
                          uint32_t depth, uint32_t offset);
int xfb_fbring_resize(struct xfb_front *f, uint32_t w, uint32_t h, uint32_t stride, uint32_t depth,
                      uint32_t offset);
/* Consume in events; returns true when more are left for the next call. */
bool xfb_fbring_read(struct xfb_front *f);
void xfb_fbring_reset(struct xfb_front *f);
void xfb_fbring_connected(struct xfb_front *f);
/* The timer after a skipped notification: remind a backend that made no
 * progress meanwhile (its notification may be lost). */
void xfb_fbring_lazy_check(struct xfb_front *f);
void xfb_fbring_update_rects(struct xfb_front *f, const struct xfb_front_rect *rs, unsigned n);
/* xfb_front_wait_release() for a vfb handle. */
int xfb_fbring_wait_release(struct xfb_front *f, struct xfb_rect r, unsigned timeout_ms);

/* resreq.c */
/* One slot of the in ring of type XFB_TYPE_RESIZE_REQUEST, copied out:
 * validated and kept as the latest request of this pass. */
void xfb_resreq_take(struct xfb_front *f, const void *slot, bool *have, uint32_t *w, uint32_t *h);
/* After a pass over the in ring: hand the latest request to the caller. */
void xfb_resreq_emit(struct xfb_front *f, uint32_t w, uint32_t h);

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

/* cursor.c */
/* At open with XFB_FRONT_CURSOR: 0, or -1 + ENOMEM. */
int xfb_cursor_want(struct xfb_front *f);
/* About to publish to a backend offering feature-cursor: grant the
 * cursor's pages if the caller wants the cursor. true: publish
 * cursor-gref (f->cursor_gref). */
bool xfb_cursor_prepare(struct xfb_front *f);
/* The device goes: release the pages (the caller's cursor stays). */
void xfb_cursor_release(struct xfb_front *f);
/* The handle closes. */
void xfb_cursor_free(struct xfb_front *f);

/* clip.c */
/* At open of a clip handle: 0, or -1 + ENOMEM. */
int xfb_clip_open(struct xfb_front *f);
/* The device's page is shared: grant the buffers, name them in it.
 * 0, or -1 + errno (logged). */
int xfb_clip_attach(struct xfb_front *f);
/* The device goes: release the buffers (the caller's text stays). */
void xfb_clip_detach(struct xfb_front *f);
void xfb_clip_free(struct xfb_front *f);
/* Connected to a backend: read its policy, hand it our text. */
void xfb_clip_connected(struct xfb_front *f);
/* Our port fired: text from dom0? */
void xfb_clip_read(struct xfb_front *f);

/* front.c */
/* Our port fired: liveness, in ring, space in the out ring. */
void xfb_front_port_event(struct xfb_front *f);
void xfb_front_emit(struct xfb_front *f, const struct xfb_front_event *ev);
/* Make the poll descriptor readable again: ring events are left over. */
void xfb_front_kick(struct xfb_front *f);

#endif
