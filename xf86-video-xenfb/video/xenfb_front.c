/* The link between the X server and libxenfbfront: open and close per
 * server generation, the library's messages into the Xorg log, its
 * descriptor into the server's main loop, and the device coming and going
 * under a running server. */
#include "xenfb.h"

#include <errno.h>
#include <string.h>

#include "os.h"

static void front_log(void *data, int level, const char *msg)
{
    ScrnInfoPtr pScrn = data;
    MessageType type = level <= XFB_LOG_ERROR     ? X_ERROR
                       : level == XFB_LOG_WARNING ? X_WARNING
                                                  : X_INFO;
    if (level >= XFB_LOG_DEBUG)
        xf86DrvMsgVerb(pScrn->scrnIndex, X_INFO, 5, "%s\n", msg);
    else
        xf86DrvMsg(pScrn->scrnIndex, type, "%s\n", msg);
}

/* The device appeared with memory: the picture moves there, before the
 * library offers it to the backend. It went (or another writer took it):
 * the picture moves out before its memory is released. The library's
 * line names the device, the backend and the geometry. */
static void device_event(ScrnInfoPtr pScrn, const struct xfb_front_event *ev)
{
    XenfbPtr x = XENFBPTR(pScrn);
    struct xfb_front_fb fb;
    if (xfb_front_get_fb(x->front, &fb) < 0)
        return;
    if (ev->device.present) {
        if (fb.pixels) {
            xenfb_memory_move(pScrn, fb.pixels, TRUE);
            xf86DrvMsgVerb(pScrn->scrnIndex, X_INFO, 5,
                           "vfb %u: the screen moved into the granted memory\n", x->devid);
        }
        return;
    }
    if (fb.pixels && x->pixels == fb.pixels) {
        xenfb_memory_to_own(pScrn);
        xf86DrvMsg(pScrn->scrnIndex, X_INFO,
                   "vfb %u: X goes on in its own memory (%dx%d) until the device is back\n",
                   x->devid, pScrn->virtualX, pScrn->virtualY);
    }
    x->connected = FALSE;
}

static void front_event(void *data, const struct xfb_front_event *ev)
{
    ScrnInfoPtr pScrn = data;
    XenfbPtr x = XENFBPTR(pScrn);

    if (ev->type == XFB_FRONT_EV_DEVICE) {
        device_event(pScrn, ev);
        return;
    }
    if (ev->type == XFB_FRONT_EV_RESIZE_REQUEST) {
        xenfb_request_take(pScrn, (int)ev->resize_request.width, (int)ev->resize_request.height);
        return;
    }
    if (ev->type == XFB_FRONT_EV_STATE)
        xenfb_cursor_check(pScrn);
    if (ev->type != XFB_FRONT_EV_STATE || ev->state.connected == x->connected)
        return;
    x->connected = ev->state.connected;
    /* the library names the backend and the mode when it connects; say
     * what its going means for the screen */
    if (!x->connected && ev->state.state != 5)
        xf86DrvMsg(pScrn->scrnIndex, X_WARNING,
                   "vfb %u: backend gone; X keeps running and reconnects when it returns\n",
                   x->devid);
}

/* Runs in the main loop whenever the library's descriptor is readable:
 * xenstore watches and event-channel notifications. */
static void front_ready(int fd, int ready, void *data)
{
    ScrnInfoPtr pScrn = data;
    XenfbPtr x = XENFBPTR(pScrn);

    if (xfb_front_dispatch(x->front) < 0) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "vfb %u: lost xenstore or the event channel (%s); the screen is no longer "
                   "exported until X restarts\n",
                   x->devid, strerror(errno));
        RemoveNotifyFd(fd);
        x->front_fd = -1;
        return;
    }
    /* a mode change re-grants, which the library does not do from inside
     * its own dispatch */
    xenfb_request_run(pScrn);
}

Bool xenfb_front_open(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    int cpp = pScrn->bitsPerPixel / 8;
    int pitch = xenfb_pitch(pScrn, pScrn->virtualX);
    /* memory for the mode X starts in, rows padded: max_width is the
     * padded row in pixels */
    struct xfb_front_opts opts = {
        .kind = XFB_FRONT_VFB,
        .devid = x->devid,
        .width = (uint32_t)pScrn->virtualX,
        .height = (uint32_t)pScrn->virtualY,
        .depth = (uint32_t)pScrn->bitsPerPixel,
        .max_width = (uint32_t)(pitch / cpp),
        .max_height = (uint32_t)pScrn->virtualY,
        .backend_timeout_ms = x->backend_timeout_ms,
        .log_fn = front_log,
        .log_data = pScrn,
        .event_fn = front_event,
        .event_data = pScrn,
    };

    x->connected = FALSE;
    x->front_fd = -1;
    /* the device may come later, and go and come again: nothing about it
     * stops the server from starting */
    /* the cursor extension is asked for from the start: the backend
     * reads our nodes once, when it connects */
    x->front =
        xfb_front_open_flags(&opts, XFB_FRONT_HOTPLUG | (x->sw_cursor ? 0 : XFB_FRONT_CURSOR) |
                                        (x->viewer_resize ? XFB_FRONT_RESIZE_REQUEST : 0));
    if (!x->front) {
        /* the library logged the reason, with what to do */
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot open Xen vfb %u: %s\n", x->devid,
                   strerror(errno));
        return FALSE;
    }
    /* the line length we draw with; the memory was sized for it */
    if (xfb_front_resize(x->front, opts.width, opts.height, (uint32_t)pitch, opts.depth, 0) < 0)
        xf86DrvMsg(pScrn->scrnIndex, X_WARNING, "vfb %u: the backend does not take %dx%d yet\n",
                   x->devid, pScrn->virtualX, pScrn->virtualY);
    x->front_fd = xfb_front_fd(x->front);
    if (!SetNotifyFd(x->front_fd, front_ready, X_NOTIFY_READ, pScrn)) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot watch the vfb descriptor\n");
        xenfb_front_close(pScrn);
        return FALSE;
    }
    struct xfb_front_fb fb;
    xfb_front_get_fb(x->front, &fb);
    if (fb.pixels)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO,
                   "vfb %u: %dx%d, %d bpp, line %d: %u KiB granted; waiting for the backend\n",
                   x->devid, pScrn->virtualX, pScrn->virtualY, pScrn->bitsPerPixel, pitch,
                   fb.mem_length / 1024);
    else if (xfb_front_state(x->front) == 0)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO,
                   "vfb %u: %dx%d, %d bpp, line %d: in the server's own memory until the "
                   "device is there\n",
                   x->devid, pScrn->virtualX, pScrn->virtualY, pScrn->bitsPerPixel, pitch);
    else
        /* gntalloc said no ([XFB-003] above): a mode change asks again */
        xf86DrvMsg(pScrn->scrnIndex, X_WARNING,
                   "vfb %u: %dx%d, %d bpp, line %d: in the server's own memory, not exported: "
                   "no memory could be granted; X restarted or a mode change asks again\n",
                   x->devid, pScrn->virtualX, pScrn->virtualY, pScrn->bitsPerPixel, pitch);
    return TRUE;
}

void xenfb_front_close(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->front_fd >= 0)
        RemoveNotifyFd(x->front_fd);
    x->front_fd = -1;
    xfb_front_close(x->front);
    x->front = NULL;
    x->connected = FALSE;
}
