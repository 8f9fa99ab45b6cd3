/* A viewer's size request (docs/protocol.md 9): the backend asks for a
 * mode because a viewer's window was resized. The size is clamped to
 * what this screen allows, a mode of exactly that size is added to the
 * output if it has none, and the switch goes through RandR as a client's
 * would (screen size, then the CRTC), so that X clients get the usual
 * RandR notifications and `xrandr` shows the mode as current. The
 * backend learns the outcome from the resize that follows; when nothing
 * changes (refused, or already that size) the mode in force is sent
 * again as the answer. */
#include "xenfb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "randrstr.h"
#include "xf86Modes.h"

#define XENFB_MIN_SIZE 64
/* modes made for requests that the output keeps offering; the oldest
 * go first, so that a window dragged about adds no more than this */
#define XENFB_REQUEST_MODES 16
/* lines per window in the Xorg log: a backend that floods requests
 * must not fill the guest's disk; the rest go at verbosity 5, counted */
#define XENFB_REQUEST_LINES     10
#define XENFB_REQUEST_WINDOW_MS 10000

void xenfb_request_take(ScrnInfoPtr pScrn, int width, int height)
{
    XenfbPtr x = XENFBPTR(pScrn);
    /* the latest wins: what came before it is out of date */
    x->req_width = width;
    x->req_height = height;
    x->req_pending = TRUE;
}

DisplayModePtr xenfb_request_modes(ScrnInfoPtr pScrn)
{
    return XENFBPTR(pScrn)->req_modes;
}

void xenfb_request_fini(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    while (x->req_modes)
        xf86DeleteMode(&x->req_modes, x->req_modes);
    x->req_pending = x->req_busy = FALSE;
}

/* A mode of exactly w x h at 60 Hz (CVT would round the width to 8). */
static DisplayModePtr make_mode(int w, int h)
{
    DisplayModePtr m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->HDisplay = w;
    m->HSyncStart = w + 48;
    m->HSyncEnd = w + 80;
    m->HTotal = w + 160;
    m->VDisplay = h;
    m->VSyncStart = h + 3;
    m->VSyncEnd = h + 8;
    m->VTotal = h + 30;
    m->Clock = (int)((int64_t)m->HTotal * m->VTotal * 60 / 1000);
    m->Flags = V_NHSYNC | V_PVSYNC;
    m->type = M_T_USERDEF | M_T_DRIVER;
    m->status = MODE_OK;
    xf86SetModeDefaultName(m);
    xf86SetModeCrtc(m, 0);
    return m;
}

static Bool have_mode(DisplayModePtr list, int w, int h)
{
    for (DisplayModePtr m = list; m; m = m->next) {
        if (m->HDisplay == w && m->VDisplay == h)
            return TRUE;
        if (m->next == list)
            break;
    }
    return FALSE;
}

/* The output offers a w x h mode: one of its own, or one made now. */
static Bool offer_mode(ScrnInfoPtr pScrn, int w, int h)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (have_mode(pScrn->modes, w, h) || have_mode(x->req_modes, w, h))
        return TRUE;
    DisplayModePtr m = make_mode(w, h);
    if (!m)
        return FALSE;
    int n = 0;
    for (DisplayModePtr i = x->req_modes; i; i = i->next)
        n++;
    if (n >= XENFB_REQUEST_MODES)
        xf86DeleteMode(&x->req_modes, x->req_modes);
    x->req_modes = xf86ModesAdd(x->req_modes, m);
    return TRUE;
}

/* The output's RandR mode of w x h, after probing the output again so
 * that RandR knows the modes offered. */
static RRModePtr rr_mode(ScrnInfoPtr pScrn, int w, int h)
{
    XenfbPtr x = XENFBPTR(pScrn);
    RROutputPtr out = x->output->randr_output;
    if (!RRGetInfo(pScrn->pScreen, TRUE) || !out)
        return NULL;
    RRModePtr best = NULL;
    for (int i = 0; i < out->numModes + out->numUserModes; i++) {
        RRModePtr m = i < out->numModes ? out->modes[i] : out->userModes[i - out->numModes];
        if (m->mode.width == (unsigned)w && m->mode.height == (unsigned)h) {
            best = m;
            break;
        }
    }
    return best;
}

