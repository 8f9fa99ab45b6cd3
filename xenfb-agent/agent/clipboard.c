/* `xenfb-agent clipboard`: the guest's X selections and dom0's clipboard,
 * through the clipboard device (libxenfbfront, XFB_FRONT_CLIP).
 *
 * Guest to dom0: XFixes tells us when another client takes CLIPBOARD or
 * PRIMARY; we ask it for UTF8_STRING (STRING if it has none), read the
 * reply (INCR included) and hand the text to the device. Dom0 to guest:
 * text from the device makes us the owner of both selections, and we
 * answer TARGETS, TIMESTAMP, UTF8_STRING, TEXT and STRING (Latin-1, '?'
 * for the rest) from our copy.
 *
 * Text only: what we are given is stored and handed out, never run or
 * parsed beyond UTF-8. 64 KiB at most each way (the channel's cap): a
 * larger selection is cut at a character boundary, said in one line. The
 * cap is below the smallest maximum request an X server takes (256 KiB
 * without BIG-REQUESTS), so we answer in one property, never INCR. */
#include "agent.h"

#include "proto/clip.h"
#include "xenfb/front.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { A_CLIPBOARD, A_TARGETS, A_UTF8, A_TEXT, A_INCR, A_TIMESTAMP, A_PROP, A_LOCK, A_COUNT };

