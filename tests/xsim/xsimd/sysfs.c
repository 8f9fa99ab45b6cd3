/* The guest kernels' sysfs trees in DIR/sys. See sysfs.h. */
#define _GNU_SOURCE 1
#include "sysfs.h"

#include "xsim/hv_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX]; /* DIR/sys */

/* DIR/sys/N/rel; -1 + ENAMETOOLONG when it does not fit. */
static int path_of(unsigned domid, const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%u%s%s", root, domid, *rel ? "/" : "", rel);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int sysfs_init(const char *dir)
{
    int n = snprintf(root, sizeof(root), "%s/%s", dir, HV_SYSFS_DIR);
    if (n < 0 || (size_t)n >= sizeof(root)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    sysfs_fini(); /* what a killed xsimd left */
    return mkdir(root, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void remove_tree(const char *path)
{
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void sysfs_fini(void)
{
    if (root[0])
        remove_tree(root);
}

int sysfs_mkdir(unsigned domid, const char *rel)
{
    char path[PATH_MAX];
    if (path_of(domid, rel, path, sizeof(path)) < 0)
        return -1;
    /* every component from DIR/sys on */
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc < 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int sysfs_file(unsigned domid, const char *rel, const char *text, mode_t mode)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (path_of(domid, rel, path, sizeof(path)) < 0)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0;
    if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        errno = e ? e : EIO;
        return -1;
    }
    return 0;
}

int sysfs_link(unsigned domid, const char *rel, const char *target)
{
    char path[PATH_MAX];
    if (path_of(domid, rel, path, sizeof(path)) < 0)
        return -1;
    unlink(path);
    return symlink(target, path);
}

void sysfs_remove(unsigned domid, const char *rel)
{
    char path[PATH_MAX];
    if (path_of(domid, rel, path, sizeof(path)) == 0)
        remove_tree(path);
}

int sysfs_exists(unsigned domid, const char *rel)
{
    char path[PATH_MAX];
    struct stat st;
    return path_of(domid, rel, path, sizeof(path)) == 0 && lstat(path, &st) == 0;
}

int sysfs_domain_created(unsigned domid)
{
    if (sysfs_mkdir(domid, "module") < 0) {
        int e = errno;
        sysfs_domain_destroyed(domid);
        errno = e;
        return -1;
    }
    return 0;
}

void sysfs_domain_destroyed(unsigned domid)
{
    sysfs_remove(domid, "");
}
