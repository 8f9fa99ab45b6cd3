/* The clipboard device (protocol.md 8): text both ways between a guest
 * and the viewers, as dom0's policy for that guest allows.
 *
 * The guest's text is in pages it granted read-only; we copy it out
 * under its sequence count, then check the copy (length, strict UTF-8)
 * and hand only the copy on. Our text goes into pages the guest granted
 * writable, under our own count. Nothing in either is ever more than
 * text to us. A guest that rewrites its text without end gets one copy
 * per XFB_CLIP_INTERVAL_NS, its port masked in between; one that notifies
 * without changing anything counts as a flood like any other device. */
#include "config.h"

#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "proto/clip.h"

/* The most copies of a guest's text per second: far above what a person
 * copying text needs, and each costs at most a 64 KiB copy, a UTF-8 scan
 * and a send to each viewer. */
#define XFB_CLIP_INTERVAL_NS 50000000LL

struct xfb_clip_dev {
    volatile uint8_t *out; /* the guest's text, read-only */
    volatile uint8_t *in;  /* ours for the guest, writable */
    uint32_t out_seen;     /* the guest's count at the last look */
    uint32_t in_seq;       /* our own count */
    bool to_guest, from_guest;
    bool kept_logged;  /* "kept in the guest" said for this connection */
    int64_t last_copy; /* xfb_mono_ns() of the last copy; 0: none */
    time_t limit_logged;
    time_t bad_logged;     /* invalid text: one line per 10 s at most */
    unsigned bad_unlogged; /* dropped since that line */
    uint8_t copy[XFB_CLIP_MAX + 1];
};

static const char *policy_name(const struct xfb_clip_dev *c)
{
    return c->to_guest && c->from_guest ? "both ways"
           : c->to_guest                ? "to the guest only"
           : c->from_guest              ? "from the guest only"
                                        : "neither way";
}

/* The policy node of our own directory: none or anything unknown lets
 * nothing through. */
static void read_policy(struct xfb_dev *d, struct xfb_clip_dev *c)
{
    char *pol = xfb_xs_read(d->g->b, d->bpath, XFB_NODE_CLIPBOARD_POLICY);
    c->to_guest = pol && (!strcmp(pol, "both") || !strcmp(pol, "to-guest"));
    c->from_guest = pol && (!strcmp(pol, "both") || !strcmp(pol, "from-guest"));
    free(pol);
}

int xfb_clip_connect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    unsigned long gref, port;
    if (xfb_xs_read_uint(b, d->fpath, XFB_NODE_PAGE_GREF, UINT32_MAX, &gref) < 0 ||
        xfb_xs_read_uint(b, d->fpath, "event-channel", UINT32_MAX, &port) < 0) {
        xfb_log(XFB_LOG_ERROR, d,
                "frontend's page-gref or event-channel is missing or not a "
                "number");
        return -1;
    }
    struct xfb_clip_dev *c = calloc(1, sizeof(*c));
    if (!c) {
        xfb_log(XFB_LOG_ERROR, d, "out of memory");
        return -1;
    }
    /* the policy is dom0's, from our own directory (the guest cannot
     * write there); a change applies at once (xfb_clip_policy_changed) */
    read_policy(d, c);
    if (xfb_dev_map_page(d, gref, port) < 0) {
        free(c);
        return -1;
    }
    /* the buffers' pages are named once, here; rewriting the references
     * later changes nothing we map */
    uint32_t out_refs[XFB_CLIP_PAGES], in_refs[XFB_CLIP_PAGES];
    for (unsigned i = 0; i < XFB_CLIP_PAGES; i++) {
        out_refs[i] = __atomic_load_n((const uint32_t *)(d->page + XFB_CLIP_OUT_GREFS + 4 * i),
                                      __ATOMIC_RELAXED);
        in_refs[i] = __atomic_load_n((const uint32_t *)(d->page + XFB_CLIP_IN_GREFS + 4 * i),
                                     __ATOMIC_RELAXED);
    }
    uint32_t domid = (uint32_t)d->g->domid;
    c->out = xengnttab_map_domain_grant_refs(b->xgt, XFB_CLIP_PAGES, domid, out_refs, PROT_READ);
    if (c->out)
        c->in = xengnttab_map_domain_grant_refs(b->xgt, XFB_CLIP_PAGES, domid, in_refs,
                                                PROT_READ | PROT_WRITE);
    if (!c->out || !c->in) {
        xfb_log(XFB_LOG_ERROR, d, "cannot map the clipboard's pages: %s", strerror(errno));
        if (c->out)
            xengnttab_unmap(b->xgt, (void *)c->out, XFB_CLIP_PAGES);
        free(c);
        xfb_dev_unmap_page(d);
        return -1;
    }
    /* go on from the count the page holds, so that a frontend which saw
     * a previous backend's text still sees ours as new */
    c->in_seq = __atomic_load_n((const uint32_t *)(d->page + XFB_CLIP_IN_SEQ), __ATOMIC_RELAXED);
    c->in_seq = (c->in_seq | 1) + 1;
    d->clip = c;
    d->connected = true;
    xfb_log(XFB_LOG_INFO, d, "connected: clipboard %s", policy_name(c));
    return 0;
}

void xfb_clip_policy_changed(struct xfb_dev *d)
{
    struct xfb_clip_dev *c = d->clip;
    if (!d->connected || !c)
        return; /* read when it connects */
    bool to = c->to_guest, from = c->from_guest;
    read_policy(d, c);
    if (to == c->to_guest && from == c->from_guest)
        return;
    /* a direction turned off may be turned on again: say it anew */
    c->kept_logged = false;
    xfb_log(XFB_LOG_INFO, d, "clipboard policy changed: now %s", policy_name(c));
}

