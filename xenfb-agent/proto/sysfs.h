/* Linux's view of the Xen bus in sysfs: which kernel driver, if any, is
 * bound to a device. Both the frontend library and xenfb-agent decide by
 * it, so they cannot disagree. */
#ifndef XFB_PROTO_SYSFS_H
#define XFB_PROTO_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this system shows the Xen bus in sysfs (every Linux guest). */
bool xfb_sysfs_has_xen_bus(void);

/* The name of the kernel driver bound to the Xen bus device TYPE-ID
 * (sysfs links /sys/bus/xen/devices/TYPE-ID/driver to it while it is
 * bound), copied into buf; NULL when none is. */
const char *xfb_sysfs_driver(const char *type, unsigned id, char *buf, size_t len);

#endif
