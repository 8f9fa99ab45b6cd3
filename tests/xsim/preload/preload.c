/* The interposed libc functions of the devices. Everything not about
 * /dev/xen/{gntalloc,gntdev,evtchn,privcmd}, /dev/xsim/kmem or /sys goes
 * straight to the next
 * definition (libc), and costs nothing more than a flag test until the
 * process opens one of them. */
#define _GNU_SOURCE 1
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

struct shim_real shim_real;

static pthread_once_t once = PTHREAD_ONCE_INIT, env_once = PTHREAD_ONCE_INIT;
static char env_dir[4096];
static unsigned env_domid;
static bool env_ok;

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "libxsim-preload: no %s after us: %s\n", name, dlerror());
        abort();
    }
    return f;
}

static void init_real(void)
{
    shim_real.open = next("open");
    shim_real.open64 = next("open64");
    shim_real.openat = next("openat");
    shim_real.openat64 = next("openat64");
    shim_real.open_2 = next("__open_2");
    shim_real.open64_2 = next("__open64_2");
    shim_real.openat_2 = next("__openat_2");
    shim_real.openat64_2 = next("__openat64_2");
    shim_real.ioctl = next("ioctl");
    shim_real.mmap = next("mmap");
    shim_real.mmap64 = next("mmap64");
    shim_real.munmap = next("munmap");
    shim_real.write = next("write");
    shim_real.access = next("access");
    shim_real.faccessat = next("faccessat");
    shim_real.eaccess = next("eaccess");
    shim_real.euidaccess = next("euidaccess");
    shim_real.stat = next("stat");
    shim_real.stat64 = next("stat64");
    shim_real.lstat = next("lstat");
    shim_real.lstat64 = next("lstat64");
    shim_real.fstatat = next("fstatat");
    shim_real.fstatat64 = next("fstatat64");
    shim_real.xstat = next("__xstat");
    shim_real.xstat64 = next("__xstat64");
    shim_real.lxstat = next("__lxstat");
    shim_real.lxstat64 = next("__lxstat64");
    shim_real.fxstatat = next("__fxstatat");
    shim_real.fxstatat64 = next("__fxstatat64");
    shim_real.statx = next("statx");
    shim_real.readlink = next("readlink");
    shim_real.readlinkat = next("readlinkat");
    shim_real.opendir = next("opendir");
    shim_real.fopen = next("fopen");
    shim_real.fopen64 = next("fopen64");
    shim_real.realpath = next("realpath");
    shim_real.canonicalize_file_name = next("canonicalize_file_name");
    shim_real.getxattr = next("getxattr");
    shim_real.lgetxattr = next("lgetxattr");
    shim_real.listxattr = next("listxattr");
    shim_real.llistxattr = next("llistxattr");
}

/* Separate from init_real(): a sanitizer runtime calls mmap() before libc
 * has set up the environment, so it is read at the first open instead (or
 * by our constructor, which runs after libc's). */
static void init_env(void)
{
    const char *dir = getenv("XSIM_DIR"), *dom = getenv("XSIM_DOMID");
    char *end;
    unsigned long domid = dom ? strtoul(dom, &end, 10) : 0;
    if (dir && *dir && dom && *dom && !*end && domid <= 0x7fef && strlen(dir) < sizeof(env_dir)) {
        strcpy(env_dir, dir);
        env_domid = (unsigned)domid;
        env_ok = true;
        /* libxenstore finds its domain's xenstored socket through this */
        char xs[sizeof(env_dir) + 32];
        snprintf(xs, sizeof(xs), "%s/xs-dom%u.sock", env_dir, env_domid);
        setenv("XENSTORED_PATH", xs, 0);
    }
    shim_conn_atfork();
}

void shim_init(void)
{
    pthread_once(&once, init_real);
}

__attribute__((constructor)) static void shim_constructor(void)
{
    shim_init();
    pthread_once(&env_once, init_env);
}

bool shim_env(const char **dir, unsigned *domid)
{
    pthread_once(&env_once, init_env);
    *dir = env_dir;
    *domid = env_domid;
    return env_ok;
}

static int device_kind(const char *path)
{
    if (path && !strcmp(path, "/dev/xsim/kmem"))
        return HV_KIND_KMEM;
    if (!path || strncmp(path, "/dev/xen/", 9))
        return 0;
    if (!strcmp(path + 9, "gntalloc"))
        return HV_KIND_GNTALLOC;
    if (!strcmp(path + 9, "gntdev"))
        return HV_KIND_GNTDEV;
    if (!strcmp(path + 9, "evtchn"))
        return HV_KIND_EVTCHN;
    if (!strcmp(path + 9, "privcmd"))
        return HV_KIND_PRIVCMD;
    return 0;
}

int shim_open_device(int kind, int flags)
{
    const char *dir;
    unsigned domid;
    if (!shim_env(&dir, &domid)) {
        errno = ENOENT; /* as on a machine without Xen */
        return -1;
    }
    shim_lock();
    struct shim_call c = {.req = {.op = HV_OP_OPEN, .arg = {(uint64_t)kind}},
                          .cloexec = (flags & O_CLOEXEC) != 0};
    int fd = -1;
    if (shim_call(&c) == 0) {
        if (shim_rep_errno(&c) == 0 && c.nfds == 1) {
            fd = c.fds[0];
            c.fds[0] = -1;
        } else if (!c.rep.err) {
            errno = EIO;
        }
        int e = errno;
        shim_call_done(&c);
        errno = e;
    }
    if (fd >= 0 && (((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, O_NONBLOCK) < 0) ||
                    shim_file_add(fd, (uint32_t)c.rep.val[0], kind) < 0)) {
        int e = errno;
        close(fd);
        fd = -1;
        errno = e;
    }
    shim_unlock();
    return fd;
}

