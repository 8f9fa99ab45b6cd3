#include "config.h"

#include "sdl_clip.h"

#include <SDL2/SDL.h>
#include <stdlib.h>
#include <string.h>

#include "proto/clip.h"

/* What we last made the clipboard: SDL reports our own change too, and
 * sending it back would bounce the guest's text to itself (or to
 * another guest: the one in focus). */
static char *last_set;

void sdl_clip_set(const struct view_guest *vg, const char *utf8, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, utf8, len);
    copy[len] = 0;
    if (SDL_SetClipboardText(copy) < 0) {
        view_log(vg, XFB_LOG_WARNING, "clipboard to the SDL window: %s", SDL_GetError());
        free(copy);
        return;
    }
    free(last_set);
    last_set = copy;
}

void sdl_clip_changed(struct view_guest *vg)
{
    if (!vg || !SDL_HasClipboardText())
        return;
    char *text = SDL_GetClipboardText();
    if (!text)
        return;
    size_t len = strlen(text);
    if (last_set && !strcmp(text, last_set)) {
        SDL_free(text);
        return;
    }
    if (len > XFB_CLIP_MAX)
        view_log(vg, XFB_LOG_WARNING,
                 "clipboard from dom0: %zu bytes, more than the guest "
                 "takes: dropped",
                 len);
    else
        view_clipboard_to_guest(vg, text, len, "dom0's desktop");
    SDL_free(text);
}
