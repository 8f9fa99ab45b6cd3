/* hv-frames: a process of one simulated domain that handles frames, driven
 * line by line on stdin by a shell test (as hv-peer, through hv-lib.sh).
 * In a guest it is the kernel, with /dev/xsim/kmem; in dom0 it maps a
 * guest's frames with the real libxenforeignmemory. Every command prints
 * one line: "ok [VALUES]" or "err ENAME [DETAIL]" (EUSAGE: malformed).
 * The frame numbers of a region NAME are written to NAME.frames in the
 * current directory, and read back by `map`.
 *
 *   alloc NAME NPAGES          kmem: allocate and map; ok FIRST_FRAME
 *   free NAME                  kmem: give the pages back (and unmap them)
 *   grant NAME I DOMID rw|ro   kmem: grant page I of NAME; ok REF
 *   endgrant REF               kmem: end a grant
 *   map NAME DOMID FILE rw|ro  xenforeignmemory_map of the frames in FILE
 *                              with an err array; ok, or err ENAME I (the
 *                              first frame that failed, and its errno)
 *   mapf NAME DOMID rw|ro F... the same with the frames given
 *   mapnull NAME DOMID FILE    the same without an err array (the library
 *                              fails the whole map), read-only
 *   unmap NAME                 xenforeignmemory_unmap (or munmap)
 *   fill NAME SEED / check NAME SEED   page i holds bytes (SEED + i) & 255
 *   poke NAME OFF VALUE / peek NAME OFF
 *   fork-peek NAME OFF         a child reads byte OFF; ok EXIT_STATUS
 *                              (139: it had nothing mapped there)
 *   fork-poke NAME OFF VALUE   a child writes; ok EXIT_STATUS
 *   mprotect-rw NAME           ok, or err EACCES (a read-only mapping)
 *   exit
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenforeignmemory.h>

#include "xsim/xsim_kmem.h"

#define PAGE        4096u
#define MAX_REGIONS 64
#define MAX_PAGES   65536

struct region {
    char name[32];
    uint8_t *addr;
    uint32_t npages;
    bool kmem;      /* our own pages (else a foreign mapping) */
    uint64_t index; /* kmem: the allocation */
};

static struct region regions[MAX_REGIONS];
static int kmem = -1;
static xenforeignmemory_handle *fmem;
static uint64_t frames[MAX_PAGES];

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "EUNKNOWN";
}

static void fail(void)
{
    reply("err %s", ename(errno));
}

static struct region *find(const char *name)
{
    for (int i = 0; i < MAX_REGIONS; i++)
        if (regions[i].addr && !strcmp(regions[i].name, name))
            return &regions[i];
    return NULL;
}

static struct region *add(const char *name, void *addr, uint32_t n)
{
    for (int i = 0; i < MAX_REGIONS; i++) {
        if (!regions[i].addr) {
            snprintf(regions[i].name, sizeof(regions[i].name), "%s", name);
            regions[i].addr = addr;
            regions[i].npages = n;
            return &regions[i];
        }
    }
    return NULL;
}

static bool open_kmem(void)
{
    if (kmem < 0)
        kmem = open(XSIM_KMEM_PATH, O_RDWR | O_CLOEXEC);
    return kmem >= 0;
}

static bool open_fmem(void)
{
    if (!fmem)
        fmem = xenforeignmemory_open(NULL, 0);
    return fmem != NULL;
}

static void cmd_alloc(char **av, int ac)
{
    uint32_t n = ac == 3 ? (uint32_t)strtoul(av[2], NULL, 0) : 0;
    if (n == 0 || n > MAX_PAGES || find(av[1])) {
        reply("err EUSAGE");
        return;
    }
    if (!open_kmem()) {
        fail();
        return;
    }
    struct xsim_kmem_alloc a = {.count = n, .frames = frames};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_ALLOC, &a) < 0) {
        fail();
        return;
    }
    void *p =
        mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, kmem, (off_t)a.index);
    if (p == MAP_FAILED) {
        fail();
        return;
    }
    struct region *r = add(av[1], p, n);
    r->kmem = true;
    r->index = a.index;
    char path[64];
    snprintf(path, sizeof(path), "%s.frames", av[1]);
    FILE *f = fopen(path, "w");
    for (uint32_t i = 0; f && i < n; i++)
        fprintf(f, "%s%llu", i ? " " : "", (unsigned long long)frames[i]);
    if (!f || fputc('\n', f) == EOF || fclose(f) != 0) {
        fail();
        return;
    }
    reply("ok %llu", (unsigned long long)frames[0]);
}

