/* The xenfb backend core: the dom0 end of vfb and vkbd for every guest,
 * free of any viewer. A daemon opens one context, polls its fds from its
 * own event loop and calls xfb_back_dispatch() when one is readable; the
 * core calls back through struct xfb_back_ops and never blocks on a guest.
 *
 * A guest here is one pair of devices of a domain, of one of two kinds:
 *  - xenfb's own (XFB_BACK_XENFB), one pair per (domid, devid): its xenfb
 *    vfb and xenkbd vkbd, with the grant extension, for the X server's
 *    drivers;
 *  - the guest kernel's (XFB_BACK_KERNEL), one pair per domain: the
 *    standard vfb that Linux's xen-fbfront binds (backend type
 *    XFB_BACK_TYPE_KERNEL_FB), mapped by frame numbers, and the vkbd that
 *    xen-kbdfront binds under libxl's `vinput` backend type (what libxl
 *    makes for `vkb = ["backend-type=linux"]`), whoever their frontends
 *    are.
 * The wire protocol is docs/protocol.md. Everything the guest writes is
 * validated; a guest that breaks the protocol gets one log line and its
 * device closed, and no other guest notices.
 *
 * Errors: -1 + errno, or NULL + errno. Not thread-safe: one thread per
 * context.
 */
#ifndef XFB_BACK_H
#define XFB_BACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xfb_back;
struct xfb_back_guest;

enum xfb_back_kind {
    XFB_BACK_XENFB,  /* xenfb + xenkbd */
    XFB_BACK_KERNEL, /* the kernel's vfb + vkbd */
};

/* The backend types (backend/TYPE/DOMID/DEVID) of the kernel's devices
 * this backend serves: never backend/vfb or backend/vkbd, which QEMU
 * scans. Their frontend directories are device/vfb/N and device/vkbd/N. */
#define XFB_BACK_TYPE_KERNEL_FB  "vfb-xenfb"
#define XFB_BACK_TYPE_KERNEL_KBD "vinput"

enum xfb_log_level {
    XFB_LOG_ERROR = 0,
    XFB_LOG_WARNING,
    XFB_LOG_INFO,
    XFB_LOG_DEBUG,
};

/* One formatted line, without a trailing newline. domid is -1 for
 * messages about no guest in particular. */
typedef void (*xfb_back_log_fn)(void *data, enum xfb_log_level level, int domid, const char *file,
                                int line, const char *msg);

/* The guest's current mode. pixels points into a read-only mapping of
 * the guest's own memory (no copy): it stays valid until the next
 * resized / fb_disconnected / gone callback for that guest. The guest
 * keeps drawing into it; a reader sees whatever is there. */
struct xfb_back_surface {
    uint32_t width, height; /* pixels */
    uint32_t stride;        /* bytes per row */
    uint32_t depth;         /* bits per pixel: 32 = x8r8g8b8, 16 = r5g6b5 */
    const void *pixels;     /* first pixel of the first row */
};

/* The guest's cursor (the cursor extension, protocol.md 7), validated:
 * 1..64 pixels each way (0 x 0: no image), the hotspot inside. */
struct xfb_back_cursor {
    uint32_t width, height;
    uint32_t hot_x, hot_y;
    bool visible;           /* false: show no cursor */
    int32_t x, y;           /* where the guest last put the hotspot; advisory */
    unsigned serial;        /* changes with the image */
    const uint32_t *pixels; /* width x height, rows packed: ARGB, straight alpha */
};

/* Callbacks; any may be NULL. They run inside xfb_back_dispatch() (and
 * xfb_back_close() for fb_disconnected / kbd_disconnected / gone). A
 * callback may call the input and refresh functions but not
 * xfb_back_close(). */
