/* hv-peer: a process of one simulated domain, driven line by line on
 * stdin by a shell test, using the real libxengnttab and libxenevtchn.
 * Every command prints one line: "ok [VALUES]" or "err ENAME [DETAIL]"
 * (ENAME is the errno name; EUSAGE for a malformed command).
 * Grant references of a region NAME are written to NAME.refs in the
 * current directory, and read back from such a file by `map`.
 *
 *   share NAME DOMID NPAGES rw|ro      xengntshr_share_pages; ok REF0 USEC
 *   share-notify NAME DOMID rw|ro OFF PORT
 *                                      xengntshr_share_page_notify (PORT -1: none)
 *   alloc NAME DOMID NPAGES rw|ro      raw ALLOC_GREF, kept by the open file
 *   unshare NAME                       xengntshr_unshare
 *   shr-close / evt-close              xengntshr_close / xenevtchn_close
 *   map NAME DOMID REFFILE rw|ro       xengnttab_map_domain_grant_refs; ok USEC
 *   map-notify NAME DOMID REFFILE rw|ro OFF PORT
 *   unmap NAME                         xengnttab_unmap
 *   munmap NAME FIRST N                munmap of pages FIRST..FIRST+N-1 only
 *   gcopy-to DOMID REF OFF LEN VALUE   xengnttab_grant_copy from local memory;
 *                                      ok STATUS
 *   gcopy-from DOMID REF OFF LEN       the other way; ok STATUS FIRST_BYTE
 *   fill NAME SEED / check NAME SEED   page i holds bytes (SEED + i) & 255
 *   poke NAME OFF VALUE / peek NAME OFF
 *   bind-unbound DOMID / bind DOMID PORT / unbind PORT / notify PORT [N]
 *   wait MS          next event, unmasked; ok PORT ELAPSED_MS
 *   take MS          next event, left masked
 *   unmask PORT
 *   count MS         events (unmasked) until none comes for MS; ok N
 *   serve PORT N     N times: wait for PORT, unmask, notify PORT
 *   ping PORT N      N round trips; ok N MEDIAN_US P99_US
 *   fork-hold FIFO   fork a child that keeps our mappings until FIFO ends
 *   fork-peek NAME OFF  fork a child that reads byte OFF of NAME and exits;
 *                    ok EXIT_STATUS (139: it had nothing mapped there)
 *   spawn FIFO       fork and exec cat FIFO (inherits the gntalloc fd)
 *   reap PID         waitpid; ok EXIT_STATUS
 *   pid              ok PID
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/grant_table.h>
#include <xen/sys/gntalloc.h>

#define PAGE        4096u
#define MAX_REGIONS 1024
#define MAX_PAGES   65536

struct region {
    char name[32];
    uint8_t *addr;
    uint32_t npages;
    bool shared; /* by us (xengntshr) rather than mapped (xengnttab) */
};

static struct region regions[MAX_REGIONS];
static xengntshr_handle *shr;
static xengnttab_handle *tab;
static xenevtchn_handle *evt;

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

static void usage(void)
{
    reply("err EUSAGE");
}

