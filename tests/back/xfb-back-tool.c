/* xfb-back-tool: the backend core for the tests, driven from stdin.
 *
 *   xfb-back-tool [--refresh MS] [--quiet]
 *
 * Runs the core (backend/core/back.h) for every guest attached to this
 * domain and prints one line per event on stdout, D being the guest's
 * domid, and "D kernel" for the guest kernel's devices (the vfb mapped by
 * frame numbers, the vinput vkbd) rather than xenfb's:
 *   D appeared
 *   D connected W H STRIDE DEPTH     the vfb connected (its mode)
 *   D resize W H STRIDE DEPTH
 *   D update X Y W H                 damage, clipped to the surface
 *   D disconnected                   the vfb is no longer connected
 *   D kbd connected ABS RAW          the vkbd connected (0/1 each)
 *   D kbd disconnected
 *   D gone
 *   log D LEVEL: MESSAGE             the core's log (D = - for none);
 *                                    --quiet drops info and debug lines
 * Commands on stdin, one per line, about the current guest (the last one
 * that appeared, or the one chosen with `use`):
 *   use D [DEVID]        choose the current guest            -> "use D"
 *   kernel D             choose domain D's kernel devices    -> "kernel D"
 *   crc X Y W H          CRC-32 of those pixel rows          -> "crc D X Y W H = %08x"
 *   pixel X Y            one pixel's value                   -> "pixel D X Y = %#x"
 *   dump FILE            the whole surface, rows packed, raw -> "dump D = BYTES"
 *   key CODE 0|1         a key event                         (silent)
 *   pos X Y              absolute pointer, surface pixels    (silent)
 *   posin X Y W H        absolute pointer in a W x H picture (silent)
 *   rawpos X Y           absolute pointer in [0, 0x7fff]     (silent)
 *   motion DX DY         relative motion                     (silent)
 *   wheel DZ             wheel                               (silent)
 *   hwheel DW            horizontal wheel (extension)        (silent)
 *   refresh MS           the refresh period (0: not watched) (silent)
 *   sync                 answers "sync" once every earlier line is done
 *   quit                 exit 0 (stdin's end does the same)
 * A command that fails answers "err COMMAND: WHY". Input commands wait
 * (stdin is not read meanwhile) while the guest's queue is full, so a
 * flood of keys is passed on whole.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "back/crc32.h"
#include "core/back.h"

static struct xfb_back *back;
static int cur_domid = -1, cur_devid = 0;
static bool cur_kernel;
static bool quiet;

/* "D" or "D kernel" */
static const char *who(struct xfb_back_guest *g)
{
    static char buf[32];
    snprintf(buf, sizeof(buf), "%d%s", xfb_back_guest_domid(g),
             xfb_back_guest_kind(g) == XFB_BACK_KERNEL ? " kernel" : "");
    return buf;
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void on_log(void *data, enum xfb_log_level level, int domid, const char *file, int line,
                   const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    (void)data;
    (void)file;
    (void)line;
    if (quiet && level > XFB_LOG_WARNING)
        return;
    if (domid >= 0)
        out("log %d %s: %s", domid, names[level], msg);
    else
        out("log - %s: %s", names[level], msg);
}

static void on_appeared(void *data, struct xfb_back_guest *g)
{
    (void)data;
    cur_domid = xfb_back_guest_domid(g);
    cur_devid = xfb_back_guest_devid(g);
    cur_kernel = xfb_back_guest_kind(g) == XFB_BACK_KERNEL;
    out("%s appeared", who(g));
}

static void on_fb(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    out("%s connected %u %u %u %u", who(g), s->width, s->height, s->stride, s->depth);
}

static void on_resized(void *data, struct xfb_back_guest *g, const struct xfb_back_surface *s)
{
    (void)data;
    out("%s resize %u %u %u %u", who(g), s->width, s->height, s->stride, s->depth);
}

static void on_damaged(void *data, struct xfb_back_guest *g, int x, int y, int w, int h)
{
    (void)data;
    out("%s update %d %d %d %d", who(g), x, y, w, h);
}

static void on_fb_gone(void *data, struct xfb_back_guest *g)
{
    (void)data;
    out("%s disconnected", who(g));
}

static void on_kbd(void *data, struct xfb_back_guest *g, bool abs, bool raw)
{
    (void)data;
    out("%s kbd connected %d %d", who(g), abs, raw);
}

static void on_kbd_gone(void *data, struct xfb_back_guest *g)
{
    (void)data;
    out("%s kbd disconnected", who(g));
}

static void on_gone(void *data, struct xfb_back_guest *g)
{
    (void)data;
    out("%s gone", who(g));
}

static const struct xfb_back_ops ops = {
    .appeared = on_appeared,
    .fb_connected = on_fb,
    .resized = on_resized,
    .damaged = on_damaged,
    .fb_disconnected = on_fb_gone,
    .kbd_connected = on_kbd,
    .kbd_disconnected = on_kbd_gone,
    .gone = on_gone,
};

/* ---- commands ---- */

enum result { DONE, RETRY, QUIT };

static const struct xfb_back_surface *surface(struct xfb_back_guest *g, const char *cmd)
{
    const struct xfb_back_surface *s = g ? xfb_back_guest_surface(g) : NULL;
    if (!s)
        out("err %s: no connected framebuffer", cmd);
    return s;
}

static uint32_t bpp(const struct xfb_back_surface *s)
{
    return s->depth / 8;
}

static bool rect_inside(const struct xfb_back_surface *s, long x, long y, long w, long h)
{
    return x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= s->width && y + h <= s->height;
}

static enum result input_result(int rc, const char *cmd)
{
    if (rc == 0)
        return DONE;
    if (errno == EAGAIN)
        return RETRY;
    out("err %s: %s", cmd, strerror(errno));
    return DONE;
}

static enum result run(char *line)
{
    char cmd[16] = "", arg[256] = "";
    long a[4] = {0, 0, 0, 0};
    int n = sscanf(line, "%15s %ld %ld %ld %ld", cmd, &a[0], &a[1], &a[2], &a[3]) - 1;
    if (n < 0)
        return DONE;
    struct xfb_back_guest *g = cur_domid < 0 ? NULL
                               : cur_kernel  ? xfb_back_find_kernel(back, cur_domid)
                                             : xfb_back_find(back, cur_domid, cur_devid);

    if (!strcmp(cmd, "quit"))
        return QUIT;
    if (!strcmp(cmd, "sync")) {
        out("sync");
        return DONE;
    }
    if (!strcmp(cmd, "use") && n >= 1) {
        cur_domid = (int)a[0];
        cur_devid = n >= 2 ? (int)a[1] : 0;
        cur_kernel = false;
        out("use %d", cur_domid);
        return DONE;
    }
    if (!strcmp(cmd, "kernel") && n == 1) {
        cur_domid = (int)a[0];
        cur_kernel = true;
        out("kernel %d", cur_domid);
        return DONE;
    }
    if (!strcmp(cmd, "crc") && n == 4) {
        const struct xfb_back_surface *s = surface(g, cmd);
        if (!s)
            return DONE;
        if (!rect_inside(s, a[0], a[1], a[2], a[3])) {
            out("err crc: rectangle outside the %ux%u surface", s->width, s->height);
            return DONE;
        }
        uint32_t crc = crc32_rect(s->pixels, s->stride, bpp(s), (uint32_t)a[0], (uint32_t)a[1],
                                  (uint32_t)a[2], (uint32_t)a[3]);
        out("crc %d %ld %ld %ld %ld = %08x", cur_domid, a[0], a[1], a[2], a[3], crc);
        return DONE;
    }
    if (!strcmp(cmd, "pixel") && n == 2) {
        const struct xfb_back_surface *s = surface(g, cmd);
        if (!s)
            return DONE;
        if (!rect_inside(s, a[0], a[1], 1, 1)) {
            out("err pixel: outside the surface");
            return DONE;
        }
        const volatile uint8_t *p =
            (const volatile uint8_t *)s->pixels + a[1] * (long)s->stride + a[0] * (long)bpp(s);
        uint32_t v = s->depth == 32 ? *(const volatile uint32_t *)p : *(const volatile uint16_t *)p;
        out("pixel %d %ld %ld = %#x", cur_domid, a[0], a[1], v);
        return DONE;
    }
    if (!strcmp(cmd, "dump") && sscanf(line, "%*s %255s", arg) == 1) {
        const struct xfb_back_surface *s = surface(g, cmd);
        if (!s)
            return DONE;
        FILE *f = fopen(arg, "wb");
        if (!f) {
            out("err dump: %s: %s", arg, strerror(errno));
            return DONE;
        }
        for (uint32_t r = 0; r < s->height; r++)
            fwrite((const uint8_t *)s->pixels + (size_t)r * s->stride, bpp(s), s->width, f);
        fclose(f);
        out("dump %d = %zu", cur_domid, (size_t)s->width * s->height * bpp(s));
        return DONE;
    }
    if (!g) {
        out("err %s: no such guest", cmd);
        return DONE;
    }
    if (!strcmp(cmd, "key") && n == 2)
        return input_result(xfb_back_key(g, (unsigned)a[0], a[1] != 0), cmd);
    if (!strcmp(cmd, "pos") && n == 2)
        return input_result(xfb_back_pointer(g, (int)a[0], (int)a[1]), cmd);
    if (!strcmp(cmd, "posin") && n == 4)
        return input_result(
            xfb_back_pointer_in(g, (int)a[0], (int)a[1], (uint32_t)a[2], (uint32_t)a[3]), cmd);
    if (!strcmp(cmd, "rawpos") && n == 2)
        return input_result(xfb_back_pointer_raw(g, (int)a[0], (int)a[1]), cmd);
    if (!strcmp(cmd, "motion") && n == 2)
        return input_result(xfb_back_motion(g, (int)a[0], (int)a[1]), cmd);
    if (!strcmp(cmd, "wheel") && n == 1)
        return input_result(xfb_back_wheel(g, (int)a[0]), cmd);
    if (!strcmp(cmd, "hwheel") && n == 1)
        return input_result(xfb_back_hwheel(g, (int)a[0]), cmd);
    if (!strcmp(cmd, "refresh") && n == 1 && a[0] >= 0) {
        xfb_back_set_refresh(g, (unsigned)a[0]);
        return DONE;
    }
    out("err %s: unknown command or wrong arguments", cmd);
    return DONE;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"refresh", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    unsigned refresh = 50;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'r')
            refresh = (unsigned)strtoul(optarg, NULL, 10);
        else if (o == 'q')
            quiet = true;
        else {
            fprintf(stderr, "usage: xfb-back-tool [--refresh MS] [--quiet]\n");
            return 2;
        }
    }
    struct xfb_back_opts bo = {
        .ops = &ops,
        .backend_domid = -1,
        .refresh_ms = refresh,
        .log_fn = on_log,
        .log_level = XFB_LOG_DEBUG,
    };
    back = xfb_back_open(&bo);
    if (!back) {
        fprintf(stderr, "xfb-back-tool: cannot start the backend: %s\n", strerror(errno));
        return 1;
    }
    char line[512], in[8192];
    size_t in_len = 0;
    bool retry = false, eof = false, more = false;
    int rc = 0;
    for (;;) {
        char *nl = retry ? NULL : memchr(in, '\n', in_len);
        if (!nl && !retry && eof)
            break;
        struct pollfd p[4];
        int fds[3];
        int n = xfb_back_fds(back, fds, 3);
        for (int i = 0; i < n; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int np = n;
        if (!retry && !nl && !eof)
            p[np++] = (struct pollfd){.fd = 0, .events = POLLIN};
        if (poll(p, (nfds_t)np, retry ? 20 : nl || more ? 0 : -1) < 0 && errno != EINTR)
            break;
        int dr = xfb_back_dispatch(back);
        if (dr < 0) {
            rc = 1;
            break;
        }
        more = dr > 0;
        if (!retry && !nl && np > n && (p[n].revents & (POLLIN | POLLHUP))) {
            ssize_t got = read(0, in + in_len, sizeof(in) - in_len);
            if (got <= 0)
                eof = true;
            else
                in_len += (size_t)got;
            if (in_len == sizeof(in) && !memchr(in, '\n', in_len))
                in_len = 0; /* a line longer than the buffer: dropped */
            continue;
        }
        if (!retry && nl) {
            size_t len = (size_t)(nl - in);
            snprintf(line, sizeof(line), "%.*s", (int)len, in);
            memmove(in, nl + 1, in_len - len - 1);
            in_len -= len + 1;
        } else if (!retry) {
            continue;
        }
        enum result r = run(line);
        if (r == QUIT)
            break;
        retry = r == RETRY;
    }
    xfb_back_close(back);
    return rc;
}
