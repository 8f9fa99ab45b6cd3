#include "config.h"

#include "vnc_cursor.h"

#include <string.h>

#include <drm_fourcc.h>
#include <neatvnc.h>

void vnc_cursor_set(struct nvnc *server, const struct xfb_back_cursor *c)
{
    if (!c || !c->visible || !c->width || !c->height) {
        /* neatvnc sends a 0x0 cursor: viewers show none of their own */
        nvnc_set_cursor(server, NULL, 0, 0, 0, 0, true);
        return;
    }
    /* a copy: neatvnc keeps the image for viewers that connect later,
     * and the core's pixels last only until the next change */
    struct nvnc_fb *fb = nvnc_fb_new((uint16_t)c->width, (uint16_t)c->height, DRM_FORMAT_ARGB8888,
                                     (uint16_t)c->width);
    if (!fb)
        return;
    memcpy(nvnc_fb_get_addr(fb), c->pixels, (size_t)c->width * c->height * 4);
    nvnc_set_cursor(server, fb, (uint16_t)c->width, (uint16_t)c->height, (uint16_t)c->hot_x,
                    (uint16_t)c->hot_y, true);
    nvnc_fb_unref(fb); /* the server holds its own reference */
}
