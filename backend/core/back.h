/* The xenfb backend core: the dom0 end of vfb and vkbd for every guest,
 * free of any viewer. A daemon opens one context, polls its fds from its
 * own event loop and calls xfb_back_dispatch() when one is readable; the
 * core calls back through struct xfb_back_ops and never blocks on a guest.
 *
 * A guest here is one (domid, devid) pair: its vfb and its vkbd (or the
 * vinput device libxl creates for `vkb = ["backend-type=linux"]`). The
 * wire protocol is docs/protocol.md. Everything the guest writes is
 * validated; a guest that breaks the protocol gets one log line and its
 * device closed, and no other guest notices.
 *
 * Errors: -1 + errno, or NULL + errno. Not thread-safe: one thread per
 * context.
 */
#ifndef XFB_BACK_H
#define XFB_BACK_H

#include <stdbool.h>
#include <stdint.h>

struct xfb_back;
struct xfb_back_guest;

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
    /* Pixels in this rectangle changed; already clipped to the surface. */
    void (*damaged)(void *data, struct xfb_back_guest *g, int x, int y, int w, int h);
    /* The vfb is no longer connected: the surface is gone. */
    void (*fb_disconnected)(void *data, struct xfb_back_guest *g);
    /* The vkbd connected; abs / raw: what the frontend asked for. */
    void (*kbd_connected)(void *data, struct xfb_back_guest *g, bool abs, bool raw);
    void (*kbd_disconnected)(void *data, struct xfb_back_guest *g);
    /* The guest was forgotten; g is freed right after this returns. */
    void (*gone)(void *data, struct xfb_back_guest *g);
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

/* Open xenstore, the grant and event channel devices, watch our backend
 * directories. The guests already there are picked up by the first
 * dispatch. NULL + errno. */
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

struct xfb_back_guest *xfb_back_find(struct xfb_back *b, int domid, int devid);
int xfb_back_guest_domid(const struct xfb_back_guest *g);
int xfb_back_guest_devid(const struct xfb_back_guest *g);
void xfb_back_guest_set_user(struct xfb_back_guest *g, void *user);
void *xfb_back_guest_user(const struct xfb_back_guest *g);

/* The current surface, NULL while the vfb is not connected. */
const struct xfb_back_surface *xfb_back_guest_surface(const struct xfb_back_guest *g);

/* Tell the frontend how often to send updates (ms); 0: nobody watches,
 * stop. Going from 0 to non-zero makes the frontend send one update of
 * the whole surface. Remembered while the vfb is not connected. */
int xfb_back_set_refresh(struct xfb_back_guest *g, unsigned ms);

/* ---- input, sent down the vkbd in-ring ----
 * When the ring is full, events wait in a queue (XFB_BACK_KBD_QUEUE
 * entries) and go out as the frontend consumes; nothing is dropped.
 * -1 + ENOTCONN when the vkbd is not connected, EAGAIN when the queue is
 * full, EINVAL for a key code above KEY_MAX. */
#define XFB_BACK_KBD_QUEUE 4096

int xfb_back_key(struct xfb_back_guest *g, unsigned code, bool pressed);
/* Absolute position in surface pixels, scaled to what the frontend asked
 * for: [0, 0x7fff] for a raw pointer, the advertised width/height
 * otherwise. Clamped to the surface. */
int xfb_back_pointer(struct xfb_back_guest *g, int x, int y);
/* Absolute position already in [0, 0x7fff] (clamped), sent as it is. */
int xfb_back_pointer_raw(struct xfb_back_guest *g, int x, int y);
int xfb_back_motion(struct xfb_back_guest *g, int dx, int dy);
int xfb_back_wheel(struct xfb_back_guest *g, int dz);
/* Horizontal wheel, positive = right (an extension the frontend must have
 * asked for: -1 + EOPNOTSUPP otherwise). */
int xfb_back_hwheel(struct xfb_back_guest *g, int dw);

#endif