/* Switch to w x h through RandR; NULL, or why not. */
static const char *switch_to(ScrnInfoPtr pScrn, int w, int h)
{
    XenfbPtr x = XENFBPTR(pScrn);
    ScreenPtr pScreen = pScrn->pScreen;
    if (!x->output || !x->crtc || !x->output->randr_output || !x->crtc->randr_crtc)
        return "RandR is not set up";
    if (!offer_mode(pScrn, w, h))
        return "out of memory";
    RRModePtr mode = rr_mode(pScrn, w, h);
    if (!mode)
        return "the output has no such mode";
    RROutputPtr out = x->output->randr_output;
    CARD32 mm_w = (CARD32)w * 254 / 960, mm_h = (CARD32)h * 254 / 960;
    x->req_keep_memory = TRUE;
    /* the screen first (memory for the new size), then the CRTC: a
     * client's xrandr --output --mode does the same when it grows */
    Bool ok = RRScreenSizeSet(pScreen, (CARD16)w, (CARD16)h, mm_w, mm_h);
    x->req_keep_memory = FALSE;
    if (!ok)
        return "the screen cannot take that size (see above)";
    if (!RRCrtcSet(x->crtc->randr_crtc, mode, 0, 0, RR_Rotate_0, 1, &out))
        return "RandR refused the mode";
    return NULL;
}

/* Send the mode in force again: the backend's answer when nothing
 * changed. */
static void answer_unchanged(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    struct xfb_front_fb fb;
    if (xfb_front_get_fb(x->front, &fb) == 0 && fb.pixels && x->pixels == fb.pixels)
        xfb_front_resize(x->front, (uint32_t)pScrn->virtualX, (uint32_t)pScrn->virtualY,
                         (uint32_t)x->pitch, (uint32_t)pScrn->bitsPerPixel, 0);
}

/* One line about a request, at most XENFB_REQUEST_LINES per window. */
static void request_log(ScrnInfoPtr pScrn, const char *fmt, ...) _X_ATTRIBUTE_PRINTF(2, 3);
static void request_log(ScrnInfoPtr pScrn, const char *fmt, ...)
{
    XenfbPtr x = XENFBPTR(pScrn);
    CARD32 now = GetTimeInMillis();
    if (now - x->req_log_since >= XENFB_REQUEST_WINDOW_MS) {
        x->req_log_since = now;
        x->req_logged = 0;
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (x->req_logged >= XENFB_REQUEST_LINES) {
        x->req_unlogged++;
        xf86DrvMsgVerb(pScrn->scrnIndex, X_INFO, 5, "%s\n", msg);
        return;
    }
    x->req_logged++;
    if (x->req_unlogged)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO, "%s (and %u more since, at verbosity 5)\n", msg,
                   x->req_unlogged);
    else
        xf86DrvMsg(pScrn->scrnIndex, X_INFO, "%s\n", msg);
    x->req_unlogged = 0;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void xenfb_request_run(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    /* a switch re-grants and may dispatch nothing, but RandR calls out
     * to clients' hooks: a request that comes meanwhile waits its turn */
    if (!x->req_pending || x->req_busy || !x->front)
        return;
    x->req_pending = FALSE;
    x->req_busy = TRUE;
    int rw = x->req_width, rh = x->req_height;
    int w = clamp(rw, XENFB_MIN_SIZE, x->cap_width);
    int h = clamp(rh, XENFB_MIN_SIZE, x->cap_height);
    char clamped[96] = "";
    if (w != rw || h != rh)
        snprintf(clamped, sizeof(clamped), " (clamped: MaxWidth/MaxHeight %dx%d, at least %dx%d)",
                 x->cap_width, x->cap_height, XENFB_MIN_SIZE, XENFB_MIN_SIZE);
    const char *why = NULL;
    if (w == pScrn->virtualX && h == pScrn->virtualY)
        why = "it is the current size";
    else
        why = switch_to(pScrn, w, h);
    if (why) {
        request_log(pScrn, "vfb %u: the backend asked for %dx%d%s: the screen stays %dx%d, %s",
                    x->devid, rw, rh, clamped, pScrn->virtualX, pScrn->virtualY, why);
        answer_unchanged(pScrn);
    } else {
        request_log(pScrn, "vfb %u: the backend asked for %dx%d: switched to %dx%d%s", x->devid, rw,
                    rh, w, h, clamped);
    }
    x->req_busy = FALSE;
}
