/* The clipboard to and from VNC viewers: RFB cut text, Latin-1 (the
 * extended clipboard is not served yet). */
#ifndef XFB_VNC_CLIP_H
#define XFB_VNC_CLIP_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct rfbserver;

/* The guest's text (UTF-8) to every viewer of this server, as Latin-1:
 * each character beyond U+00FF becomes '?', said in one log line. */
void vnc_clip_send(struct rfbserver *server, const struct view_guest *vg, const char *utf8, size_t len);

/* A viewer's cut text (Latin-1) for the guest, as UTF-8. */
void vnc_clip_received(struct view_guest *vg, const char *latin1, size_t len);

#endif
