/* Images drawn as strips of rows: when the rows shown are a whole image
 * (strips.h says why). */
#include "strips.h"

#include <string.h>

void strips_reset(struct strips *s, int width, int height)
{
    memset(s, 0, sizeof(*s));
    s->width = width;
    s->height = height;
    s->first = -1;
}

static int bottom_at(const struct strips *s, int row)
{
    for (int i = 0; i < STRIPS_BOTTOMS; i++)
        if (s->bottoms[i] == row)
            return i;
    return -1;
}

/* Images ended at this row: the newest first, the oldest forgotten. */
static void learn_bottom(struct strips *s, int row)
{
    int i = bottom_at(s, row);
    if (i < 0)
        i = STRIPS_BOTTOMS - 1;
    memmove(&s->bottoms[1], &s->bottoms[0], (size_t)i * sizeof(s->bottoms[0]));
    s->bottoms[0] = row;
}

void strips_report(struct strips *s, int x, int y, int w, int h, int64_t now)
{
    if (x != 0 || w != s->width || h <= 0)
        return; /* narrower than the picture: neither begins nor ends one */
    if (y == 0) {
        /* an image from the top again: the last ended where it stopped,
         * if nothing came after it for long enough to give up on it (a
         * report may hold the top of one image before the bottom rows of
         * the last, as rectangles come in order of their rows) */
        if (s->mid && s->gave_up && s->next < s->height)
            learn_bottom(s, s->next);
        s->gave_up = false;
        s->run = 0;
        s->first = now;
    } else if (s->mid && y <= s->next) {
        if (s->first < 0)
            s->first = now; /* waiting again after strips_gave_up */
    } else if (s->ended_at && y == s->ended_at) {
        /* going on past a row where images ended: this one did not (an
         * image of another size now), and the picture shown was half */
        int i = bottom_at(s, y);
        if (i >= 0)
            s->bottoms[i] = 0;
        s->first = now;
    } else if (s->mid && (y + h >= s->height || bottom_at(s, y + h) >= 0)) {
        return; /* the last image's bottom rows, reported with this one's top */
    } else {
        s->mid = false; /* rows below the top, going on from nothing */
        s->ended_at = 0;
        return;
    }
    s->ended_at = 0;
    s->mid = true;
    s->run++;
    s->next = y + h;
    s->last = now;
    if (s->next >= s->height) {
        s->mid = false; /* the image is whole */
    } else if (bottom_at(s, s->next) >= 0) {
        s->mid = false; /* as tall as images were before */
        s->ended_at = s->next;
    }
}

int strips_wait(const struct strips *s, int64_t now)
{
    if (!s->mid || s->first < 0)
        return 0;
    int64_t quiet = s->run > 1 ? STRIPS_QUIET_MS : STRIPS_QUIET_FIRST_MS;
    int64_t until = s->last + quiet;
    if (until > s->first + STRIPS_MAX_MS)
        until = s->first + STRIPS_MAX_MS;
    return until > now ? (int)(until - now) : 0;
}

void strips_gave_up(struct strips *s)
{
    s->first = -1;
    s->gave_up = s->mid;
}
