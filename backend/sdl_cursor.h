/* The guest's cursor as an SDL window's cursor: drawn by the local
 * windowing system at the local pointer, so moving the mouse over the
 * window shows the guest's shape without a round trip. */
#ifndef XFB_SDL_CURSOR_H
#define XFB_SDL_CURSOR_H

#include <SDL2/SDL.h>

#include "core/back.h"

/* A cursor for c: NULL (to use SDL's default) when c is NULL, a blank
 * one when the guest hides its cursor, NULL also when SDL refuses (the
 * caller logs SDL_GetError()). */
SDL_Cursor *sdl_cursor_make(const struct xfb_back_cursor *c, bool *failed);

#endif