struct xfb_back_ops {
    /* A device of a new guest was found. */
    void (*appeared)(void *data, struct xfb_back_guest *g);
    /* The vfb connected, or its mode changed (resized). */
    void (*fb_connected)(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s);
    void (*resized)(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s);
    /* Pixels in this rectangle changed; already clipped to the surface.
     * The picture is whole (protocol.md 2.5) only during this call: a
     * frontend with the release extension draws over the rectangle again
     * as soon as the callbacks of a pass have returned, so a viewer that
     * reads the pixels later copies them here, or holds the release
     * (xfb_back_hold) and copies them before it releases. */
    void (*damaged)(void *data, struct xfb_back_guest *g, int x, int y, int w, int h);
    /* The vfb is no longer connected: the surface is gone. A frontend
     * that went to Closing may come back at once (a re-grant,
     * protocol.md section 5: xfb_back_guest_fb_closing says so);
     * fb_closed follows if it goes on to Closed instead. */
    void (*fb_disconnected)(void *data, struct xfb_back_guest *g);
    void (*fb_closed)(void *data, struct xfb_back_guest *g);
    /* The vkbd connected; abs / raw: what the frontend asked for. */
    void (*kbd_connected)(void *data, struct xfb_back_guest *g, bool abs, bool raw);
    void (*kbd_disconnected)(void *data, struct xfb_back_guest *g);
    /* The guest was forgotten; g is freed right after this returns. */
    void (*gone)(void *data, struct xfb_back_guest *g);
    /* The guest's cursor changed: its image or hotspot, or shown/hidden
     * (not its position). c NULL: the guest draws its cursor into the
     * surface itself (it did not ask for the extension, or the vfb went).
     * c and its pixels are valid until the next cursor or
     * fb_disconnected callback. */
    void (*cursor)(void *data, struct xfb_back_guest *g, const struct xfb_back_cursor *c);
    /* The guest's clipboard text (the clipboard device, protocol.md 8),
     * only when dom0's policy lets text out of it: UTF-8, validated, at
     * most 64 KiB, NUL-terminated; valid during the call. It is text and
     * nothing else. */
    void (*clipboard)(void *data, struct xfb_back_guest *g, const char *utf8, size_t len);
};

struct xfb_back_opts {
    const struct xfb_back_ops *ops;
    void *data; /* passed to every callback */
    /* Our own domain: -1 reads the `domid` node of our xenstore home
     * (0 if there is none, as in dom0). */
    int backend_domid;
    /* Serve only this guest's devices, leaving the others for another
     * backend to take; 0 (the default) serves every guest attached to us
     * (dom0 is not a guest of its own backend). */
    int only_domid;
    /* The refresh period sent to each frontend at connect, in ms;
     * 0 (XENFB_NO_REFRESH) means nobody is watching yet. */
    unsigned refresh_ms;
    xfb_back_log_fn log_fn; /* NULL: stderr */
    void *log_data;
    enum xfb_log_level log_level; /* most verbose level passed on */
};

/* Open xenstore, the grant and event channel devices and privcmd (for
 * frontends that give frame numbers; without it, logged once, only the
 * grant extension is served), watch our backend directories. The guests
 * already there are picked up by the first dispatch. NULL + errno. */
struct xfb_back *xfb_back_open(const struct xfb_back_opts *opts);

/* Unmap and unbind everything, leaving every state node as it is so a
 * new backend can take the guests over (protocol.md section 5). */
void xfb_back_close(struct xfb_back *b);

/* Our own domain (the backend domain of every guest served). */
int xfb_back_domid(const struct xfb_back *b);

/* The fds to poll for reading (3: xenstore, event channels and a timer);
 * returns how many (at most max). */
int xfb_back_fds(const struct xfb_back *b, int *fds, int max);

/* Handle whatever is ready on any fd, without blocking, a bounded amount
 * of work per call. 0 when done; 1 when a guest has more than one call
 * may take: call again soon, after serving the other fds, even if none of
 * ours is readable; -1 + errno when the context itself failed (xenstore or
 * evtchn gone). */
int xfb_back_dispatch(struct xfb_back *b);

void xfb_back_set_log_fn(struct xfb_back *b, xfb_back_log_fn fn, void *data,
                         enum xfb_log_level level);

/* ---- guests ---- */

/* xenfb's guest (domid, devid), or the domain's kernel devices. */
struct xfb_back_guest *xfb_back_find(struct xfb_back *b, int domid, int devid);
struct xfb_back_guest *xfb_back_find_kernel(struct xfb_back *b, int domid);
enum xfb_back_kind xfb_back_guest_kind(const struct xfb_back_guest *g);
int xfb_back_guest_domid(const struct xfb_back_guest *g);
/* The devid of the vfb (of the vkbd when there is no vfb). */
int xfb_back_guest_devid(const struct xfb_back_guest *g);
/* The guest's backend directory for its vfb, NULL when it has no vfb. */
const char *xfb_back_guest_fb_path(const struct xfb_back_guest *g);
/* Whether the vkbd is connected. */
bool xfb_back_guest_kbd(const struct xfb_back_guest *g);
void xfb_back_guest_set_user(struct xfb_back_guest *g, void *user);
void *xfb_back_guest_user(const struct xfb_back_guest *g);

/* Whether the vfb's frontend is at Closing: it let go to re-grant (and
 * comes back with new memory) or is on its way to Closed. */
bool xfb_back_guest_fb_closing(const struct xfb_back_guest *g);

/* The current surface, NULL while the vfb is not connected. */
const struct xfb_back_surface *xfb_back_guest_surface(const struct xfb_back_guest *g);

/* The guest's cursor, NULL when it draws its own (as the cursor
 * callback last said). */
