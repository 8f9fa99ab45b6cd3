/* The daemon's encoders alone (backend/rfbtight.c, rfbzrle.c, Raw
 * conversion), as its RFB server runs them: each frame cut into four
 * bands encoded at once on a pool of THREADS encoder threads besides the
 * caller (backend/rfbpool.c). No X, no network: what one frame costs and
 * weighs, and how the cost scales with threads.
 *
 *   encoders [SECONDS [WIDTHxHEIGHT]]
 *
 * Pictures: "gradient", bench/compare/xwork.c's frames (every pixel
 * differs from its neighbours); "desktop", flat areas, window borders,
 * text-like strokes and a photo-like block. Prints one line per picture,
 * encoding and thread count: ms per frame (wall), kB per frame.
 * Results and how to read them: bench/encoders.md. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rfbpix.h"
#include "rfbpool.h"
#include "rfbtight.h"
#include "rfbzrle.h"

#define BANDS 4

struct run {
    const struct rfbpic *p;
    const char *enc;
    int quality;
    struct rfbtight *tight;
    struct rfbzrle *zrle;
    struct rfbbuf out[BANDS];
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void band(void *ctx, unsigned k)
{
    struct run *r = ctx;
    const struct rfbpic *p = r->p;
    unsigned y0 = p->height * k / BANDS, y1 = p->height * (k + 1) / BANDS;
    struct rfbbuf *o = &r->out[k];
    o->len = 0;
    if (!strcmp(r->enc, "zrle")) {
        rfbzrle_encode(r->zrle, (int)k, p, &rfbfmt_default, 0, y0, p->width, y1 - y0, 1, o);
    } else if (!strcmp(r->enc, "raw-bgr")) {
        /* a viewer asking for another byte order: converted, not copied */
        static const struct rfbfmt bgr = {32, 24, false, {255, 255, 255}, {0, 8, 16}};
        size_t row = (size_t)p->width * 4;
        uint8_t *d = rfbbuf_room(o, row * (y1 - y0));
        for (unsigned y = y0; d && y < y1; y++)
            rfbpix_convert(&bgr, d + row * (y - y0), p, 0, y, p->width);
        o->len = d ? row * (y1 - y0) : 0;
    } else {
        rfbtight_encode(r->tight, (int)k, p, &rfbfmt_default, 0, y0, p->width, y1 - y0, r->quality,
                        1, o);
    }
}

static void gradient(struct rfbpic *p)
{
    for (unsigned y = 0; y < p->height; y++) {
        uint32_t *row = (uint32_t *)(p->pixels + (size_t)y * p->stride);
        for (unsigned x = 0; x < p->width; x++)
            row[x] = ((x + 64) & 0xff) << 16 | ((y + 32) & 0xff) << 8 | (((x ^ y) * 2) & 0xff);
    }
}

static void desktop(struct rfbpic *p)
{
    unsigned seed = 1;
    for (unsigned y = 0; y < p->height; y++) {
        uint32_t *row = (uint32_t *)(p->pixels + (size_t)y * p->stride);
        for (unsigned x = 0; x < p->width; x++) {
            uint32_t v = 0x204080; /* the background */
            bool win = x >= p->width / 8 && x < p->width * 5 / 8 && y >= p->height / 8 &&
                       y < p->height * 7 / 8;
            if (win)
                v = y < p->height / 8 + 24u ? 0x3060a0 : 0xf0f0f0; /* title, then page */
            seed = seed * 1103515245u + 12345u;
            /* lines of text: dark strokes on the page, a third of a line's pixels */
            if (win && y > p->height / 8 + 30u && (y / 16) % 2 == 0 && (y % 16) < 11 &&
                (seed >> 16) % 3 == 0)
                v = 0x202020;
            /* a photo: smooth with noise */
            if (x >= p->width * 5 / 8 + 40u && x + 40u < p->width && y >= p->height / 4u &&
                y < p->height * 3 / 4)
                v = ((x / 3 + (seed >> 28)) & 0xff) << 16 | ((y / 2) & 0xff) << 8 |
                    ((x + y) / 4 & 0xff);
            row[x] = v;
        }
    }
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2;
    unsigned w = 1920, h = 1080;
    if (argc > 2 && sscanf(argv[2], "%ux%u", &w, &h) != 2) {
        fprintf(stderr, "usage: encoders [SECONDS [WIDTHxHEIGHT]]\n");
        return 2;
    }
    static const struct {
        const char *name;
        void (*draw)(struct rfbpic *);
    } pics[] = {{"gradient", gradient}, {"desktop", desktop}};
    static const struct {
        const char *label, *enc;
        int quality;
    } encs[] = {{"raw-bgr", "raw-bgr", -1},
                {"tight", "tight", -1},
                {"jpeg8", "tight", 8},
                {"jpeg6", "tight", 6},
                {"zrle", "zrle", -1}};
    static const unsigned threads[] = {0, 1, 3}; /* besides the caller: 1, 2, 4 at once */
    printf("# %ux%u, %u bands, %.1f s each\n", w, h, BANDS, secs);
    for (size_t i = 0; i < sizeof(pics) / sizeof(pics[0]); i++) {
        struct rfbpic *p = rfbpic_new(w, h, 4);
        if (!p)
            return 1;
        pics[i].draw(p);
        for (size_t e = 0; e < sizeof(encs) / sizeof(encs[0]); e++)
            for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
                struct rfbpool *pool = rfbpool_new(threads[t]);
                struct run r = {.p = p, .enc = encs[e].enc, .quality = encs[e].quality};
                r.tight = rfbtight_new();
                r.zrle = rfbzrle_new();
                if (!pool || !r.tight || !r.zrle)
                    return 1;
                unsigned frames = 0;
                size_t bytes = 0;
                double t0 = now(), t1;
                do {
                    if (!strcmp(r.enc, "zrle"))
                        rfbzrle_begin(r.zrle);
                    rfbpool_run(pool, BANDS, band, &r);
                    for (int k = 0; k < BANDS; k++)
                        bytes += r.out[k].len;
                    frames++;
                } while ((t1 = now()) - t0 < secs);
                printf("picture=%s enc=%s threads=%u ms_per_frame=%.2f kB_per_frame=%zu\n",
                       pics[i].name, encs[e].label, threads[t] + 1, (t1 - t0) * 1000 / frames,
                       bytes / frames / 1024);
                fflush(stdout);
                for (int k = 0; k < BANDS; k++)
                    rfbbuf_free(&r.out[k]);
                rfbtight_free(r.tight);
                rfbzrle_free(r.zrle);
                rfbpool_free(pool);
            }
        rfbpic_unref(p);
    }
    return 0;
}
