/* xfb-kfront: a stand-in for a guest kernel's xen-fbfront and xen-kbdfront
 * (Linux 6.1, drivers/video/fbdev/xen-fbfront.c and
 * drivers/input/misc/xen-kbdfront.c), for the simulated Xen. It does what
 * they do, in their order: frame numbers (its kernel memory, from
 * /dev/xsim/kmem) in page-ref and pd[], the xenbus states they walk, the
 * nodes they read at probe and at the backend's Connected, update events
 * from the console (at once) and from mapped writes (after the deferred-io
 * period, HZ/20), resize as fbset asks for it, and the input events as the
 * input core gets them. It draws a text console so that a viewer's pixels
 * can be compared with its own.
 *
 * Files: kfront.c (xenbus: finding devices, states, the loop, commands),
 * kfront_fb.c (xen-fbfront and the console), kfront_kbd.c (xen-kbdfront).
 */
#ifndef XFB_KFRONT_H
#define XFB_KFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xenstore.h>

#include "proto/layout.h"

#define KF_PAGE 4096u

/* Pages of this guest's kernel memory, mapped in order (vmalloc). */
struct kf_mem {
    uint8_t *addr;
    uint32_t npages;
    uint64_t index;
    uint64_t *frames; /* frame number of each page */
};

int kf_alloc(struct kf_mem *m, uint32_t npages);
void kf_free(struct kf_mem *m);
/* gnttab_grant_foreign_access of one frame: 0 and *ref, or -1 */
int kf_grant(uint64_t frame, unsigned domid, bool readonly, uint32_t *ref);
void kf_end_grant(uint32_t ref);

struct kf_fb;
struct kf_kbd;

/* One device on the guest's xenbus (struct xenbus_device). */
struct kf_dev {
    char type[8]; /* vfb or vkbd */
    int id;
    char nodename[64];  /* device/TYPE/ID, relative to our home */
    char otherend[160]; /* the backend directory */
    int otherend_id;
    int state; /* ours, as last written */
    char token[24];
    int port; /* our end of its event channel, -1 when none */
    struct kf_fb *fb;
    struct kf_kbd *kbd;
    struct kf_dev *next;
};

/* the shared handles (kfront.c) */
extern struct xs_handle *kf_xs;
extern xenevtchn_handle *kf_xce;
extern struct xfb_layout kf_layout;

/* One line on stdout (the test reads it). */
void kf_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* xenbus_switch_state */
void kf_switch_state(struct kf_dev *d, int state);
/* xenbus_read_unsigned / xenbus_scanf "%d": the value, or dflt when the
 * node is missing or not a number */
unsigned kf_read_unsigned(const char *dir, const char *node, unsigned dflt);
bool kf_scanf_int(const char *dir, const char *node, int *out);
/* xenbus_alloc_evtchn + bind_evtchn_to_irqhandler: -1 on failure */
int kf_alloc_evtchn(struct kf_dev *d);
void kf_free_evtchn(struct kf_dev *d);
void kf_notify(struct kf_dev *d);
/* the nodes of connect_backend, in one transaction (EAGAIN: again) */
int kf_publish(struct kf_dev *d, const char *const *names, const char *const *values, int n);
/* xenbus_frontend_closed */
void kf_frontend_closed(struct kf_dev *d);

/* xen-fbfront (kfront_fb.c) */
struct kf_fb_opts {
    int video_mb, video_w, video_h; /* xen_fbfront.video=MB,W,H */
};
int kf_fb_probe(struct kf_dev *d, const struct kf_fb_opts *o);
/* --lie WHAT (kfront_fb.c): 0, or -1 for one it does not know */
int kf_fb_lie(const char *what);
void kf_fb_backend_changed(struct kf_dev *d, int state);
void kf_fb_event(struct kf_dev *d);
void kf_fb_remove(struct kf_dev *d);
/* the deferred-io timer's descriptor, -1 when no vfb */
int kf_fb_timer_fd(void);
void kf_fb_timer(void);
/* console commands; -1 + a message when not possible */
int kf_fb_print(const char *text);
int kf_fb_clear(void);
int kf_fb_fill(int x, int y, int w, int h, uint32_t rgb);
int kf_fb_mode(int w, int h, const char **why);
int kf_fb_dump(const char *path);
/* a character typed at the console (echo) */
void kf_fb_typed(char c);
/* race MS FRAME (kfront_fb.c): -1 when no vfb or racing already; the
 * descriptor readable once it is over (-1 before any), and its end said */
int kf_fb_race(uint64_t ms, uint64_t frame);
int kf_fb_race_fd(void);
bool kf_fb_race_done(void);

/* xen-kbdfront (kfront_kbd.c) */
int kf_kbd_probe(struct kf_dev *d, int ptr_w, int ptr_h);
void kf_kbd_backend_changed(struct kf_dev *d, int state);
void kf_kbd_event(struct kf_dev *d);
void kf_kbd_remove(struct kf_dev *d);
/* a getty on the console: key presses echoed as characters (default on) */
void kf_kbd_echo(bool on);

#endif
