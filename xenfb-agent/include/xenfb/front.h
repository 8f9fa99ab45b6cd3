/* libxenfbfront: the guest end of the Xen vfb and vkbd devices, in userspace.
 *
 * The protocol is docs/protocol.md: standard <xen/io/fbif.h> and
 * <xen/io/kbdif.h> plus the grant extension (`feature-gref`/`page-gref`),
 * so that a process can export a framebuffer with gntalloc grants.
 *
 * One handle drives one device: a video driver opens vfb N, an input driver
 * opens vkbd N, each with its own handle. A handle is not thread-safe: use
 * it from one thread at a time.
 *
 * Nothing blocks on the peer. xfb_front_open() returns at once; the handle
 * then walks the xenbus states as the backend answers. The caller polls
 * xfb_front_fd() for readability and calls xfb_front_dispatch(), which does
 * whatever is ready and returns. xenstore requests are short round trips
 * to the local store and are the only waits.
 *
 * Errors: functions return -1 (or NULL) and set errno, like the Xen
 * libraries beneath them; an errno from the Xen libraries reaches the
 * caller unchanged (gntalloc's ENOSPC, /dev/xen's ENOENT or EACCES).
 *
 * Logging: the library prints nothing. Messages go to the sink set with
 * xfb_front_set_log_fn() (or the one in the options, which also sees the
 * messages of xfb_front_open()). The level is taken from the environment
 * variable XFB_LOG_LEVEL when the handle is opened: "error", "warning",
 * "info" (the default) or "debug", or 1 to 4. Conditions a user must fix
 * carry a stable id in brackets at the start of the message:
 *
 *   [XFB-001] a /dev/xen device is missing: load the module named
 *   [XFB-002] a /dev/xen device is not permitted: run as root or fix its mode
 *   [XFB-003] gntalloc limit reached: the message names the pages needed and
 *             the module parameter to raise (xen_gntalloc's `limit`)
 *   [XFB-004] the device is not in xenstore (no xenfb/xenkbd configured)
 *   [XFB-005] a kernel driver is bound to the device (sysfs)
 *   [XFB-006] no backend connected within the timeout
 *   [XFB-007] the backend has no feature-gref (e.g. stock QEMU)
 *   [XFB-008] a mode larger than the memory granted at open
 *   [XFB-009] the backend broke the ring: device stopped until it reconnects
 *   [XFB-010] an in-ring event of unknown type was dropped (rate-limited)
 *   [XFB-011] an in-ring key event with a code above KEY_MAX was dropped
 *   [XFB-012] xenstore cannot be reached
 *   [XFB-013] the backend does not accept resize (no feature-resize)
 *
 * The messages themselves are listed in xenfb-agent(8).
 *
 * fork: every descriptor the handle holds is close-on-exec, so a child that
 * execs keeps nothing. A child must not call any xfb_front_* function on a
 * handle of its parent, not even xfb_front_close(): the store connection
 * belongs to a thread that does not exist in the child.
 *
 * Peer crash: if the backend exits or crashes the handle notices (the
 * backend's liveness byte is cleared, or its state leaves Connected), goes
 * back to Initialised keeping its grants and event channel, and connects to
 * the next backend by itself, sending it a full update. The caller redoes
 * nothing; it sees XFB_FRONT_EV_STATE events if it cares. If this process
 * crashes, the grant device clears the frontend's liveness byte and the
 * backend releases the device.
 */
#ifndef XENFB_FRONT_H
#define XENFB_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xfb_front; /* opaque */

enum xfb_front_kind {
    XFB_FRONT_VFB = 1,  /* framebuffer: <xen/io/fbif.h> */
    XFB_FRONT_VKBD = 2, /* keyboard and pointer: <xen/io/kbdif.h> */
};

enum xfb_front_log_level {
    XFB_LOG_ERROR = 1,
    XFB_LOG_WARNING = 2,
    XFB_LOG_INFO = 3,
    XFB_LOG_DEBUG = 4,
};

/* A log sink: msg is one line without a newline, valid during the call. */
typedef void (*xfb_front_log_fn)(void *data, int level, const char *msg);