static void fail(void)
{
    const char *name = strerrorname_np(errno);
    reply("err %s", name ? name : "EUNKNOWN");
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct region *region_find(const char *name)
{
    for (int i = 0; i < MAX_REGIONS; i++)
        if (regions[i].addr && !strcmp(regions[i].name, name))
            return &regions[i];
    return NULL;
}

static struct region *region_add(const char *name, void *addr, uint32_t n, bool shared)
{
    for (int i = 0; i < MAX_REGIONS; i++) {
        if (!regions[i].addr) {
            snprintf(regions[i].name, sizeof(regions[i].name), "%s", name);
            regions[i].addr = addr;
            regions[i].npages = n;
            regions[i].shared = shared;
            return &regions[i];
        }
    }
    return NULL;
}

static int write_refs(const char *name, const uint32_t *refs, uint32_t n)
{
    char path[64];
    snprintf(path, sizeof(path), "%s.refs", name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? " " : "", refs[i]);
    fprintf(f, "\n");
    return fclose(f);
}

static uint32_t read_refs(const char *path, uint32_t *refs)
{
    FILE *f = fopen(path, "r");
    uint32_t n = 0;
    while (f && n < MAX_PAGES && fscanf(f, "%u", &refs[n]) == 1)
        n++;
    if (f)
        fclose(f);
    return n;
}

static bool open_shr(void)
{
    if (!shr)
        shr = xengntshr_open(NULL, 0);
    return shr != NULL;
}

static bool open_tab(void)
{
    if (!tab)
        tab = xengnttab_open(NULL, 0);
    return tab != NULL;
}

static bool open_evt(void)
{
    if (!evt)
        evt = xenevtchn_open(NULL, 0);
    return evt != NULL;
}

static int wait_event(int ms, bool unmask)
{
    struct pollfd p = {.fd = xenevtchn_fd(evt), .events = POLLIN};
    int n = poll(&p, 1, ms);
    if (n <= 0) {
        if (n == 0)
            errno = ETIMEDOUT;
        return -1;
    }
    xenevtchn_port_or_error_t port = xenevtchn_pending(evt);
    if (port >= 0 && unmask && xenevtchn_unmask(evt, (evtchn_port_t)port) < 0)
        return -1;
    return port;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void cmd_share(char **av, int ac, bool notify)
{
    if (ac < (notify ? 6 : 5)) {
        usage();
        return;
    }
    uint32_t n = notify ? 1 : (uint32_t)strtoul(av[3], NULL, 0);
    int writable = !strcmp(av[notify ? 3 : 4], "rw");
    if (ac < (notify ? 6 : 5) || n == 0 || n > MAX_PAGES) {
        usage();
        return;
    }
    if (!open_shr()) {
        fail();
        return;
    }
    static uint32_t refs[MAX_PAGES];
    uint32_t domid = (uint32_t)strtoul(av[2], NULL, 0);
    void *addr;
    uint64_t t0 = now_us();
    if (notify)
        addr = xengntshr_share_page_notify(shr, domid, refs, writable,
                                           (uint32_t)strtoul(av[4], NULL, 0),
                                           (evtchn_port_t)strtol(av[5], NULL, 0));
    else
        addr = xengntshr_share_pages(shr, domid, (int)n, refs, writable);
    if (!addr) {
        fail();
        return;
    }
    uint64_t t1 = now_us();
    region_add(av[1], addr, n, true);
    write_refs(av[1], refs, n);
    reply("ok %u %llu", refs[0], (unsigned long long)(t1 - t0));
}

static void cmd_alloc(char **av, int ac)
{
    uint32_t n = ac == 5 ? (uint32_t)strtoul(av[3], NULL, 0) : 0;
    if (n == 0 || n > MAX_PAGES) {
        usage();
        return;
    }
    if (!open_shr()) {
        fail();
        return;
    }
    struct ioctl_gntalloc_alloc_gref *op = malloc(sizeof(*op) + n * sizeof(uint32_t));
    op->domid = (uint16_t)strtoul(av[2], NULL, 0);
    op->flags = !strcmp(av[4], "rw") ? GNTALLOC_FLAG_WRITABLE : 0;
    op->count = n;
    if (ioctl(xengntshr_fd(shr), IOCTL_GNTALLOC_ALLOC_GREF, op) < 0) {
        fail();
    } else {
        write_refs(av[1], op->gref_ids, n);
        reply("ok %llu", (unsigned long long)op->index);
    }
    free(op);
}

static void cmd_map(char **av, int ac, bool notify)
{
    static uint32_t refs[MAX_PAGES];
    uint32_t n = ac >= 5 ? read_refs(av[3], refs) : 0;
    if (!n || (notify && ac < 7)) {
        usage();
        return;
    }
    if (!open_tab()) {
        fail();
        return;
    }
    int prot = PROT_READ | (!strcmp(av[4], "rw") ? PROT_WRITE : 0);
    uint32_t domid = (uint32_t)strtoul(av[2], NULL, 0);
    uint64_t t0 = now_us();
    void *addr;
    if (notify) {
        n = 1;
        addr = xengnttab_map_grant_ref_notify(tab, domid, refs[0], prot,
                                              (uint32_t)strtoul(av[5], NULL, 0),
                                              (evtchn_port_t)strtol(av[6], NULL, 0));
    } else {
        addr = xengnttab_map_domain_grant_refs(tab, n, domid, refs, prot);
    }
    uint64_t t1 = now_us();
    if (!addr) {
        fail();
        return;
    }
    region_add(av[1], addr, n, false);
    reply("ok %llu", (unsigned long long)(t1 - t0));
}

static void cmd_unmap(char **av, int ac)
{
    struct region *r = ac == 2 ? region_find(av[1]) : NULL;
    if (!r) {
        errno = ENOENT;
        fail();
        return;
    }
    int rc = r->shared ? xengntshr_unshare(shr, r->addr, r->npages)
                       : xengnttab_unmap(tab, r->addr, r->npages);
    if (rc < 0) {
        fail();
        return;
    }
    r->addr = NULL;
    reply("ok");
}

static void cmd_munmap(char **av, int ac)
{
    struct region *r = ac == 4 ? region_find(av[1]) : NULL;
    unsigned long first = ac == 4 ? strtoul(av[2], NULL, 0) : 0;
    unsigned long n = ac == 4 ? strtoul(av[3], NULL, 0) : 0;
    if (!r || !n || first + n > r->npages) {
        errno = ENOENT;
        fail();
        return;
    }
    if (munmap(r->addr + first * PAGE, n * PAGE) < 0)
        fail();
    else
        reply("ok");
}

/* A child reads one byte of a region, as a process forked by a backend
 * would; the parent reports how it ended. */
static void cmd_fork_peek(char **av, int ac)
{
    struct region *r = ac == 3 ? region_find(av[1]) : NULL;
    unsigned long off = ac == 3 ? strtoul(av[2], NULL, 0) : 0;
    if (!r || off >= (unsigned long)r->npages * PAGE) {
        errno = ENOENT;
        fail();
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fail();
        return;
    }
    if (pid == 0) {
        /* die of the fault itself (AddressSanitizer would catch it and
         * exit 1) */
        signal(SIGSEGV, SIG_DFL);
        volatile uint8_t v = r->addr[off];
        (void)v;
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        fail();
    else
        reply("ok %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void cmd_fill(char **av, int ac, bool check)
{
    struct region *r = ac == 3 ? region_find(av[1]) : NULL;
    if (!r) {
        errno = ENOENT;
        fail();
        return;
    }
    unsigned seed = (unsigned)strtoul(av[2], NULL, 0);
    for (uint32_t p = 0; p < r->npages; p++) {
        uint8_t v = (uint8_t)(seed + p);
        uint8_t *pg = r->addr + (size_t)p * PAGE;
        if (!check) {
            memset(pg, v, PAGE);
            continue;
        }
        for (uint32_t b = 0; b < PAGE; b++) {
            if (pg[b] != v) {
                reply("err EMISMATCH page %u byte %u is %u, want %u", p, b, pg[b], v);
                return;
            }
        }
    }
    reply("ok");
}

static void cmd_poke(char **av, int ac, bool poke)
{
    struct region *r = ac >= 3 ? region_find(av[1]) : NULL;
    unsigned long off = ac >= 3 ? strtoul(av[2], NULL, 0) : 0;
    if (!r || off >= (unsigned long)r->npages * PAGE || (poke && ac != 4)) {
        errno = ENOENT;
        fail();
        return;
    }
    if (poke)
        r->addr[off] = (uint8_t)strtoul(av[3], NULL, 0);
    reply("ok %u", r->addr[off]);
}

static void cmd_evtchn(char **av, int ac)
{
    if (!open_evt()) {
        fail();
        return;
    }
    const char *c = av[0];
    uint32_t a1 = ac > 1 ? (uint32_t)strtoul(av[1], NULL, 0) : 0;
    uint32_t a2 = ac > 2 ? (uint32_t)strtoul(av[2], NULL, 0) : 0;
    int rc;
    if (!strcmp(c, "bind-unbound")) {
        rc = xenevtchn_bind_unbound_port(evt, a1);
    } else if (!strcmp(c, "bind")) {
        rc = xenevtchn_bind_interdomain(evt, a1, a2);
    } else if (!strcmp(c, "unbind")) {
        rc = xenevtchn_unbind(evt, a1);
    } else if (!strcmp(c, "unmask")) {
        rc = xenevtchn_unmask(evt, a1);
    } else if (!strcmp(c, "notify")) {
        rc = 0;
        for (uint32_t i = 0; i < (ac > 2 ? a2 : 1) && rc == 0; i++)
            rc = xenevtchn_notify(evt, a1);
    } else if (!strcmp(c, "wait") || !strcmp(c, "take")) {
        uint64_t t0 = now_us();
        rc = wait_event((int)a1, !strcmp(c, "wait"));
        if (rc >= 0) {
            reply("ok %d %llu", rc, (unsigned long long)((now_us() - t0) / 1000));
            return;
        }
    } else if (!strcmp(c, "count")) {
        int n = 0;
        while (wait_event((int)a1, true) >= 0)
            n++;
        reply("ok %d", n);
        return;
    } else {
        errno = EINVAL;
        rc = -1;
    }
    if (rc < 0)
        fail();
    else if (rc > 0)
        reply("ok %d", rc);
    else
        reply("ok");
}

/* gcopy-to DOMID REF OFF LEN VALUE: LEN bytes of VALUE into the grant;
 * gcopy-from DOMID REF OFF LEN: ok STATUS and the first byte read. */
static void cmd_copy(char **av, int ac, bool to)
{
    static uint8_t buf[PAGE];
    if (ac != (to ? 6 : 5)) {
        usage();
        return;
    }
    if (!open_tab()) {
        fail();
        return;
    }
    xengnttab_grant_copy_segment_t seg = {.len = (uint16_t)strtoul(av[4], NULL, 0)};
    if (seg.len > PAGE) {
        usage();
        return;
    }
    uint32_t dom = (uint32_t)strtoul(av[1], NULL, 0), ref = (uint32_t)strtoul(av[2], NULL, 0);
    uint16_t off = (uint16_t)strtoul(av[3], NULL, 0);
    memset(buf, to ? (int)strtoul(av[5], NULL, 0) : 0, sizeof(buf));
    if (to) {
        seg.flags = GNTCOPY_dest_gref;
        seg.source.virt = buf;
        seg.dest.foreign.ref = ref;
        seg.dest.foreign.domid = (uint16_t)dom;
        seg.dest.foreign.offset = off;
    } else {
        seg.flags = GNTCOPY_source_gref;
        seg.source.foreign.ref = ref;
        seg.source.foreign.domid = (uint16_t)dom;
        seg.source.foreign.offset = off;
        seg.dest.virt = buf;
    }
    if (xengnttab_grant_copy(tab, 1, &seg) < 0)
        fail();
    else if (to)
        reply("ok %d", seg.status);
    else
        reply("ok %d %u", seg.status, buf[0]);
}

static void cmd_serve(uint32_t port, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int got = wait_event(10000, true);
        if (got < 0) {
            fail();
            return;
        }
        if ((uint32_t)got != port) {
            reply("err EBADPORT got %d", got);
            return;
        }
        if (xenevtchn_notify(evt, port) < 0) {
            fail();
            return;
        }
    }
    reply("ok");
}

static void cmd_ping(uint32_t port, uint32_t n)
{
    uint64_t *t = calloc(n ? n : 1, sizeof(*t));
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t0 = now_us();
        if (xenevtchn_notify(evt, port) < 0) {
            fail();
            free(t);
            return;
        }
        int got = wait_event(10000, true);
        if (got < 0 || (uint32_t)got != port) {
            if (got >= 0)
                reply("err EBADPORT got %d", got);
            else
                fail();
            free(t);
            return;
        }
        t[i] = now_us() - t0;
    }
    qsort(t, n, sizeof(*t), cmp_u64);
    reply("ok %u %llu %llu", n, (unsigned long long)(n ? t[n / 2] : 0),
          (unsigned long long)(n ? t[(size_t)n * 99 / 100] : 0));
    free(t);
}

/* Forked children: a child of fork-hold keeps our mappings (and nothing
 * else to do) until its FIFO reaches end of file; spawn execs cat. */
static void cmd_fork(const char *fifo, bool exec)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fail();
        return;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        if (exec) {
            execlp("cat", "cat", fifo, (char *)NULL);
            _exit(127);
        }
        int fd = open(fifo, O_RDONLY);
        char buf[64];
        while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0) {
        }
        _exit(0);
    }
    reply("ok %ld", (long)pid);
}

