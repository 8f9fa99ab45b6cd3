/*
 * vncmeasure: the measuring VNC client of the comparison suite, the same
 * for every system measured (bench/compare/README.md).
 *
 *   vncmeasure [--connect HOST:PORT] [--enc raw|zrle|tight] [--quality Q]
 *              [--warm S] --secs S --shm FILE [--pid NAME=PID]...
 *
 * Connects with libvncclient, asks for 32-bit pixels (r/g/b at 16/8/0)
 * and only the encoding given (tight: with --quality Q, 0-9, it also
 * sends the JPEG quality level pseudo-encoding, as TigerVNC's viewer (8)
 * and noVNC (6) do; without it, lossless Tight), and keeps one
 * incremental update request outstanding, as viewers do. After --warm
 * seconds (default 1) it counts for --secs seconds and prints one line
 * of NAME=VALUE figures:
 *
 *   updates    FramebufferUpdates received, bytes  bytes on the wire
 *              (the socket's tcpi_bytes_received)
 *   frames     updates after which the picture holds a frame not seen
 *              whole before (maybe completing one shown torn): the drawing program (xwork) stamps a
 * frame counter into the top-left and the bottom-right corners (marker.h) and writes, in FILE, the
 * CLOCK_MONOTONIC time at which it started drawing each value; the frame counts when both corners
 * hold the same new value. lat_* are the delays from that time to the end of the update that showed
 * the frame whole torn       updates after which the top-left corner holds a value but the
 * bottom-right one another: a picture mixing two X frames, counted once per top-left value
 * (torn_frac = torn / (frames + torn)) drawn      frames the drawing program completed in the
 * window cpu_NAME   CPU seconds (user + system, all threads) of PID in the window, ctx_NAME its
 * context switches (all threads) client_cpu this client's own CPU seconds, to show it is no
 * bottleneck
 *
 * Without --connect it only takes the /proc figures (the dummy server,
 * which has nobody to export to).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <rfb/rfbclient.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "marker.h"

#define MAX_PIDS 8
#define MAX_LAT  (1 << 20)

struct proc_snap {
    double cpu;
    long ctx;
};

static struct {
    const char *name;
    int pid;
    struct proc_snap a, b;
} pids[MAX_PIDS];
static int npids;

static struct marker_shm *shm;
static int counting;
static long updates, frames, torn;
static long last_whole = -1, last_torn = -1;
static int64_t *lat;
static long nlat;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double proc_cpu(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* the command name may hold spaces: fields count from its ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long ut = 0, st = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_ctx(int pid)
{
    char path[300], line[256];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/status", pid, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        while (fgets(line, sizeof line, f)) {
            long v;
            if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
                sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
                sum += v;
        }
        fclose(f);
    }
    closedir(d);
    return sum;
}

static void snap(int second)
{
    for (int i = 0; i < npids; i++) {
        struct proc_snap *s = second ? &pids[i].b : &pids[i].a;
        s->cpu = proc_cpu(pids[i].pid);
        s->ctx = proc_ctx(pids[i].pid);
    }
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static uint64_t wire_bytes(rfbClient *cl)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (!cl || getsockopt(cl->sock, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return 0;
    return ti.tcpi_bytes_received;
}

static void finished(rfbClient *cl)
{
    int64_t t = now_ns();
    if (!counting)
        return;
    updates++;
    if (cl->width < MARKER_W || cl->height < 2 * MARKER_H)
        return;
    const uint32_t *fb = (const uint32_t *)cl->frameBuffer;
    long tl = marker_read(fb, cl->width, marker_x(0, cl->width), marker_y(0, cl->height));
    long br = marker_read(fb, cl->width, marker_x(1, cl->width), marker_y(1, cl->height));
    if (tl < 0)
        return;
    if (br != tl) {
        /* a mixed picture shown: once per top-left value */
        if (tl != last_torn)
            torn++;
        last_torn = tl;
        return;
    }
    /* whole, maybe only now that a later update brought the rest */
    if (tl == last_whole)
        return;
    last_whole = tl;
    frames++;
    int64_t d = (int64_t)__atomic_load_n(&shm->ts[tl % MARKER_RING], __ATOMIC_ACQUIRE);
    /* a value drawn before this run, or a slot already reused, is no sample */
    if (d > 0 && t >= d && t - d < 10000000000LL && nlat < MAX_LAT)
        lat[nlat++] = t - d;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(int pct)
{
    if (!nlat)
        return -1;
    long i = (nlat * pct + 99) / 100 - 1;
    if (i < 0)
        i = 0;
    return (double)lat[i] / 1e6;
}

static void quiet(const char *fmt, ...)
{
    (void)fmt;
}