enum xfb_front_event_type {
    XFB_FRONT_EV_KEY = 1,     /* vkbd: key.code (Linux KEY_* or BTN_*), key.pressed */
    XFB_FRONT_EV_POS = 2,     /* vkbd: absolute pointer position, wheel in pos.z */
    XFB_FRONT_EV_MOTION = 3,  /* vkbd: relative motion */
    XFB_FRONT_EV_REFRESH = 4, /* vfb: the backend's refresh period changed */
    XFB_FRONT_EV_STATE = 5,   /* both: the frontend's xenbus state changed */
};

struct xfb_front_event {
    enum xfb_front_event_type type;
    union {
        struct {
            uint32_t code; /* <= 0x2ff (KEY_MAX) */
            bool pressed;
        } key;
        struct {
            int32_t x, y;         /* in [0, x_max] and [0, y_max] */
            int32_t x_max, y_max; /* 0x7fff with a raw pointer, else the backend's width/height */
            int32_t z;            /* wheel, relative: positive is up */
            int32_t w;            /* horizontal wheel: positive is right (0 unless offered) */
        } pos;
        struct {
            int32_t dx, dy, dz; /* dz: wheel, as pos.z */
            int32_t dw;         /* horizontal wheel, as pos.w */
        } motion;
        struct {
            /* period in ms; 0 = no viewer: updates are not sent until a
             * non-zero period comes, and then the library itself sends one
             * update of the whole surface. */
            uint32_t period;
        } refresh;
        struct {
            int state;      /* XenbusState of the frontend: 1..6 */
            bool connected; /* state 4: updates flow, events arrive */
        } state;
    };
};

/* Called from xfb_front_dispatch() for each event, in ring order; ev is
 * valid during the call. The callback may call xfb_front_update() and
 * xfb_front_resize() but not xfb_front_close() or xfb_front_dispatch(). */
typedef void (*xfb_front_event_fn)(void *data, const struct xfb_front_event *ev);

struct xfb_front_opts {
    enum xfb_front_kind kind;
    unsigned devid; /* N of device/xenfb/N or device/xenkbd/N (layout.h) */

    /* vfb: the mode at open and the largest one the caller will use. The
     * memory for the largest mode at 32 bits per pixel is granted once, at
     * open (see xfb_front_vfb_pages()): resizes stay inside it. depth is 32 (x8r8g8b8) or 16
     * (r5g6b5); 0 means 32. A zero max_width/max_height means width/height. */
    uint32_t width, height, depth;
    uint32_t max_width, max_height;

    /* How long to wait for a backend before logging [XFB-006] (the handle
     * keeps waiting after that); 0 means 10000 ms. */
    unsigned backend_timeout_ms;

    xfb_front_log_fn log_fn; /* may be NULL: no messages */
    void *log_data;
    xfb_front_event_fn event_fn; /* may be NULL: events are dropped */
    void *event_data;
};

/* Open device opts->devid of opts->kind: read its xenstore directory,
 * allocate and grant the shared page (and for vfb the framebuffer and its
 * grant directory, sized for the largest mode), bind an unbound event
 * channel for the backend, set the frontend's state to Initialising and
 * watch the backend. Publishing and connecting happen later, in
 * xfb_front_dispatch(), as the backend answers.
 *
 * Returns a handle, or NULL + errno: EINVAL (bad options), ENODEV (the
 * device is not in xenstore, [XFB-004]), EBUSY (a kernel driver is bound to
 * it, [XFB-005]), E2BIG (the largest mode needs more grant directory pages
 * than the shared page holds, [XFB-008]), ENOSPC (gntalloc limit,
 * [XFB-003]), ENOENT/EACCES/EPERM (/dev/xen, [XFB-001]/[XFB-002]), or what
 * xenstore, gntalloc or evtchn returned. Nothing is left allocated on
 * failure. */
struct xfb_front *xfb_front_open(const struct xfb_front_opts *opts);

