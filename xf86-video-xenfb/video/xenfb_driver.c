/* Module entry points, Probe, PreInit, ScreenInit and CloseScreen. The
 * shape is that of a headless driver (xf86-video-dummy): no bus, no
 * console, RandR without hardware. */
#include "xenfb.h"

#include <errno.h>
#include <string.h>

#include "fb.h"
#include "micmap.h"
#include "mipointer.h"
#include "xf86cmap.h"

typedef enum {
    OPTION_DEVICE,
    OPTION_MAX_WIDTH,
    OPTION_MAX_HEIGHT,
    OPTION_BACKEND_TIMEOUT,
    OPTION_SW_CURSOR,
    OPTION_VIEWER_RESIZE,
} XenfbOpts;

static const OptionInfoRec xenfb_options[] = {
    {OPTION_DEVICE, "Device", OPTV_INTEGER, {0}, FALSE},
    {OPTION_MAX_WIDTH, "MaxWidth", OPTV_INTEGER, {0}, FALSE},
    {OPTION_MAX_HEIGHT, "MaxHeight", OPTV_INTEGER, {0}, FALSE},
    {OPTION_BACKEND_TIMEOUT, "BackendTimeout", OPTV_INTEGER, {0}, FALSE},
    {OPTION_SW_CURSOR, "SWCursor", OPTV_BOOLEAN, {0}, FALSE},
    {OPTION_VIEWER_RESIZE, "ViewerResize", OPTV_BOOLEAN, {0}, FALSE},
    {-1, NULL, OPTV_NONE, {0}, FALSE},
};

static SymTabRec xenfb_chipsets[] = {
    {0, "xenfb"},
    {-1, NULL},
};

static const OptionInfoRec *xenfb_available_options(int chipid, int busid)
{
    return xenfb_options;
}

static void xenfb_identify(int flags)
{
    xf86PrintChipsets(XENFB_NAME, "Xen paravirtual framebuffer, in userspace", xenfb_chipsets);
}

/* No console, no I/O ports: the server then opens no VT, so it runs in a
 * guest without one. As root, or as a user who may open /dev/xen/gntalloc,
 * /dev/xen/evtchn and /dev/xen/xenbus (the group xenfb of the opt-in udev
 * rule 60-xenfb.rules); otherwise the library says so ([XFB-002]). */
static Bool xenfb_driver_func(ScrnInfoPtr pScrn, xorgDriverFuncOp op, void *ptr)
{
    if (op == GET_REQUIRED_HW_INTERFACES) {
        *(xorgHWFlags *)ptr = HW_SKIP_CONSOLE;
        return TRUE;
    }
    return FALSE;
}

static Bool xenfb_get_rec(ScrnInfoPtr pScrn)
{
    if (!pScrn->driverPrivate)
        pScrn->driverPrivate = calloc(1, sizeof(XenfbRec));
    return pScrn->driverPrivate != NULL;
}

static void xenfb_free_screen(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (!x)
        return;
    free(x->options);
    free(x);
    pScrn->driverPrivate = NULL;
}

static Bool xenfb_switch_mode(ScrnInfoPtr pScrn, DisplayModePtr mode)
{
    return TRUE;
}

static void xenfb_adjust_frame(ScrnInfoPtr pScrn, int x, int y)
{
}

static Bool xenfb_enter_vt(ScrnInfoPtr pScrn)
{
    return TRUE;
}

static void xenfb_leave_vt(ScrnInfoPtr pScrn)
{
}

/* MaxWidth/MaxHeight cap the modes (a mode larger is not used: "exceeds
 * panel dimensions"); nothing else does here, the line pitch least of
 * all: it is computed for each width. */
static ModeStatus xenfb_valid_mode(ScrnInfoPtr pScrn, DisplayModePtr mode, Bool verbose, int flags)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (mode->HDisplay > x->cap_width || mode->VDisplay > x->cap_height)
        return MODE_PANEL;
    return MODE_OK;
}

/* MaxWidth and MaxHeight are a cap, each optional: memory is granted for
 * the mode in use, and granted anew for a larger one. The backend's own
 * max-width/max-height (dom0's policy) bound the modes too. */