const struct xfb_back_cursor *xfb_back_guest_cursor(const struct xfb_back_guest *g);

/* Hold the release (protocol.md 2.5) of the updates consumed from now
 * on, those of the damaged callbacks running included, until
 * xfb_back_release: their pixels stay whole in the guest's pages, to be
 * copied later, and the frontend waits before drawing over them. For a
 * viewer with no use for a new picture yet (all its clients busy): it
 * copies when one wants it, rather than every frame the guest draws.
 * false: the frontend does not wait for releases (nothing held; copy
 * now). A hold ends with the vfb's connection. xfb_back_release from
 * within a damaged callback takes effect once every callback of that
 * pass has returned (the other viewers copy the rectangle first). */
bool xfb_back_hold(struct xfb_back_guest *g);
void xfb_back_release(struct xfb_back_guest *g);

/* Tell the frontend how often to send updates (ms); 0: nobody watches,
 * stop. Going from 0 to non-zero makes the frontend send one update of
 * the whole surface. Remembered while the vfb is not connected. */
int xfb_back_set_refresh(struct xfb_back_guest *g, unsigned ms);

/* ---- size requests (protocol.md 9) ----
 * A viewer whose window was resized asks the guest for a mode of that
 * size; the guest answers with an ordinary resize (the resized
 * callback), of that size, a smaller one, or its mode unchanged.
 * Requests are coalesced: one is in flight at a time, and what is asked
 * meanwhile waits, only the latest, until the guest has answered. */

/* Whether the vfb's frontend takes size requests (it wrote
 * feature-resize-request); false while not connected. */
bool xfb_back_resize_requests(const struct xfb_back_guest *g);
/* Ask the guest for a w x h mode on behalf of `from` (named in the log
 * line: "resize requested by FROM: WxH"); a size beyond the device's
 * max-width/max-height is cut to them. 0 (sent, or waiting for the
 * answer to an earlier one), or -1 + errno: ENOTCONN (no vfb
 * connected), EOPNOTSUPP (the frontend takes no requests), EINVAL (a
 * width or height of 0). */
int xfb_back_request_size(struct xfb_back_guest *g, uint32_t w, uint32_t h, const char *from);

/* ---- the clipboard (protocol.md 8) ----
 * A guest has a clipboard device only when dom0's toolstack made one
 * (its policy not `none`); the policy is the `clipboard` node of the
 * device's backend directory, read at each connection. */
#define XFB_BACK_CLIP_TO_GUEST   0x1u
#define XFB_BACK_CLIP_FROM_GUEST 0x2u
/* What the connected clipboard device lets through; 0 when none is
 * connected. */
unsigned xfb_back_clip_policy(const struct xfb_back_guest *g);
/* Give the guest this text (UTF-8, at most 64 KiB). 0, or -1 + errno:
 * ENOTCONN (no clipboard device connected), EPERM (the policy keeps text
 * out of this guest), E2BIG, EINVAL (not UTF-8). */
int xfb_back_clip_send(struct xfb_back_guest *g, const char *utf8, size_t len);

/* ---- input, sent down the vkbd in-ring ----
 * When the ring is full, events wait in a queue (XFB_BACK_KBD_QUEUE
 * entries) and go out as the frontend consumes; nothing is dropped.
 * -1 + ENOTCONN when the vkbd is not connected, EAGAIN when the queue is
 * full, EINVAL for a key code above KEY_MAX. */
#define XFB_BACK_KBD_QUEUE 4096

int xfb_back_key(struct xfb_back_guest *g, unsigned code, bool pressed);
/* Absolute position in surface pixels, scaled to what the frontend asked
 * for: [0, 0x7fff] for a raw pointer, the range the backend directory
 * gave it otherwise (xenkbd: [0, width - 1]; xen-kbdfront's axes:
 * [0, width]). Clamped to the surface. */
int xfb_back_pointer(struct xfb_back_guest *g, int x, int y);
/* The same for a position in a w x h picture that is not this guest's
 * surface (what a viewer shows, when another guest's screen is shown). */
int xfb_back_pointer_in(struct xfb_back_guest *g, int x, int y, uint32_t w, uint32_t h);
/* Absolute position already in [0, 0x7fff] (clamped), sent as it is. */
int xfb_back_pointer_raw(struct xfb_back_guest *g, int x, int y);
int xfb_back_motion(struct xfb_back_guest *g, int dx, int dy);
int xfb_back_wheel(struct xfb_back_guest *g, int dz);
/* Horizontal wheel, positive = right (an extension the frontend must have
 * asked for: -1 + EOPNOTSUPP otherwise). */
int xfb_back_hwheel(struct xfb_back_guest *g, int dw);

#endif
