#include "proto/clip.h"

#include <string.h>

#include "proto/layout.h"

_Static_assert(XFB_CLIP_MAX == XFB_CLIP_PAGES * XFB_PAGE_SIZE, "the buffer fills its pages");
_Static_assert(XFB_CLIP_HEADER_END <= XFB_ALIVE_FRONT_OFFS, "the header stays clear of liveness");

/* Tries before a reader gives up on a writer that keeps writing; the
 * writer notifies when done, so nothing is lost. */
#define READ_TRIES 4

static uint32_t load(const volatile uint8_t *hdr, unsigned offs)
{
    return __atomic_load_n((const uint32_t *)(hdr + offs), __ATOMIC_RELAXED);
}

static void store(volatile uint8_t *hdr, unsigned offs, uint32_t v)
{
    __atomic_store_n((uint32_t *)(hdr + offs), v, __ATOMIC_RELAXED);
}

void xfb_clip_write(volatile uint8_t *hdr, unsigned seq_off, unsigned len_off,
                    volatile uint8_t *buf, const void *text, uint32_t len, uint32_t *seq)
{
    if (len > XFB_CLIP_MAX)
        len = XFB_CLIP_MAX;
    *seq |= 1;
    store(hdr, seq_off, *seq); /* odd: writing */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy((void *)buf, text, len);
    store(hdr, len_off, len);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    store(hdr, seq_off, ++*seq); /* even: done */
}

enum xfb_clip_result xfb_clip_copy(const volatile uint8_t *hdr, unsigned seq_off, unsigned len_off,
                                   const volatile uint8_t *buf, uint8_t *out, uint32_t *len,
                                   uint32_t *seen)
{
    for (int i = 0; i < READ_TRIES; i++) {
        uint32_t s = load(hdr, seq_off);
        if (s == *seen)
            return XFB_CLIP_NONE;
        if (s & 1)
            continue;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t n = load(hdr, len_off);
        /* never copy more than the buffer: the length is checked only
         * once the count says it is the writer's final word */
        memcpy(out, (const void *)buf, n <= XFB_CLIP_MAX ? n : 0);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (load(hdr, seq_off) != s)
            continue;
        *seen = s;
        if (n > XFB_CLIP_MAX)
            return XFB_CLIP_TOO_LONG;
        *len = n;
        return XFB_CLIP_NEW;
    }
    return XFB_CLIP_BUSY;
}

bool xfb_clip_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned n;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (unsigned k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

size_t xfb_clip_utf8_to_latin1(const uint8_t *s, size_t len, char *out, size_t *replaced)
{
    size_t o = 0;
    *replaced = 0;
    for (size_t i = 0; i < len;) {
        uint8_t c = s[i];
        if (c < 0x80) {
            out[o++] = (char)c;
            i++;
        } else if ((c == 0xc2 || c == 0xc3) && i + 1 < len) {
            out[o++] = (char)(((c & 0x03) << 6) | (s[i + 1] & 0x3f));
            i += 2;
        } else {
            /* one '?' per character: skip its continuation bytes */
            out[o++] = '?';
            (*replaced)++;
            for (i++; i < len && (s[i] & 0xc0) == 0x80; i++)
                ;
        }
    }
    return o;
}

size_t xfb_clip_latin1_to_utf8(const uint8_t *s, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (c == 0)
            continue;
        if (c < 0x80) {
            out[o++] = c;
        } else {
            out[o++] = (uint8_t)(0xc0 | (c >> 6));
            out[o++] = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    return o;
}
