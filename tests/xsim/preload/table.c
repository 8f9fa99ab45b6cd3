/* What this process has of the devices. Files are known by the (device,
 * inode) of their socket, not by descriptor number, so dup(), dup2(),
 * fcntl(F_DUPFD), inheritance and close() need no interception: any
 * descriptor of the socket is the device, and a closed one is not. */
#define _GNU_SOURCE 1
#include "shim.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>

static struct shim_file *files;
static size_t nfiles, capfiles;
static struct shim_map *maps;
static size_t nmaps, capmaps;
static atomic_bool have_files, have_maps;

bool shim_have_files(void)
{
    return atomic_load_explicit(&have_files, memory_order_relaxed);
}

bool shim_have_maps(void)
{
    return atomic_load_explicit(&have_maps, memory_order_relaxed);
}

bool shim_file_find(int fd, struct shim_file *out)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
        return false;
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].ino == st.st_ino && files[i].dev == st.st_dev) {
            *out = files[i];
            return true;
        }
    }
    return false;
}

/* Entries are never removed: a socket inode number is not reused before
 * the counter wraps, and a process opens few devices. */
int shim_file_add(int fd, uint32_t handle, int kind)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    if (nfiles == capfiles) {
        size_t cap = capfiles ? capfiles * 2 : 8;
        struct shim_file *f = realloc(files, cap * sizeof(*f));
        if (!f)
            return -1;
        files = f;
        capfiles = cap;
    }
    files[nfiles++] =
        (struct shim_file){.dev = st.st_dev, .ino = st.st_ino, .handle = handle, .kind = kind};
    atomic_store(&have_files, true);
    return 0;
}

int shim_map_add(const struct shim_map *m)
{
    if (nmaps == capmaps) {
        size_t cap = capmaps ? capmaps * 2 : 8;
        struct shim_map *n = realloc(maps, cap * sizeof(*n));
        if (!n)
            return -1;
        maps = n;
        capmaps = cap;
    }
    maps[nmaps++] = *m;
    atomic_store(&have_maps, true);
    return 0;
}

static void tell_unmapped(uint32_t id, uint32_t first, uint32_t npages)
{
    if (id == 0)
        return; /* a privcmd range nothing filled: xsimd knows nothing of it */
    struct shim_call c = {.req = {.op = HV_OP_MUNMAP, .arg = {id, first, npages}}};
    if (shim_call(&c) == 0)
        shim_call_done(&c);
}

void shim_map_forget(uintptr_t addr, size_t len)
{
    uintptr_t end = addr + ((len + HV_PAGE_SIZE - 1) & ~(size_t)(HV_PAGE_SIZE - 1));
    for (size_t i = 0; i < nmaps;) {
        struct shim_map m = maps[i];
        uintptr_t ms = m.addr, me = m.addr + m.npages * HV_PAGE_SIZE;
        if (me <= addr || ms >= end) {
            i++;
            continue;
        }
        uintptr_t s = ms > addr ? ms : addr, e = me < end ? me : end;
        tell_unmapped(m.id, m.first + (uint32_t)((s - ms) / HV_PAGE_SIZE),
                      (uint32_t)((e - s) / HV_PAGE_SIZE));
        if (e < me) { /* a right part stays */
            struct shim_map right = m;
            right.addr = e;
            right.npages = (me - e) / HV_PAGE_SIZE;
            right.first = m.first + (uint32_t)((e - ms) / HV_PAGE_SIZE);
            if (s > ms) {
                maps[i].npages = (s - ms) / HV_PAGE_SIZE;
                shim_map_add(&right);
            } else {
                maps[i] = right;
            }
            i++;
        } else if (s > ms) { /* a left part stays */
            maps[i].npages = (s - ms) / HV_PAGE_SIZE;
            i++;
        } else {
            maps[i] = maps[--nmaps];
        }
    }
    atomic_store(&have_maps, nmaps > 0);
}

bool shim_map_find(uintptr_t addr, struct shim_map *out)
{
    for (size_t i = 0; i < nmaps; i++) {
        if (maps[i].kind == HV_KIND_GNTDEV && addr >= maps[i].addr &&
            addr < maps[i].addr + maps[i].npages * HV_PAGE_SIZE) {
            *out = maps[i];
            return true;
        }
    }
    return false;
}

bool shim_map_privcmd(uintptr_t addr, size_t npages, struct shim_map *out)
{
    for (size_t i = 0; i < nmaps; i++) {
        if (maps[i].kind == HV_KIND_PRIVCMD && maps[i].addr == addr && maps[i].npages == npages &&
            maps[i].id == 0) {
            *out = maps[i];
            return true;
        }
    }
    return false;
}

void shim_map_set_id(uintptr_t addr, uint32_t id)
{
    for (size_t i = 0; i < nmaps; i++)
        if (maps[i].addr == addr)
            maps[i].id = id;
}

size_t shim_map_count(void)
{
    return nmaps;
}

void shim_map_forget_dontfork(void)
{
    for (size_t i = 0; i < nmaps;) {
        if (maps[i].dontfork)
            maps[i] = maps[--nmaps];
        else
            i++;
    }
    atomic_store(&have_maps, nmaps > 0);
}

void shim_map_clear(void)
{
    nmaps = 0;
    atomic_store(&have_maps, false);
}
