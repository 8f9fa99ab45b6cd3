/* xenkbd: an Xorg input driver for the Xen vkbd device.
 *
 * The vkbd device is one ring carrying keys and pointer events, but X
 * wants a keyboard and a pointer as two devices: a slave that is both is
 * attached to the master pointer, and the master keyboard then never takes
 * its keymap (the layout configured here would be ignored). So the
 * InputDevice section makes the keyboard, which owns the vkbd handle, and
 * the driver adds a pointer device beside it, as xf86-input-libinput does
 * for combined devices. The ring is read on the server's input thread
 * (the keyboard's pInfo->fd is libxenfbfront's descriptor); that thread
 * only posts events, to one device or the other. */
#ifndef XENKBD_H
#define XENKBD_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <xorg-server.h>

#include <xenfb/front.h>

#include "keys.h"
#include "xf86.h"
#include "xf86Xinput.h"

/* the absolute axes' range: the raw pointer's, so positions need no
 * scaling when the backend sends raw coordinates */
#define XENKBD_AXIS_MAX         0x7fff
#define XENKBD_NUM_BUTTONS      12
#define XENKBD_NUM_AXES         4 /* x, y, horizontal scroll, vertical scroll */
#define XENKBD_SCROLL_INCREMENT 120

typedef struct {
    unsigned devid;
    int id;                  /* pairs the keyboard with its pointer device */
    Bool is_pointer;         /* the device the driver added */
    InputInfoPtr partner;    /* the keyboard's pointer device, or the pointer's keyboard */
    struct xfb_front *front; /* keyboard only */
    ValuatorMask *mask;      /* pointer only */
    struct xenkbd_down down; /* Linux codes held, released if the backend goes */
    Bool connected;
    unsigned dropped; /* events X cannot express; logged now and then */
} XenkbdRec, *XenkbdPtr;

/* xenkbd_events.c: ring events to X events (input thread) */
void xenkbd_event(void *data, const struct xfb_front_event *ev);
void xenkbd_release_all(InputInfoPtr pInfo);

#endif
