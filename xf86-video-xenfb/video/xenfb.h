/* xenfb: an Xorg video driver that exports the X screen as a Xen vfb.
 *
 * fb renders straight into memory granted to the backend (no shadow
 * buffer); Damage on the screen pixmap becomes XENFB_TYPE_UPDATE
 * rectangles, flushed in the BlockHandler so a drawing request reaches the
 * backend in the same pass of the server's main loop. Everything Xen is
 * libxenfbfront's job; this driver only speaks X.
 */
#ifndef XENFB_H
#define XENFB_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <xorg-server.h>

#include <stdint.h>
#include <xenfb/front.h>

#include "xf86.h"
#include "xf86Crtc.h"
#include "damage.h"

#define XENFB_NAME        "XENFB"
#define XENFB_DRIVER_NAME "xenfb"
#define XENFB_VERSION     1

/* the mode used when the configuration names none */
#define XENFB_DEFAULT_WIDTH  1024
#define XENFB_DEFAULT_HEIGHT 768

typedef struct {
    /* from xorg.conf */
    OptionInfoPtr options;
    unsigned devid;              /* vfb index: Option "Device" */
    int max_width, max_height;   /* the largest mode: memory granted once */
    unsigned backend_timeout_ms; /* Option "BackendTimeout" (seconds) */

    /* per server generation */
    struct xfb_front *front;
    struct xfb_front_fb fb; /* granted memory and the mode at open */
    DamagePtr damage;
    int front_fd;
    Bool connected;
    xf86CrtcPtr crtc;
    xf86OutputPtr output;

    CloseScreenProcPtr CloseScreen;
    CreateScreenResourcesProcPtr CreateScreenResources;
    ScreenBlockHandlerProcPtr BlockHandler;
} XenfbRec, *XenfbPtr;

#define XENFBPTR(p) ((XenfbPtr)((p)->driverPrivate))

/* xenfb_front.c: the link to libxenfbfront */
Bool xenfb_front_open(ScrnInfoPtr pScrn);
void xenfb_front_close(ScrnInfoPtr pScrn);
/* the mode changed inside the granted memory: tell the backend */
Bool xenfb_front_set_mode(ScrnInfoPtr pScrn, int width, int height, int stride);
uint32_t xenfb_front_pages(int width, int height, int bpp);

/* xenfb_damage.c */
Bool xenfb_damage_init(ScreenPtr pScreen);
void xenfb_damage_fini(ScreenPtr pScreen);
void xenfb_damage_flush(ScrnInfoPtr pScrn);

/* xenfb_randr.c */
Bool xenfb_randr_init(ScrnInfoPtr pScrn);
Bool xenfb_randr_resize(ScrnInfoPtr pScrn, int width, int height);

#endif
