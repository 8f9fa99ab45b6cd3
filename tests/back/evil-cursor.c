#include "config.h"

#include "evil-cursor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/cursor.h"
#include "proto/layout.h"

static bool enabled;
static volatile uint8_t *pages; /* header, then the image */
static uint32_t refs[XFB_CURSOR_PAGES];
static uint32_t seq, gen;

void evil_cursor_enable(void)
{
    enabled = true;
}

void evil_cursor_grant(xengntshr_handle *xgs, uint32_t bdom)
{
    if (!enabled || pages)
        return;
    pages = xengntshr_share_pages(xgs, bdom, XFB_CURSOR_PAGES, refs, 0);
    if (!pages) {
        perror("xfb-evil-front: share cursor pages");
        exit(1);
    }
    for (unsigned i = 0; i < XFB_CURSOR_IMAGE_PAGES; i++)
        memcpy((void *)(pages + XFB_CURSOR_GREFS + 4 * i), &refs[1 + i], 4);
}

bool evil_cursor_gref(uint32_t *ref)
{
    if (!pages)
        return false;
    *ref = refs[0];
    return true;
}

static void put(unsigned offs, uint32_t v)
{
    __atomic_store_n((uint32_t *)(pages + offs), v, __ATOMIC_RELEASE);
}

static void image(uint32_t w, uint32_t h, uint32_t argb)
{
    w = w > XFB_CURSOR_MAX ? XFB_CURSOR_MAX : w;
    h = h > XFB_CURSOR_MAX ? XFB_CURSOR_MAX : h;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            memcpy((void *)(pages + XFB_PAGE_SIZE + y * XFB_CURSOR_STRIDE + x * 4), &argb, 4);
}

static void header(uint32_t w, uint32_t h, uint32_t hx, uint32_t hy, uint32_t vis, uint32_t argb)
{
    put(XFB_CURSOR_SEQ, ++seq);
    image(w, h, argb);
    put(XFB_CURSOR_IMAGE_GEN, ++gen);
    put(XFB_CURSOR_WIDTH, w);
    put(XFB_CURSOR_HEIGHT, h);
    put(XFB_CURSOR_HOT_X, hx);
    put(XFB_CURSOR_HOT_Y, hy);
    put(XFB_CURSOR_VISIBLE, vis);
    put(XFB_CURSOR_SEQ, ++seq);
}

static volatile bool racing;

static void *race(void *arg)
{
    (void)arg;
    static const uint32_t legal[][4] = {
        {16, 16, 8, 8}, {64, 64, 63, 63}, {1, 1, 0, 0}, {0, 0, 0, 0}};
    for (unsigned i = 0; racing; i++) {
        const uint32_t *l = legal[i % 4];
        header(l[0], l[1], l[2], l[3], i & 1, 0xff000000u | i);
    }
    return NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void evil_cursor_run(const char *line, void (*notify)(void))
{
    unsigned long a[5];
    long ms;
    if (!pages) {
        printf("err cursor: not granted (--cursor)\n");
    } else if (sscanf(line, "cursor %lu %lu %lu %lu %lu", &a[0], &a[1], &a[2], &a[3], &a[4]) == 5) {
        header((uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], (uint32_t)a[3], (uint32_t)a[4],
               0xff00c000u);
        notify();
        printf("cursor done\n");
    } else if (!strcmp(line, "cursorodd") || !strcmp(line, "cursorodd\n")) {
        put(XFB_CURSOR_SEQ, seq | 1);
        notify();
        printf("cursor done\n");
    } else if (sscanf(line, "cursorrace %ld", &ms) == 1) {
        pthread_t t;
        racing = true;
        if (pthread_create(&t, NULL, race, NULL) != 0) {
            perror("xfb-evil-front: thread");
            exit(1);
        }
        /* one notification for each change of the count, as soon as it
         * moved: legal traffic at any relative speed of the threads (a
         * notification that announces nothing is a flood, and how many
         * of those a loaded machine lets through is not the point) */
        unsigned long n = 0;
        uint32_t told = __atomic_load_n((uint32_t *)(pages + XFB_CURSOR_SEQ), __ATOMIC_ACQUIRE);
        for (double end = now_ms() + (double)ms; now_ms() < end;) {
            uint32_t s = __atomic_load_n((uint32_t *)(pages + XFB_CURSOR_SEQ), __ATOMIC_ACQUIRE);
            if (s != told) {
                told = s;
                notify();
                n++;
            }
        }
        racing = false;
        pthread_join(t, NULL);
        notify();
        printf("cursorraced %lu notifications\n", n);
    } else {
        printf("err cursor: unknown command or wrong arguments\n");
    }
    fflush(stdout);
}
