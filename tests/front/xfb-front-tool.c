/* xfb-front-tool: drive libxenfbfront from the command line, for tests.
 *
 * usage: xfb-front-tool vfb|vkbd|clip [options] [--stdin]
 *   --dev N                 device index (0)
 *   --width W --height H    vfb mode at open (640x480)
 *   --depth D               16 or 32 (32)
 *   --max-width W --max-height H   largest mode, granted at open
 *   --timeout MS            backend timeout before [XFB-006] (10000)
 *   --pattern N             fill the framebuffer with pattern N at open
 *   --update x,y,w,h        send this update once connected (repeatable)
 *   --wait-connected MS     wait for Connected before anything else;
 *                           exit 1 if it does not come
 *   --hotplug               open with XFB_FRONT_HOTPLUG: the device may
 *                           come later, go, and come again
 *   --resize-requests       open with XFB_FRONT_RESIZE_REQUEST: take the
 *                           backend's size requests (printed, not answered)
 *   --busy MS               after opening, do not dispatch for MS ms (a
 *                           caller still busy starting, as an X server is)
 *   --stdin                 then read commands from stdin until EOF or quit
 * Without --stdin the tool dispatches until killed (SIGTERM closes cleanly).
 *
 * Commands (one per line on stdin; words separated by spaces):
 *   update X Y W H          xfb_front_update(); prints "update ok"
 *   fill X Y W H RGB        paint a rectangle (RGB in hex), then update it
 *   pattern N               paint pattern N on the whole surface, update it:
 *                           pixel(x, y) = (x * 3 + y * 5 + N * 7) & 0xffffff
 *   resize W H [STRIDE [DEPTH [OFFSET]]]
 *                           prints "resize ok" or "resize error ENAME"
 *   regrant W H [STRIDE [DEPTH]]
 *                           xfb_front_regrant(): "regrant ok" or "regrant error ENAME"
 *   fb                      prints "fb MEMORY MEM_LENGTH W H STRIDE DEPTH"
 *                           (MEMORY 1 when there is framebuffer memory)
 *   wait-connected [MS]     prints "connected" or "timeout connected"
 *   wait-state N [MS]       prints "state N" or "timeout state CUR"
 *   wait-events N [MS]      until N key/pos/motion/refresh events were
 *                           printed in all; prints "events N" or "timeout events GOT"
 *   run MS                  dispatch for MS ms, prints "ran"
 *   state                   prints "state N connected 0|1"
 *   refresh                 prints "refresh-period P" (-1: none yet)
 *   clip-set HEX            xfb_front_clip_set() with these bytes (hex, "-"
 *                           for none): "clip-set ok" or "clip-set error ENAME"
 *   clip-policy             prints "clip-policy MASK" (1 to-guest, 2 from-guest)
 *   close                   xfb_front_close(); prints "closed"
 *   open                    open again with the same options; "opened" or "open error ENAME"
 *   quit                    close and exit 0
 *
 * Output, one line each, on stdout, in the order things happen:
 *   log LEVEL MESSAGE       the library's log (LEVEL error/warning/info/debug)
 *   ev-state N C            the frontend's state became N, connected C
 *   ev-key CODE PRESSED
 *   ev-pos X Y Z XMAX YMAX
 *   ev-resize-request W H   the backend asks for a size
 *   ev-motion DX DY DZ
 *   ev-refresh PERIOD
 *   ev-clipboard LEN HEX    text from dom0 (clip), as hex
 *   ev-device present|gone REASON PATH BACKEND   (hotplug; REASON added,
 *                           removed, replaced or taken)
 * plus the replies to commands above. Every wait defaults to 5000 ms.
 */
#include "xenfb/front.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_UPDATES  16
#define DEFAULT_WAIT 5000

static struct xfb_front *front;
static struct xfb_front_opts opts;
static unsigned events_seen;
static volatile sig_atomic_t stop;
static int initial_pattern = -1;
static unsigned open_flags;

static void on_log(void *data, int level, const char *msg)
{
    static const char *const names[] = {"?", "error", "warning", "info", "debug"};
    (void)data;
    printf("log %s %s\n", names[level >= 1 && level <= 4 ? level : 0], msg);
}

