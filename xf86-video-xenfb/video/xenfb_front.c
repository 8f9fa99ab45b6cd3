/* The link between the X server and libxenfbfront: open and close per
 * server generation, the library's messages into the Xorg log, its
 * descriptor into the server's main loop. */
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

static void front_event(void *data, const struct xfb_front_event *ev)
{
    ScrnInfoPtr pScrn = data;
    XenfbPtr x = XENFBPTR(pScrn);

    if (ev->type != XFB_FRONT_EV_STATE || ev->state.connected == x->connected)
        return;
    x->connected = ev->state.connected;
    /* the library names the backend and its features; say what it means
     * for the screen */
    if (x->connected)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO, "vfb %u connected: the screen is exported\n",
                   x->devid);
    else
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
    }
}

uint32_t xenfb_front_pages(int width, int height, int bpp)
{
    return xfb_front_vfb_pages((uint32_t)width, (uint32_t)height, (uint32_t)bpp);
}

Bool xenfb_front_open(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    struct xfb_front_opts opts = {
        .kind = XFB_FRONT_VFB,
        .devid = x->devid,
        .width = (uint32_t)pScrn->virtualX,
        .height = (uint32_t)pScrn->virtualY,
        .depth = (uint32_t)pScrn->bitsPerPixel,
        .max_width = (uint32_t)x->max_width,
        .max_height = (uint32_t)x->max_height,
        .backend_timeout_ms = x->backend_timeout_ms,
        .log_fn = front_log,
        .log_data = pScrn,
        .event_fn = front_event,
        .event_data = pScrn,
    };
    if (pScrn->virtualX > x->max_width || pScrn->virtualY > x->max_height) {
        opts.max_width =
            (uint32_t)(pScrn->virtualX > x->max_width ? pScrn->virtualX : x->max_width);
        opts.max_height =
            (uint32_t)(pScrn->virtualY > x->max_height ? pScrn->virtualY : x->max_height);
    }

    x->connected = FALSE;
    x->front_fd = -1;
    x->front = xfb_front_open(&opts);
    if (!x->front) {
        /* the library logged the reason, with what to do */
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot open Xen vfb %u: %s\n", x->devid,
                   strerror(errno));
        return FALSE;
    }
    if (xfb_front_get_fb(x->front, &x->fb) < 0) {
        xenfb_front_close(pScrn);
        return FALSE;
    }
    x->front_fd = xfb_front_fd(x->front);
    if (!SetNotifyFd(x->front_fd, front_ready, X_NOTIFY_READ, pScrn)) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot watch the vfb descriptor\n");
        xenfb_front_close(pScrn);
        return FALSE;
    }
    xf86DrvMsg(pScrn->scrnIndex, X_INFO,
               "vfb %u: %ux%u, %u bpp, %u KiB granted (largest mode %dx%d); waiting for the "
               "backend\n",
               x->devid, x->fb.width, x->fb.height, x->fb.depth, x->fb.mem_length / 1024,
               x->max_width, x->max_height);
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
    memset(&x->fb, 0, sizeof(x->fb));
    x->connected = FALSE;
}

Bool xenfb_front_set_mode(ScrnInfoPtr pScrn, int width, int height, int stride)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (!x->front)
        return TRUE;
    if (xfb_front_resize(x->front, (uint32_t)width, (uint32_t)height, (uint32_t)stride,
                         (uint32_t)pScrn->bitsPerPixel, 0) < 0) {
        /* the library logged why; X keeps the new size, the backend is
         * told at its next connection (the shared page holds the mode) */
        return errno != E2BIG;
    }
    return TRUE;
}
