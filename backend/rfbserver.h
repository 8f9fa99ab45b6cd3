/* The RFB server of one guest: the daemon's own, behind its front door
 * (rfbguard.h).
 *
 * The loop's thread shows pictures (rfbpix.h: snapshots nobody writes
 * while they are shared), the cursor and cut text; each viewer is a
 * session of two threads: the guard's connection thread reads the
 * viewer's messages (checked by rfbfilter), and a writer sends updates,
 * encoding the damaged part of the newest picture when the viewer asked
 * for one, in the encoding it prefers (Raw, Tight with or without JPEG,
 * ZRLE), cut into bands encoded at once on the daemon's encoder threads
 * (rfbpool.h). While the guest draws flat out, a Tight writer encodes a
 * new picture as soon as it is shown, while the viewer still decodes
 * the last, and sends it when asked; it drops it (and resets the
 * viewer's zlib streams) if the viewer then asks for something else.
 * A raw update in the picture's own format goes out of the picture with
 * no copy. What a viewer does (keys, pointer, cut text, a size asked)
 * reaches the loop's thread through a pipe and the ops.
 *
 * A slow viewer delays nobody but itself: it gets the newest picture
 * when it asks again, everything that changed meanwhile in one update.
 *
 * Per viewer, as it asked: the cursor as the Cursor pseudo-encoding, or
 * drawn into the pixels sent to it alone (where the viewers' pointer
 * last was); the size as ExtendedDesktopSize or DesktopSize; the
 * clipboard as the extended clipboard (UTF-8) or Latin-1 cut text.
 */
#ifndef XFB_RFBSERVER_H
#define XFB_RFBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pixman.h>

#include "core/back.h"
#include "rfbpix.h"

struct rfbserver;
struct rfbguard_conn;
struct rfbpool;

/* What viewers do, in the loop's thread. */
struct rfbserver_ops {
    void (*key_code)(void *data, unsigned evdev, bool down); /* QEMU extended key event */
    void (*keysym)(void *data, uint32_t sym, bool down);
    void (*pointer)(void *data, unsigned x, unsigned y, uint8_t buttons);
    /* Latin-1, or UTF-8 from a viewer with the extended clipboard */
    void (*cut_text)(void *data, const char *text, size_t len, bool utf8);
    void (*resize)(void *data, unsigned w, unsigned h); /* a SetDesktopSize accepted */
    void (*viewers)(void *data, int change);            /* +1 one joined, -1 one left */
    /* A viewer takes a picture, or waits for one, while the loop holds
     * the guest back (rfbserver_hold): once per hold. */
    void (*hungry)(void *data);
};

/* name: the desktop's name shown by viewers; pool: the encoder threads
 * (shared, may be NULL). NULL + errno. */
struct rfbserver *rfbserver_new(const char *name, struct rfbpool *pool,
                                const struct rfbserver_ops *ops, void *data);

/* End every session; the server goes when the last one has. */
void rfbserver_close(struct rfbserver *s);

/* The newest picture (the server takes a reference); damage: where it
 * differs from the one shown before (everything at another size). */
void rfbserver_show(struct rfbserver *s, struct rfbpic *pic, pixman_region16_t *damage);

/* A first viewer finds the picture stale: while nobody watched, the
 * guest was asked for no updates (screen.c). Its picture waits for the
 * next one shown, which the guest sends once asked again, or for this
 * call (the loop's give-up, for a guest that does not answer). */
void rfbserver_fresh(struct rfbserver *s);

/* Whether the loop may hold the guest back: no viewer waits for a
 * picture now (there are viewers, each busy encoding or sending, or
 * without an update request). true: the hold begins, and the first
 * viewer to take a picture or wait for one calls ops->hungry, until
 * rfbserver_unhold. false: no viewer would wait for the guest.
 * flat_out: the guest draws as fast as it is let, so that the next
 * picture a viewer asks for is the next one shown anyway: until told
 * otherwise, Tight writers encode each new picture as soon as it is
 * shown (a guest drawing at its own pace gets the newest picture
 * encoded when asked, the shortest way to the viewer). */
bool rfbserver_hold(struct rfbserver *s, bool flat_out);
void rfbserver_unhold(struct rfbserver *s);

/* Whether a picture is still in use: by a writer encoding it, or as the
 * one shown. */
static inline bool rfbserver_pic_busy(const struct rfbpic *p)
{
    return atomic_load(&p->refs) > 1;
}

/* The guest's cursor for viewers that draw their own (NULL or invisible:
 * none, the guest draws it). */
void rfbserver_cursor(struct rfbserver *s, const struct xfb_back_cursor *c);

/* The guest's clipboard text for every viewer: as it is (UTF-8) for
 * those with the extended clipboard, which are told it changed and ask
 * for it, and as Latin-1 for the others. */
void rfbserver_cut_text(struct rfbserver *s, const char *utf8, size_t utf8_len, const char *latin1,
                        size_t len);

/* Whether the guest takes size requests now (else SetDesktopSize is
 * answered "prohibited"). */
void rfbserver_set_resizable(struct rfbserver *s, bool yes);

/* One viewer, from its connection's thread after the handshake (shared:
 * its ClientInit flag), until it leaves. */
void rfbserver_session(struct rfbserver *s, struct rfbguard_conn *c, const char *peer);

#endif