static Bool xenfb_read_cap(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    int w = XENFB_MAX_SIZE, h = XENFB_MAX_SIZE;
    Bool given_w = xf86GetOptValInteger(x->options, OPTION_MAX_WIDTH, &w);
    Bool given_h = xf86GetOptValInteger(x->options, OPTION_MAX_HEIGHT, &h);
    if (w < 64 || h < 64 || w > XENFB_MAX_SIZE || h > XENFB_MAX_SIZE) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "Option \"MaxWidth\"/\"MaxHeight\" %dx%d is out of range: 64 to %d\n", w, h,
                   XENFB_MAX_SIZE);
        return FALSE;
    }
    x->cap_width = w;
    x->cap_height = h;
    if (given_w || given_h)
        xf86DrvMsg(pScrn->scrnIndex, X_CONFIG,
                   "Modes up to %dx%d (MaxWidth/MaxHeight); memory is granted for the mode in "
                   "use\n",
                   w, h);
    else
        xf86DrvMsg(pScrn->scrnIndex, X_DEFAULT,
                   "No MaxWidth/MaxHeight: modes up to the backend's max-width x max-height; "
                   "memory is granted for the mode in use\n");
    int vx = pScrn->display->virtualX, vy = pScrn->display->virtualY;
    if (vx > w || vy > h) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Virtual %dx%d is beyond MaxWidth/MaxHeight %dx%d\n",
                   vx, vy, w, h);
        return FALSE;
    }
    return TRUE;
}

static Bool xenfb_pre_init(ScrnInfoPtr pScrn, int flags)
{
    if (flags & PROBE_DETECT)
        return TRUE;
    if (pScrn->numEntities != 1 || !xenfb_get_rec(pScrn))
        return FALSE;
    XenfbPtr x = XENFBPTR(pScrn);
    GDevPtr device = xf86GetEntityInfo(pScrn->entityList[0])->device;

    pScrn->chipset = (char *)xf86TokenToString(xenfb_chipsets, 0);
    pScrn->monitor = pScrn->confScreen->monitor;

    if (!xf86SetDepthBpp(pScrn, 24, 0, 0, Support32bppFb))
        return FALSE;
    if (pScrn->depth != 24 && pScrn->depth != 16) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "Depth %d is not supported: use DefaultDepth 24 (or 16)\n", pScrn->depth);
        return FALSE;
    }
    xf86PrintDepthBpp(pScrn);

    rgb zeros = {0, 0, 0};
    if (!xf86SetWeight(pScrn, zeros, zeros) || !xf86SetDefaultVisual(pScrn, -1))
        return FALSE;
    Gamma gzeros = {0.0, 0.0, 0.0};
    if (!xf86SetGamma(pScrn, gzeros))
        return FALSE;

    xf86CollectOptions(pScrn, device->options);
    if (!(x->options = malloc(sizeof(xenfb_options))))
        return FALSE;
    memcpy(x->options, xenfb_options, sizeof(xenfb_options));
    xf86ProcessOptions(pScrn->scrnIndex, pScrn->options, x->options);

    int v = 0;
    x->devid = 0;
    if (xf86GetOptValInteger(x->options, OPTION_DEVICE, &v)) {
        if (v < 0) {
            xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                       "Option \"Device\" \"%d\": a vfb index is 0 or more\n", v);
            return FALSE;
        }
        x->devid = (unsigned)v;
    }
    xf86DrvMsg(pScrn->scrnIndex, xf86IsOptionSet(x->options, OPTION_DEVICE) ? X_CONFIG : X_DEFAULT,
               "Xen vfb device %u\n", x->devid);

    x->backend_timeout_ms = 10000;
    if (xf86GetOptValInteger(x->options, OPTION_BACKEND_TIMEOUT, &v)) {
        if (v <= 0 || v > 3600) {
            xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                       "Option \"BackendTimeout\" \"%d\": give seconds, 1 to 3600\n", v);
            return FALSE;
        }
        x->backend_timeout_ms = (unsigned)v * 1000;
    }

    x->sw_cursor = xf86ReturnOptValBool(x->options, OPTION_SW_CURSOR, FALSE);
    x->viewer_resize = xf86ReturnOptValBool(x->options, OPTION_VIEWER_RESIZE, TRUE);

    if (!xenfb_read_cap(pScrn))
        return FALSE;
    /* not a limit of ours: memory is granted per mode. It must hold the
     * largest mode for xf86ValidateModes, which checks modes against it. */
    pScrn->videoRam =
        (int)((uint64_t)xenfb_pitch(pScrn, x->cap_width) * (uint64_t)x->cap_height / 1024);

    /* There is no monitor: without sync ranges in the config, X would
     * assume a 31.5-48 kHz CRT and drop every mode above 1024x768, and
     * the reduced-blanking ones (1280x800, 1280x720...). */
    MonPtr mon = pScrn->monitor;
    if (mon->nHsync <= 0) {
        mon->reducedblanking = TRUE;
        mon->nHsync = 1;
        mon->hsync[0].lo = 1.0;
        mon->hsync[0].hi = 1000.0;
        xf86DrvMsg(pScrn->scrnIndex, X_DEFAULT, "No HorizSync given: every mode's rate fits\n");
    }
    if (mon->nVrefresh <= 0) {
        mon->nVrefresh = 1;
        mon->vrefresh[0].lo = 1.0;
        mon->vrefresh[0].hi = 1000.0;
    }

    pScrn->progClock = TRUE;
    ClockRangePtr clocks = xnfcalloc(sizeof(ClockRange), 1);
    clocks->ClockMulFactor = 1;
    clocks->minClock = 1000;
    clocks->maxClock = 1000000;
    clocks->clockIndex = -1;
    clocks->interlaceAllowed = TRUE;
    clocks->doubleScanAllowed = TRUE;

    /* Any width: the virtual width is the mode's own (xInc 1, not VGA's
     * 8), and the pitch is computed for it, in 64-byte steps (512 bits),
     * up to the largest screen, whatever MaxWidth says. Rounding the
     * width up to 8 pixels against a maximum pitch of MaxWidth refused
     * "MaxWidth" "1366" its own 1366x768. */
    pScrn->xInc = 1;
    int n = xf86ValidateModes(pScrn, pScrn->monitor->Modes, pScrn->display->modes, clocks, NULL, 64,
                              XENFB_MAX_SIZE, XENFB_PITCH_BITS, 64, x->cap_height,
                              pScrn->display->virtualX, pScrn->display->virtualY,
                              pScrn->videoRam * 1024, LOOKUP_BEST_REFRESH);
    if (n == -1)
        return FALSE;
    xf86PruneDriverModes(pScrn);
    if (n == 0 || !pScrn->modes) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR,
                   "No valid modes: name modes no larger than %dx%d in the Screen section\n",
                   x->cap_width, x->cap_height);
        return FALSE;
    }
    xf86SetCrtcForModes(pScrn, 0);
    pScrn->currentMode = pScrn->modes;
    xf86PrintModes(pScrn);
    xf86SetDpi(pScrn, 96, 96);

    if (!xf86LoadSubModule(pScrn, "fb"))
        return FALSE;
    pScrn->memPhysBase = 0;
    pScrn->fbOffset = 0;
    return TRUE;
}

