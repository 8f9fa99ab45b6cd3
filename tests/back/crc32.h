/* CRC-32 (the zlib / IEEE polynomial) of pixel rows, so the test tools on
 * both ends can compare what was drawn with what arrived. */
#ifndef XFB_TESTS_CRC32_H
#define XFB_TESTS_CRC32_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t crc32_update(uint32_t crc, const volatile uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* The rows of rectangle (x, y, w, h) of a surface, bpp bytes per pixel;
 * the caller has clipped the rectangle. */
static inline uint32_t crc32_rect(const volatile uint8_t *pixels, uint32_t stride, uint32_t bpp,
                                  uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    uint32_t crc = 0;
    for (uint32_t r = 0; r < h; r++)
        crc =
            crc32_update(crc, pixels + (size_t)(y + r) * stride + (size_t)x * bpp, (size_t)w * bpp);
    return crc;
}

#endif
