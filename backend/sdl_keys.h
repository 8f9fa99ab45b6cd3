/* SDL scancodes (USB HID usages) to Linux key codes, so the SDL viewer
 * sends the physical key pressed, whatever either side's layout. */
#ifndef XFB_SDL_KEYS_H
#define XFB_SDL_KEYS_H

#include <stdint.h>

/* The Linux KEY_* code of an SDL scancode, 0 when there is none. */
uint32_t sdl_keys_to_linux(int scancode);

#endif
