/* Kernel drivers bound to Xen bus devices, read from sysfs. */
#include "proto/sysfs.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool xfb_sysfs_has_xen_bus(void)
{
    return access("/sys/bus/xen/drivers", F_OK) == 0;
}

const char *xfb_sysfs_driver(const char *type, unsigned id, char *buf, size_t len)
{
    char path[PATH_MAX], target[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/bus/xen/devices/%s-%u/driver", type, id);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n <= 0)
        return NULL;
    target[n] = 0;
    const char *slash = strrchr(target, '/');
    snprintf(buf, len, "%s", slash ? slash + 1 : target);
    return buf;
}
