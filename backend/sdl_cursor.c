#include "config.h"

#include "sdl_cursor.h"

SDL_Cursor *sdl_cursor_make(const struct xfb_back_cursor *c, bool *failed)
{
    *failed = false;
    if (!c)
        return NULL; /* the guest draws its own: the window keeps the system arrow */
    static const uint32_t blank = 0;
    bool shown = c->visible && c->width && c->height;
    /* straight ARGB in native 32-bit words, as the core gives it */
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(
        shown ? (void *)c->pixels : (void *)&blank, shown ? (int)c->width : 1,
        shown ? (int)c->height : 1, 32, shown ? (int)c->width * 4 : 4, SDL_PIXELFORMAT_ARGB8888);
    SDL_Cursor *cur =
        s ? SDL_CreateColorCursor(s, shown ? (int)c->hot_x : 0, shown ? (int)c->hot_y : 0) : NULL;
    if (s)
        SDL_FreeSurface(s);
    *failed = !cur;
    return cur;
}
