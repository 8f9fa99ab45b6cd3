/* The daemon needs root only to open /dev/xen/gntdev, /dev/xen/evtchn,
 * /dev/xen/privcmd and the xenstore socket (or /dev/xen/xenbus);
 * everything later (mapping grants and frames, binding ports, xenstore
 * requests) goes through those open descriptors, and listening on ports
 * above 1023 needs nothing. */
#include "config.h"

#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

int privdrop_to(uid_t uid, gid_t gid)
{
    if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
        return -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -1;
    /* a privilege drop that can be undone is no drop */
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        errno = EPERM;
        return -1;
    }
    return 0;
}
