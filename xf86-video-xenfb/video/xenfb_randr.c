/* RandR 1.2 without hardware: one CRTC, one output that is always
 * connected. A mode change is a new screen size: inside the granted memory
 * it becomes XENFB_TYPE_RESIZE and a full update; a mode that does not fit,
 * or that needs at most half of it, gets memory of its own size (a
 * re-grant, which reconnects the backend). */
#include "xenfb.h"

#include <errno.h>
#include <string.h>

#include "scrnintstr.h"

#define XENFB_DPI 96

static void crtc_dpms(xf86CrtcPtr crtc, int mode)
{
}

static Bool crtc_lock(xf86CrtcPtr crtc)
{
    return FALSE;
}

static Bool crtc_mode_fixup(xf86CrtcPtr crtc, DisplayModePtr mode, DisplayModePtr adjusted)
{
    return TRUE;
}

static void crtc_stub(xf86CrtcPtr crtc)
{
}

static void crtc_mode_set(xf86CrtcPtr crtc, DisplayModePtr mode, DisplayModePtr adjusted, int x,
                          int y)
{
}

static void crtc_gamma_set(xf86CrtcPtr crtc, CARD16 *red, CARD16 *green, CARD16 *blue, int size)
{
}

static void *crtc_shadow_allocate(xf86CrtcPtr crtc, int width, int height)
{
    return NULL;
}

static const xf86CrtcFuncsRec xenfb_crtc_funcs = {
    .dpms = crtc_dpms,
    .lock = crtc_lock,
    .mode_fixup = crtc_mode_fixup,
    .prepare = crtc_stub,
    .mode_set = crtc_mode_set,
    .commit = crtc_stub,
    .gamma_set = crtc_gamma_set,
    .shadow_allocate = crtc_shadow_allocate,
    .destroy = crtc_stub,
};

static void output_stub(xf86OutputPtr output)
{
}

static void output_dpms(xf86OutputPtr output, int mode)
{
}

static int output_mode_valid(xf86OutputPtr output, DisplayModePtr mode)
{
    return MODE_OK;
}

static Bool output_mode_fixup(xf86OutputPtr output, DisplayModePtr mode, DisplayModePtr adjusted)
{
    return TRUE;
}

static void output_mode_set(xf86OutputPtr output, DisplayModePtr mode, DisplayModePtr adjusted)
{
}

static xf86OutputStatus output_detect(xf86OutputPtr output)
{
    return XF86OutputStatusConnected;
}

/* The configured modes, each once. A physical size at 96 dpi keeps
 * clients' font and DPI computations sane (0 mm confuses some). */
static DisplayModePtr output_get_modes(xf86OutputPtr output)
{
    ScrnInfoPtr pScrn = output->scrn;
    DisplayModePtr modes = NULL;
    for (DisplayModePtr src = pScrn->modes; src; src = src->next) {
        DisplayModePtr m = xf86DuplicateMode(src);
        if (!m)
            break;
        if (src == pScrn->modes)
            m->type |= M_T_PREFERRED;
        modes = xf86ModesAdd(modes, m);
        if (src->next == pScrn->modes)
            break;
    }
    for (DisplayModePtr src = xenfb_request_modes(pScrn); src; src = src->next) {
        DisplayModePtr m = xf86DuplicateMode(src);
        if (!m)
            break;
        modes = xf86ModesAdd(modes, m);
    }
    output->mm_width = pScrn->virtualX * 254 / (XENFB_DPI * 10);
    output->mm_height = pScrn->virtualY * 254 / (XENFB_DPI * 10);
    return modes;
}

static const xf86OutputFuncsRec xenfb_output_funcs = {
    .dpms = output_dpms,
    .mode_valid = output_mode_valid,
    .mode_fixup = output_mode_fixup,
    .prepare = output_stub,
    .commit = output_stub,
    .mode_set = output_mode_set,
    .detect = output_detect,
    .get_modes = output_get_modes,
    .destroy = output_stub,
};

/* Memory is given back when a mode needs at most half of it: each
 * re-grant costs a reconnection (the viewer sees one black frame), so
 * modes close in size share memory, and the waste stays below half. */
static Bool roomy(uint64_t need, uint32_t granted)
{
    return (need + 4095u) / 4096u * 2u <= granted / 4096u;
}

/* The memory for a new mode: granted, or (no device) our own; NULL with
 * errno, the reason logged by the library. */
