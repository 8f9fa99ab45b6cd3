/* QEMU's key numbers (the extended key event's "qnum": the PC scan
 * code, 0x80 added for those after an 0xe0 prefix) to Linux key codes. */
#ifndef XFB_RFBKEYS_H
#define XFB_RFBKEYS_H

#include <stdint.h>

/* 0 for a number that names no key. */
unsigned rfbkeys_qnum_to_evdev(uint32_t qnum);

#endif
