/* Linux input codes to X, without X: key codes, buttons, axis scaling, and
 * the set of keys and buttons held down. Unit-tested on its own. */
#ifndef XENKBD_KEYS_H
#define XENKBD_KEYS_H

#include <stdbool.h>
#include <stdint.h>

/* X keycodes are Linux codes + 8 (the evdev rules), and stop at 255. */
#define XENKBD_KEYCODE_OFFSET 8
#define XENKBD_LINUX_CODE_MAX 0x2ff /* KEY_MAX */

enum xenkbd_action_kind {
    XENKBD_DROP = 0, /* nothing X can express: the caller logs it */
    XENKBD_KEY,      /* x is an X keycode */
    XENKBD_BUTTON,   /* x is an X button number */
};

struct xenkbd_action {
    enum xenkbd_action_kind kind;
    int x;
};

/* What a Linux KEY_* / BTN_* code becomes in X. Buttons follow evdev:
 * LEFT 1, MIDDLE 2, RIGHT 3, SIDE 8, EXTRA 9, FORWARD 10, BACK 11, TASK 12
 * (4 to 7 are the wheel's). */
struct xenkbd_action xenkbd_map_code(uint32_t code);

/* Scale v in [0, vmax] to [0, axis_max], clamping v first. */
int xenkbd_scale(int32_t v, int32_t vmax, int axis_max);

/* Codes held down, so that a backend that goes away leaves no key or
 * button stuck in the guest. */
struct xenkbd_down {
    uint64_t bits[(XENKBD_LINUX_CODE_MAX + 64) / 64];
};

void xenkbd_down_set(struct xenkbd_down *d, uint32_t code, bool pressed);
bool xenkbd_down_get(const struct xenkbd_down *d, uint32_t code);
/* The next code held down at or after *code; false when none. */
bool xenkbd_down_next(const struct xenkbd_down *d, uint32_t *code);

#endif
