/* The clipboard device (protocol.md 8). The caller's text lives in the
 * handle, so it survives the device going and backends coming and going;
 * while the device is there it is also in sixteen pages granted read-only
 * to the backend. Text from dom0 arrives in sixteen pages the backend may
 * write, and is copied out and validated before the caller sees it. */
#include "private.h"

#include "proto/clip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>
#include <xengnttab.h>
#include <xenstore.h>

_Static_assert(XFB_FRONT_CLIP_MAX == XFB_CLIP_MAX, "the public cap is the protocol's");

static void put(struct xfb_front *f, unsigned offs, uint32_t v)
{
    __atomic_store_n((uint32_t *)(f->page + offs), v, __ATOMIC_RELAXED);
}

int xfb_clip_open(struct xfb_front *f)
{
    f->clip.text = malloc(XFB_CLIP_MAX);
    f->clip.copy = malloc(XFB_CLIP_MAX + 1);
    if (!f->clip.text || !f->clip.copy) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void xfb_clip_free(struct xfb_front *f)
{
    free(f->clip.text);
    free(f->clip.copy);
    f->clip.text = f->clip.copy = NULL;
}

static void write_out(struct xfb_front *f)
{
    struct xfb_clip_state *c = &f->clip;
    if (!c->out || !c->have)
        return;
    xfb_clip_write(f->page, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, c->out, c->text, c->len,
                   &c->out_seq);
}

int xfb_clip_attach(struct xfb_front *f)
{
    struct xfb_clip_state *c = &f->clip;
    uint32_t out_refs[XFB_CLIP_PAGES], in_refs[XFB_CLIP_PAGES];
    memset((void *)f->page, 0, XFB_CLIP_HEADER_END);
    /* ours to write, the backend only reads them */
    c->out = xengntshr_share_pages(f->xgs, f->be_id, XFB_CLIP_PAGES, out_refs, 0);
    if (c->out)
        c->in = xengntshr_share_pages(f->xgs, f->be_id, XFB_CLIP_PAGES, in_refs, 1);
    if (!c->out || !c->in) {
        int err = errno;
        xfb_grant_log_alloc_error(f, 1 + 2 * XFB_CLIP_PAGES, err);
        xfb_clip_detach(f);
        errno = err;
        return -1;
    }
    for (unsigned i = 0; i < XFB_CLIP_PAGES; i++) {
        put(f, XFB_CLIP_OUT_GREFS + 4 * i, out_refs[i]);
        put(f, XFB_CLIP_IN_GREFS + 4 * i, in_refs[i]);
    }
    /* fresh pages: the counts start over on both sides */
    c->out_seq = 0;
    c->in_seen = 0;
    write_out(f);
    return 0;
}

void xfb_clip_detach(struct xfb_front *f)
{
    struct xfb_clip_state *c = &f->clip;
    if (c->out && f->xgs)
        xengntshr_unshare(f->xgs, (void *)c->out, XFB_CLIP_PAGES);
    if (c->in && f->xgs)
        xengntshr_unshare(f->xgs, (void *)c->in, XFB_CLIP_PAGES);
    c->out = c->in = NULL;
}

static unsigned read_policy(struct xfb_front *f)
{
    long both = XFB_FRONT_CLIP_TO_GUEST | XFB_FRONT_CLIP_FROM_GUEST;
    char path[256];
    snprintf(path, sizeof(path), "%s/" XFB_NODE_CLIPBOARD_POLICY, f->be_path);
    unsigned len;
    char *v = xs_read(f->xs, XBT_NULL, path, &len);
    unsigned p = 0;
    if (v && !strcmp(v, "both"))
        p = (unsigned)both;
    else if (v && !strcmp(v, "to-guest"))
        p = XFB_FRONT_CLIP_TO_GUEST;
    else if (v && !strcmp(v, "from-guest"))
        p = XFB_FRONT_CLIP_FROM_GUEST;
    free(v);
    return p;
}

void xfb_clip_connected(struct xfb_front *f)
{
    struct xfb_clip_state *c = &f->clip;
    c->policy = read_policy(f);
    xfb_log(f, XFB_LOG_INFO, "%s %u: dom0's policy: text %s", f->name, f->devid,
            c->policy == (XFB_FRONT_CLIP_TO_GUEST | XFB_FRONT_CLIP_FROM_GUEST) ? "both ways"
            : c->policy == XFB_FRONT_CLIP_TO_GUEST                             ? "to the guest only"
            : c->policy == XFB_FRONT_CLIP_FROM_GUEST ? "from the guest only"
                                                     : "neither way");
    /* what we set before it came: it reads the buffer at connect, but a
     * notification costs nothing and covers a backend that looked early */
    if (c->have)
        xfb_grant_notify(f);
}

void xfb_clip_read(struct xfb_front *f)
{
    struct xfb_clip_state *c = &f->clip;
    if (!c->in)
        return;
    uint32_t len = 0;
    switch (xfb_clip_copy(f->page, XFB_CLIP_IN_SEQ, XFB_CLIP_IN_LEN, c->in, c->copy, &len,
                          &c->in_seen)) {
    case XFB_CLIP_NEW:
        break;
    case XFB_CLIP_TOO_LONG:
        xfb_log(f, XFB_LOG_WARNING, "%s %u: the backend's text claims %s: dropped", f->name,
                f->devid, "more than 64 KiB");
        return;
    default:
        return; /* nothing new, or still being written: it notifies again */
    }
    if (!xfb_clip_utf8_valid(c->copy, len)) {
        xfb_log(f, XFB_LOG_WARNING, "%s %u: the backend's text (%u bytes) is not UTF-8: dropped",
                f->name, f->devid, len);
        return;
    }
    c->copy[len] = 0;
    struct xfb_front_event ev = {.type = XFB_FRONT_EV_CLIPBOARD};
    ev.clipboard.text = (const char *)c->copy;
    ev.clipboard.len = len;
    xfb_front_emit(f, &ev);
}

XFB_EXPORT int xfb_front_clip_set(struct xfb_front *f, const void *utf8, size_t len)
{
    if (f->kind != XFB_FRONT_CLIP || (len && !utf8) ||
        !xfb_clip_utf8_valid((const uint8_t *)utf8, len)) {
        errno = EINVAL;
        return -1;
    }
    if (len > XFB_CLIP_MAX) {
        errno = E2BIG;
        return -1;
    }
    struct xfb_clip_state *c = &f->clip;
    memcpy(c->text, utf8, len);
    c->len = (uint32_t)len;
    c->have = true;
    write_out(f);
    if (f->connected)
        xfb_grant_notify(f);
    return 0;
}

XFB_EXPORT unsigned xfb_front_clip_policy(const struct xfb_front *f)
{
    return f->kind == XFB_FRONT_CLIP && f->connected ? f->clip.policy : 0;
}