static void on_event(void *data, const struct xfb_front_event *ev)
{
    (void)data;
    switch (ev->type) {
    case XFB_FRONT_EV_KEY:
        printf("ev-key %u %d\n", ev->key.code, ev->key.pressed);
        break;
    case XFB_FRONT_EV_POS:
        printf("ev-pos %d %d %d %d %d\n", ev->pos.x, ev->pos.y, ev->pos.z, ev->pos.x_max,
               ev->pos.y_max);
        break;
    case XFB_FRONT_EV_MOTION:
        printf("ev-motion %d %d %d\n", ev->motion.dx, ev->motion.dy, ev->motion.dz);
        break;
    case XFB_FRONT_EV_REFRESH:
        printf("ev-refresh %u\n", ev->refresh.period);
        break;
    case XFB_FRONT_EV_STATE:
        printf("ev-state %d %d\n", ev->state.state, ev->state.connected);
        return;
    case XFB_FRONT_EV_DEVICE: {
        static const char *const why[] = {"?", "added", "removed", "replaced", "taken"};
        unsigned r = ev->device.reason <= 4 ? ev->device.reason : 0;
        printf("ev-device %s %s %s %s\n", ev->device.present ? "present" : "gone", why[r],
               ev->device.path, ev->device.backend ? ev->device.backend : "-");
        return;
    }
    case XFB_FRONT_EV_RESIZE_REQUEST:
        printf("ev-resize-request %u %u\n", ev->resize_request.width, ev->resize_request.height);
        break;
    case XFB_FRONT_EV_CLIPBOARD:
        printf("ev-clipboard %u ", ev->clipboard.len);
        for (uint32_t i = 0; i < ev->clipboard.len; i++)
            printf("%02x", (unsigned char)ev->clipboard.text[i]);
        printf("\n");
        break;
    }
    events_seen++;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Dispatch until cond() holds or ms pass; returns cond(). */
static bool dispatch_until(bool (*cond)(long), long arg, long ms)
{
    long end = now_ms() + ms;
    for (;;) {
        if (cond && cond(arg))
            return true;
        long left = end - now_ms();
        if (left <= 0 || stop || !front)
            return cond ? cond(arg) : false;
        struct pollfd p = {.fd = xfb_front_fd(front), .events = POLLIN};
        if (poll(&p, 1, (int)left) > 0 && xfb_front_dispatch(front) < 0) {
            printf("dispatch error %s\n", strerror(errno));
            return false;
        }
    }
}

static bool is_connected(long unused)
{
    (void)unused;
    return front && xfb_front_connected(front);
}

static bool state_is(long s)
{
    return front && xfb_front_state(front) == s;
}

static bool events_at_least(long n)
{
    return events_seen >= (unsigned long)n;
}

static void paint(int32_t x, int32_t y, int32_t w, int32_t h, long pattern, uint32_t rgb)
{
    struct xfb_front_fb fb;
    if (xfb_front_get_fb(front, &fb) < 0 || !fb.pixels)
        return;
    uint8_t *base = (uint8_t *)fb.pixels + fb.offset;
    for (int32_t j = y; j < y + h && j < (int32_t)fb.height; j++) {
        for (int32_t i = x; i < x + w && i < (int32_t)fb.width; i++) {
            uint32_t v = pattern >= 0 ? (uint32_t)(i * 3 + j * 5 + pattern * 7) & 0xffffff : rgb;
            if (fb.depth == 32)
                ((uint32_t *)(void *)(base + (size_t)j * fb.stride))[i] = v;
            else
                ((uint16_t *)(void *)(base + (size_t)j * fb.stride))[i] =
                    (uint16_t)(((v >> 8) & 0xf800) | ((v >> 5) & 0x7e0) | ((v >> 3) & 0x1f));
        }
    }
}

static const char *errname(int e)
{
    switch (e) {
    case E2BIG:
        return "E2BIG";
    case EINVAL:
        return "EINVAL";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    case ENOSPC:
        return "ENOSPC";
    case ENODEV:
        return "ENODEV";
    case EBUSY:
        return "EBUSY";
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    default:
        return strerror(e);
    }
}

static int do_open(void)
{
    front = open_flags ? xfb_front_open_flags(&opts, open_flags) : xfb_front_open(&opts);
    if (!front)
        return -1;
    if (initial_pattern >= 0) {
        struct xfb_front_fb fb;
        if (!xfb_front_get_fb(front, &fb))
            paint(0, 0, (int32_t)fb.width, (int32_t)fb.height, initial_pattern, 0);
    }
    return 0;
}

static long wait_arg(char **w, int n, int i)
{
    return n > i ? atol(w[i]) : DEFAULT_WAIT;
}

/* One command; returns false on quit. */
static bool command(char *line)
{
    char *w[8];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 8; t = strtok(NULL, " \t\r\n"))
        w[n++] = t;
    if (!n)
        return true;
    if (!strcmp(w[0], "quit"))
        return false;
    if (!strcmp(w[0], "open")) {
        if (front)
            printf("open error EBUSY\n");
        else if (do_open() < 0)
            printf("open error %s\n", errname(errno));
        else
            printf("opened\n");
        return true;
    }
    if (!front) {
        printf("error not open\n");
        return true;
    }
    if (!strcmp(w[0], "update") && n == 5) {
        int r = xfb_front_update(front, atoi(w[1]), atoi(w[2]), atoi(w[3]), atoi(w[4]));
        printf(r ? "update error %s\n" : "update ok\n", errname(errno));
    } else if (!strcmp(w[0], "fill") && n == 6) {
        paint(atoi(w[1]), atoi(w[2]), atoi(w[3]), atoi(w[4]), -1,
              (uint32_t)strtoul(w[5], NULL, 16));
        xfb_front_update(front, atoi(w[1]), atoi(w[2]), atoi(w[3]), atoi(w[4]));
        printf("fill ok\n");
    } else if (!strcmp(w[0], "pattern") && n == 2) {
        struct xfb_front_fb fb;
        xfb_front_get_fb(front, &fb);
        paint(0, 0, (int32_t)fb.width, (int32_t)fb.height, atol(w[1]), 0);
        xfb_front_update(front, 0, 0, (int32_t)fb.width, (int32_t)fb.height);
        printf("pattern ok\n");
    } else if (!strcmp(w[0], "resize") && n >= 3) {
        struct xfb_front_fb fb;
        xfb_front_get_fb(front, &fb);
        uint32_t wd = (uint32_t)atol(w[1]), ht = (uint32_t)atol(w[2]);
        uint32_t depth = n > 4 ? (uint32_t)atol(w[4]) : fb.depth;
        uint32_t stride = n > 3 ? (uint32_t)atol(w[3]) : wd * (depth / 8);
        uint32_t offset = n > 5 ? (uint32_t)atol(w[5]) : 0;
        if (xfb_front_resize(front, wd, ht, stride, depth, offset) < 0)
            printf("resize error %s\n", errname(errno));
        else
            printf("resize ok\n");
    } else if (!strcmp(w[0], "regrant") && n >= 3) {
        struct xfb_front_fb fb;
        xfb_front_get_fb(front, &fb);
        uint32_t wd = (uint32_t)atol(w[1]), ht = (uint32_t)atol(w[2]);
        uint32_t depth = n > 4 ? (uint32_t)atol(w[4]) : fb.depth;
        uint32_t stride = n > 3 ? (uint32_t)atol(w[3]) : wd * (depth / 8);
        if (xfb_front_regrant(front, wd, ht, stride, depth) < 0)
            printf("regrant error %s\n", errname(errno));
        else
            printf("regrant ok\n");
    } else if (!strcmp(w[0], "fb")) {
        struct xfb_front_fb fb;
        if (xfb_front_get_fb(front, &fb) < 0)
            printf("fb error %s\n", errname(errno));
        else
            printf("fb %d %u %u %u %u %u\n", fb.pixels != NULL, fb.mem_length, fb.width, fb.height,
                   fb.stride, fb.depth);
    } else if (!strcmp(w[0], "wait-connected")) {
        printf(dispatch_until(is_connected, 0, wait_arg(w, n, 1)) ? "connected\n"
                                                                  : "timeout connected\n");
    } else if (!strcmp(w[0], "wait-state") && n >= 2) {
        if (dispatch_until(state_is, atol(w[1]), wait_arg(w, n, 2)))
            printf("state %s\n", w[1]);
        else
            printf("timeout state %d\n", xfb_front_state(front));
    } else if (!strcmp(w[0], "wait-events") && n >= 2) {
        if (dispatch_until(events_at_least, atol(w[1]), wait_arg(w, n, 2)))
            printf("events %s\n", w[1]);
        else
            printf("timeout events %u\n", events_seen);
    } else if (!strcmp(w[0], "run") && n == 2) {
        dispatch_until(NULL, 0, atol(w[1]));
        printf("ran\n");
    } else if (!strcmp(w[0], "state")) {
        printf("state %d connected %d\n", xfb_front_state(front), xfb_front_connected(front));
    } else if (!strcmp(w[0], "refresh")) {
        printf("refresh-period %lld\n", (long long)xfb_front_refresh_period(front));
    } else if (!strcmp(w[0], "clip-set") && n == 2) {
        static unsigned char text[XFB_FRONT_CLIP_MAX + 1];
        size_t len = 0;
        for (const char *h = w[1]; strcmp(w[1], "-") && h[0] && h[1] && len < sizeof(text);
             h += 2) {
            unsigned v;
            sscanf(h, "%2x", &v);
            text[len++] = (unsigned char)v;
        }
        int r = xfb_front_clip_set(front, text, len);
        printf(r ? "clip-set error %s\n" : "clip-set ok\n", errname(errno));
    } else if (!strcmp(w[0], "clip-policy")) {
        printf("clip-policy %u\n", xfb_front_clip_policy(front));
    } else if (!strcmp(w[0], "close")) {
        xfb_front_close(front);
        front = NULL;
        printf("closed\n");
    } else {
        printf("error unknown command %s\n", w[0]);
    }
    return true;
}

