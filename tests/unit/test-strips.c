/* Which rows wait for the rest of an image drawn in strips, and for how
 * long: Xlib's strips of a whole-screen XPutImage, images shorter than
 * the screen, and what must never wait. Time is the test's own. */
#include "strips.h"

#include "tap.h"

#define W    1024
#define H    768
#define ROWS 63 /* Xlib's strip of a 1024-pixel screen at 32 bpp */

static struct strips s;
static int64_t t;

static void strip(int y, int h)
{
    strips_report(&s, 0, y, W, h, t);
}

/* An image from the top, `rows` tall, in Xlib's strips 1 ms apart; the
 * wait after each strip but the last in waits[] */
static void image(int rows, int *waits)
{
    for (int y = 0, i = 0; y < rows; y += ROWS, i++, t++) {
        strip(y, y + ROWS < rows ? ROWS : rows - y);
        if (waits)
            waits[i] = strips_wait(&s, t);
    }
}

static void test_whole_screen_in_strips(void)
{
    strips_reset(&s, W, H);
    t = 1000;
    int waits[16];
    image(H, waits);
    ok(waits[0] == STRIPS_QUIET_FIRST_MS, "the first strip waits %d ms for more (%d)",
       STRIPS_QUIET_FIRST_MS, waits[0]);
    bool all = true;
    for (int i = 1; i < 12; i++)
        all = all && waits[i] == STRIPS_QUIET_MS;
    ok(all, "each strip after waits %d ms for the next", STRIPS_QUIET_MS);
    is_int(waits[12], 0, "the strip reaching the bottom row is shown at once");
    image(H, waits);
    ok(waits[0] > 0 && waits[11] > 0 && waits[12] == 0, "and the next image the same");
}

static void test_waits_count_from_the_last(void)
{
    strips_reset(&s, W, H);
    t = 0;
    strip(0, ROWS);
    t += 5;
    is_int(strips_wait(&s, t), STRIPS_QUIET_FIRST_MS - 5, "quiet counts from the strip");
    strip(ROWS, ROWS);
    t += 30;
    is_int(strips_wait(&s, t), STRIPS_QUIET_MS - 30, "from the latest strip");
    /* strips that keep coming, slowly: no longer than STRIPS_MAX_MS in all */
    bool within = true;
    for (int y = 2 * ROWS; y + ROWS < H; y += ROWS) {
        t += 40;
        strip(y, ROWS);
        int64_t left = STRIPS_MAX_MS - t;
        within = within && strips_wait(&s, t) == (left > STRIPS_QUIET_MS ? STRIPS_QUIET_MS
                                                  : left > 0             ? left
                                                                         : 0);
    }
    ok(within, "strips 40 ms apart wait until %d ms after the first, no longer", STRIPS_MAX_MS);
}

static void test_gave_up_waits_again(void)
{
    strips_reset(&s, W, H);
    t = 0;
    strip(0, ROWS);
    t += STRIPS_QUIET_FIRST_MS;
    is_int(strips_wait(&s, t), 0, "nothing for %d ms: shown", STRIPS_QUIET_FIRST_MS);
    strips_gave_up(&s);
    strips_report(&s, 100, 100, 20, 20, ++t);
    is_int(strips_wait(&s, t), 0, "after giving up, a small change does not wait");
    strip(ROWS, ROWS);
    is_int(strips_wait(&s, t), STRIPS_QUIET_MS, "the strip going on waits again");
    for (int y = 2 * ROWS; y < H; y += ROWS)
        strip(y, y + ROWS < H ? ROWS : H - y);
    is_int(strips_wait(&s, t), 0, "until the bottom row");
}