static void usage(void)
{
    fprintf(stderr, "usage: vncmeasure [--connect HOST:PORT] [--enc raw|zrle|tight] [--quality Q] "
                    "[--warm S] --secs S --shm FILE [--pid NAME=PID]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *connect_to = NULL, *enc = "raw", *shm_path = NULL;
    double warm = 1, secs = -1;
    int quality = -1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--connect"))
            connect_to = argv[++i];
        else if (!strcmp(argv[i], "--enc"))
            enc = argv[++i];
        else if (!strcmp(argv[i], "--quality"))
            quality = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warm"))
            warm = atof(argv[++i]);
        else if (!strcmp(argv[i], "--secs"))
            secs = atof(argv[++i]);
        else if (!strcmp(argv[i], "--shm"))
            shm_path = argv[++i];
        else if (!strcmp(argv[i], "--pid") && npids < MAX_PIDS) {
            char *v = argv[++i], *eq = strchr(v, '=');
            if (!eq)
                usage();
            *eq = 0;
            pids[npids].name = v;
            pids[npids++].pid = atoi(eq + 1);
        } else
            usage();
    }
    if (secs <= 0 || !shm_path ||
        (strcmp(enc, "raw") && strcmp(enc, "zrle") && strcmp(enc, "tight")) || quality > 9 ||
        (quality >= 0 && strcmp(enc, "tight")))
        usage();
    int fd = marker_open(shm_path);
    if (fd < 0 || !(shm = marker_map(fd))) {
        fprintf(stderr, "vncmeasure: %s: %s\n", shm_path, strerror(errno));
        return 1;
    }
    lat = calloc(MAX_LAT, sizeof *lat);
    if (!lat)
        return 1;

    rfbClient *cl = NULL;
    if (connect_to) {
        rfbClientLog = quiet;
        cl = rfbGetClient(8, 3, 4);
        /* 0x00RRGGBB in memory, the drawing program's own pixel values */
        cl->format.redShift = 16;
        cl->format.greenShift = 8;
        cl->format.blueShift = 0;
        cl->appData.encodingsString = enc;
        cl->appData.useRemoteCursor = FALSE;
        /* no compression level, as TigerVNC's viewer (noVNC sends 2):
         * each server's default */
        cl->appData.compressLevel = -1;
        cl->appData.enableJPEG = quality >= 0;
        cl->appData.qualityLevel = quality;
        cl->canHandleNewFBSize = FALSE;
        cl->FinishedFrameBufferUpdate = finished;
        char *host = strdup(connect_to), *colon = strrchr(host, ':');
        if (!colon)
            usage();
        *colon = 0;
        cl->serverHost = host;
        cl->serverPort = atoi(colon + 1);
        if (!rfbInitClient(cl, NULL, NULL)) {
            fprintf(stderr, "vncmeasure: cannot connect to %s\n", connect_to);
            return 1;
        }
    }

    int64_t t0 = now_ns() + (int64_t)(warm * 1e9), t1 = t0 + (int64_t)(secs * 1e9);
    uint64_t bytes0 = 0, drawn0 = 0;
    double ccpu0 = 0;
    for (int phase = 0; phase < 2; phase++) {
        int64_t until = phase ? t1 : t0;
        for (int64_t t; (t = now_ns()) < until;) {
            if (!cl) {
                struct timespec ts = {(until - t) / 1000000000LL, (until - t) % 1000000000LL};
                nanosleep(&ts, NULL);
                continue;
            }
            int r = WaitForMessage(cl, (unsigned)((until - t) / 1000 + 1));
            if (r < 0 || (r > 0 && !HandleRFBServerMessage(cl))) {
                fprintf(stderr, "vncmeasure: the server closed the connection\n");
                return 1;
            }
        }
        if (phase == 0) {
            snap(0);
            bytes0 = wire_bytes(cl);
            drawn0 = __atomic_load_n(&shm->drawn, __ATOMIC_ACQUIRE);
            ccpu0 = self_cpu();
            counting = 1;
        } else {
            counting = 0;
            snap(1);
        }
    }
    double el = (double)(now_ns() - t0) / 1e9;
    uint64_t bytes = wire_bytes(cl) - bytes0;
    uint64_t drawn = __atomic_load_n(&shm->drawn, __ATOMIC_ACQUIRE) - drawn0;
    qsort(lat, (size_t)nlat, sizeof *lat, cmp_i64);
    printf("seconds=%.2f updates=%ld frames=%ld torn=%ld torn_frac=%.3f drawn=%llu bytes=%llu "
           "lat_n=%ld lat_med_ms=%.3f "
           "lat_p99_ms=%.3f lat_max_ms=%.3f client_cpu=%.3f",
           el, updates, frames, torn, frames + torn ? (double)torn / (double)(frames + torn) : 0.0,
           (unsigned long long)drawn, (unsigned long long)bytes, nlat, pct_ms(50), pct_ms(99),
           nlat ? (double)lat[nlat - 1] / 1e6 : -1, self_cpu() - ccpu0);
    for (int i = 0; i < npids; i++)
        printf(" cpu_%s=%.2f ctx_%s=%ld", pids[i].name, pids[i].b.cpu - pids[i].a.cpu, pids[i].name,
               pids[i].b.ctx - pids[i].a.ctx);
    printf("\n");
    if (cl)
        rfbClientCleanup(cl);
    return 0;
}