static Bool xenfb_save_screen(ScreenPtr pScreen, int mode)
{
    return TRUE;
}

static Bool xenfb_create_screen_resources(ScreenPtr pScreen)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);

    pScreen->CreateScreenResources = x->CreateScreenResources;
    Bool ret = pScreen->CreateScreenResources(pScreen);
    pScreen->CreateScreenResources = xenfb_create_screen_resources;
    return ret && xenfb_damage_init(pScreen);
}

static void xenfb_block_handler(ScreenPtr pScreen, void *timeout)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);

    pScreen->BlockHandler = x->BlockHandler;
    pScreen->BlockHandler(pScreen, timeout);
    x->BlockHandler = pScreen->BlockHandler;
    pScreen->BlockHandler = xenfb_block_handler;

    /* everything drawn during this pass of the main loop goes out now,
     * before the server sleeps */
    xenfb_damage_flush(pScrn);
}

static Bool xenfb_close_screen(ScreenPtr pScreen)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);

    xenfb_damage_fini(pScreen);
    /* The framebuffer is granted memory: fb must stop using it before the
     * grant goes away, so unwrap and close the screen first. */
    pScreen->BlockHandler = x->BlockHandler;
    pScreen->CreateScreenResources = x->CreateScreenResources;
    pScreen->CloseScreen = x->CloseScreen;
    Bool ret = pScreen->CloseScreen(pScreen);
    xenfb_front_close(pScrn);
    xenfb_request_fini(pScrn);
    xenfb_cursor_fini(pScrn);
    xenfb_memory_fini(pScrn);
    pScrn->vtSema = FALSE;
    return ret;
}