#define OPEN_MODE(flags, mode)                                                                     \
    do {                                                                                           \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                                                     \
            va_list ap;                                                                            \
            va_start(ap, flags);                                                                   \
            mode = va_arg(ap, mode_t);                                                             \
            va_end(ap);                                                                            \
        }                                                                                          \
    } while (0)

/* What an open of path becomes: a device (kind), a module parameter
 * opened for writing, or the real open of the path shim_sys_path() gives
 * (in sys_buf). Returns the descriptor when handled here, else -2 and the
 * path to open in *use. */
static int redirect(const char *path, int flags, char *sys_buf, size_t size, const char **use)
{
    char module[64], param[64];
    int kind = device_kind(path);
    if (kind)
        return shim_open_device(kind, flags);
    *use = shim_sys_path(path, sys_buf, size);
    if (*use != path && (flags & O_ACCMODE) != O_RDONLY && shim_sys_param_of(*use, module, param))
        return shim_sys_param_open(*use, flags);
    return -2;
}

int open(const char *path, int flags, ...)
{
    char sys_buf[PATH_MAX];
    const char *use;
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.open(use, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    char sys_buf[PATH_MAX];
    const char *use;
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.open64(use, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    char sys_buf[PATH_MAX];
    const char *use;
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.openat(dirfd, use, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    char sys_buf[PATH_MAX];
    const char *use;
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.openat64(dirfd, use, flags, mode);
}

/* the _FORTIFY_SOURCE entry points; libxenevtchn uses __open_2 */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
    char sys_buf[PATH_MAX];
    const char *use;
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.open_2(use, flags);
}

int __open64_2(const char *path, int flags)
{
    char sys_buf[PATH_MAX];
    const char *use;
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.open64_2(use, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    char sys_buf[PATH_MAX];
    const char *use;
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.openat_2(dirfd, use, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    char sys_buf[PATH_MAX];
    const char *use;
    shim_init();
    int fd = redirect(path, flags, sys_buf, sizeof(sys_buf), &use);
    return fd != -2 ? fd : shim_real.openat64_2(dirfd, use, flags);
}

/* A module parameter opened for writing stores what is written. */
ssize_t write(int fd, const void *buf, size_t len)
{
    char module[64], param[64];
    shim_init();
    if (shim_sys_param_fd(fd, module, param))
        return shim_sys_param_write(module, param, buf, len) < 0 ? -1 : (ssize_t)len;
    return shim_real.write(fd, buf, len);
}

/* The Xen ioctls: _IOC_NONE, type 'G' (gntalloc, gntdev), 'E' (evtchn),
 * 'P' (privcmd) or 'K' (xsim's kmem). */
static bool xen_ioctl(unsigned long req)
{
    unsigned type = _IOC_TYPE(req);
    return _IOC_DIR(req) == _IOC_NONE && (type == 'G' || type == 'E' || type == 'P' || type == 'K');
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    shim_init();
    if (xen_ioctl(req) && shim_have_files()) {
        struct shim_file f;
        shim_lock();
        bool ours = shim_file_find(fd, &f);
        shim_unlock();
        if (ours) {
            switch (f.kind) {
            case HV_KIND_EVTCHN:
                return shim_evtchn_ioctl(fd, &f, req, arg);
            case HV_KIND_PRIVCMD:
                return shim_privcmd_ioctl(&f, req, arg);
            case HV_KIND_KMEM:
                return shim_kmem_ioctl(&f, req, arg);
            default:
                return shim_grant_ioctl(&f, req, arg);
            }
        }
    }
    return shim_real.ioctl(fd, req, arg);
}

static void *do_mmap(void *(*real)(void *, size_t, int, int, int, off_t), void *addr, size_t len,
                     int prot, int flags, int fd, off_t off)
{
    if (fd >= 0 && !(flags & MAP_ANONYMOUS) && shim_have_files()) {
        struct shim_file f;
        shim_lock();
        bool ours = shim_file_find(fd, &f) && f.kind != HV_KIND_EVTCHN;
        shim_unlock();
        if (ours && f.kind == HV_KIND_PRIVCMD)
            return shim_privcmd_mmap(&f, addr, len, prot, flags, off);
        if (ours)
            return shim_grant_mmap(&f, addr, len, prot, flags, off);
    }
    void *p = real(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED && (flags & MAP_FIXED) && shim_have_maps()) {
        shim_lock();
        shim_map_forget((uintptr_t)p, len); /* replaced grant pages */
        shim_unlock();
    }
    return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    shim_init();
    return do_mmap(shim_real.mmap, addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    shim_init();
    return do_mmap(shim_real.mmap64, addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
    shim_init();
    if (!shim_have_maps())
        return shim_real.munmap(addr, len);
    shim_lock();
    int rc = shim_real.munmap(addr, len);
    if (rc == 0) {
        int e = errno;
        shim_map_forget((uintptr_t)addr, len);
        errno = e;
    }
    shim_unlock();
    return rc;
}
