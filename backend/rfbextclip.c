/* The extended clipboard (rfbproto, "Extended Clipboard Pseudo-
 * encoding"), both ways: the guest's text offered to a viewer that has
 * it and provided when it asks, its own taken when it provides. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "rfbguard.h"
#include "rfbserver_int.h"

/* An extended clipboard message: ServerCutText with the length
 * negative, the flags, then data. */
static int send_ext_cut(struct session *ss, uint32_t flags, const void *data, size_t len)
{
    uint32_t n = (uint32_t)(-(int64_t)(4 + len));
    uint8_t m[12] = {3,
                     0,
                     0,
                     0,
                     (uint8_t)(n >> 24),
                     (uint8_t)(n >> 16),
                     (uint8_t)(n >> 8),
                     (uint8_t)n,
                     (uint8_t)(flags >> 24),
                     (uint8_t)(flags >> 16),
                     (uint8_t)(flags >> 8),
                     (uint8_t)flags};
    if (rfbguard_send(ss->c, m, sizeof(m), len > 0) < 0)
        return -1;
    return len ? rfbguard_send(ss->c, data, len, false) : 0;
}

/* The guest's text as the extended clipboard provides it: its size and
 * the text with CRLF line ends and a NUL, deflated as one stream. */
static int send_provide(struct session *ss, const char *t, size_t len)
{
    size_t lf = 0;
    for (size_t i = 0; i < len; i++)
        lf += t[i] == '\n';
    size_t n = len + lf + 1;
    uint8_t *raw = malloc(4 + n);
    uLongf zlen = compressBound((uLong)(4 + n));
    uint8_t *z = malloc(zlen);
    int r = -1;
    if (raw && z) {
        raw[0] = (uint8_t)(n >> 24);
        raw[1] = (uint8_t)(n >> 16);
        raw[2] = (uint8_t)(n >> 8);
        raw[3] = (uint8_t)n;
        uint8_t *d = raw + 4;
        for (size_t i = 0; i < len; i++) {
            if (t[i] == '\n' && (i == 0 || t[i - 1] != '\r'))
                *d++ = '\r';
            *d++ = (uint8_t)t[i];
        }
        *d++ = 0;
        if (compress2(z, &zlen, raw, (uLong)(d - raw), 1) == Z_OK)
            r = send_ext_cut(ss, CLIP_PROVIDE | CLIP_TEXT, z, zlen);
    }
    free(raw);
    free(z);
    return r;
}

/* What the extended clipboard owes the viewer: our capabilities (text,
 * every action, up to CLIP_MAX bytes), a request for its text, word that
 * the guest has new text, the text. */
int extclip_send(struct session *ss, const struct job *j)
{
    int r = 0;
    if (j->clip_caps) {
        uint8_t max[4] = {(uint8_t)(CLIP_MAX >> 24), (uint8_t)(CLIP_MAX >> 16),
                          (uint8_t)(CLIP_MAX >> 8), (uint8_t)CLIP_MAX};
        r = send_ext_cut(
            ss, CLIP_CAPS | CLIP_REQUEST | CLIP_PEEK | CLIP_NOTIFY | CLIP_PROVIDE | CLIP_TEXT, max,
            sizeof(max));
    }
    if (r == 0 && j->clip_request)
        r = send_ext_cut(ss, CLIP_REQUEST | CLIP_TEXT, NULL, 0);
    if (r == 0 && j->clip_notify)
        r = send_ext_cut(ss, CLIP_NOTIFY | (j->clip_text ? CLIP_TEXT : 0), NULL, 0);
    if (r == 0 && j->clip_provide && j->cut)
        r = send_provide(ss, j->cut, j->cut_len);
    return r;
}

/* The text of an extended clipboard Provide (a zlib stream of a size
 * and the text, for each format flagged; text the first), at most
 * CLIP_MAX bytes; NULL when it is not that. */
static char *provided_text(const uint8_t *z, size_t zlen, size_t *len)
{
    uint8_t *out = malloc(4 + CLIP_MAX + 1);
    z_stream zs = {.next_in = (Bytef *)z, .avail_in = (uInt)zlen};
    if (!out || inflateInit(&zs) != Z_OK) {
        free(out);
        return NULL;
    }
    zs.next_out = out;
    zs.avail_out = 4 + CLIP_MAX + 1;
    int r = inflate(&zs, Z_FINISH);
    size_t got = 4 + CLIP_MAX + 1 - zs.avail_out;
    inflateEnd(&zs);
    uint32_t n = got >= 4 ? rfb_be32(out) : 0;
    if ((r != Z_STREAM_END && r != Z_BUF_ERROR) || got < 4 || n > got - 4 || n > CLIP_MAX) {
        free(out);
        return NULL;
    }
    /* CRLF to LF, and no NUL: the guest's own text */
    size_t o = 0;
    for (size_t i = 4; i < 4 + n && out[i]; i++)
        if (!(out[i] == '\r' && i + 1 < 4 + n && out[i + 1] == '\n'))
            out[o++] = out[i];
    *len = o;
    return (char *)out;
}

/* An extended clipboard message from the viewer (flags, then data). */
void extclip_received(struct session *ss, const uint8_t *p, size_t len)
{
    struct rfbserver *s = ss->s;
    uint32_t flags = rfb_be32(p), action = flags & 0xff000000u;
    bool text = flags & CLIP_TEXT;
    if (action == CLIP_PROVIDE && text) {
        struct ev e = {.type = EV_CUT, .utf8 = true};
        e.text = provided_text(p + 4, len - 4, &e.len);
        if (e.text)
            server_post(s, &e);
        else
            rfbguard_log(ss->c, XFB_LOG_WARNING,
                         "VNC viewer from %s: clipboard text not zlib or over %u bytes: skipped",
                         ss->peer, CLIP_MAX);
        return;
    }
    if (action & CLIP_CAPS)
        return; /* it takes what it says; we ask it for text only */
    pthread_mutex_lock(&s->lock);
    if (action == CLIP_REQUEST && text)
        ss->clip_provide = true;
    else if (action == CLIP_PEEK)
        ss->clip_notify = true;
    else if (action == CLIP_NOTIFY && text)
        ss->clip_request = true; /* its text, please */
    pthread_cond_signal(&ss->wake);
    pthread_mutex_unlock(&s->lock);
}
