/* xenfb: an Xorg video driver that exports the X screen as a Xen vfb.
 *
 * fb renders straight into memory granted to the backend (no shadow
 * buffer); Damage on the screen pixmap becomes XENFB_TYPE_UPDATE
 * rectangles, flushed in the BlockHandler so a drawing request reaches the
 * backend in the same pass of the server's main loop. Everything Xen is
 * libxenfbfront's job; this driver only speaks X.
 *
 * The device may come after X started, and go and come back (a backend
 * domain that restarts): while there is none, the screen lives in the
 * server's own memory, and the picture moves into granted memory when the
 * device appears and back out when it goes (xenfb_memory.c). A mode that
 * does not fit the granted memory gets new memory (xenfb_randr.c).
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

/* the largest screen RandR may ask for without MaxWidth/MaxHeight; the
 * backend's own max-width/max-height bound it further */
#define XENFB_MAX_SIZE 16384
/* the pitch's step for xf86ValidateModes, in bits: the 64 bytes of
 * xfb_front_stride() */
#define XENFB_PITCH_BITS (64 * 8)

typedef struct {
    /* from xorg.conf */
    OptionInfoPtr options;
    unsigned devid;              /* vfb index: Option "Device" */
    int cap_width, cap_height;   /* Option "MaxWidth"/"MaxHeight"; XENFB_MAX_SIZE if not given */
    unsigned backend_timeout_ms; /* Option "BackendTimeout" (seconds) */
    Bool sw_cursor;              /* Option "SWCursor": X always draws the cursor */
    Bool viewer_resize;          /* Option "ViewerResize": take the backend's size requests */

    /* per server generation */
    struct xfb_front *front;
    DamagePtr damage;
    int front_fd;
    Bool connected;
    xf86CrtcPtr crtc;
    xf86OutputPtr output;

    /* the screen's memory: granted (the device's) or the server's own
     * while there is no device; pitch is its line length in bytes */
    void *pixels;
    int pitch;
    void *own; /* the server's own memory, NULL while granted */

    /* the cursor (xenfb_cursor.c) */
    struct _xf86CursorInfoRec *cursor_info; /* NULL: X draws it, always */
    Bool cursor_hw;                         /* the backend draws it now */
    void *cursor_mono;                      /* the two-colour image loaded */
    uint32_t cursor_fg, cursor_bg;
    int cursor_hot_x, cursor_hot_y;

    /* a viewer's size request (xenfb_request.c): the latest one waiting
     * to be handled after the dispatch it came in, and the modes made
     * for such requests, which the output offers from then on */
    Bool req_pending, req_busy;
    int req_width, req_height;
    DisplayModePtr req_modes;
    Bool req_keep_memory;              /* a switch for a request: no memory given back */
    CARD32 req_log_since;              /* GetTimeInMillis() the current log window began */
    unsigned req_logged, req_unlogged; /* lines in it, and those kept quiet */

    CloseScreenProcPtr CloseScreen;
    CreateScreenResourcesProcPtr CreateScreenResources;
    ScreenBlockHandlerProcPtr BlockHandler;
} XenfbRec, *XenfbPtr;

#define XENFBPTR(p) ((XenfbPtr)((p)->driverPrivate))

/* xenfb_front.c: the link to libxenfbfront */
Bool xenfb_front_open(ScrnInfoPtr pScrn);
void xenfb_front_close(ScrnInfoPtr pScrn);

/* xenfb_memory.c: where the screen's pixels live */
/* The line length of a mode, in bytes (rows on 64-byte boundaries). */
int xenfb_pitch(ScrnInfoPtr pScrn, int width);
/* The memory to start in: granted if the device is there, else our own. */
void *xenfb_memory_initial(ScrnInfoPtr pScrn);
/* Point the screen pixmap at `to` (for the current mode), copying the
 * picture there when `copy`; frees our own memory when it leaves it. */
void xenfb_memory_move(ScrnInfoPtr pScrn, void *to, Bool copy);
/* Move the picture into memory of our own (the granted memory goes). */
Bool xenfb_memory_to_own(ScrnInfoPtr pScrn);
/* Our own memory for a mode (pitch x height bytes), cleared; NULL logged. */
void *xenfb_memory_alloc(ScrnInfoPtr pScrn, int pitch, int height);
void xenfb_memory_fini(ScrnInfoPtr pScrn);

/* xenfb_damage.c */
Bool xenfb_damage_init(ScreenPtr pScreen);
void xenfb_damage_fini(ScreenPtr pScreen);
void xenfb_damage_flush(ScrnInfoPtr pScrn);

/* xenfb_cursor.c */
/* After miDCInitialize: the hardware cursor interface, unless
 * Option "SWCursor". FALSE only when out of memory. */
Bool xenfb_cursor_init(ScreenPtr pScreen);
/* The connection changed: does the backend draw the cursor now? */
void xenfb_cursor_check(ScrnInfoPtr pScrn);
void xenfb_cursor_fini(ScrnInfoPtr pScrn);

/* xenfb_randr.c */
Bool xenfb_randr_init(ScrnInfoPtr pScrn);
Bool xenfb_randr_resize(ScrnInfoPtr pScrn, int width, int height);

/* xenfb_request.c: a viewer's size request (docs/protocol.md 9) */
/* The library handed one over: kept until the dispatch has returned. */
void xenfb_request_take(ScrnInfoPtr pScrn, int width, int height);
/* After a dispatch: switch to the size waiting, through RandR. */
void xenfb_request_run(ScrnInfoPtr pScrn);
/* The modes made for requests, offered by the output. */
DisplayModePtr xenfb_request_modes(ScrnInfoPtr pScrn);
void xenfb_request_fini(ScrnInfoPtr pScrn);

#endif
