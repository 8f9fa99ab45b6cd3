/* Where the screen's pixels live. With a device, in the memory granted to
 * the backend: fb draws straight into it, nothing is copied. Without one
 * (not attached yet, removed, or no memory to be had), in memory of the
 * server's own, so X runs the same either way. The picture moves between
 * the two with one copy when the device comes or goes; a mode change
 * needs no copy, since X repaints the whole screen after it. */
#include "xenfb.h"

#include <string.h>

#include "scrnintstr.h"

int xenfb_pitch(ScrnInfoPtr pScrn, int width)
{
    /* the library's, so that what it grants and what xenfb-agent check
     * counts are what the screen uses */
    return (int)xfb_front_stride((uint32_t)width, (uint32_t)pScrn->bitsPerPixel);
}

void *xenfb_memory_alloc(ScrnInfoPtr pScrn, int pitch, int height)
{
    void *p = calloc((size_t)height, (size_t)pitch);
    if (!p)
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot allocate %zu KiB for the screen\n",
                   (size_t)pitch * (size_t)height / 1024);
    return p;
}

void *xenfb_memory_initial(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    struct xfb_front_fb fb;
    x->pitch = xenfb_pitch(pScrn, pScrn->virtualX);
    if (xfb_front_get_fb(x->front, &fb) == 0 && fb.pixels) {
        x->pixels = fb.pixels;
        return x->pixels;
    }
    x->own = xenfb_memory_alloc(pScrn, x->pitch, pScrn->virtualY);
    x->pixels = x->own;
    return x->pixels;
}

void xenfb_memory_move(ScrnInfoPtr pScrn, void *to, Bool copy)
{
    XenfbPtr x = XENFBPTR(pScrn);
    ScreenPtr pScreen = pScrn->pScreen;
    if (to == x->pixels)
        return;
    if (copy && x->pixels)
        memcpy(to, x->pixels, (size_t)x->pitch * (size_t)pScrn->virtualY);
    PixmapPtr pixmap = pScreen ? pScreen->GetScreenPixmap(pScreen) : NULL;
    if (pixmap)
        pScreen->ModifyPixmapHeader(pixmap, -1, -1, -1, -1, -1, to);
    x->pixels = to;
    if (x->own && x->own != to) {
        free(x->own);
        x->own = NULL;
    }
}

Bool xenfb_memory_to_own(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->own && x->pixels == x->own)
        return TRUE;
    /* The granted memory is released when we return: fb must not be
     * left drawing into it, so an allocation that fails here ends the
     * server (XNF), as any allocation X cannot do without. */
    void *own = XNFcallocarray((size_t)pScrn->virtualY, (size_t)x->pitch);
    xenfb_memory_move(pScrn, own, TRUE);
    x->own = own;
    return TRUE;
}

void xenfb_memory_fini(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    free(x->own);
    x->own = NULL;
    x->pixels = NULL;
}
