/* libxsim-preload.so: the Linux kernel ABI of /dev/xen/{gntalloc,gntdev,
 * evtchn,privcmd} for unmodified programs and libraries, and xsim's
 * /dev/xsim/kmem for kernel stand-ins, served by xsimd. See
 * xsim/hv_proto.h for the design; this header joins the shim's files:
 *   preload.c     the interposed libc functions and start-up
 *   conn.c        the process connection to xsimd, fork handling
 *   table.c       the device files and grant mappings of this process
 *   dev_evtchn.c  evtchn ioctls
 *   dev_grant.c   gntalloc and gntdev ioctls and mmap
 *   dev_privcmd.c privcmd's foreign mapping
 *   dev_kmem.c    a guest kernel's memory
 *   sysfs.c       /sys as the domain's guest kernel shows it
 *   lookup.c      the interposed functions that look at paths
 * Everything returns -1 + errno (MAP_FAILED + errno for mmap), as the
 * system calls it stands for. */
#ifndef XSIM_PRELOAD_SHIM_H
#define XSIM_PRELOAD_SHIM_H

#include "xsim/hv_proto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The functions we stand in front of, as the next library provides them. */
struct shim_real {
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*open_2)(const char *, int);
    int (*open64_2)(const char *, int);
    int (*openat_2)(int, const char *, int);
    int (*openat64_2)(int, const char *, int);
    int (*ioctl)(int, unsigned long, ...);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    void *(*mmap64)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    /* what looks at paths (lookup.c) */
    int (*access)(const char *, int);
    int (*faccessat)(int, const char *, int, int);
    int (*eaccess)(const char *, int);
    int (*euidaccess)(const char *, int);
    int (*stat)(const char *, struct stat *);
    int (*stat64)(const char *, struct stat64 *);
    int (*lstat)(const char *, struct stat *);
    int (*lstat64)(const char *, struct stat64 *);
    int (*fstatat)(int, const char *, struct stat *, int);
    int (*fstatat64)(int, const char *, struct stat64 *, int);
    int (*xstat)(int, const char *, struct stat *);
    int (*xstat64)(int, const char *, struct stat64 *);
    int (*lxstat)(int, const char *, struct stat *);
    int (*lxstat64)(int, const char *, struct stat64 *);
    int (*fxstatat)(int, int, const char *, struct stat *, int);
    int (*fxstatat64)(int, int, const char *, struct stat64 *, int);
    int (*statx)(int, const char *, int, unsigned, struct statx *);
    ssize_t (*readlink)(const char *, char *, size_t);
    ssize_t (*readlinkat)(int, const char *, char *, size_t);
    void *(*opendir)(const char *);
    FILE *(*fopen)(const char *, const char *);
    FILE *(*fopen64)(const char *, const char *);
    char *(*realpath)(const char *, char *);
    char *(*canonicalize_file_name)(const char *);
    ssize_t (*getxattr)(const char *, const char *, void *, size_t);
    ssize_t (*lgetxattr)(const char *, const char *, void *, size_t);
    ssize_t (*listxattr)(const char *, char *, size_t);
    ssize_t (*llistxattr)(const char *, char *, size_t);
};
extern struct shim_real shim_real;

/* Find the real functions (once; cheap after). */
void shim_init(void);
/* The simulation this process belongs to: false when XSIM_DIR or
 * XSIM_DOMID is unset or bad (the devices then do not exist). */
bool shim_env(const char **dir, unsigned *domid);

/* One lock for the connection and the tables; take it around a call and
 * the table changes that go with it. */
void shim_lock(void);
void shim_unlock(void);

/* A request and its reply. `out` and `fds` are allocated by shim_call()
 * and freed by shim_call_done(). */
struct shim_call {
    struct hv_req req;
    const void *data; /* request data after the header */
    size_t len;
    const void *data2; /* more request data, sent after `data` */
    size_t len2;
    bool cloexec; /* receive the descriptors close-on-exec */
    struct hv_rep rep;
    uint8_t *out;
    size_t outlen;
    int *fds;
    size_t nfds;
};
/* With the lock held. 0 when a reply came (rep.err may still say the
 * operation failed), -1 + errno (EIO) when xsimd could not be reached. */