static Bool xenfb_screen_init(ScreenPtr pScreen, int argc, char **argv)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);

    /* the device's memory if it is there, else our own; fails only for
     * what a restart of X must fix (the Xen devices), with the reason */
    if (!xenfb_front_open(pScrn))
        return FALSE;
    void *pixels = xenfb_memory_initial(pScrn);
    if (!pixels)
        goto fail;

    miClearVisualTypes();
    if (!miSetVisualTypes(pScrn->depth, miGetDefaultVisualMask(pScrn->depth), pScrn->rgbBits,
                          pScrn->defaultVisual) ||
        !miSetPixmapDepths())
        goto fail;

    /* a whole number of pixels: the pitch is a multiple of 64 bytes */
    pScrn->displayWidth = x->pitch / (pScrn->bitsPerPixel / 8);
    if (!fbScreenInit(pScreen, pixels, pScrn->virtualX, pScrn->virtualY, pScrn->xDpi, pScrn->yDpi,
                      pScrn->displayWidth, pScrn->bitsPerPixel))
        goto fail;

    if (pScrn->depth > 8) {
        for (VisualPtr v = pScreen->visuals + pScreen->numVisuals - 1; v >= pScreen->visuals; v--) {
            if ((v->class | DynamicClass) == DirectColor) {
                v->offsetRed = pScrn->offset.red;
                v->offsetGreen = pScrn->offset.green;
                v->offsetBlue = pScrn->offset.blue;
                v->redMask = pScrn->mask.red;
                v->greenMask = pScrn->mask.green;
                v->blueMask = pScrn->mask.blue;
            }
        }
    }
    fbPictureInit(pScreen, NULL, 0);
    xf86SetBlackWhitePixels(pScreen);

    if (!xenfb_randr_init(pScrn))
        goto fail;

    xf86SetBackingStore(pScreen);
    xf86SetSilkenMouse(pScreen);
    miDCInitialize(pScreen, xf86GetPointerScreenFuncs());
    if (!xenfb_cursor_init(pScreen))
        goto fail;
    if (!miCreateDefColormap(pScreen))
        goto fail;

    pScreen->SaveScreen = xenfb_save_screen;
    x->CloseScreen = pScreen->CloseScreen;
    pScreen->CloseScreen = xenfb_close_screen;
    x->CreateScreenResources = pScreen->CreateScreenResources;
    pScreen->CreateScreenResources = xenfb_create_screen_resources;
    x->BlockHandler = pScreen->BlockHandler;
    pScreen->BlockHandler = xenfb_block_handler;

    pScrn->vtSema = TRUE;
    if (serverGeneration == 1)
        xf86ShowUnusedOptions(pScrn->scrnIndex, pScrn->options);
    return TRUE;

fail:
    xenfb_front_close(pScrn);
    xenfb_request_fini(pScrn);
    xenfb_cursor_fini(pScrn);
    xenfb_memory_fini(pScrn);
    return FALSE;
}

static Bool xenfb_probe(DriverPtr drv, int flags)
{
    GDevPtr *sections;
    Bool found = FALSE;

    if (flags & PROBE_DETECT)
        return FALSE;
    int n = xf86MatchDevice(XENFB_DRIVER_NAME, &sections);
    for (int i = 0; i < n; i++) {
        int entity = xf86ClaimNoSlot(drv, 0, sections[i], TRUE);
        ScrnInfoPtr pScrn = xf86AllocateScreen(drv, 0);
        if (!pScrn)
            continue;
        xf86AddEntityToScreen(pScrn, entity);
        pScrn->driverVersion = XENFB_VERSION;
        pScrn->driverName = XENFB_DRIVER_NAME;
        pScrn->name = XENFB_NAME;
        pScrn->Probe = xenfb_probe;
        pScrn->PreInit = xenfb_pre_init;
        pScrn->ScreenInit = xenfb_screen_init;
        pScrn->SwitchMode = xenfb_switch_mode;
        pScrn->AdjustFrame = xenfb_adjust_frame;
        pScrn->EnterVT = xenfb_enter_vt;
        pScrn->LeaveVT = xenfb_leave_vt;
        pScrn->FreeScreen = xenfb_free_screen;
        pScrn->ValidMode = xenfb_valid_mode;
        found = TRUE;
    }
    free(sections);
    return found;
}

static DriverRec XENFB = {
    .driverVersion = XENFB_VERSION,
    .driverName = XENFB_DRIVER_NAME,
    .Identify = xenfb_identify,
    .Probe = xenfb_probe,
    .AvailableOptions = xenfb_available_options,
    .driverFunc = xenfb_driver_func,
};

static void *xenfb_setup(void *module, void *opts, int *errmaj, int *errmin)
{
    static Bool done;
    if (done) {
        if (errmaj)
            *errmaj = LDR_ONCEONLY;
        return NULL;
    }
    done = TRUE;
    xf86AddDriver(&XENFB, module, HaveDriverFuncs);
    return (void *)1;
}

static XF86ModuleVersionInfo xenfb_version = {
    XENFB_DRIVER_NAME,    MODULEVENDORSTRING,    MODINFOSTRING1,        MODINFOSTRING2,
    XORG_VERSION_CURRENT, PACKAGE_VERSION_MAJOR, PACKAGE_VERSION_MINOR, PACKAGE_VERSION_PATCHLEVEL,
    ABI_CLASS_VIDEODRV,   ABI_VIDEODRV_VERSION,  MOD_CLASS_VIDEODRV,    {0, 0, 0, 0},
};

_X_EXPORT XF86ModuleData xenfbModuleData = {&xenfb_version, xenfb_setup, NULL};
