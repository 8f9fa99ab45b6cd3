/* RandR 1.2 without hardware: one CRTC, one output that is always
 * connected. A mode change is a new screen size inside the memory granted
 * at start-up; it becomes XENFB_TYPE_RESIZE and a full update. */
#include "xenfb.h"

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

Bool xenfb_randr_resize(ScrnInfoPtr pScrn, int width, int height)
{
    XenfbPtr x = XENFBPTR(pScrn);
    ScreenPtr pScreen = pScrn->pScreen;
    int cpp = pScrn->bitsPerPixel / 8;
    uint64_t stride = (uint64_t)width * cpp;

    if (width == pScrn->virtualX && height == pScrn->virtualY)
        return TRUE;
    if (width <= 0 || height <= 0 || stride * (uint64_t)height > x->fb.mem_length) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "Cannot resize to %dx%d: it needs %llu KiB, %u KiB were granted at start. "
                   "Raise Option \"MaxWidth\"/\"MaxHeight\" in the Device section and restart "
                   "X\n",
                   width, height, (unsigned long long)(stride * (uint64_t)height / 1024),
                   x->fb.mem_length / 1024);
        return FALSE;
    }
    PixmapPtr pixmap = pScreen->GetScreenPixmap(pScreen);
    if (!pScreen->ModifyPixmapHeader(pixmap, width, height, -1, -1, (int)stride, x->fb.pixels))
        return FALSE;
    pScrn->virtualX = width;
    pScrn->virtualY = height;
    pScrn->displayWidth = width;
    if (x->output) {
        x->output->mm_width = width * 254 / (XENFB_DPI * 10);
        x->output->mm_height = height * 254 / (XENFB_DPI * 10);
    }
    xf86DrvMsg(pScrn->scrnIndex, X_INFO, "Screen resized to %dx%d\n", width, height);
    return xenfb_front_set_mode(pScrn, width, height, (int)stride);
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

    /* Any size may be asked for; the resize hook refuses what does not fit
     * in the granted memory, with a line saying how to raise it. */
    xf86CrtcSetSizeRange(pScrn, 64, 64, 16384, 16384);
    if (!xf86InitialConfiguration(pScrn, TRUE)) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Initial RandR configuration failed\n");
        return FALSE;
    }
    if (!xf86CrtcScreenInit(pScrn->pScreen))
        return FALSE;
    return xf86SetDesiredModes(pScrn);
}
