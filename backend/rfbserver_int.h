/* The RFB server's own parts (rfbserver.h is its interface): the state
 * the loop's thread, each session's reader and each session's writer
 * share, under the server's lock where it says so.
 *   rfbserver.c   the server, the loop's side, sessions and their reader
 *   rfbupdate.c   a session's writer: what it owes the viewer, encoded
 *   rfbextclip.c  the extended clipboard, both ways */
#ifndef XFB_RFBSERVER_INT_H
#define XFB_RFBSERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pixman.h>

#include "rfbfilter.h"
#include "rfbpix.h"
#include "rfbserver.h"

struct rfbguard_conn;
struct rfbtight;
struct rfbzrle;

#define ENC_RAW          0
#define ENC_TIGHT        7
#define ENC_ZRLE         16
#define ENC_CURSOR       (-239)
#define ENC_DESKTOP_SIZE (-223)
#define ENC_QEMU_KEY     (-258)
#define ENC_EXT_SIZE     (-308)
#define ENC_EXT_CLIP     ((int32_t)0xc0a1e5ce)

/* The extended clipboard's flags (rfbproto, "Extended Clipboard
 * Pseudo-encoding"): the action in the top byte, the formats in the low
 * ones; text is the one served. */
#define CLIP_TEXT    (1u << 0)
#define CLIP_CAPS    (1u << 24)
#define CLIP_REQUEST (1u << 25)
#define CLIP_PEEK    (1u << 26)
#define CLIP_NOTIFY  (1u << 27)
#define CLIP_PROVIDE (1u << 28)
/* The most text a viewer may provide, inflated (the guest takes less:
 * the view says so in its log) */
#define CLIP_MAX (1u << 20)

#define BANDS        4
#define BAND_MIN     (256 * 256) /* pixels: smaller updates are one band */
#define MAX_RECTS    256         /* more pieces than this: their bounding box */
#define IN_SIZE      16384
#define CURSOR_MAX   64
#define THREAD_STACK (1024 * 1024)
#define PIPE_SIZE    (1 << 20)

enum ev_type { EV_KEY_CODE, EV_KEYSYM, EV_POINTER, EV_CUT, EV_RESIZE, EV_VIEWERS, EV_HUNGRY };

/* A viewer's doing, to the loop's thread. */
struct ev {
    uint8_t type;
    bool down;
    uint16_t x, y;
    uint32_t a;
    char *text; /* EV_CUT: the loop frees it */
    size_t len;
    bool utf8; /* EV_CUT: UTF-8 (the extended clipboard), else Latin-1 */
};

struct cursor {
    bool on;
    uint16_t w, h, hot_x, hot_y;
    uint32_t pixels[CURSOR_MAX * CURSOR_MAX];
};

struct session;

struct rfbserver {
    atomic_int refs;
    char name[96];
    struct rfbpool *pool;
    const struct rfbserver_ops *ops;
    void *data;
    int ev[2];
    struct aml_handler *ev_h;
    pthread_mutex_t lock; /* everything below */
    bool closed, resizable;
    bool holding;  /* the loop holds pictures back (rfbserver_hold) */
    bool flat_out; /* the guest draws flat out: Tight encodes ahead */
    /* the picture may be older than the guest's screen: nobody watched,
     * so the guest sent nothing; viewers wait for the next one shown
     * (or rfbserver_fresh) */
    bool stale;
    struct rfbpic *pic;
    struct cursor cursor;
    unsigned cursor_gen;
    /* where viewers last put the pointer: the cursor is drawn there for
     * those that cannot draw it themselves */
    int ptr_x, ptr_y;
    bool ptr_known;
    char *cut; /* the guest's text, Latin-1 */
    size_t cut_len;
    char *utf8; /* and as it is, for viewers with the extended clipboard */
    size_t utf8_len;
    unsigned cut_gen;
    struct session *sessions;
};

/* What the writer sends next, taken under the lock. */
struct job {
    struct rfbpic *pic;
    struct rfbfmt fmt;
    int enc, quality, compress;
    pixman_region16_t region;
    bool cursor, qemu_ack, ext_reply;
    unsigned ext_reason, ext_status;
    struct cursor cur;
    bool composite; /* cur drawn over the picture at box, in Raw */
    pixman_box16_t box;
    int cx, cy; /* the image's top left corner, maybe off the picture */
    char *cut;
    size_t cut_len;
    bool clip_caps, clip_request, clip_notify, clip_provide;
    bool clip_text;   /* the guest has text to offer */
    int encoded;      /* the picture's rectangles already in the segments; -1: not yet */
    unsigned ask_gen; /* the session's when taken */
};

/* A piece of an update on its way out: bytes of a buffer or of the
 * picture itself. */
struct seg {
    const uint8_t *p;
    size_t len;
};

struct session {
    struct rfbserver *s;
    struct rfbguard_conn *c;
    const char *peer;
    struct session *next;
    pthread_t writer;
    pthread_cond_t wake;
    /* under s->lock */
    bool quit;
    struct rfbfmt fmt;
    int enc, quality, compress;
    /* one more at each SetPixelFormat and SetEncodings, and at each
     * request for all of a region, changed or not: an update encoded
     * before (rfbupdate.c) no longer answers */
    unsigned ask_gen;
    bool compress_given;
    bool has_cursor, has_size, has_ext, has_qemu;
    bool qemu_ack, ext_reply, ext_told;
    unsigned ext_reason, ext_status;
    unsigned cursor_gen, cut_gen;
    /* the extended clipboard: what the writer owes the viewer */
    bool has_clip, clip_caps, clip_request, clip_notify, clip_provide;
    bool want;      /* an update request is waiting */
    bool asked_all; /* the last request was for the whole picture */
    bool waiting;   /* the writer waits for something to send */
    /* without the Cursor pseudo-encoding: the cursor drawn into what
     * this viewer gets, where it was drawn last */
    bool cursor_moved, drawn_on;
    pixman_box16_t drawn;
    pixman_region16_t damage, requested;
    unsigned w, h; /* the size this viewer knows */
    /* the reader's */
    struct rfbfilter filter;
    uint8_t in[IN_SIZE];
    uint8_t out[IN_SIZE + RFBFILTER_OUT_SLACK];
    struct rfbbuf msgs; /* filtered bytes not yet acted on */
    char told[96];      /* what the log last said the viewer gets */
    /* the writer's */
    struct rfbtight *tight;
    struct rfbzrle *zrle;
    /* the newest picture's update, encoded before the viewer asked for
     * it (its segments wait in segs); taken and dropped under s->lock */
    struct job ahead;
    bool ahead_taken;
    struct rfbbuf band[BANDS], head, comp;
    int band_rects[BANDS];
    struct seg *segs;
    size_t n_segs, cap_segs;
};

static inline uint16_t rfb_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rfb_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* rfbserver.c */
/* An event for the loop's thread; false when the loop is that far behind
 * or the server closed (the event's text is then freed). */
bool server_post(struct rfbserver *s, const struct ev *e);
/* The same with the lock held. */
bool server_post_locked(struct rfbserver *s, const struct ev *e);
/* Where the cursor goes for viewers that cannot draw it: under the lock. */
bool server_cursor_box(const struct rfbserver *s, pixman_box16_t *b, int *cx, int *cy);

/* rfbupdate.c: a session's writer thread */
void *session_writer(void *arg);

/* rfbextclip.c */
/* What the extended clipboard owes the viewer, from the writer. */
int extclip_send(struct session *ss, const struct job *j);
/* A viewer's extended clipboard message (flags, then data), from the
 * reader. */
void extclip_received(struct session *ss, const uint8_t *p, size_t len);

#endif
