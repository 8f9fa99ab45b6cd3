/* SDL scancodes to Linux key codes: spot checks, and every key of a pc105
 * keyboard reachable from the SDL window. */
#include "sdl_keys.h"

#include "tap.h"

#include <SDL2/SDL_scancode.h>
#include <linux/input-event-codes.h>

static void test_sdl_keys_spot(void)
{
    is_int(sdl_keys_to_linux(SDL_SCANCODE_A), KEY_A, "A");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_Y), KEY_Y, "Y (the physical key, not the letter)");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_NONUSBACKSLASH), KEY_102ND, "the ISO key by left shift");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_RALT), KEY_RIGHTALT, "AltGr");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_KP_ENTER), KEY_KPENTER, "keypad Enter");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_PRINTSCREEN), KEY_SYSRQ, "Print");
    is_int(sdl_keys_to_linux(SDL_SCANCODE_UNKNOWN), 0, "unknown gives nothing");
    is_int(sdl_keys_to_linux(9999), 0, "out of range gives nothing");
}

static void test_sdl_keys_pc105(void)
{
    static const unsigned pc105[] = {
        1,  59, 60, 61,  62, 63, 64,  65,  66,  67, 68,  87,  88,  99,  70,  119, 41,  2,
        3,  4,  5,  6,   7,  8,  9,   10,  11,  12, 13,  14,  110, 102, 104, 69,  98,  55,
        74, 15, 16, 17,  18, 19, 20,  21,  22,  23, 24,  25,  26,  27,  28,  111, 107, 109,
        71, 72, 73, 78,  58, 30, 31,  32,  33,  34, 35,  36,  37,  38,  39,  40,  43,  75,
        76, 77, 42, 86,  44, 45, 46,  47,  48,  49, 50,  51,  52,  53,  54,  103, 79,  80,
        81, 96, 29, 125, 56, 57, 100, 126, 127, 97, 105, 108, 106, 82,  83};
    unsigned n = sizeof(pc105) / sizeof(pc105[0]), missing = 0;
    for (unsigned i = 0; i < n; i++) {
        int found = 0;
        for (int sc = 0; sc < SDL_NUM_SCANCODES && !found; sc++)
            found = sdl_keys_to_linux(sc) == pc105[i];
        if (!found) {
            diag("Linux code %u has no SDL scancode", pc105[i]);
            missing++;
        }
    }
    is_int(n, 105, "the list has the 105 keys");
    is_int(missing, 0, "each of them can be typed in the SDL window");
}

int main(void)
{
    plan(10);
    test_sdl_keys_spot();
    test_sdl_keys_pc105();
    return done_testing();
}
