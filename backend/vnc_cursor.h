/* The guest's cursor to VNC viewers: neatvnc sends it with the RFB cursor
 * pseudo-encoding to each viewer that asked for it, and the viewer draws
 * it at its own pointer, with no round trip. */
#ifndef XFB_VNC_CURSOR_H
#define XFB_VNC_CURSOR_H

#include "core/back.h"

struct nvnc;

/* Give the server this cursor; c NULL or hidden: an empty cursor (the
 * guest's own drawing, if any, is in the pixels). */
void vnc_cursor_set(struct nvnc *server, const struct xfb_back_cursor *c);

#endif
