/* Client-to-server RFB messages, checked before the server acts on them
 * (rfbfilter.h says why). */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rfbfilter.h"

enum {
    S_TYPE,    /* waiting for a message's first byte */
    S_FIXED,   /* reading msg[0..want) */
    S_ENC,     /* reading SetEncodings' list */
    S_CUT,     /* passing cut text on */
    S_SKIP,    /* skipping cut text over the limit */
    S_SCREENS, /* skipping SetDesktopSize's screens */
    S_BAD,     /* after an error: nothing more is read */
};

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void rfbfilter_init(struct rfbfilter *f)
{
    memset(f, 0, sizeof(*f));
    f->state = S_TYPE;
}

static ssize_t bad(struct rfbfilter *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static ssize_t bad(struct rfbfilter *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof(f->why), fmt, ap);
    va_end(ap);
    f->state = S_BAD;
    return -1;
}

/* The encodings the server acts on (rfbserver.c), with every JPEG
 * quality and compression level. */
static bool known_encoding(int32_t e)
{
    switch (e) {
    case 0:                   /* Raw */
    case 7:                   /* Tight */
    case 16:                  /* ZRLE */
    case -223:                /* DesktopSize */
    case -239:                /* Cursor */
    case -258:                /* QEMU extended key event */
    case -308:                /* ExtendedDesktopSize */
    case (int32_t)0xc0a1e5ce: /* the extended clipboard */
        return true;
    }
    return (e >= -32 && e <= -23) || (e >= -256 && e <= -247);
}

/* Pixel formats the server converts to: true colour, 8, 16 or 32 bits,
 * each channel a run of at most 8 bits inside the pixel. */
static bool valid_pixfmt(const uint8_t *p)
{
    unsigned bpp = p[0], depth = p[1];
    if (p[3] == 0 || (bpp != 8 && bpp != 16 && bpp != 32) || depth == 0 || depth > bpp)
        return false;
    for (int c = 0; c < 3; c++) {
        unsigned max = be16(p + 4 + 2 * c), shift = p[10 + c];
        if (max == 0 || max > 255 || (max & (max + 1)) != 0)
            return false;
        unsigned bits = 0;
        while (max >> bits)
            bits++;
        if (shift + bits > bpp)
            return false;
    }
    return true;
}

static void put_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The request's rectangle inside the caller's bound (rfbfilter.h). */
static void clip_request(const struct rfbfilter *f, uint8_t *m)
{
    for (int axis = 0; axis < 2; axis++) {
        unsigned max = axis ? f->max_h : f->max_w;
        unsigned pos = be16(m + 2 + 2 * axis), len = be16(m + 6 + 2 * axis);
        if (pos > max)
            pos = max;
        if (len > max - pos)
            len = max - pos;
        put_be16(m + 2 + 2 * axis, pos);
        put_be16(m + 6 + 2 * axis, len);
    }
}

/* QEMU key numbers stop at 253 (rfbkeys.c): a code past them becomes 0,
 * no key, and the server falls back to the keysym. */
static void keycode_in_table(uint8_t *m)
{
    if (be32(m + 8) >= RFBFILTER_QNUM_CODES)
        memset(m + 8, 0, 4);
}

static size_t room(size_t out_len, size_t cap)
{
    return out_len < cap ? cap - out_len : 0;
}

static void put(uint8_t *out, size_t *out_len, const void *p, size_t n)
{
    memcpy(out + *out_len, p, n);
    *out_len += n;
}

