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
 * to the local store and are the only waits. Nothing wakes the descriptor
 * while nothing changes: every wait is a xenstore watch or the event
 * channel, except the backend timeout, which fires once per change.
 *
 * Hotplug (XFB_FRONT_HOTPLUG, since 0.2): a handle opened with
 * xfb_front_open_flags() outlives the device. It needs xenstore and the
 * /dev/xen devices, not the device: it watches device/TYPE/N, takes the
 * device when it appears, lets go of it when it is removed (the backend
 * domain restarted, the toolstack detached it) and takes it again when it
 * comes back, with an XFB_FRONT_EV_DEVICE event each time. For a vfb the
 * framebuffer memory belongs to the device: granted when it appears,
 * released when it goes, re-granted for a larger mode
 * (xfb_front_regrant()). Meanwhile the caller draws into memory of its
 * own and moves its picture in and out on those events. A hotplug handle
 * also watches its own frontend nodes: if another writer (a kernel
 * frontend, a confused tool) changes `state` or `event-channel`, it stops
 * using the device ([XFB-016]) until the device is made anew.
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
 *   [XFB-002] a /dev/xen device or xenstore is not permitted to this user:
 *             run as root, or give the user access (group xenfb, through
 *             the opt-in udev rule the guest package ships)
 *   [XFB-003] gntalloc limit reached: the message names the pages needed and
 *             the module parameter to raise (xen_gntalloc's `limit`)
 *   [XFB-004] the device is not in xenstore (no xenfb/xenkbd configured)
 *   [XFB-005] a kernel driver is bound to the device (sysfs)
 *   [XFB-006] no backend connected within the timeout: none is running, the
 *             one named closed the device, or a dead one left Connected
 *   [XFB-007] the backend has no feature-gref (e.g. stock QEMU)
 *   [XFB-008] a mode larger than the memory granted, or than the shared
 *             page's grant directory can name
 *   [XFB-009] the backend broke the ring: device stopped until it reconnects
 *   [XFB-010] an in-ring event of unknown type was dropped (rate-limited)
 *   [XFB-011] an in-ring key event with a code above KEY_MAX was dropped
 *   [XFB-012] xenstore cannot be reached
 *   [XFB-013] the backend does not accept resize (no feature-resize)
 *   [XFB-014] a backend waits in InitWait but did not connect within the
 *             timeout: the message says what it lacks or what it did not do
 *   [XFB-015] a mode beyond the backend's limits (max-width, max-height in
 *             its directory: dom0's policy)
 *   [XFB-016] another writer changed this frontend's own nodes (state,
 *             event-channel): the device is left to it until made anew
 *   [XFB-017] a size request from the backend was dropped: a width or
 *             height of 0, or beyond 32767 (rate-limited)
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
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xfb_front; /* opaque */

enum xfb_front_kind {
    XFB_FRONT_VFB = 1,  /* framebuffer: <xen/io/fbif.h> */
    XFB_FRONT_VKBD = 2, /* keyboard and pointer: <xen/io/kbdif.h> */
    XFB_FRONT_CLIP = 3, /* the clipboard channel, device/xenclip/N (since 0.4) */
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
    XFB_FRONT_EV_KEY = 1,            /* vkbd: key.code (Linux KEY_* or BTN_*), key.pressed */
    XFB_FRONT_EV_POS = 2,            /* vkbd: absolute pointer position, wheel in pos.z */
    XFB_FRONT_EV_MOTION = 3,         /* vkbd: relative motion */
    XFB_FRONT_EV_REFRESH = 4,        /* vfb: the backend's refresh period changed */
    XFB_FRONT_EV_STATE = 5,          /* both: the frontend's xenbus state changed */
    XFB_FRONT_EV_DEVICE = 6,         /* hotplug handles: the device appeared or went */
    XFB_FRONT_EV_CLIPBOARD = 7,      /* clip: text from dom0 (since 0.4) */
    XFB_FRONT_EV_RESIZE_REQUEST = 8, /* vfb: the backend asks for a size (since 0.5) */
};