static void test_never_waits(void)
{
    strips_reset(&s, W, H);
    t = 0;
    strips_report(&s, 900, 0, 124, 20, t);
    is_int(strips_wait(&s, t), 0, "a clock at the top right does not wait");
    strips_report(&s, 0, 0, W - 1, ROWS, t);
    is_int(strips_wait(&s, t), 0, "nor rows one pixel narrower than the picture");
    strip(24, H - 24);
    is_int(strips_wait(&s, t), 0, "nor a maximized window under a title bar");
    strip(0, H);
    is_int(strips_wait(&s, t), 0, "nor the whole picture");
    strip(0, ROWS);
    strip(400, 10);
    is_int(strips_wait(&s, t), 0, "nor rows not going on from the last, after a strip");
    strip(0, ROWS);
    strips_report(&s, 10, 100, 50, 50, t);
    ok(strips_wait(&s, t) > 0, "a small change in the middle of an image waits with it");
    strips_report(&s, 0, 0, W, 0, t);
    strips_report(&s, 0, 0, W, -5, t);
    ok(strips_wait(&s, t) > 0, "empty rows change nothing");
}

static void test_shorter_images(void)
{
    strips_reset(&s, W, H);
    t = 0;
    /* a maximized window above a 30-row panel, redrawn whole */
    strip(0, H - 30);
    is_int(strips_wait(&s, t), STRIPS_QUIET_FIRST_MS, "an image shorter than the picture waits");
    t += STRIPS_QUIET_FIRST_MS;
    strips_gave_up(&s);
    t += 1000;
    strip(0, H - 30);
    is_int(strips_wait(&s, t), 0, "the next image from the top says where it ended: shown at once");
    strip(0, H - 30);
    is_int(strips_wait(&s, t), 0, "and every one after");
    /* a 700-row image in strips, twice */
    int waits[16];
    image(700, waits);
    ok(waits[0] > 0 && waits[10] > 0, "an image of 700 rows in strips waits the first time");
    strips_gave_up(&s);
    image(700, waits);
    ok(waits[0] > 0 && waits[10] > 0 && waits[11] == 0,
       "the second time, its strips wait until its last (%d %d %d)", waits[0], waits[10],
       waits[11]);
    strip(0, H - 30);
    is_int(strips_wait(&s, t), 0, "the window's height is still known");
}

static void test_wrong_bottom_unlearned(void)
{
    strips_reset(&s, W, H);
    t = 0;
    /* two images of one strip's height: ROWS is learned as a bottom */
    strip(0, ROWS);
    strips_gave_up(&s);
    strip(0, ROWS);
    is_int(strips_wait(&s, t), 0, "images of %d rows: shown at once", ROWS);
    /* then a whole-screen image in strips: its first strip ends there */
    int waits[16];
    image(H, waits);
    is_int(waits[0], 0, "a taller image's first strip is shown, one picture half");
    ok(waits[1] > 0 && waits[11] > 0 && waits[12] == 0, "its rest waits for the bottom row");
    image(H, waits);
    ok(waits[0] > 0, "and the next image's first strip waits: the wrong end forgotten");
    strips_reset(&s, W, H - 100);
    strip(0, H - 130);
    ok(strips_wait(&s, t) > 0, "a new picture size knows no image's end");
}

/* The bottom rows of one image and the top rows of the next in one
 * report: the top comes first (rows in order), then the bottom. */
static void test_two_images_in_one_report(void)
{
    strips_reset(&s, W, H);
    t = 0;
    for (int y = 0; y < 11 * ROWS; y += ROWS)
        strip(y, ROWS);
    strip(0, ROWS);                  /* the next image's top */
    strip(11 * ROWS, H - 11 * ROWS); /* this one's bottom */
    ok(strips_wait(&s, t) > 0, "the last image's bottom after the next one's top: still waiting");
    int waits[16];
    for (int y = ROWS, i = 0; y < H; y += ROWS, i++) {
        strip(y, y + ROWS < H ? ROWS : H - y);
        waits[i] = strips_wait(&s, t);
    }
    ok(waits[0] > 0 && waits[9] > 0 && waits[11] == 0, "until the new image's bottom row");
    image(H, waits);
    ok(waits[10] > 0, "and no image's end was learned from it (%d)", waits[10]);
}

int main(void)
{
    plan(32);
    test_whole_screen_in_strips();
    test_waits_count_from_the_last();
    test_gave_up_waits_again();
    test_never_waits();
    test_shorter_images();
    test_wrong_bottom_unlearned();
    test_two_images_in_one_report();
    return done_testing();
}
