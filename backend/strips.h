/* Images the guest draws as strips of rows, so that a viewer is shown
 * them whole.
 *
 * Xlib sends an XPutImage larger than 256 KB as strips of rows, top to
 * bottom, each a request of its own (34 rows of a 1920-pixel screen),
 * and the guest's driver reports what X drew whenever X waits for the
 * next: a picture shown between two strips is half one frame and half
 * the last. The tracker follows the guest's reports, in their order,
 * and says how long what is pending should wait for the rest of an
 * image: once rows across the picture from its top row come, until the
 * rows that go on from them reach the picture's bottom row (or the
 * bottom row where the guest's images ended before), or until nothing
 * has come for a while, or at most STRIPS_MAX_MS.
 *
 * Only rows across the whole picture from its top begin a wait, so a
 * clock, typing, a window, rows below a title bar or a panel, and
 * anything reaching the bottom (XShmPutImage, a fill, a copy) are shown
 * at once. An image that is not as tall as the picture (a maximized
 * window above a panel, a panel at the top) waits STRIPS_QUIET_FIRST_MS
 * the first time; the next image from the top tells where it ended,
 * and the images that end there are shown at once from then on. One
 * report of the guest may hold the top rows of an image before the
 * bottom rows of the last (its rectangles come in order of their rows):
 * those bottom rows neither end the wait nor teach where images end.
 *
 * Pure: the caller passes the monotonic time in milliseconds, arms its
 * timer from strips_wait() and calls strips_gave_up() when it fires. */
#ifndef XFB_STRIPS_H
#define XFB_STRIPS_H

#include <stdbool.h>
#include <stdint.h>

/* The longest quiet after the first strip of an image, before anything
 * else went on from it: what an image shorter than the picture waits
 * the first time, so short. */
#define STRIPS_QUIET_FIRST_MS 25
/* ... and after the second or later: by then the guest is drawing an
 * image in strips, and waiting longer costs nothing but a torn picture
 * saved (strips came up to 51 ms apart in tests/viewer/whole.sh on a
 * loaded 2-CPU machine). */
#define STRIPS_QUIET_MS 80
/* The longest one image waits in all. */
#define STRIPS_MAX_MS 250
/* Bottom rows of images shorter than the picture, remembered. */
#define STRIPS_BOTTOMS 4

struct strips {
    int width, height;           /* the picture */
    bool mid;                    /* rows from the top reported, the image not ended */
    int run;                     /* strips of this image so far */
    int next;                    /* the row after them */
    int64_t first;               /* ms: the first strip of the wait; -1: none */
    int64_t last;                /* ms: the latest strip */
    bool gave_up;                /* on this image: strips_gave_up while mid */
    int ended_at;                /* the image ended at one of bottoms, this one; 0: not */
    int bottoms[STRIPS_BOTTOMS]; /* 0: unused */
};

/* A picture of this size (again): nothing known. */
void strips_reset(struct strips *s, int width, int height);

/* The guest reported this rectangle (in the order it reports them). */
void strips_report(struct strips *s, int x, int y, int w, int h, int64_t now);

/* How long what is pending should wait, in ms from now: 0, show it. */
int strips_wait(const struct strips *s, int64_t now);

/* The wait ran out: what is pending is shown; the rows that go on from
 * it wait again (one torn picture, not one per strip). */
void strips_gave_up(struct strips *s);

#endif
