/* The SDL window's clipboard: dom0's desktop clipboard (the X server the
 * windows are on). The guest's text becomes it; a change of it goes to
 * the guest whose window has the keyboard focus, so that text copied on
 * dom0's desktop reaches only the guest the user is working in. */
#ifndef XFB_SDL_CLIP_H
#define XFB_SDL_CLIP_H

#include <stddef.h>

#include "view.h"

/* The guest's text (UTF-8) becomes dom0's clipboard. */
void sdl_clip_set(const struct view_guest *vg, const char *utf8, size_t len);

/* SDL_CLIPBOARDUPDATE: dom0's clipboard changed; vg is the focused
 * window's guest (NULL: none). Our own sdl_clip_set() is not sent back. */
void sdl_clip_changed(struct view_guest *vg);

#endif
