/* vkbd in-ring validation (kbdring.c): a table of hostile and ordinary
 * events, each with the verdict and the event the caller gets. */
#include "lib/private.h"
#include "tap.h"

#include <xen/io/kbdif.h>

struct kcase {
    const char *name;
    union xenkbd_in_event in;
    struct xfb_kbd_range range;
    enum xfb_kbd_verdict verdict;
    struct xfb_front_event want;
};

/* clang-format off */
#define RAW {.abs = true, .x_max = 0x7fff, .y_max = 0x7fff}
#define PIX {.abs = true, .x_max = 800, .y_max = 600}
#define KEY(c, p) {.key = {.type = XENKBD_TYPE_KEY, .pressed = (p), .keycode = (c)}}
#define POS(x, y, z) {.pos = {.type = XENKBD_TYPE_POS, .abs_x = (x), .abs_y = (y), .rel_z = (z)}}
#define MOT(x, y, z) \
    {.motion = {.type = XENKBD_TYPE_MOTION, .rel_x = (x), .rel_y = (y), .rel_z = (z)}}
#define TYPE(t) {.type = (t)}
#define RAWH {.abs = true, .hwheel = true, .x_max = 0x7fff, .y_max = 0x7fff}
/* an event whose first reserved word (the horizontal wheel) is w, LE */
#define HW(t, w0, w1, w2, w3) {.pad = {[0] = (t), [16] = (w0), [17] = (w1), [18] = (w2), [19] = (w3)}}

static const struct kcase cases[] = {
    {"key A down", KEY(30, 1), RAW, XFB_KBD_OK, {.type = XFB_FRONT_EV_KEY, .key = {30, true}}},
    {"key A up", KEY(30, 0), RAW, XFB_KBD_OK, {.type = XFB_FRONT_EV_KEY, .key = {30, false}}},
    {"pressed 7 is a press", KEY(30, 7), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_KEY, .key = {30, true}}},
    {"KEY_MAX itself", KEY(0x2ff, 1), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_KEY, .key = {0x2ff, true}}},
    {"BTN_LEFT", KEY(0x110, 1), RAW, XFB_KBD_OK, {.type = XFB_FRONT_EV_KEY, .key = {0x110, true}}},
    {"keycode KEY_MAX + 1", KEY(0x300, 1), RAW, XFB_KBD_BAD_KEYCODE, {0}},
    {"keycode 0xffffffff", KEY(0xffffffffu, 0), RAW, XFB_KBD_BAD_KEYCODE, {0}},
    {"raw pos inside", POS(100, 200, -1), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_POS, .pos = {100, 200, 0x7fff, 0x7fff, -1}}},
    {"raw pos negative", POS(-5, INT32_MIN, 0), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_POS, .pos = {0, 0, 0x7fff, 0x7fff, 0}}},
    {"raw pos past 0x7fff", POS(0x8000, INT32_MAX, 0), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_POS, .pos = {0x7fff, 0x7fff, 0x7fff, 0x7fff, 0}}},
    {"pixel pos past the width", POS(801, 600, 2), PIX, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_POS, .pos = {800, 600, 800, 600, 2}}},
    {"motion passes through", MOT(-3, 4, 1), RAW, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_MOTION, .motion = {-3, 4, 1}}},
    {"hwheel asked: motion carries it", HW(XENKBD_TYPE_MOTION, 2, 0, 0, 0), RAWH, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_MOTION, .motion = {0, 0, 0, 2}}},
    {"hwheel asked: pos carries it", HW(XENKBD_TYPE_POS, 0xff, 0xff, 0xff, 0xff), RAWH, XFB_KBD_OK,
     {.type = XFB_FRONT_EV_POS, .pos = {0, 0, 0x7fff, 0x7fff, 0, -1}}},
    {"hwheel not asked: the reserved word means nothing", HW(XENKBD_TYPE_MOTION, 5, 0, 0, 0), RAW,
     XFB_KBD_OK, {.type = XFB_FRONT_EV_MOTION, .motion = {0, 0, 0, 0}}},
    {"type 0", TYPE(0), RAW, XFB_KBD_UNKNOWN_TYPE, {0}},
    {"reserved type 2", TYPE(XENKBD_TYPE_RESERVED), RAW, XFB_KBD_UNKNOWN_TYPE, {0}},
    {"multi-touch, not requested", TYPE(XENKBD_TYPE_MTOUCH), RAW, XFB_KBD_UNKNOWN_TYPE, {0}},
    {"type 255", TYPE(255), RAW, XFB_KBD_UNKNOWN_TYPE, {0}},
};
/* clang-format on */

static bool same_event(const struct xfb_front_event *a, const struct xfb_front_event *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case XFB_FRONT_EV_KEY:
        return a->key.code == b->key.code && a->key.pressed == b->key.pressed;
    case XFB_FRONT_EV_POS:
        return a->pos.x == b->pos.x && a->pos.y == b->pos.y && a->pos.z == b->pos.z &&
               a->pos.w == b->pos.w && a->pos.x_max == b->pos.x_max && a->pos.y_max == b->pos.y_max;
    case XFB_FRONT_EV_MOTION:
        return a->motion.dx == b->motion.dx && a->motion.dy == b->motion.dy &&
               a->motion.dz == b->motion.dz && a->motion.dw == b->motion.dw;
    default:
        return true;
    }
}

int main(void)
{
    size_t n = sizeof(cases) / sizeof(cases[0]);
    plan((int)(2 * n));
    for (size_t i = 0; i < n; i++) {
        const struct kcase *k = &cases[i];
        struct xfb_front_event got;
        enum xfb_kbd_verdict v = xfb_kbd_validate(&k->in, &k->range, &got);
        is_int(v, k->verdict, "%s: verdict", k->name);
        ok(v != XFB_KBD_OK || same_event(&got, &k->want), "%s: event", k->name);
    }
    return done_testing();
}
