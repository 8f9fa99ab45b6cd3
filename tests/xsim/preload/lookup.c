/* The interposed functions that look at a path, as glibc 2.36 exports
 * them (the stat family with its 64 and pre-2.33 __xstat forms, the access
 * family, readlink, opendir, fopen, realpath, and the extended attributes
 * `ls -l` reads): each gives the kernel the
 * path shim_sys_path() chose, so a process sees its domain's /sys. Paths
 * outside /sys cost one comparison. A relative path, or one with a
 * directory descriptor, resolves on its own: a descriptor of a directory of
 * the tree is already there. */
#define _GNU_SOURCE 1
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* glibc exports these for programs built before 2.33; the headers no
 * longer declare them. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

/* The path to use, in a buffer named sys_buf of the calling function. It
 * also finds the real functions, so it must come before shim_real is read
 * (a library's constructor may call stat before ours ran). */
#define SYS(path) (shim_init(), shim_sys_path((path), sys_buf, sizeof(sys_buf)))

int access(const char *path, int mode)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.access(p, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.faccessat(dirfd, p, mode, flags);
}

int eaccess(const char *path, int mode)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.eaccess(p, mode);
}

int euidaccess(const char *path, int mode)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.euidaccess(p, mode);
}

int stat(const char *path, struct stat *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.stat(p, st);
}

int stat64(const char *path, struct stat64 *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.stat64(p, st);
}

int lstat(const char *path, struct stat *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.lstat(p, st);
}

int lstat64(const char *path, struct stat64 *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.lstat64(p, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.fstatat(dirfd, p, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.fstatat64(dirfd, p, st, flags);
}

int __xstat(int ver, const char *path, struct stat *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.xstat(ver, p, st);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.xstat64(ver, p, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.lxstat(ver, p, st);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.lxstat64(ver, p, st);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.fxstatat(ver, dirfd, p, st, flags);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.fxstatat64(ver, dirfd, p, st, flags);
}

int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.statx(dirfd, p, flags, mask, st);
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.readlink(p, buf, size);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.readlinkat(dirfd, p, buf, size);
}

DIR *opendir(const char *path)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.opendir(p);
}

static FILE *do_fopen(FILE *(*real)(const char *, const char *), const char *path, const char *mode)
{
    char sys_buf[PATH_MAX], module[64], param[64];
    const char *p = SYS(path);
    if (p != path && strpbrk(mode, "wa+") && shim_sys_param_of(p, module, param))
        return shim_sys_param_fopen(p);
    return real(p, mode);
}

FILE *fopen(const char *path, const char *mode)
{
    shim_init();
    return do_fopen(shim_real.fopen, path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    shim_init();
    return do_fopen(shim_real.fopen64, path, mode);
}

/* The answer names the file where it is under /sys, not in the tree. */
char *realpath(const char *path, char *resolved)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_sys_unpath(shim_real.realpath(p, resolved));
}

char *canonicalize_file_name(const char *path)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_sys_unpath(shim_real.canonicalize_file_name(p));
}

ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.getxattr(p, name, value, size);
}

ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.lgetxattr(p, name, value, size);
}

ssize_t listxattr(const char *path, char *list, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.listxattr(p, list, size);
}

ssize_t llistxattr(const char *path, char *list, size_t size)
{
    char sys_buf[PATH_MAX];
    const char *p = SYS(path);
    return shim_real.llistxattr(p, list, size);
}
