#include "config.h"

#include "vnc_clip.h"

#include <stdlib.h>

#include "proto/clip.h"
#include "rfbserver.h"

void vnc_clip_send(struct rfbserver *server, const struct view_guest *vg, const char *utf8,
                   size_t len)
{
    /* Latin-1 is never longer than the UTF-8 it comes from */
    char *out = malloc(len + 1);
    if (!out)
        return;
    size_t replaced;
    size_t n = xfb_clip_utf8_to_latin1((const uint8_t *)utf8, len, out, &replaced);
    if (replaced)
        view_log(vg, XFB_LOG_INFO,
                 "clipboard to VNC viewers: %zu characters outside Latin-1 sent as '?' to those "
                 "without the extended clipboard",
                 replaced);
    rfbserver_cut_text(server, utf8, len, out, n);
    free(out);
}

void vnc_clip_received(struct view_guest *vg, const char *text, size_t len, bool utf8)
{
    /* a viewer may send up to 2^31 bytes; the guest takes 64 KiB of
     * UTF-8, which Latin-1 doubles at most */
    if (len > XFB_CLIP_MAX) {
        view_log(vg, XFB_LOG_WARNING,
                 "clipboard from a VNC viewer: %zu bytes, more than the guest takes: dropped", len);
        return;
    }
    if (utf8) { /* the extended clipboard: checked as UTF-8 on its way */
        view_clipboard_to_guest(vg, text, len, "a VNC viewer");
        return;
    }
    uint8_t *out = malloc(2 * (size_t)len + 1);
    if (!out)
        return;
    size_t n = xfb_clip_latin1_to_utf8((const uint8_t *)text, len, out);
    view_clipboard_to_guest(vg, (const char *)out, n, "a VNC viewer");
    free(out);
}
