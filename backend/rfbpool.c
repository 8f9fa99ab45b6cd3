/* The encoder threads (rfbpool.h). */
#include "config.h"

#include "rfbpool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#define STACK (512 * 1024) /* zlib and libjpeg on the stack, sanitizers */

struct batch {
    void (*fn)(void *ctx, unsigned i);
    void *ctx;
    unsigned n, next, done;
    struct batch *queued; /* the pool's queue of batches with work left */
    pthread_cond_t finished;
};

struct rfbpool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct batch *queue;
    bool quit;
    unsigned threads;
    pthread_t *tid;
};

/* One item of the oldest batch with any left, or NULL: under the lock. */
static struct batch *take(struct rfbpool *p, unsigned *i)
{
    struct batch *b = p->queue;
    if (!b)
        return NULL;
    *i = b->next++;
    if (b->next == b->n)
        p->queue = b->queued; /* handed out: off the queue */
    return b;
}

/* Run item i of b, then count it: under the lock on entry and exit. */
static void run_one(struct rfbpool *p, struct batch *b, unsigned i)
{
    pthread_mutex_unlock(&p->lock);
    b->fn(b->ctx, i);
    pthread_mutex_lock(&p->lock);
    if (++b->done == b->n)
        pthread_cond_broadcast(&b->finished);
}

static void *worker(void *arg)
{
    struct rfbpool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->quit) {
        unsigned i;
        struct batch *b = take(p, &i);
        if (b)
            run_one(p, b, i);
        else
            pthread_cond_wait(&p->work, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct rfbpool *rfbpool_new(unsigned threads)
{
    struct rfbpool *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->tid = calloc(threads ? threads : 1, sizeof(*p->tid));
    if (!p->tid) {
        free(p);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, STACK);
    /* no signal for the encoders: the daemon's loop takes them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int e = 0;
    for (; p->threads < threads && !e; p->threads++)
        e = pthread_create(&p->tid[p->threads], &a, worker, p);
    if (e)
        p->threads--;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
    if (e) {
        rfbpool_free(p);
        errno = e;
        return NULL;
    }
    return p;
}

void rfbpool_free(struct rfbpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->threads; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->tid);
    free(p);
}

void rfbpool_run(struct rfbpool *p, unsigned n, void (*fn)(void *ctx, unsigned i), void *ctx)
{
    if (n == 0)
        return;
    if (n == 1 || !p || !p->threads) {
        for (unsigned i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
    struct batch b = {.fn = fn, .ctx = ctx, .n = n};
    pthread_cond_init(&b.finished, NULL);
    pthread_mutex_lock(&p->lock);
    struct batch **end = &p->queue;
    while (*end)
        end = &(*end)->queued;
    *end = &b;
    pthread_cond_broadcast(&p->work);
    /* work on our own batch while any of it is left, then wait for the
     * items others took */
    while (b.next < b.n) {
        unsigned i = b.next++;
        if (b.next == b.n)
            for (struct batch **q = &p->queue; *q; q = &(*q)->queued)
                if (*q == &b) {
                    *q = b.queued;
                    break;
                }
        run_one(p, &b, i);
    }
    while (b.done < b.n)
        pthread_cond_wait(&b.finished, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&b.finished);
}