/* Why a hotplug handle's device came or went (XFB_FRONT_EV_DEVICE). */
enum xfb_front_device_reason {
    XFB_FRONT_DEVICE_ADDED = 1,    /* it appeared, or came back */
    XFB_FRONT_DEVICE_REMOVED = 2,  /* its directory or backend nodes went away */
    XFB_FRONT_DEVICE_REPLACED = 3, /* it was made anew (another backend, or the
                                    * same one again): an ADDED event follows */
    XFB_FRONT_DEVICE_TAKEN = 4,    /* another writer changed our nodes ([XFB-016]) */
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
        struct {
            /* present: the device is taken and, for a vfb, its memory
             * granted: xfb_front_get_fb() gives it (pixels NULL if it
             * could not be granted: logged, [XFB-003]), and the caller
             * moves its picture there. !present: sent before anything is
             * released; during the call xfb_front_get_fb() still gives the
             * memory about to go, for the caller to copy out of. */
            bool present;
            enum xfb_front_device_reason reason;
            const char *path;    /* device/TYPE/N, relative to the domain */
            const char *backend; /* the backend directory, absolute */
            unsigned backend_id; /* its domain */
        } device;
        struct {
            /* UTF-8, validated (no NUL inside, strict forms), at most
             * XFB_FRONT_CLIP_MAX bytes, followed by a NUL; valid during
             * the call. Only text: nothing in it means anything else. */
            const char *text;
            uint32_t len;
        } clipboard;
        struct {
            /* A viewer's window was resized and the backend asks for a
             * mode of this size (XFB_FRONT_RESIZE_REQUEST): 1..32767
             * each way, and within the backend's max-width/max-height
             * (what it asked beyond them is cut to them). The rest of
             * the policy is the caller's: it answers every request by
             * switching mode, with xfb_front_resize() or
             * xfb_front_regrant(), to this size or a smaller one (it
             * clamps), or by calling xfb_front_resize() with the mode
             * in force (it refuses, or is already that size): the
             * backend learns the outcome from the resize that follows.
             * The requests of one xfb_front_dispatch() come as one
             * event, the latest. */
            uint32_t width, height;
        } resize_request;
    };
};

/* Called from xfb_front_dispatch() for each event, in ring order; ev is
 * valid during the call. The callback may call xfb_front_update(),
 * xfb_front_resize() and xfb_front_get_fb(), but not xfb_front_close(),
 * xfb_front_dispatch() or xfb_front_regrant(). */
typedef void (*xfb_front_event_fn)(void *data, const struct xfb_front_event *ev);

struct xfb_front_opts {
    enum xfb_front_kind kind;
    unsigned devid; /* N of device/xenfb/N or device/xenkbd/N (layout.h) */

    /* vfb: the mode at open and the largest one the caller will use. The
     * memory for the largest mode at 32 bits per pixel is granted once, at
     * open (see xfb_front_vfb_pages()): resizes stay inside it. depth is
     * 32 (x8r8g8b8) or 16 (r5g6b5); 0 means 32. A zero
     * max_width/max_height means width/height. The stride at open is
     * width * depth / 8; xfb_front_resize() sets another.
     * With XFB_FRONT_HOTPLUG the memory is max_width x max_height at this
     * depth (not 32 bits: a hotplug handle re-grants instead), and after
     * a resize or a re-grant without a device, what the mode in force
     * needs; max_width is the row in pixels, so a caller with padded rows
     * gives its stride / (depth / 8) there. */
    uint32_t width, height, depth;
    uint32_t max_width, max_height;

