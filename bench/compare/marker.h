/*
 * The frame marker shared by the drawing program (xwork) and the
 * measuring client (vncmeasure): xwork paints frame counter C into two
 * 4x4 blocks at the screen's top-left corner, colour C and its
 * complement (so a frame's own pixels are not taken for a marker), and
 * stores in a small shared file when it started drawing C; the client
 * reads the blocks back out of each update and looks the time up.
 * Both run on one machine and read one CLOCK_MONOTONIC.
 */
#ifndef XENFB_BENCH_MARKER_H
#define XENFB_BENCH_MARKER_H

#include <stdint.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#define MARKER_W        8
#define MARKER_H        4
#define MARKER_PROBE_XA 1
#define MARKER_PROBE_XB 5
#define MARKER_PROBE_Y  1
/* a client sees a frame well within this many frames of its drawing */
#define MARKER_RING 65536

struct marker_shm {
    uint64_t drawn;           /* frames completed (XSync returned) */
    uint64_t ts[MARKER_RING]; /* [C % MARKER_RING]: ns when drawing C began */
};

static inline int marker_open(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd >= 0 && ftruncate(fd, sizeof(struct marker_shm)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline struct marker_shm *marker_map(int fd)
{
    void *p = mmap(NULL, sizeof(struct marker_shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? NULL : (struct marker_shm *)p;
}

/* the marker's two colours for counter C (24-bit true colour) */
static inline uint32_t marker_colour(uint64_t c)
{
    return (uint32_t)c & 0xffffff;
}
static inline uint32_t marker_check(uint64_t c)
{
    return ~(uint32_t)c & 0xffffff;
}

#endif
