/* The interposed libc functions. Everything not about /dev/xen/{gntalloc,
 * gntdev,evtchn} goes straight to the next definition (libc), and costs
 * nothing more than a flag test until the process opens one of them. */
#define _GNU_SOURCE 1
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
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
    if (!path || strncmp(path, "/dev/xen/", 9))
        return 0;
    if (!strcmp(path + 9, "gntalloc"))
        return HV_KIND_GNTALLOC;
    if (!strcmp(path + 9, "gntdev"))
        return HV_KIND_GNTDEV;
    if (!strcmp(path + 9, "evtchn"))
        return HV_KIND_EVTCHN;
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

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.openat64(dirfd, path, flags, mode);
}

/* the _FORTIFY_SOURCE entry points; libxenevtchn uses __open_2 */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.open_2(path, flags);
}

int __open64_2(const char *path, int flags)
{
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.open64_2(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.openat_2(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    shim_init();
    int kind = device_kind(path);
    return kind ? shim_open_device(kind, flags) : shim_real.openat64_2(dirfd, path, flags);
}

/* The Xen ioctls: _IOC_NONE, type 'G' (gntalloc, gntdev) or 'E' (evtchn). */
static bool xen_ioctl(unsigned long req)
{
    unsigned type = _IOC_TYPE(req);
    return _IOC_DIR(req) == _IOC_NONE && (type == 'G' || type == 'E');
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
        if (ours)
            return f.kind == HV_KIND_EVTCHN ? shim_evtchn_ioctl(fd, &f, req, arg)
                                            : shim_grant_ioctl(&f, req, arg);
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