    /* How long the device may go without progress towards a backend
     * (a state change of either end) before the handle says why in the
     * log ([XFB-006], [XFB-014]); it keeps waiting after that. Judged only
     * after reading the store again, so a process that was too busy to
     * dispatch is not told the backend failed. 0 means 10000 ms. */
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

/* Flags of xfb_front_open_flags(). */
#define XFB_FRONT_HOTPLUG 0x1u /* the device may come later and go and come again */
/* vfb (since 0.3): ask every backend that offers it to draw the cursor
 * (see "the cursor" below). Costs 5 grant pages while the device is
 * there; if gntalloc refuses them, a warning is logged and the device
 * goes on without the extension. */
#define XFB_FRONT_CURSOR 0x2u
/* vfb (since 0.5): tell backends that this caller takes size requests
 * (`feature-resize-request`, docs/protocol.md 9): they come as
 * XFB_FRONT_EV_RESIZE_REQUEST events. */
#define XFB_FRONT_RESIZE_REQUEST 0x4u

/* xfb_front_open() with flags (since 0.2; XFB_FRONT_CURSOR since 0.3,
 * XFB_FRONT_RESIZE_REQUEST since 0.5, each EINVAL on a vkbd or a clip
 * handle); flags 0 is xfb_front_open().
 * With XFB_FRONT_HOTPLUG a missing device is not an error: it is logged
 * once ([XFB-004], as a warning) and taken when it appears. The device
 * found at open (if any) is taken before this returns and sends no
 * XFB_FRONT_EV_DEVICE event: xfb_front_get_fb() says whether there is
 * memory. Failing with a hotplug flag means what cannot change by itself:
 * EINVAL, the /dev/xen devices (ENOENT, EACCES, EPERM: [XFB-001],
 * [XFB-002]), xenstore ([XFB-002], [XFB-012]). A device that cannot be
 * used (EBUSY, ENOSPC, E2BIG) is logged and waited for, not an error. */
struct xfb_front *xfb_front_open_flags(const struct xfb_front_opts *opts, unsigned flags);

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

/* The frontend's XenbusState (1..6); 0 while a hotplug handle has no
 * device. */
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
 * for a vkbd handle. On a hotplug handle pixels is NULL (and mem_length
 * 0) while there is no device or no memory, and it changes with the
 * device (XFB_FRONT_EV_DEVICE) and with xfb_front_regrant(). */
int xfb_front_get_fb(const struct xfb_front *f, struct xfb_front_fb *out);

/* vfb: pixels in the rectangle changed. The rectangle is clipped to the
 * current mode. Never blocks: when the out ring is full, pending updates
 * are merged into one bounding box sent when the backend frees space.
 * Nothing is sent while not connected, before the backend asked for
 * updates (`request-update`) or while the refresh period is 0; the library
 * sends a full update itself when that ends. 0, or -1 + EINVAL (a vkbd
 * handle). */
int xfb_front_update(struct xfb_front *f, int32_t x, int32_t y, int32_t w, int32_t h);

/* vfb (since 0.3): xfb_front_update() for n rectangles at once, published
 * to the backend together: a backend sees all of them or none of them, so
 * a viewer never gets the first rectangles of a flush without the others.
 * What does not fit in the ring merges into one bounding box, as with
 * xfb_front_update(). 0, or -1 + EINVAL (a vkbd handle). */
struct xfb_front_rect {
    int32_t x, y, w, h;
};
int xfb_front_update_rects(struct xfb_front *f, const struct xfb_front_rect *r, unsigned n);

/* vfb (since 0.3): before drawing into a rectangle, wait until the backend
 * has released every update sent that overlaps it: copied its pixels, so
 * that a viewer never gets a picture drawn over halfway (docs/protocol.md
 * 2.5, `feature-release`). Returns at once when no such update is held,
 * when the backend does not offer the extension, or while not connected.
 * Waits at most timeout_ms; the backend is expected to release within a
 * pass of its loop (a copy). 0: the rectangle may be drawn; 1: the time
 * ran out, or the backend went away (the first time logged as a warning;
 * until the backend has released what was sent until then, and for 5 s at
 * least, later calls return 1 at once instead of waiting again); -1 +
 * EINVAL for a vkbd handle. Runs no
 * callback: notifications that arrive meanwhile are left for the next
 * xfb_front_dispatch(). */
int xfb_front_wait_release(struct xfb_front *f, int32_t x, int32_t y, int32_t w, int32_t h,
                           unsigned timeout_ms);

/* vfb: switch to a new mode inside the memory granted at open: width and
 * height > 0, depth 16 or 32, stride >= width * depth / 8, and
 * offset + stride * height <= mem_length. The shared page is updated for
 * the next backend; a connected backend gets XENFB_TYPE_RESIZE followed by
 * an update of the whole surface (queued if the ring is full).
 * 0, or -1 + errno: E2BIG (larger than the memory granted, [XFB-008], or
 * beyond the backend's max-width/max-height, [XFB-015]), EINVAL (bad
 * geometry or a vkbd handle), EOPNOTSUPP (the connected backend has no
 * feature-resize, [XFB-013]; the mode is unchanged). A hotplug handle
 * without memory records the mode and grants for it when it can. */
int xfb_front_resize(struct xfb_front *f, uint32_t width, uint32_t height, uint32_t stride,
                     uint32_t depth, uint32_t offset);

/* vfb, hotplug handles (since 0.2): switch to a mode with memory granted
 * for exactly that mode (offset 0): for a mode larger than the memory
 * (xfb_front_resize() said E2BIG), or to give memory back after a mode
 * that needs far less. New framebuffer pages and directory are granted
 * and the old released: once this returns 0 the pixels of an earlier
 * xfb_front_get_fb() are gone, draw into the new ones (their content is
 * undefined). A backend that has the old memory is told by a reconnection
 * (docs/protocol.md, section 5: the frontend goes Closing, and starts over
 * once the backend let go). Without a device the mode is recorded and
 * granted when the device appears (pixels stay NULL).
 * 0, or -1 + errno: EINVAL (bad mode, a vkbd or a handle without the
 * hotplug flag), E2BIG (beyond the backend's max-width/max-height,
 * [XFB-015], or beyond what the shared page's directory can name,
 * [XFB-008]), ENOSPC (gntalloc, [XFB-003]). On failure the mode is
 * unchanged and so is the picture, though maybe not its address: when the
 * old and the new memory do not fit in gntalloc's limit together, the old
 * is released first and granted again (its content kept) if the new one
 * cannot be; call xfb_front_get_fb() again. If even that fails, the
 * memory is gone (pixels NULL), as if the device had been removed. */
int xfb_front_regrant(struct xfb_front *f, uint32_t width, uint32_t height, uint32_t stride,
                      uint32_t depth);

/* ---- vfb: the cursor (since 0.3) ----
 *
 * A backend that offers the cursor extension (`feature-cursor`,
 * docs/protocol.md 7) draws the cursor itself: its viewers show it where
 * their own pointer is, so the caller stops drawing it into the
 * framebuffer and pointer motion changes no pixel. The caller asks for
 * it when it opens the handle (XFB_FRONT_CURSOR), then keeps the handle told of
 * the cursor (image, position, shown or hidden) at all times: the handle
 * keeps it across the device going and backends coming and going, and
 * hands it to every backend that offers the extension.
 *
 * Whether the backend draws it right now is xfb_front_cursor_active():
 * only then may the caller leave the cursor out of its pixels. It
 * changes only with the connection, so the caller looks again on each
 * XFB_FRONT_EV_STATE event. */

/* The largest cursor image, each way: a larger one the caller draws
 * itself. */
#define XFB_FRONT_CURSOR_MAX 64

/* True while connected to a backend that draws the cursor. */
bool xfb_front_cursor_active(const struct xfb_front *f);

/* The cursor functions below are -1 + EINVAL on a handle opened without
 * XFB_FRONT_CURSOR. They never block and may be called from the event
 * callback. */

/* The cursor's image: width x height pixels of 32-bit ARGB (alpha in the
 * top byte, colours premultiplied by alpha as X stores them), rows
 * `stride` pixels apart, and the hotspot inside it. A width and height
 * of 0 (argb may be NULL) is no image. 0, or -1 + EINVAL: larger than XFB_FRONT_CURSOR_MAX, a
 * hotspot outside the image. */
int xfb_front_cursor_image(struct xfb_front *f, uint32_t width, uint32_t height, uint32_t hot_x,
                           uint32_t hot_y, const uint32_t *argb, uint32_t stride);

/* Where the hotspot is, in surface pixels. Cheap: no notification goes
 * to the backend (viewers draw the cursor at their own pointer); it reads
 * the position when it next looks. 0, or -1 + EINVAL. */
int xfb_front_cursor_move(struct xfb_front *f, int32_t x, int32_t y);

/* Show or hide the cursor (hidden at open). 0, or -1 + EINVAL. */
int xfb_front_cursor_show(struct xfb_front *f, bool visible);

/* ---- clip: the clipboard channel (since 0.4) ----
 *
 * A separate device, device/xenclip/N, that dom0 creates only for a guest
 * whose clipboard it lets through (docs/protocol.md 8): its own handle
 * (kind XFB_FRONT_CLIP, no mode), its own event channel, pages of its
 * own. So a process other than the X server (xenfb-agent clipboard, a
 * client of the session) takes it without touching the vfb the X driver
 * holds. Text from dom0 comes as XFB_FRONT_EV_CLIPBOARD events; text for
 * dom0 is set with xfb_front_clip_set(), kept by the handle across
 * backends and the device coming and going, and handed to each backend
 * when it connects. Which way text may cross is dom0's policy: a backend
 * drops what its policy does not let through, the handle only reports it
 * (xfb_front_clip_policy()). */

/* The most text each way, in bytes of UTF-8 (64 KiB). */
#define XFB_FRONT_CLIP_MAX 65536

/* Set the guest's clipboard text for dom0: UTF-8, at most
 * XFB_FRONT_CLIP_MAX bytes, no NUL. The backend is notified if
 * connected, else it reads it when it connects. 0, or -1 + errno:
 * EINVAL (not a clip handle, or not valid UTF-8), E2BIG (too long: the
 * caller decides what to cut, nothing is sent). Never blocks. */
int xfb_front_clip_set(struct xfb_front *f, const void *utf8, size_t len);

/* What the connected backend's policy lets through: a bit mask of
 * XFB_FRONT_CLIP_TO_GUEST and XFB_FRONT_CLIP_FROM_GUEST; 0 while not
 * connected or on another kind of handle. */
#define XFB_FRONT_CLIP_TO_GUEST   0x1u
#define XFB_FRONT_CLIP_FROM_GUEST 0x2u
unsigned xfb_front_clip_policy(const struct xfb_front *f);

/* vfb: the backend's last refresh period in ms, or -1 if it sent none. */
int64_t xfb_front_refresh_period(const struct xfb_front *f);

/* Grant pages a vfb of this largest mode needs from gntalloc: the shared
 * page, the framebuffer and its grant directory. The memory is granted
 * for 32-bit pixels whatever the depth (a resize may switch between 16
 * and 32), so depth does not change the count. Used to check gntalloc's
 * limit. 0 for a zero size. */
uint32_t xfb_front_vfb_pages(uint32_t max_width, uint32_t max_height, uint32_t depth);

/* The line length xenfb uses for a mode (since 0.2): width * depth / 8
 * rounded up to 64 bytes, so that rows start on a cache line and meet fb's
 * 32-bit alignment at depth 16 whatever the width. 0 for a zero width or
 * a depth other than 16 or 32. */
uint32_t xfb_front_stride(uint32_t width, uint32_t depth);

/* Grant pages a hotplug vfb takes for exactly this mode, with
 * xfb_front_stride(): the shared page, the framebuffer and its directory
 * (since 0.2). The [XFB-003] line of such a handle counts the same way. */
uint32_t xfb_front_mode_pages(uint32_t width, uint32_t height, uint32_t depth);

#ifdef __cplusplus
}
#endif

#endif