/* A fixed part read whole: pass it on, or go on to its variable part. */
static ssize_t fixed_done(struct rfbfilter *f, uint8_t *out, size_t *out_len, size_t cap)
{
    switch (f->msg[0]) {
    case 0:
        if (!valid_pixfmt(f->msg + 4))
            return bad(f, "a pixel format the server cannot serve (%u bits per pixel)", f->msg[4]);
        break;
    case 2:
        f->left = be16(f->msg + 2);
        f->kept = 0;
        f->have = 0;
        f->state = S_ENC;
        return 0;
    case 6: {
        /* a negative length: the extended clipboard, flags and data */
        int32_t len = (int32_t)be32(f->msg + 4);
        f->left = len < 0 ? (uint32_t)(-(int64_t)len) : (uint32_t)len;
        if (len < 0 && f->left < 4)
            return bad(f, "an extended cut text of %u bytes, without its flags", f->left);
        if (f->left > RFBFILTER_MAX_CUT_TEXT) {
            f->dropped = f->left;
            f->have = 0;
            f->state = S_SKIP;
            return 0;
        }
        break; /* the header goes on when there is room: read whole until then */
    }
    case 3:
        clip_request(f, f->msg);
        break;
    case 251: /* SetDesktopSize: for the caller */
        f->ask_w = be16(f->msg + 2);
        f->ask_h = be16(f->msg + 4);
        f->ask_status = !f->ask_w || !f->ask_h || !f->msg[6] ? 3 : 0;
        f->left = 16u * f->msg[6];
        f->have = 0;
        f->state = S_SCREENS;
        return 0;
    case 255:
        if (f->want == 12) {
            keycode_in_table(f->msg);
            break;
        }
        if (f->want == 2) {
            if (f->msg[1] != 0)
                return bad(f, "a QEMU message of subtype %u (only the key event is served)",
                           f->msg[1]);
            f->want = 12;
            f->state = S_FIXED;
            return 0;
        }
        break;
    }
    if (room(*out_len, cap) < f->want) {
        f->state = S_FIXED; /* try again with room */
        return 1;
    }
    put(out, out_len, f->msg, f->want);
    f->have = 0;
    f->state = f->msg[0] == 6 && f->left ? S_CUT : S_TYPE;
    return 0;
}

static ssize_t start(struct rfbfilter *f, uint8_t type)
{
    static const uint8_t len[256] = {
        [0] = 20, [2] = 4, [3] = 10, [4] = 8, [5] = 6, [6] = 8, [251] = 8, [255] = 2};
    if (!len[type])
        return bad(f, "a message of type %u, not one RFB 3.8 viewers send to this server", type);
    f->msg[0] = type;
    f->have = 1;
    f->want = len[type];
    f->state = S_FIXED;
    return 0;
}

static void enc_done(struct rfbfilter *f, uint8_t *out, size_t *out_len)
{
    uint8_t h[4] = {2, 0, 0, (uint8_t)f->kept};
    put(out, out_len, h, sizeof(h));
    put(out, out_len, f->enc, 4 * (size_t)f->kept);
    f->state = S_TYPE;
}

ssize_t rfbfilter_feed(struct rfbfilter *f, const uint8_t *in, size_t n, uint8_t *out,
                       size_t *out_len, size_t cap)
{
    size_t i = 0;
    f->event = RFBFILTER_NONE;
    while (f->event == RFBFILTER_NONE &&
           (i < n || (f->state == S_ENC && f->left == 0) ||
            (f->state == S_FIXED && f->have == f->want) || (f->state == S_SCREENS && !f->left))) {
        size_t take;
        switch (f->state) {
        case S_BAD:
            return -1;
        case S_TYPE:
            if (start(f, in[i++]) < 0)
                return -1;
            break;
        case S_FIXED:
            if (f->have < f->want) {
                take = f->want - f->have < n - i ? f->want - f->have : n - i;
                memcpy(f->msg + f->have, in + i, take);
                f->have += take;
                i += take;
                if (f->have < f->want)
                    break;
            }
            ssize_t r = fixed_done(f, out, out_len, cap);
            if (r < 0)
                return -1;
            if (r > 0)
                return (ssize_t)i; /* out is full */
            break;
        case S_ENC:
            if (f->left == 0) {
                if (room(*out_len, cap) < 4 + 4 * (size_t)f->kept)
                    return (ssize_t)i;
                enc_done(f, out, out_len);
                break;
            }
            take = 4 - f->have < n - i ? 4 - f->have : n - i;
            memcpy(f->msg + f->have, in + i, take);
            f->have += take;
            i += take;
            if (f->have < 4)
                break;
            f->have = 0;
            f->left--;
            if (f->kept < RFBFILTER_MAX_ENCODINGS && known_encoding((int32_t)be32(f->msg)))
                memcpy(f->enc + 4 * f->kept++, f->msg, 4);
            break;
        case S_SCREENS:
            take = f->left < n - i ? f->left : n - i;
            i += take;
            f->left -= (uint32_t)take;
            if (!f->left) {
                f->state = S_TYPE;
                f->event = RFBFILTER_RESIZE;
            }
            break;
        case S_CUT:
        case S_SKIP:
            take = f->left < n - i ? f->left : n - i;
            if (f->state == S_CUT) {
                if (take > room(*out_len, cap))
                    take = room(*out_len, cap);
                if (!take)
                    return (ssize_t)i;
                put(out, out_len, in + i, take);
            }
            i += take;
            f->left -= (uint32_t)take;
            if (!f->left)
                f->state = S_TYPE;
            break;
        }
    }
    return (ssize_t)i;
}
