/* xfb-ro-check: the backend's mapping of a guest's framebuffer is
 * read-only, however the backend's own code treats it.
 *
 *   xfb-ro-check DOMID     (in dom0: `xsim run --domid 0 -- ...`)
 *
 * Runs the backend core (backend/core/back.h) for guest DOMID alone until
 * its vfb connects, then prints one line per check:
 *   connected                 the core handed out the guest's surface;
 *                             the checks start at a line on stdin
 *   write: faulted|went through|died otherwise
 *                             one pixel written through that surface, in
 *                             a child process (the caller compares the
 *                             guest's own CRC before and after)
 *   mprotect: REASON|allowed  the page made writable
 *   map-rw: refused|allowed   the first framebuffer grant mapped the way
 *                             the core maps the shared page (PROT_READ |
 *                             PROT_WRITE); the guest granted it read-only
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/fbif.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "core/back.h"
#include "proto/layout.h"

#define FAULTED 77

static const struct xfb_back_surface *surf;

static void on_connected(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    (void)g;
    surf = s;
}

static void on_fault(int sig)
{
    (void)sig;
    _exit(FAULTED);
}

/* In a child: write through the pointer; exit FAULTED if that faults. */
static int write_in_child(volatile uint8_t *p)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        struct sigaction sa = {.sa_handler = on_fault};
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        *p = (uint8_t)(*p ^ 0x5a);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The first framebuffer grant of guest domid's vfb 0, from its own nodes
 * and pages; 0 if it cannot be found. */
static uint32_t first_fb_gref(xengnttab_handle *xgt, int domid)
{
    struct xs_handle *xs = xs_open(0);
    if (!xs)
        return 0;
    char path[80];
    snprintf(path, sizeof(path), "/local/domain/%d/device/" XFB_TYPE_FB "/0/%s", domid,
             XFB_NODE_PAGE_GREF);
    char *v = xs_read(xs, XBT_NULL, path, NULL);
    xs_close(xs);
    if (!v)
        return 0;
    uint32_t page_ref = (uint32_t)strtoul(v, NULL, 10);
    free(v);
    uint32_t ref = 0;
    uint8_t *page = xengnttab_map_grant_ref(xgt, (uint32_t)domid, page_ref, PROT_READ);
    if (!page)
        return 0;
    struct xfb_layout l;
    xfb_layout_native(&l);
    uint32_t dir_ref = xfb_layout_pd_get(&l, page, 0, NULL);
    xengnttab_unmap(xgt, page, 1);
    uint32_t *dir = xengnttab_map_grant_ref(xgt, (uint32_t)domid, dir_ref, PROT_READ);
    if (dir) {
        ref = dir[0];
        xengnttab_unmap(xgt, dir, 1);
    }
    return ref;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: xfb-ro-check DOMID\n");
        return 2;
    }
    int domid = atoi(argv[1]);
    static const struct xfb_back_ops ops = {.fb_connected = on_connected};
    struct xfb_back_opts bo = {
        .ops = &ops, .backend_domid = -1, .only_domid = domid, .refresh_ms = 0};
    struct xfb_back *b = xfb_back_open(&bo);
    if (!b) {
        fprintf(stderr, "xfb-ro-check: cannot open the backend core: %s\n", strerror(errno));
        return 1;
    }
    time_t deadline = time(NULL) + 20;
    while (!surf && time(NULL) < deadline) {
        struct pollfd p[3];
        int fds[3], n = xfb_back_fds(b, fds, 3);
        for (int i = 0; i < n; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        poll(p, (nfds_t)n, 100);
        if (xfb_back_dispatch(b) < 0)
            break;
    }
    if (!surf) {
        fprintf(stderr, "xfb-ro-check: guest %d's framebuffer did not connect\n", domid);
        xfb_back_close(b);
        return 1;
    }
    printf("connected\n");
    fflush(stdout);
    /* the caller takes the guest's CRC now, then says go */
    char go[16];
    if (!fgets(go, sizeof(go), stdin)) {
        xfb_back_close(b);
        return 1;
    }

    volatile uint8_t *px = (volatile uint8_t *)(uintptr_t)surf->pixels;
    int r = write_in_child(px);
    printf("write: %s\n", r == FAULTED ? "faulted" : r == 0 ? "went through" : "died otherwise");

    long pagesz = sysconf(_SC_PAGESIZE);
    void *pg = (void *)((uintptr_t)px & ~(uintptr_t)(pagesz - 1));
    int m = mprotect(pg, (size_t)pagesz, PROT_READ | PROT_WRITE);
    int e = errno;
    printf("mprotect: %s\n", m < 0 ? strerror(e) : "allowed");

    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint32_t ref = xgt ? first_fb_gref(xgt, domid) : 0;
    void *w =
        ref ? xengnttab_map_grant_ref(xgt, (uint32_t)domid, ref, PROT_READ | PROT_WRITE) : NULL;
    printf("map-rw: %s\n", !ref ? "no grant found" : w ? "allowed" : "refused");
    if (w)
        xengnttab_unmap(xgt, w, 1);
    if (xgt)
        xengnttab_close(xgt);
    xfb_back_close(b);
    return 0;
}
