/* The clipboard to and from VNC viewers: the extended clipboard (UTF-8)
 * with viewers that have it, RFB cut text (Latin-1) with the others. */
#ifndef XFB_VNC_CLIP_H
#define XFB_VNC_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct rfbserver;

/* The guest's text (UTF-8) to every viewer of this server: as it is
 * with the extended clipboard, else as Latin-1, where each character
 * beyond U+00FF becomes '?', said in one log line. */
void vnc_clip_send(struct rfbserver *server, const struct view_guest *vg, const char *utf8,
                   size_t len);

/* A viewer's text for the guest: UTF-8 from the extended clipboard,
 * else Latin-1, made UTF-8. */
void vnc_clip_received(struct view_guest *vg, const char *text, size_t len, bool utf8);

#endif
