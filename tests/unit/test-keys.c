/* Linux input codes to X: keys, buttons, axis scaling, keys held down. */
#include "keys.h"

#include "tap.h"

#include <linux/input-event-codes.h>

struct code_case {
    uint32_t code;
    enum xenkbd_action_kind kind;
    int x;
};

static const struct code_case code_cases[] = {
    {KEY_ESC, XENKBD_KEY, 9},        {KEY_A, XENKBD_KEY, 38},
    {KEY_LEFTSHIFT, XENKBD_KEY, 50}, {KEY_102ND, XENKBD_KEY, 94},
    {247, XENKBD_KEY, 255},                               /* the last code X can carry */
    {248, XENKBD_DROP, 0},           {0, XENKBD_DROP, 0}, /* KEY_RESERVED */
    {BTN_LEFT, XENKBD_BUTTON, 1},    {BTN_MIDDLE, XENKBD_BUTTON, 2},
    {BTN_RIGHT, XENKBD_BUTTON, 3},   {BTN_SIDE, XENKBD_BUTTON, 8},
    {BTN_EXTRA, XENKBD_BUTTON, 9},   {BTN_FORWARD, XENKBD_BUTTON, 10},
    {BTN_BACK, XENKBD_BUTTON, 11},   {BTN_TASK, XENKBD_BUTTON, 12},
    {BTN_JOYSTICK, XENKBD_DROP, 0},  {0x2ff, XENKBD_DROP, 0},
    {0xffffffffu, XENKBD_DROP, 0},
};

static void test_keys_map_table(void)
{
    for (size_t i = 0; i < sizeof(code_cases) / sizeof(code_cases[0]); i++) {
        const struct code_case *c = &code_cases[i];
        struct xenkbd_action a = xenkbd_map_code(c->code);
        ok(a.kind == c->kind && a.x == c->x, "code %#x -> kind %d x %d", c->code, a.kind, a.x);
    }
}

static void test_keys_scale(void)
{
    is_int(xenkbd_scale(0, 0x7fff, 0x7fff), 0, "raw 0 stays 0");
    is_int(xenkbd_scale(0x7fff, 0x7fff, 0x7fff), 0x7fff, "raw max stays max");
    is_int(xenkbd_scale(400, 800, 0x7fff), 16384, "middle of 800 is the axis middle");
    is_int(xenkbd_scale(800, 800, 0x7fff), 0x7fff, "the backend's width maps to the axis max");
    is_int(xenkbd_scale(-5, 800, 0x7fff), 0, "negative clamps to 0");
    is_int(xenkbd_scale(90000, 800, 0x7fff), 0x7fff, "past the range clamps to max");
    is_int(xenkbd_scale(10, 0, 0x7fff), 0, "a zero range gives 0, not a division by zero");
    is_int(xenkbd_scale(INT32_MAX - 1, INT32_MAX, 0x7fff), 0x7fff, "no overflow near INT32_MAX");
}

static void test_keys_down(void)
{
    struct xenkbd_down d = {0};
    uint32_t c = 0;
    ok(!xenkbd_down_next(&d, &c), "nothing held at first");
    xenkbd_down_set(&d, KEY_A, true);
    xenkbd_down_set(&d, BTN_LEFT, true);
    xenkbd_down_set(&d, 0x2ff, true);
    xenkbd_down_set(&d, 0x300, true); /* out of range: ignored */
    c = 0;
    ok(xenkbd_down_next(&d, &c) && c == KEY_A, "KEY_A held");
    c++;
    ok(xenkbd_down_next(&d, &c) && c == BTN_LEFT, "then BTN_LEFT");
    c++;
    ok(xenkbd_down_next(&d, &c) && c == 0x2ff, "then the last code");
    c++;
    ok(!xenkbd_down_next(&d, &c), "and nothing past it");
    xenkbd_down_set(&d, KEY_A, false);
    ok(!xenkbd_down_get(&d, KEY_A) && xenkbd_down_get(&d, BTN_LEFT), "release clears one code");
}

int main(void)
{
    plan(32);
    test_keys_map_table();
    test_keys_scale();
    test_keys_down();
    return done_testing();
}