struct agent {
    Display *dpy;
    Window win;
    Atom a[A_COUNT];
    int xfixes_event;
    struct xfb_front *front;
    /* dom0's text, which we own the selections with */
    char *mine;
    size_t mine_len;
    Time mine_time;
    /* a transfer from another client */
    bool reading;       /* waiting for a SelectionNotify or INCR chunks */
    bool incr;          /* INCR chunks arriving */
    Atom reading_sel;   /* which selection */
    Atom reading_type;  /* UTF8_STRING or STRING */
    unsigned char *buf; /* what arrived, at most XFB_CLIP_MAX + 1 bytes kept */
    size_t len;
    bool cut;         /* more arrived than the cap */
    Atom pending_sel; /* another owner change while reading: read it next */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("xenfb-agent clipboard: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void on_log(void *data, int level, const char *msg)
{
    (void)data;
    if (level <= XFB_LOG_INFO)
        say("%s", msg);
}

static const char *sel_name(struct agent *ag, Atom sel)
{
    return sel == XA_PRIMARY ? "PRIMARY" : sel == ag->a[A_CLIPBOARD] ? "CLIPBOARD" : "?";
}

/* ---- guest to dom0 ---- */

static void request(struct agent *ag, Atom sel, Atom type)
{
    ag->reading = true;
    ag->incr = false;
    ag->reading_sel = sel;
    ag->reading_type = type;
    ag->len = 0;
    ag->cut = false;
    XDeleteProperty(ag->dpy, ag->win, ag->a[A_PROP]);
    XConvertSelection(ag->dpy, sel, type, ag->a[A_PROP], ag->win, CurrentTime);
}

static void append(struct agent *ag, const unsigned char *data, size_t n)
{
    size_t room = XFB_CLIP_MAX + 1 - ag->len; /* one more: to know it was cut */
    if (n > room) {
        n = room;
        ag->cut = true;
    }
    memcpy(ag->buf + ag->len, data, n);
    ag->len += n;
}

/* Cut UTF-8 to the cap at a character boundary. */
static size_t cut_utf8(const unsigned char *s, size_t len)
{
    if (len <= XFB_CLIP_MAX)
        return len;
    len = XFB_CLIP_MAX;
    while (len && (s[len] & 0xc0) == 0x80)
        len--;
    return len;
}

static void finish_read(struct agent *ag)
{
    ag->reading = false;
    ag->incr = false;
    const char *sel = sel_name(ag, ag->reading_sel);
    unsigned char *text = ag->buf;
    size_t len = ag->len;
    unsigned char *conv = NULL;
    if (ag->reading_type == XA_STRING) {
        conv = malloc(2 * len + 1);
        if (!conv)
            return;
        len = xfb_clip_latin1_to_utf8(text, len, conv);
        text = conv;
    }
    bool cut = ag->cut || len > XFB_CLIP_MAX;
    len = cut_utf8(text, len);
    if (!xfb_clip_utf8_valid(text, len)) {
        say("%s: the owner's text (%zu bytes) is not UTF-8: not sent", sel, len);
    } else if (xfb_front_clip_set(ag->front, text, len) < 0) {
        say("%s: cannot hand the text to the device: %s", sel, strerror(errno));
    } else {
        say("%s: %zu bytes%s for dom0%s", sel, len, cut ? " (cut to 64 KiB)" : "",
            xfb_front_clip_policy(ag->front) & XFB_FRONT_CLIP_FROM_GUEST
                ? ""
                : " (dom0's policy keeps it in the guest for now)");
    }
    free(conv);
    if (ag->pending_sel != None) {
        Atom next = ag->pending_sel;
        ag->pending_sel = None;
        request(ag, next, ag->a[A_UTF8]);
    }
}

/* Read and delete our property: the reply, or one INCR chunk. */
static void read_property(struct agent *ag)
{
    Atom type;
    int format;
    unsigned long n, after;
    unsigned char *data = NULL;
    /* in 32-bit units: the cap and one more word */
    if (XGetWindowProperty(ag->dpy, ag->win, ag->a[A_PROP], 0, (XFB_CLIP_MAX + 4) / 4, True,
                           AnyPropertyType, &type, &format, &n, &after, &data) != Success) {
        ag->reading = false;
        return;
    }
    /* X deletes a property read only in part only when told: the rest
     * is beyond the cap, and the owner of an INCR transfer sends its
     * next chunk only once the property is gone */
    if (after) {
        XDeleteProperty(ag->dpy, ag->win, ag->a[A_PROP]);
        ag->cut = true;
    }
    if (type == ag->a[A_INCR]) {
        /* deleting the property (done above) asks for the first chunk */
        ag->incr = true;
    } else if (ag->incr) {
        if (format == 8 && n)
            append(ag, data, n);
        else if (!n)
            finish_read(ag); /* the empty chunk ends it */
    } else if (format == 8) {
        append(ag, data, n);
        finish_read(ag);
    } else {
        ag->reading = false;
    }
    if (data)
        XFree(data);
}

static void selection_notify(struct agent *ag, const XSelectionEvent *e)
{
    if (!ag->reading || e->selection != ag->reading_sel)
        return;
    if (e->property == None) {
        /* no UTF8_STRING: an older client may still have STRING */
        if (ag->reading_type == ag->a[A_UTF8])
            request(ag, ag->reading_sel, XA_STRING);
        else
            ag->reading = false;
        return;
    }
    read_property(ag);
}

static void owner_changed(struct agent *ag, const XFixesSelectionNotifyEvent *e)
{
    if (e->owner == ag->win || e->owner == None)
        return; /* ours (dom0's text), or nobody's: nothing to send */
    if (ag->reading) {
        ag->pending_sel = e->selection;
        return;
    }
    request(ag, e->selection, ag->a[A_UTF8]);
}

/* ---- dom0 to guest ---- */

/* A timestamp from the server, as ICCCM wants for SetSelectionOwner. */
static Time server_time(struct agent *ag)
{
    XEvent ev;
    XChangeProperty(ag->dpy, ag->win, ag->a[A_TIMESTAMP], XA_INTEGER, 32, PropModeAppend, NULL, 0);
    XWindowEvent(ag->dpy, ag->win, PropertyChangeMask, &ev);
    return ev.xproperty.time;
}

static void take_selections(struct agent *ag, const char *text, uint32_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, text, len);
    copy[len] = 0;
    free(ag->mine);
    ag->mine = copy;
    ag->mine_len = len;
    ag->mine_time = server_time(ag);
    XSetSelectionOwner(ag->dpy, ag->a[A_CLIPBOARD], ag->win, ag->mine_time);
    XSetSelectionOwner(ag->dpy, XA_PRIMARY, ag->win, ag->mine_time);
    bool ok = XGetSelectionOwner(ag->dpy, ag->a[A_CLIPBOARD]) == ag->win;
    say("%u bytes from dom0: %s", len,
        ok ? "CLIPBOARD and PRIMARY are now dom0's text" : "X refused us the selections");
}

static void on_front_event(void *data, const struct xfb_front_event *ev)
{
    struct agent *ag = data;
    if (ev->type == XFB_FRONT_EV_CLIPBOARD)
        take_selections(ag, ev->clipboard.text, ev->clipboard.len);
    else if (ev->type == XFB_FRONT_EV_STATE && ev->state.connected)
        say("connected to dom0");
}

static void answer(struct agent *ag, const XSelectionRequestEvent *r)
{
    XSelectionEvent n = {.type = SelectionNotify,
                         .display = r->display,
                         .requestor = r->requestor,
                         .selection = r->selection,
                         .target = r->target,
                         .property = None,
                         .time = r->time};
    /* obsolete clients give no property: the target names it */
    Atom prop = r->property != None ? r->property : r->target;
    bool ours = ag->mine && XGetSelectionOwner(ag->dpy, r->selection) == ag->win;
    if (!ours) {
        /* nothing to give */
    } else if (r->target == ag->a[A_TARGETS]) {
        Atom t[] = {ag->a[A_TARGETS], ag->a[A_TIMESTAMP], ag->a[A_UTF8], ag->a[A_TEXT], XA_STRING};
        XChangeProperty(ag->dpy, r->requestor, prop, XA_ATOM, 32, PropModeReplace,
                        (unsigned char *)t, (int)(sizeof(t) / sizeof(t[0])));
        n.property = prop;
    } else if (r->target == ag->a[A_TIMESTAMP]) {
        long t = (long)ag->mine_time;
        XChangeProperty(ag->dpy, r->requestor, prop, XA_INTEGER, 32, PropModeReplace,
                        (unsigned char *)&t, 1);
        n.property = prop;
    } else if (r->target == ag->a[A_UTF8] || r->target == ag->a[A_TEXT]) {
        XChangeProperty(ag->dpy, r->requestor, prop, ag->a[A_UTF8], 8, PropModeReplace,
                        (unsigned char *)ag->mine, (int)ag->mine_len);
        n.property = prop;
    } else if (r->target == XA_STRING) {
        char *l1 = malloc(ag->mine_len + 1);
        size_t replaced;
        if (l1) {
            size_t len =
                xfb_clip_utf8_to_latin1((const uint8_t *)ag->mine, ag->mine_len, l1, &replaced);
            XChangeProperty(ag->dpy, r->requestor, prop, XA_STRING, 8, PropModeReplace,
                            (unsigned char *)l1, (int)len);
            n.property = prop;
            free(l1);
        }
    }
    XSendEvent(ag->dpy, r->requestor, False, 0, (XEvent *)&n);
}

/* ---- the loop ---- */

static void x_events(struct agent *ag)
{
    while (XPending(ag->dpy)) {
        XEvent ev;
        XNextEvent(ag->dpy, &ev);
        if (ev.type == ag->xfixes_event + XFixesSelectionNotify) {
            owner_changed(ag, (XFixesSelectionNotifyEvent *)&ev);
            continue;
        }
        switch (ev.type) {
        case SelectionNotify:
            selection_notify(ag, &ev.xselection);
            break;
        case SelectionRequest:
            answer(ag, &ev.xselectionrequest);
            break;
        case SelectionClear:
            /* another client owns it now; XFixes tells us to read it */
            break;
        case PropertyNotify:
            if (ag->reading && ag->incr && ev.xproperty.atom == ag->a[A_PROP] &&
                ev.xproperty.state == PropertyNewValue)
                read_property(ag);
            break;
        }
    }
}

static void usage(FILE *f)
{
    fputs("usage: xenfb-agent clipboard [--dev N]\n", f);
}

int agent_clipboard(int argc, char **argv)
{
    unsigned devid = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--dev") && i + 1 < argc) {
            devid = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    struct agent ag = {.pending_sel = None};
    ag.buf = malloc(XFB_CLIP_MAX + 1);
    ag.dpy = XOpenDisplay(NULL);
    if (!ag.buf || !ag.dpy) {
        say("cannot open the X display %s", getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
        return 1;
    }
    int err_base;
    if (!XFixesQueryExtension(ag.dpy, &ag.xfixes_event, &err_base)) {
        say("the X server has no XFixes: cannot follow the selections");
        return 1;
    }
    static const char *const names[A_COUNT] = {
        "CLIPBOARD", "TARGETS",   "UTF8_STRING",     "TEXT",
        "INCR",      "TIMESTAMP", "XENFB_CLIPBOARD", "XENFB_CLIPBOARD_AGENT"};
    XInternAtoms(ag.dpy, (char **)names, A_COUNT, False, ag.a);
    ag.win = XCreateSimpleWindow(ag.dpy, DefaultRootWindow(ag.dpy), -10, -10, 1, 1, 0, 0, 0);
    XSelectInput(ag.dpy, ag.win, PropertyChangeMask);
    /* One agent per display: a session may start it twice (Xsession.d
     * and a desktop's autostart), and two would take the device from
     * each other. The first to own this selection keeps it. */
    XGrabServer(ag.dpy);
    bool taken = XGetSelectionOwner(ag.dpy, ag.a[A_LOCK]) != None;
    if (!taken)
        XSetSelectionOwner(ag.dpy, ag.a[A_LOCK], ag.win, CurrentTime);
    XUngrabServer(ag.dpy);
    if (taken) {
        say("another agent serves %s already: leaving it to it", DisplayString(ag.dpy));
        XCloseDisplay(ag.dpy);
        free(ag.buf);
        return 0;
    }
    unsigned long mask = XFixesSetSelectionOwnerNotifyMask;
    XFixesSelectSelectionInput(ag.dpy, ag.win, ag.a[A_CLIPBOARD], mask);
    XFixesSelectSelectionInput(ag.dpy, ag.win, XA_PRIMARY, mask);

    struct xfb_front_opts o = {.kind = XFB_FRONT_CLIP,
                               .devid = devid,
                               .log_fn = on_log,
                               .event_fn = on_front_event,
                               .event_data = &ag};
    /* hotplug: dom0 may give this guest a clipboard later, or take it
     * away; the session keeps its agent either way */
    ag.front = xfb_front_open_flags(&o, XFB_FRONT_HOTPLUG);
    if (!ag.front) {
        say("cannot use the clipboard device: %s", strerror(errno));
        return 1;
    }
    say("following CLIPBOARD and PRIMARY on %s", DisplayString(ag.dpy));
    /* what is already there goes first */
    if (XGetSelectionOwner(ag.dpy, ag.a[A_CLIPBOARD]) != None)
        request(&ag, ag.a[A_CLIPBOARD], ag.a[A_UTF8]);
    XFlush(ag.dpy);

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int rc = 0;
    while (!stop) {
        struct pollfd p[2] = {{.fd = ConnectionNumber(ag.dpy), .events = POLLIN},
                              {.fd = xfb_front_fd(ag.front), .events = POLLIN}};
        x_events(&ag);
        XFlush(ag.dpy);
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents && xfb_front_dispatch(ag.front) < 0) {
            say("the device failed: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (p[0].revents & (POLLHUP | POLLERR)) {
            say("the X server went away");
            break;
        }
        x_events(&ag);
        XFlush(ag.dpy);
    }
    xfb_front_close(ag.front);
    XCloseDisplay(ag.dpy);
    free(ag.mine);
    free(ag.buf);
    return rc;
}