/* Close the device: state Closing, release grants and the event channel
 * (the grant device clears the frontend's liveness byte and notifies the
 * backend), remove the published nodes, state Closed. Leaves no grant,
 * port or node behind, so a later xfb_front_open() starts clean. NULL is
 * accepted. Does not touch errno's meaning: never fails. */
void xfb_front_close(struct xfb_front *f);

/* Replace the log sink (NULL = silence). */
void xfb_front_set_log_fn(struct xfb_front *f, xfb_front_log_fn fn, void *data);

/* Replace the event callback (NULL = drop events). */
void xfb_front_set_event_fn(struct xfb_front *f, xfb_front_event_fn fn, void *data);

/* The one descriptor to poll for readability (an epoll descriptor holding
 * the xenstore watch descriptor, the event channel and a timer). It stays
 * the same for the life of the handle, across reconnections. */
int xfb_front_fd(const struct xfb_front *f);

/* Process everything that is ready: xenstore watches (state changes),
 * events on the channel (the backend's liveness, the in ring, space freed
 * in the out ring), the backend timeout. Never waits for the peer; handles
 * a bounded number of ring events per call and leaves the descriptor
 * readable when more remain. Returns 0, or -1 + errno when the store
 * connection or the event channel failed (the handle is then unusable:
 * close it). A broken or hostile backend is not an error of this call: it
 * is logged and the device waits for another backend. */
int xfb_front_dispatch(struct xfb_front *f);

/* The frontend's XenbusState (1..6). */
int xfb_front_state(const struct xfb_front *f);

/* True while Connected: the backend is mapped and alive. */
bool xfb_front_connected(const struct xfb_front *f);

/* vfb: the framebuffer the caller draws into. */
struct xfb_front_fb {
    void *pixels;        /* granted memory, mem_length bytes, owned by the handle */
    uint32_t mem_length; /* bytes granted */
    uint32_t width, height, stride, depth, offset; /* the current mode */
};

/* Fill *out with the framebuffer memory and the current mode. pixels stays
 * valid until xfb_front_close(), across reconnections. 0, or -1 + EINVAL
 * for a vkbd handle. */
int xfb_front_get_fb(const struct xfb_front *f, struct xfb_front_fb *out);

/* vfb: pixels in the rectangle changed. The rectangle is clipped to the
 * current mode. Never blocks: when the out ring is full, pending updates
 * are merged into one bounding box sent when the backend frees space.
 * Nothing is sent while not connected, before the backend asked for
 * updates (`request-update`) or while the refresh period is 0; the library
 * sends a full update itself when that ends. 0, or -1 + EINVAL (a vkbd
 * handle). */
int xfb_front_update(struct xfb_front *f, int32_t x, int32_t y, int32_t w, int32_t h);

/* vfb: switch to a new mode inside the memory granted at open: width and
 * height > 0, depth 16 or 32, stride >= width * depth / 8, and
 * offset + stride * height <= mem_length. The shared page is updated for
 * the next backend; a connected backend gets XENFB_TYPE_RESIZE followed by
 * an update of the whole surface (queued if the ring is full).
 * 0, or -1 + errno: E2BIG (larger than the memory granted, [XFB-008]),
 * EINVAL (bad geometry or a vkbd handle), EOPNOTSUPP (the connected backend
 * has no feature-resize, [XFB-013]; the mode is unchanged). */
int xfb_front_resize(struct xfb_front *f, uint32_t width, uint32_t height, uint32_t stride,
                     uint32_t depth, uint32_t offset);

/* vfb: the backend's last refresh period in ms, or -1 if it sent none. */
int64_t xfb_front_refresh_period(const struct xfb_front *f);

/* Grant pages a vfb of this largest mode needs from gntalloc: the shared
 * page, the framebuffer and its grant directory. The memory is granted
 * for 32-bit pixels whatever the depth (a resize may switch between 16
 * and 32), so depth does not change the count. Used to check gntalloc's
 * limit. 0 for a zero size. */
uint32_t xfb_front_vfb_pages(uint32_t max_width, uint32_t max_height, uint32_t depth);

#ifdef __cplusplus
}
#endif

#endif