/* Read stdin line by line while keeping the device serviced. */
static void command_loop(void)
{
    char buf[4096];
    size_t len = 0;
    while (!stop) {
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            *nl = 0;
            bool go_on = command(buf);
            len -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, len);
            if (!go_on)
                return;
            continue;
        }
        struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
        if (front)
            p[1].fd = xfb_front_fd(front);
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents && front)
            xfb_front_dispatch(front);
        if (p[0].revents) {
            if (len == sizeof(buf))
                len = 0;
            ssize_t r = read(0, buf + len, sizeof(buf) - len);
            if (r <= 0)
                return;
            len += (size_t)r;
        }
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(void)
{
    fputs("usage: xfb-front-tool vfb|vkbd|clip [--dev N] [--width W] [--height H] [--depth D]\n"
          "       [--max-width W] [--max-height H] [--timeout MS] [--pattern N]\n"
          "       [--update x,y,w,h]... [--wait-connected MS] [--hotplug] [--busy MS]\n"
          "       [--resize-requests]\n"
          "       [--stdin]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        usage();
    opts.kind = !strcmp(argv[1], "vfb")    ? XFB_FRONT_VFB
                : !strcmp(argv[1], "vkbd") ? XFB_FRONT_VKBD
                : !strcmp(argv[1], "clip") ? XFB_FRONT_CLIP
                                           : 0;
    if (!opts.kind)
        usage();
    opts.width = 640;
    opts.height = 480;
    opts.log_fn = on_log;
    opts.event_fn = on_event;
    char *updates[MAX_UPDATES];
    int nupdates = 0;
    long wait_connected = -1, busy = 0;
    bool use_stdin = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--stdin")) {
            use_stdin = true;
            continue;
        }
        if (!strcmp(a, "--resize-requests")) {
            open_flags |= XFB_FRONT_RESIZE_REQUEST;
            continue;
        }
        if (!strcmp(a, "--hotplug")) {
            open_flags |= XFB_FRONT_HOTPLUG;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--dev"))
            opts.devid = (unsigned)atol(v);
        else if (!strcmp(a, "--width"))
            opts.width = (uint32_t)atol(v);
        else if (!strcmp(a, "--height"))
            opts.height = (uint32_t)atol(v);
        else if (!strcmp(a, "--depth"))
            opts.depth = (uint32_t)atol(v);
        else if (!strcmp(a, "--max-width"))
            opts.max_width = (uint32_t)atol(v);
        else if (!strcmp(a, "--max-height"))
            opts.max_height = (uint32_t)atol(v);
        else if (!strcmp(a, "--timeout"))
            opts.backend_timeout_ms = (unsigned)atol(v);
        else if (!strcmp(a, "--pattern"))
            initial_pattern = atoi(v);
        else if (!strcmp(a, "--update") && nupdates < MAX_UPDATES)
            updates[nupdates++] = argv[i];
        else if (!strcmp(a, "--wait-connected"))
            wait_connected = atol(v);
        else if (!strcmp(a, "--busy"))
            busy = atol(v);
        else
            usage();
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (do_open() < 0) {
        printf("open error %s\n", errname(errno));
        return 1;
    }
    printf("opened\n");
    if (busy > 0) {
        /* what the library must cope with: nobody dispatches meanwhile, so
         * its timer and the watches that answer it pile up */
        struct timespec ts = {busy / 1000, (busy % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        printf("busy done\n");
    }
    if (wait_connected >= 0) {
        if (!dispatch_until(is_connected, 0, wait_connected)) {
            printf("timeout connected\n");
            xfb_front_close(front);
            return 1;
        }
        printf("connected\n");
    }
    for (int i = 0; i < nupdates; i++) {
        int x, y, w, h;
        if (sscanf(updates[i], "%d,%d,%d,%d", &x, &y, &w, &h) == 4)
            xfb_front_update(front, x, y, w, h);
    }
    if (use_stdin)
        command_loop();
    else
        while (!stop)
            dispatch_until(NULL, 0, 1000);
    xfb_front_close(front);
    return 0;
}