static void *memory_for(ScrnInfoPtr pScrn, int width, int height, int pitch)
{
    XenfbPtr x = XENFBPTR(pScrn);
    uint32_t bpp = (uint32_t)pScrn->bitsPerPixel;
    uint64_t need = (uint64_t)pitch * (uint64_t)height;
    struct xfb_front_fb fb;
    xfb_front_get_fb(x->front, &fb);

    /* a viewer's window resized back and forth would cost a reconnection
     * each time memory is given back: its requests keep what they have */
    if (fb.pixels && need <= fb.mem_length && (x->req_keep_memory || !roomy(need, fb.mem_length))) {
        /* in place; the backend's limits may still say no */
        if (xfb_front_resize(x->front, (uint32_t)width, (uint32_t)height, (uint32_t)pitch, bpp, 0) <
                0 &&
            errno == E2BIG)
            return NULL;
        return fb.pixels;
    }
    if (xfb_front_regrant(x->front, (uint32_t)width, (uint32_t)height, (uint32_t)pitch, bpp) < 0) {
        int err = errno;
        struct xfb_front_fb now;
        xfb_front_get_fb(x->front, &now);
        /* gntalloc could not hold both: the old picture was given back
         * at another address, or, at worst, not at all */
        if (now.pixels && now.pixels != x->pixels) {
            xenfb_memory_move(pScrn, now.pixels, FALSE);
        } else if (!now.pixels && fb.pixels && x->pixels == fb.pixels) {
            void *own = XNFcallocarray((size_t)pScrn->virtualY, (size_t)x->pitch);
            xenfb_memory_move(pScrn, own, FALSE);
            x->own = own;
        }
        /* a smaller mode still fits where it is */
        if (now.pixels && need <= now.mem_length &&
            xfb_front_resize(x->front, (uint32_t)width, (uint32_t)height, (uint32_t)pitch, bpp,
                             0) == 0)
            return now.pixels;
        errno = err;
        return NULL;
    }
    xfb_front_get_fb(x->front, &fb);
    if (fb.pixels)
        return fb.pixels;
    /* no device: the server's own memory */
    return xenfb_memory_alloc(pScrn, pitch, height);
}

Bool xenfb_randr_resize(ScrnInfoPtr pScrn, int width, int height)
{
    XenfbPtr x = XENFBPTR(pScrn);
    ScreenPtr pScreen = pScrn->pScreen;
    int cpp = pScrn->bitsPerPixel / 8;

    if (width == pScrn->virtualX && height == pScrn->virtualY)
        return TRUE;
    if (width <= 0 || height <= 0 || width > x->cap_width || height > x->cap_height) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "Cannot resize to %dx%d: beyond Option \"MaxWidth\"/\"MaxHeight\" (%dx%d)\n",
                   width, height, x->cap_width, x->cap_height);
        return FALSE;
    }
    int pitch = xenfb_pitch(pScrn, width);
    void *to = memory_for(pScrn, width, height, pitch);
    if (!to) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "Cannot resize to %dx%d: %s (see above); the screen stays %dx%d\n", width,
                   height, errno == E2BIG ? "beyond the backend's limits" : strerror(errno),
                   pScrn->virtualX, pScrn->virtualY);
        return FALSE;
    }
    PixmapPtr pixmap = pScreen->GetScreenPixmap(pScreen);
    if (!pScreen->ModifyPixmapHeader(pixmap, width, height, -1, -1, pitch, to))
        return FALSE;
    struct xfb_front_fb fb;
    xfb_front_get_fb(x->front, &fb);
    /* our own memory of the old mode is not used any more */
    if (x->own && x->own != to)
        free(x->own);
    x->own = fb.pixels && fb.pixels == to ? NULL : to;
    x->pixels = to;
    x->pitch = pitch;
    pScrn->virtualX = width;
    pScrn->virtualY = height;
    pScrn->displayWidth = pitch / cpp;
    if (x->output) {
        x->output->mm_width = width * 254 / (XENFB_DPI * 10);
        x->output->mm_height = height * 254 / (XENFB_DPI * 10);
    }
    if (fb.pixels)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO, "Screen resized to %dx%d (line %d; %u KiB granted)\n",
                   width, height, pitch, fb.mem_length / 1024);
    else
        xf86DrvMsg(pScrn->scrnIndex, X_INFO,
                   "Screen resized to %dx%d (line %d; in the server's own memory)\n", width, height,
                   pitch);
    return TRUE;
}

static const xf86CrtcConfigFuncsRec xenfb_config_funcs = {
    .resize = xenfb_randr_resize,
};

Bool xenfb_randr_init(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);

    xf86CrtcConfigInit(pScrn, &xenfb_config_funcs);
    x->crtc = xf86CrtcCreate(pScrn, &xenfb_crtc_funcs);
    x->output = xf86OutputCreate(pScrn, &xenfb_output_funcs, "XENFB-0");
    if (!x->crtc || !x->output)
        return FALSE;
    xf86OutputUseScreenMonitor(x->output, FALSE);
    x->output->possible_crtcs = 1;
    x->output->possible_clones = 0;

    /* Any size up to MaxWidth/MaxHeight may be asked for; the resize hook
     * grants memory for it, and refuses with the reason what the backend's
     * limits or gntalloc's do not allow. */
    xf86CrtcSetSizeRange(pScrn, 64, 64, x->cap_width, x->cap_height);
    if (!xf86InitialConfiguration(pScrn, TRUE)) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Initial RandR configuration failed\n");
        return FALSE;
    }
    if (!xf86CrtcScreenInit(pScrn->pScreen))
        return FALSE;
    return xf86SetDesiredModes(pScrn);
}