void xfb_clip_disconnect(struct xfb_dev *d)
{
    struct xfb_back *b = d->g->b;
    struct xfb_clip_dev *c = d->clip;
    d->connected = false;
    if (c) {
        xengnttab_unmap(b->xgt, (void *)c->out, XFB_CLIP_PAGES);
        xengnttab_unmap(b->xgt, (void *)c->in, XFB_CLIP_PAGES);
        free(c);
        d->clip = NULL;
    }
    xfb_dev_unmap_page(d);
}

/* Too soon after the last copy: leave the port masked until the
 * interval is over (the throttle timer, back.c), then look again. */
static bool too_soon(struct xfb_dev *d, struct xfb_clip_dev *c)
{
    int64_t now = xfb_mono_ns();
    if (!c->last_copy || now - c->last_copy >= XFB_CLIP_INTERVAL_NS) {
        c->last_copy = now;
        return false;
    }
    d->throttled = true;
    d->slice_start = c->last_copy + XFB_CLIP_INTERVAL_NS - XFB_SLICE_NS;
    time_t sec = (time_t)(now / 1000000000);
    if (!c->limit_logged || sec - c->limit_logged >= 10) {
        xfb_log(XFB_LOG_WARNING, d,
                "clipboard changes faster than %lld a second: taking one "
                "each %lld ms",
                1000000000LL / XFB_CLIP_INTERVAL_NS, XFB_CLIP_INTERVAL_NS / 1000000);
        c->limit_logged = sec;
    }
    xfb_back_arm_timer(d->g->b);
    return true;
}

void xfb_clip_event(struct xfb_dev *d)
{
    if (!d->connected)
        return;
    if (!xfb_dev_front_alive(d)) {
        xfb_dev_gone(d);
        return;
    }
    struct xfb_clip_dev *c = d->clip;
    struct xfb_back *b = d->g->b;
    uint32_t s = __atomic_load_n((const uint32_t *)(d->page + XFB_CLIP_OUT_SEQ), __ATOMIC_RELAXED);
    /* a count that moved is progress, even one we do not copy */
    if (!xfb_dev_wakeup(d, s != c->out_seen)) {
        xfb_dev_fail(d, "event channel flood without any change");
        return;
    }
    if (s == c->out_seen || (s & 1))
        return; /* nothing new, or still writing: it notifies when done */
    if (!c->from_guest) {
        c->out_seen = s; /* dom0 said no: not even copied */
        if (!c->kept_logged)
            xfb_log(XFB_LOG_INFO, d,
                    "clipboard: the guest's text stays in the guest (policy "
                    "to-guest; said once per connection)");
        c->kept_logged = true;
        return;
    }
    if (too_soon(d, c))
        return;
    uint32_t len = 0;
    switch (xfb_clip_copy(d->page, XFB_CLIP_OUT_SEQ, XFB_CLIP_OUT_LEN, c->out, c->copy, &len,
                          &c->out_seen)) {
    case XFB_CLIP_NEW:
        break;
    case XFB_CLIP_TOO_LONG:
        xfb_dev_fail(d, "its clipboard text claims more than 64 KiB");
        return;
    default:
        return;
    }
    if (!xfb_clip_utf8_valid(c->copy, len)) {
        time_t sec = (time_t)(xfb_mono_ns() / 1000000000);
        if (c->bad_logged && sec - c->bad_logged < 10) {
            c->bad_unlogged++;
            return;
        }
        xfb_log(XFB_LOG_WARNING, d,
                "clipboard text of %u bytes is not UTF-8: dropped (and %u "
                "more since the last such line)",
                len, c->bad_unlogged);
        c->bad_logged = sec;
        c->bad_unlogged = 0;
        return;
    }
    c->copy[len] = 0;
    xfb_log(XFB_LOG_INFO, d, "clipboard: %u bytes from the guest", len);
    if (b->ops && b->ops->clipboard)
        b->ops->clipboard(b->data, d->g, (const char *)c->copy, len);
}

int xfb_back_clip_send(struct xfb_back_guest *g, const char *utf8, size_t len)
{
    struct xfb_dev *d = &g->clip;
    struct xfb_clip_dev *c = d->clip;
    if (!d->connected || !c) {
        errno = ENOTCONN;
        return -1;
    }
    if (!c->to_guest) {
        errno = EPERM;
        return -1;
    }
    if (len > XFB_CLIP_MAX) {
        errno = E2BIG;
        return -1;
    }
    if (!xfb_clip_utf8_valid((const uint8_t *)utf8, len)) {
        errno = EINVAL;
        return -1;
    }
    xfb_clip_write(d->page, XFB_CLIP_IN_SEQ, XFB_CLIP_IN_LEN, c->in, utf8, (uint32_t)len,
                   &c->in_seq);
    xfb_dev_notify(d);
    xfb_log(XFB_LOG_INFO, d, "clipboard: %zu bytes to the guest", len);
    return 0;
}

unsigned xfb_back_clip_policy(const struct xfb_back_guest *g)
{
    const struct xfb_clip_dev *c = g->clip.connected ? g->clip.clip : NULL;
    if (!c)
        return 0;
    return (c->to_guest ? XFB_BACK_CLIP_TO_GUEST : 0) |
           (c->from_guest ? XFB_BACK_CLIP_FROM_GUEST : 0);
}
