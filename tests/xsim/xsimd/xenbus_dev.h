/* Each guest kernel's xenbus frontend bus in its sysfs: the devices its
 * device/ directory holds, and the kernel drivers (stand-ins) bound to
 * them. See xenbus_dev.c. */
#ifndef XSIMD_XENBUS_DEV_H
#define XSIMD_XENBUS_DEV_H

#include "store.h"

/* Start-up: the store to follow, and the ctl verbs. */
void xenbus_init(struct store *s);
/* A domain's kernel boots: its (empty) bus; or it is gone. */
int xenbus_domain_created(unsigned domid);
void xenbus_domain_destroyed(unsigned domid);
/* Something changed in the store: devices may come or go. */
void xenbus_store_changed(const struct store_events *ev);

#endif
