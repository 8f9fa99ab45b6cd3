/* Fuzzing the filter of a VNC viewer's messages (backend/rfbfilter.c),
 * which stands between any network client and the RFB server.
 *
 * Input: byte 0 sets the size of the pieces the stream arrives in
 * (1-64), byte 1 the room the caller gives per call beyond the slack,
 * bytes 2-3 the bound of update requests (width, height: 0-255 times 8);
 * the rest is what the viewer sends.
 *
 * Checks: the filter always makes progress, never writes past the room
 * it is given, and what it passes on is what it would pass on again
 * unchanged (read whole, no error): only valid messages reach the
 * server, requests inside the bound, key codes inside the table, no
 * SetDesktopSize. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rfbfilter.h"

#define OUT_MAX (1 << 20)

static uint8_t out[OUT_MAX + RFBFILTER_OUT_SLACK + 64];
static uint8_t again[OUT_MAX + RFBFILTER_OUT_SLACK + 64];

static void init(struct rfbfilter *f, unsigned w, unsigned h)
{
    rfbfilter_init(f);
    f->max_w = w;
    f->max_h = h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t step = data[0] % 64 + 1, cap = RFBFILTER_OUT_SLACK + data[1] % 64;
    unsigned w = data[2] * 8u, h = data[3] * 8u;
    data += 4;
    size -= 4;
    struct rfbfilter f;
    init(&f, w, h);
    size_t total = 0;
    for (size_t off = 0; off < size && total <= OUT_MAX;) {
        size_t piece = size - off < step ? size - off : step, used = 0;
        while (used < piece) {
            size_t len = 0;
            memset(out + total + cap, 0xa5, 64); /* past the room: must stay */
            ssize_t r = rfbfilter_feed(&f, data + off + used, piece - used, out + total, &len, cap);
            for (int i = 0; i < 64; i++)
                if (out[total + cap + i] != 0xa5)
                    abort();
            if (len > cap || (r == 0 && len == 0) || (r > 0 && (size_t)r > piece - used))
                abort();
            total += len;
            if (r < 0)
                goto check;
            used += (size_t)r;
        }
        off += piece;
    }
check:;
    struct rfbfilter f2;
    init(&f2, w, h);
    size_t len2 = 0;
    for (size_t off = 0; off < total;) {
        /* it stops after each message the caller acts on */
        ssize_t r2 = rfbfilter_feed(&f2, out + off, total - off, again, &len2, sizeof(again));
        if (r2 <= 0)
            abort();
        off += (size_t)r2;
    }
    if (len2 != total || memcmp(out, again, total) != 0)
        abort();
    return 0;
}
