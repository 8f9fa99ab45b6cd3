#include "keys.h"

#include <linux/input-event-codes.h>

struct xenkbd_action xenkbd_map_code(uint32_t code)
{
    static const struct {
        uint32_t code;
        int button;
    } buttons[] = {
        {BTN_LEFT, 1},  {BTN_MIDDLE, 2},   {BTN_RIGHT, 3}, {BTN_SIDE, 8},
        {BTN_EXTRA, 9}, {BTN_FORWARD, 10}, {BTN_BACK, 11}, {BTN_TASK, 12},
    };
    for (unsigned i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
        if (buttons[i].code == code)
            return (struct xenkbd_action){XENKBD_BUTTON, buttons[i].button};
    if (code == 0 || code > 255 - XENKBD_KEYCODE_OFFSET)
        return (struct xenkbd_action){XENKBD_DROP, 0};
    return (struct xenkbd_action){XENKBD_KEY, (int)code + XENKBD_KEYCODE_OFFSET};
}

int xenkbd_scale(int32_t v, int32_t vmax, int axis_max)
{
    if (vmax <= 0 || v <= 0)
        return 0;
    if (v >= vmax)
        return axis_max;
    /* round to nearest so that both ends and the middle map exactly */
    return (int)(((int64_t)v * axis_max + vmax / 2) / vmax);
}

void xenkbd_down_set(struct xenkbd_down *d, uint32_t code, bool pressed)
{
    if (code > XENKBD_LINUX_CODE_MAX)
        return;
    uint64_t bit = UINT64_C(1) << (code % 64);
    if (pressed)
        d->bits[code / 64] |= bit;
    else
        d->bits[code / 64] &= ~bit;
}

bool xenkbd_down_get(const struct xenkbd_down *d, uint32_t code)
{
    return code <= XENKBD_LINUX_CODE_MAX && (d->bits[code / 64] >> (code % 64)) & 1;
}

bool xenkbd_down_next(const struct xenkbd_down *d, uint32_t *code)
{
    for (uint32_t c = *code; c <= XENKBD_LINUX_CODE_MAX; c++)
        if (xenkbd_down_get(d, c)) {
            *code = c;
            return true;
        }
    return false;
}
