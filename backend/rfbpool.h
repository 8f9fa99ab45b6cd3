/* The encoder threads every viewer's updates share: an update is cut
 * into bands, encoded at once on as many CPUs as dom0 gives, then sent
 * in order. One pool per daemon; any thread may run a batch, and the
 * caller works on its own batch too, so a batch never waits for a free
 * thread (with every pool thread busy it runs alone). */
#ifndef XFB_RFBPOOL_H
#define XFB_RFBPOOL_H

struct rfbpool;

/* threads: how many besides the callers (0: none, every batch runs in
 * its caller's thread). NULL + errno. */
struct rfbpool *rfbpool_new(unsigned threads);
void rfbpool_free(struct rfbpool *p);

/* fn(ctx, 0) .. fn(ctx, n - 1), on the pool and this thread, returning
 * when every one has. */
void rfbpool_run(struct rfbpool *p, unsigned n, void (*fn)(void *ctx, unsigned i), void *ctx);

#endif