static void cmd_free(char **av, int ac)
{
    struct region *r = ac == 2 ? find(av[1]) : NULL;
    if (!r || !r->kmem) {
        reply("err EUSAGE");
        return;
    }
    struct xsim_kmem_free fr = {.index = r->index};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_FREE, &fr) < 0) {
        fail();
        return;
    }
    munmap(r->addr, (size_t)r->npages * PAGE);
    r->addr = NULL;
    reply("ok");
}

static void cmd_grant(char **av, int ac)
{
    struct region *r = ac == 5 ? find(av[1]) : NULL;
    uint32_t i = r ? (uint32_t)strtoul(av[2], NULL, 0) : 0;
    if (!r || !r->kmem || i >= r->npages) {
        reply("err EUSAGE");
        return;
    }
    /* the frame of page i, from the file alloc wrote */
    char path[64];
    snprintf(path, sizeof(path), "%s.frames", r->name);
    FILE *f = fopen(path, "r");
    unsigned long long fr = 0;
    for (uint32_t k = 0; f && k <= i; k++)
        if (fscanf(f, "%llu", &fr) != 1)
            fr = 0;
    if (f)
        fclose(f);
    struct xsim_kmem_grant g = {
        .frame = fr, .domid = (uint16_t)strtoul(av[3], NULL, 0), .readonly = !strcmp(av[4], "ro")};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_GRANT, &g) < 0) {
        fail();
        return;
    }
    reply("ok %u", g.ref);
}

static void cmd_endgrant(char **av, int ac)
{
    if (ac != 2 || kmem < 0) {
        reply("err EUSAGE");
        return;
    }
    struct xsim_kmem_end_grant e = {.ref = (uint32_t)strtoul(av[1], NULL, 0)};
    if (ioctl(kmem, XSIM_IOCTL_KMEM_END_GRANT, &e) < 0)
        fail();
    else
        reply("ok");
}

static uint32_t read_frames(const char *path)
{
    FILE *f = fopen(path, "r");
    uint32_t n = 0;
    unsigned long long v;
    while (f && n < MAX_PAGES && fscanf(f, "%llu", &v) == 1)
        frames[n++] = v;
    if (f)
        fclose(f);
    return n;
}

/* map the first n of frames[] as NAME */
static void do_map(const char *name, uint32_t domid, bool rw, uint32_t n, bool with_err)
{
    if (n == 0 || find(name)) {
        reply("err EUSAGE");
        return;
    }
    if (!open_fmem()) {
        fail();
        return;
    }
    static int err[MAX_PAGES];
    void *p = xenforeignmemory_map(fmem, domid, rw ? PROT_READ | PROT_WRITE : PROT_READ, n,
                                   (const xen_pfn_t *)frames, with_err ? err : NULL);
    if (!p) {
        fail();
        return;
    }
    add(name, p, n);
    for (uint32_t i = 0; with_err && i < n; i++) {
        if (err[i]) {
            reply("err %s %u", ename(-err[i]), i);
            return;
        }
    }
    reply("ok");
}

static void cmd_map(char **av, int ac)
{
    if (ac != 5) {
        reply("err EUSAGE");
        return;
    }
    do_map(av[1], (uint32_t)strtoul(av[2], NULL, 0), !strcmp(av[4], "rw"), read_frames(av[3]),
           true);
}

static void cmd_mapf(char **av, int ac)
{
    if (ac < 5 || ac - 4 > MAX_PAGES) {
        reply("err EUSAGE");
        return;
    }
    for (int i = 4; i < ac; i++)
        frames[i - 4] = strtoull(av[i], NULL, 0);
    do_map(av[1], (uint32_t)strtoul(av[2], NULL, 0), !strcmp(av[3], "rw"), (uint32_t)(ac - 4),
           true);
}

static void cmd_mapnull(char **av, int ac)
{
    if (ac != 4) {
        reply("err EUSAGE");
        return;
    }
    do_map(av[1], (uint32_t)strtoul(av[2], NULL, 0), false, read_frames(av[3]), false);
}

static void cmd_unmap(char **av, int ac)
{
    struct region *r = ac == 2 ? find(av[1]) : NULL;
    if (!r || r->kmem) {
        reply("err EUSAGE");
        return;
    }
    if (xenforeignmemory_unmap(fmem, r->addr, r->npages) < 0) {
        fail();
        return;
    }
    r->addr = NULL;
    reply("ok");
}

