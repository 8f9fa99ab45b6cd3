/* Giving up root once the Xen devices and xenstore are open. */
#ifndef XFB_PRIVDROP_H
#define XFB_PRIVDROP_H

#include <sys/types.h>

/* Become uid/gid for good: supplementary groups cleared, no way back to
 * root, no new privileges through exec. 0, or -1 + errno. */
int privdrop_to(uid_t uid, gid_t gid);

#endif
