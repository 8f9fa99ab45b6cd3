/* Damage on the screen pixmap, flushed as update rectangles. The damage
 * record reports nothing by itself (DamageReportNone): the server only
 * accumulates the region, and the BlockHandler sends it once per pass of
 * the main loop, so a burst of drawing costs one round of updates. */
#include "xenfb.h"

#include "scrnintstr.h"

Bool xenfb_damage_init(ScreenPtr pScreen)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);
    PixmapPtr pixmap = pScreen->GetScreenPixmap(pScreen);

    x->damage = DamageCreate(NULL, NULL, DamageReportNone, TRUE, pScreen, pScreen);
    if (!x->damage) {
        xf86DrvMsg(pScrn->scrnIndex, X_ERROR, "Cannot create the damage record\n");
        return FALSE;
    }
    DamageRegister(&pixmap->drawable, x->damage);
    return TRUE;
}

void xenfb_damage_fini(ScreenPtr pScreen)
{
    XenfbPtr x = XENFBPTR(xf86ScreenToScrn(pScreen));
    if (!x->damage)
        return;
    DamageUnregister(x->damage);
    DamageDestroy(x->damage);
    x->damage = NULL;
}

void xenfb_damage_flush(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (!x->damage)
        return;
    RegionPtr region = DamageRegion(x->damage);
    if (!RegionNotEmpty(region))
        return;
    /* libxenfbfront clips to the mode, drops what nobody watches, and
     * merges into a bounding box when the ring is full: send the region's
     * rectangles exactly as X computed them */
    int n = RegionNumRects(region);
    BoxPtr box = RegionRects(region);
    for (int i = 0; i < n; i++, box++)
        xfb_front_update(x->front, box->x1, box->y1, box->x2 - box->x1, box->y2 - box->y1);
    DamageEmpty(x->damage);
}