static void cmd_fill_check(char **av, int ac, bool fill)
{
    struct region *r = ac == 3 ? find(av[1]) : NULL;
    if (!r) {
        reply("err EUSAGE");
        return;
    }
    unsigned seed = (unsigned)strtoul(av[2], NULL, 0);
    for (uint32_t i = 0; i < r->npages; i++) {
        uint8_t v = (uint8_t)(seed + i);
        uint8_t *pg = r->addr + (size_t)i * PAGE;
        if (fill) {
            memset(pg, v, PAGE);
            continue;
        }
        for (uint32_t k = 0; k < PAGE; k++) {
            if (pg[k] != v) {
                reply("err EBADMSG page %u byte %u is %u, not %u", i, k, pg[k], v);
                return;
            }
        }
    }
    reply("ok");
}

static void cmd_peek_poke(char **av, int ac, bool poke)
{
    struct region *r = ac == (poke ? 4 : 3) ? find(av[1]) : NULL;
    size_t off = r ? strtoul(av[2], NULL, 0) : 0;
    if (!r || off >= (size_t)r->npages * PAGE) {
        reply("err EUSAGE");
        return;
    }
    if (poke) {
        r->addr[off] = (uint8_t)strtoul(av[3], NULL, 0);
        reply("ok");
    } else {
        reply("ok %u", r->addr[off]);
    }
}

static void cmd_fork(char **av, int ac, bool poke)
{
    struct region *r = ac == (poke ? 4 : 3) ? find(av[1]) : NULL;
    size_t off = r ? strtoul(av[2], NULL, 0) : 0;
    if (!r || off >= (size_t)r->npages * PAGE) {
        reply("err EUSAGE");
        return;
    }
    uint8_t v = poke ? (uint8_t)strtoul(av[3], NULL, 0) : 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* under AddressSanitizer a fault would be caught and exit 1: die of it */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        if (poke)
            *(volatile uint8_t *)(r->addr + off) = v;
        else
            v = *(volatile uint8_t *)(r->addr + off);
        _exit(0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) {
        fail();
        return;
    }
    reply("ok %d", WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
}

static void cmd_mprotect(char **av, int ac)
{
    struct region *r = ac == 2 ? find(av[1]) : NULL;
    if (!r) {
        reply("err EUSAGE");
        return;
    }
    if (mprotect(r->addr, PAGE, PROT_READ | PROT_WRITE) < 0)
        fail();
    else
        reply("ok");
}

int main(void)
{
    char line[1 << 20];
    static char *av[MAX_PAGES + 8];
    signal(SIGPIPE, SIG_IGN);
    while (fgets(line, sizeof(line), stdin)) {
        int ac = 0;
        for (char *t = strtok(line, " \t\n"); t && ac < MAX_PAGES + 8; t = strtok(NULL, " \t\n"))
            av[ac++] = t;
        if (ac == 0)
            continue;
        const char *c = av[0];
        if (!strcmp(c, "exit"))
            break;
        else if (!strcmp(c, "alloc"))
            cmd_alloc(av, ac);
        else if (!strcmp(c, "free"))
            cmd_free(av, ac);
        else if (!strcmp(c, "grant"))
            cmd_grant(av, ac);
        else if (!strcmp(c, "endgrant"))
            cmd_endgrant(av, ac);
        else if (!strcmp(c, "map"))
            cmd_map(av, ac);
        else if (!strcmp(c, "mapf"))
            cmd_mapf(av, ac);
        else if (!strcmp(c, "mapnull"))
            cmd_mapnull(av, ac);
        else if (!strcmp(c, "unmap"))
            cmd_unmap(av, ac);
        else if (!strcmp(c, "fill") || !strcmp(c, "check"))
            cmd_fill_check(av, ac, !strcmp(c, "fill"));
        else if (!strcmp(c, "poke") || !strcmp(c, "peek"))
            cmd_peek_poke(av, ac, !strcmp(c, "poke"));
        else if (!strcmp(c, "fork-peek") || !strcmp(c, "fork-poke"))
            cmd_fork(av, ac, !strcmp(c, "fork-poke"));
        else if (!strcmp(c, "mprotect-rw"))
            cmd_mprotect(av, ac);
        else
            reply("err EUSAGE");
    }
    if (fmem)
        xenforeignmemory_close(fmem);
    return 0;
}