int shim_call(struct shim_call *c);
/* Frees the reply; closes descriptors the caller did not take (set to -1). */
void shim_call_done(struct shim_call *c);
/* The reply's error, as errno, and -1; or 0. */
int shim_rep_errno(const struct shim_call *c);
/* Install the fork handlers (at start-up). */
void shim_conn_atfork(void);

/* ---- the tables (lock held) ---- */
struct shim_file {
    dev_t dev;
    ino_t ino;
    uint32_t handle;
    int kind; /* enum hv_kind */
};
/* One request about open file f (takes the lock): the reply's data
 * copied to out (exactly outlen bytes expected when out is set), its
 * first value to *val. -1 + errno (the daemon's, or EIO for a reply of
 * another size), else 0. For the devices whose calls return data. */
int shim_file_call(const struct shim_file *f, uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2,
                   const void *data, size_t len, void *out, size_t outlen, uint64_t *val);
/* The device file behind fd, or false. Works on any duplicate of it. */
bool shim_file_find(int fd, struct shim_file *out);
int shim_file_add(int fd, uint32_t handle, int kind);
/* true when this process ever opened a device (fast, no lock). */
bool shim_have_files(void);

struct shim_map {
    uintptr_t addr;
    size_t npages;
    uint32_t id;    /* xsimd's mapping id; 0: none (a privcmd range not yet filled) */
    uint32_t first; /* our first page within that mapping */
    int kind;
    uint64_t index; /* gntdev: what GET_OFFSET_FOR_VADDR reports */
    uint32_t count;
    bool dontfork; /* a child does not inherit it (VM_DONTCOPY) */
    int prot;      /* privcmd: what the ioctl maps the frames with */
};
int shim_map_add(const struct shim_map *m);
/* [addr, addr+len) is no longer mapped: tell xsimd, forget it. */
void shim_map_forget(uintptr_t addr, size_t len);
/* The gntdev mapping containing addr, or false. */
bool shim_map_find(uintptr_t addr, struct shim_map *out);
/* The privcmd range that starts at addr, is npages long and is not
 * filled yet, or false. */
bool shim_map_privcmd(uintptr_t addr, size_t npages, struct shim_map *out);
/* The mapping at addr is now xsimd's mapping id. */
void shim_map_set_id(uintptr_t addr, uint32_t id);
bool shim_have_maps(void);
size_t shim_map_count(void);
/* After fork when the child could not get a connection: its pages are
 * unknown to xsimd, so stop reporting them. */
void shim_map_clear(void);
/* In a child after fork: forget the mappings it did not inherit. */
void shim_map_forget_dontfork(void);

/* ---- /sys (sysfs.c) ---- */
/* The path to give the kernel: path itself, or (written to buf) its place
 * in the domain's sysfs tree. */
const char *shim_sys_path(const char *path, char *buf, size_t size);
/* A path resolved in the tree, back to what it is under /sys (in place). */
char *shim_sys_unpath(char *resolved);
/* Is the tree path a module parameter (MODULE and PARAM out, 64 bytes)? */
bool shim_sys_param_of(const char *real, char *module, char *param);
/* Open a parameter for writing; write() on the descriptor then stores. */
int shim_sys_param_open(const char *real, int flags);
/* Is fd a parameter opened for writing (MODULE and PARAM out)? */
bool shim_sys_param_fd(int fd, char *module, char *param);
/* Store a value as the kernel would: 0, or -1 + errno (EINVAL...). */
int shim_sys_param_write(const char *module, const char *param, const void *buf, size_t len);
/* fopen() of a parameter for writing: each flush is one store. */
FILE *shim_sys_param_fopen(const char *real);

/* ---- devices ---- */
int shim_open_device(int kind, int flags);
int shim_evtchn_ioctl(int fd, const struct shim_file *f, unsigned long req, void *arg);
int shim_grant_ioctl(const struct shim_file *f, unsigned long req, void *arg);
/* The mmap of gntalloc, gntdev and kmem (whose pages xsimd does not
 * track: the reply's mapping id is 0). */
void *shim_grant_mmap(const struct shim_file *f, void *addr, size_t len, int prot, int flags,
                      off_t off);
int shim_privcmd_ioctl(const struct shim_file *f, unsigned long req, void *arg);
void *shim_privcmd_mmap(const struct shim_file *f, void *addr, size_t len, int prot, int flags,
                        off_t off);
int shim_kmem_ioctl(const struct shim_file *f, unsigned long req, void *arg);

#endif
