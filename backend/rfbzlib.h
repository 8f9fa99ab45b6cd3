/* The zlib streams of Tight and ZRLE, as both encoders make them: raw
 * deflate behind a zlib header written by hand. A viewer's inflater
 * checks the adler32 only at a stream's end, which never comes (a
 * stream lasts as long as the connection), while zlib's own wrapper
 * would compute it over every byte (4.4 % of the machine's samples in
 * a 1920x1080 Tight profile). */
#ifndef XFB_RFBZLIB_H
#define XFB_RFBZLIB_H

#include <stdint.h>
#include <zlib.h>

/* The header: deflate, 32 KiB window (what the raw stream uses),
 * fastest compression, no dictionary; a multiple of 31 as zlib checks.
 * It goes first of all in a stream's bytes. */
static const uint8_t rfb_zlib_header[2] = {0x78, 0x01};

/* A stream's deflater at a zlib level (1-9): raw, its 32 KiB window. */
static inline int rfb_deflate_init(z_stream *zs, int level)
{
    return deflateInit2(zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

#endif
