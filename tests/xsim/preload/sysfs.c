/* /sys as the guest kernel of this process's domain shows it. xsimd keeps
 * that kernel's part of sysfs as real files in DIR/sys/<domid>/, laid out as
 * under /sys; a look at /sys/bus/xen, /sys/module/xen_gntalloc or a Xen
 * device in /sys/devices goes there instead, so the real system calls give
 * the answers (a link is a link, a missing file is ENOENT) and everything
 * else in /sys stays the machine's.
 *
 * Writing a module parameter is the one thing a file cannot do: the kernel
 * takes the value at write() and may refuse it. A parameter opened for
 * writing is the file opened for reading; write() on it becomes a request
 * to xsimd and returns what the kernel's store() would. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARAMS_MAX 64

/* The parameter files this process opened for writing. */
struct param_file {
    dev_t dev;
    ino_t ino;
    char module[64], param[64];
};

static struct param_file params[PARAMS_MAX];
static size_t nparams;
static atomic_bool have_params;

/* "/name" at p followed by the end or a '/': the length matched, or 0. */
static size_t prefix(const char *p, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(p, name, n) && (p[n] == '\0' || p[n] == '/') ? n : 0;
}

/* DIR/sys/<domid> into buf; its length, or 0 when it does not fit. */
static size_t tree(char *buf, size_t size)
{
    const char *dir;
    unsigned domid;
    if (!shim_env(&dir, &domid))
        return 0;
    int n = snprintf(buf, size, "%s/%s/%u", dir, HV_SYSFS_DIR, domid);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

const char *shim_sys_path(const char *path, char *buf, size_t size)
{
    if (!path || strncmp(path, "/sys/", 5))
        return path;
    const char *rest = path + 4; /* "/bus/xen..." */
    size_t t = tree(buf, size);
    if (!t || t + strlen(rest) >= size)
        return path;
    if (!prefix(rest, "/bus/xen") && !prefix(rest, "/module/xen_gntalloc")) {
        /* /sys/devices/NAME: only the Xen devices this kernel has */
        if (strncmp(rest, "/devices/", 9) || !rest[9] || rest[9] == '/')
            return path;
        size_t n = strcspn(rest + 9, "/");
        struct stat st;
        snprintf(buf + t, size - t, "%.*s", (int)(9 + n), rest);
        if (lstat(buf, &st) < 0)
            return path;
    }
    strcpy(buf + t, rest);
    return buf;
}

char *shim_sys_unpath(char *resolved)
{
    char t[PATH_MAX];
    size_t n = resolved ? tree(t, sizeof(t)) : 0;
    if (n && !strncmp(resolved, t, n) && (resolved[n] == '\0' || resolved[n] == '/')) {
        memmove(resolved + 4, resolved + n, strlen(resolved + n) + 1);
        memcpy(resolved, "/sys", 4);
    }
    return resolved;
}

/* A parameter file of the tree: ".../module/MODULE/parameters/PARAM". */
bool shim_sys_param_of(const char *path, char *module, char *param)
{
    const char *m = strstr(path, "/module/");
    const char *p = m ? strstr(m + 8, "/parameters/") : NULL;
    if (!p || (size_t)(p - (m + 8)) >= 64 || strchr(p + 12, '/') || strlen(p + 12) >= 64 || !p[12])
        return false;
    snprintf(module, 64, "%.*s", (int)(p - (m + 8)), m + 8);
    snprintf(param, 64, "%s", p + 12);
    return true;
}

int shim_sys_param_open(const char *real, int flags)
{
    struct param_file pf;
    if (!shim_sys_param_of(real, pf.module, pf.param)) {
        errno = EINVAL;
        return -1;
    }
    int fd = shim_real.open(real, O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK)));
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    pf.dev = st.st_dev;
    pf.ino = st.st_ino;
    shim_lock();
    size_t i = 0;
    while (i < nparams && (params[i].dev != pf.dev || params[i].ino != pf.ino))
        i++;
    if (i == nparams && nparams < PARAMS_MAX)
        params[nparams++] = pf;
    atomic_store(&have_params, true);
    shim_unlock();
    return fd;
}

int shim_sys_param_write(const char *module, const char *param, const void *buf, size_t len)
{
    size_t ml = strlen(module) + 1, pl = strlen(param) + 1;
    char *data = malloc(ml + pl + len);
    if (!data) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(data, module, ml);
    memcpy(data + ml, param, pl);
    memcpy(data + ml + pl, buf, len);
    shim_lock();
    struct shim_call c = {.req = {.op = HV_OP_PARAM_WRITE}, .data = data, .len = ml + pl + len};
    int rc = shim_call(&c);
    if (rc == 0) {
        rc = shim_rep_errno(&c);
        shim_call_done(&c);
    }
    shim_unlock();
    free(data);
    return rc;
}

/* The file behind fd is in our tree: an inode number matched, but xsimd
 * replaces a parameter file when it changes, so a number we noted may
 * since belong to another file. */
static bool in_tree(int fd)
{
    char link[64], target[PATH_MAX], t[PATH_MAX];
    size_t n = tree(t, sizeof(t));
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, target, sizeof(target) - 1);
    if (!n || len <= 0)
        return false;
    target[len] = '\0';
    return !strncmp(target, t, n) && target[n] == '/' && strstr(target + n, "/parameters/");
}

bool shim_sys_param_fd(int fd, char *module, char *param)
{
    if (!atomic_load_explicit(&have_params, memory_order_relaxed))
        return false;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    bool found = false;
    shim_lock();
    for (size_t i = 0; i < nparams && !found; i++) {
        if (params[i].dev == st.st_dev && params[i].ino == st.st_ino) {
            memcpy(module, params[i].module, 64);
            memcpy(param, params[i].param, 64);
            found = true;
        }
    }
    shim_unlock();
    return found && in_tree(fd);
}

/* fopen() of a parameter for writing: stdio writes through this. */
struct param_cookie {
    char module[64], param[64];
};

static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
    struct param_cookie *c = cookie;
    return shim_sys_param_write(c->module, c->param, buf, len) < 0 ? -1 : (ssize_t)len;
}

static int cookie_close(void *cookie)
{
    free(cookie);
    return 0;
}

FILE *shim_sys_param_fopen(const char *real)
{
    struct param_cookie *c = calloc(1, sizeof(*c));
    struct stat st;
    if (!c)
        return NULL;
    if (!shim_sys_param_of(real, c->module, c->param) || stat(real, &st) < 0) {
        int e = errno;
        free(c);
        errno = e;
        return NULL;
    }
    /* a parameter takes each write whole, so each fflush is one write */
    FILE *f =
        fopencookie(c, "w", (cookie_io_functions_t){.write = cookie_write, .close = cookie_close});
    if (!f)
        free(c);
    return f;
}