static void run(char **av, int ac)
{
    const char *c = av[0];
    if (!strcmp(c, "share") || !strcmp(c, "share-notify"))
        cmd_share(av, ac, !strcmp(c, "share-notify"));
    else if (!strcmp(c, "alloc"))
        cmd_alloc(av, ac);
    else if (!strcmp(c, "unshare") || !strcmp(c, "unmap"))
        cmd_unmap(av, ac);
    else if (!strcmp(c, "munmap"))
        cmd_munmap(av, ac);
    else if (!strcmp(c, "fork-peek"))
        cmd_fork_peek(av, ac);
    else if (!strcmp(c, "shr-close")) {
        xengntshr_close(shr);
        shr = NULL;
        reply("ok");
    } else if (!strcmp(c, "evt-close")) {
        xenevtchn_close(evt);
        evt = NULL;
        reply("ok");
    } else if (!strcmp(c, "map") || !strcmp(c, "map-notify"))
        cmd_map(av, ac, !strcmp(c, "map-notify"));
    else if (!strcmp(c, "gcopy-to") || !strcmp(c, "gcopy-from"))
        cmd_copy(av, ac, !strcmp(c, "gcopy-to"));
    else if (!strcmp(c, "fill") || !strcmp(c, "check"))
        cmd_fill(av, ac, !strcmp(c, "check"));
    else if (!strcmp(c, "poke") || !strcmp(c, "peek"))
        cmd_poke(av, ac, !strcmp(c, "poke"));
    else if ((!strcmp(c, "serve") || !strcmp(c, "ping")) && ac == 3 && open_evt()) {
        uint32_t port = (uint32_t)strtoul(av[1], NULL, 0), n = (uint32_t)strtoul(av[2], NULL, 0);
        if (!strcmp(c, "serve"))
            cmd_serve(port, n);
        else
            cmd_ping(port, n);
    } else if ((!strcmp(c, "fork-hold") || !strcmp(c, "spawn")) && ac == 2)
        cmd_fork(av[1], !strcmp(c, "spawn"));
    else if (!strcmp(c, "reap") && ac == 2) {
        int st;
        if (waitpid((pid_t)strtol(av[1], NULL, 0), &st, 0) < 0)
            fail();
        else
            reply("ok %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    } else if (!strcmp(c, "pid"))
        reply("ok %ld", (long)getpid());
    else
        cmd_evtchn(av, ac);
}

int main(void)
{
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        char *av[16];
        int ac = 0;
        for (char *t = strtok(line, " \t\n"); t && ac < 16; t = strtok(NULL, " \t\n"))
            av[ac++] = t;
        if (ac == 0)
            continue;
        if (!strcmp(av[0], "exit"))
            break;
        run(av, ac);
    }
    return 0;
}
