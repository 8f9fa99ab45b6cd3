/*
 * The frame stamps shared by the drawing program (xwork) and the
 * measuring client (vncmeasure). xwork paints frame counter C twice: at
 * the screen's top-left corner and at its bottom-right corner, and
 * stores in a small shared file when it started drawing C. The client
 * reads both stamps out of the picture it holds after each update: the
 * top-left one says which frame arrived (and when it was drawn), and a
 * bottom-right one that differs says the frame arrived torn, half of
 * one X frame and half of another.
 *
 * A stamp survives lossy encodings (Tight's JPEG): 16 bits of C and
 * their 16 complements in a row of 32 cells, each cell black or white
 * and MARKER_CELL pixels square, aligned to JPEG's 8x8 blocks when the
 * stamp's corner is. A reader thresholds each cell's centre on its
 * luminance; a stamp whose bits and complements disagree is no stamp
 * (the frame's own pixels, or a picture from before the workload).
 * Both programs run on one machine and read one CLOCK_MONOTONIC.
 */
#ifndef XENFB_BENCH_MARKER_H
#define XENFB_BENCH_MARKER_H

#include <stdint.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#define MARKER_BITS 16
#define MARKER_CELL 16
#define MARKER_W    (2 * MARKER_BITS * MARKER_CELL) /* 512 */
#define MARKER_H    MARKER_CELL
/* a client sees a frame well within this many frames of its drawing */
#define MARKER_RING (1 << MARKER_BITS)

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

/* Cell i (0..31) of counter c is white (1) or black (0): the first 16
 * cells are c's bits, most significant first, the next 16 their
 * complements. */
static inline int marker_cell(uint64_t c, int i)
{
    int bit = (int)((c >> (MARKER_BITS - 1 - i % MARKER_BITS)) & 1);
    return i < MARKER_BITS ? bit : !bit;
}

/* the stamp's two corners on a WxH screen */
static inline int marker_x(int corner, int w)
{
    return corner ? w - MARKER_W : 0;
}
static inline int marker_y(int corner, int h)
{
    return corner ? h - MARKER_H : 0;
}

/* Counter value of the stamp at (x, y) of a 0x00RRGGBB picture, or -1
 * when none is there. */
static inline long marker_read(const uint32_t *fb, int stride_px, int x, int y)
{
    int bits[2 * MARKER_BITS];
    for (int i = 0; i < 2 * MARKER_BITS; i++) {
        uint32_t p =
            fb[(long)(y + MARKER_CELL / 2) * stride_px + x + i * MARKER_CELL + MARKER_CELL / 2];
        unsigned luma = (((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 + (p & 0xff) * 29) >> 8;
        bits[i] = luma >= 128;
    }
    long v = 0;
    for (int i = 0; i < MARKER_BITS; i++) {
        if (bits[i] == bits[i + MARKER_BITS])
            return -1;
        v = v << 1 | bits[i];
    }
    return v;
}

#endif
