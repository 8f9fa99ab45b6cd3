/* Damage on the screen pixmap, flushed as update rectangles. The server
 * accumulates the region, and the BlockHandler sends it once per pass of
 * the main loop, so a burst of drawing costs one round of updates.
 *
 * The record also reports each drawing before it is done (a raw region,
 * reported ahead of the operation): with a backend that copies what it is
 * sent and releases it (protocol.md 2.5), the drawing first waits until
 * the backend has released the updates it would overwrite, so a viewer
 * never gets half of one frame and half of the next. The wait is bounded:
 * a backend that does not release in XENFB_RELEASE_WAIT_MS gets drawn
 * over (libxenfbfront logs it) and is not waited for again until it has
 * released what it held then, for 5 s at least. */
#include "xenfb.h"

#include <stdlib.h>

#include "scrnintstr.h"

#define XENFB_RELEASE_WAIT_MS 500

static void damage_report(DamagePtr damage, RegionPtr region, void *closure)
{
    XenfbPtr x = XENFBPTR((ScrnInfoPtr)closure);
    (void)damage;
    if (!x->front)
        return; /* the library returns at once while not connected */
    BoxPtr e = RegionExtents(region);
    if (e->x2 > e->x1 && e->y2 > e->y1)
        xfb_front_wait_release(x->front, e->x1, e->y1, e->x2 - e->x1, e->y2 - e->y1,
                               XENFB_RELEASE_WAIT_MS);
}

Bool xenfb_damage_init(ScreenPtr pScreen)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);
    PixmapPtr pixmap = pScreen->GetScreenPixmap(pScreen);

    x->damage = DamageCreate(damage_report, NULL, DamageReportRawRegion, TRUE, pScreen, pScrn);
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
     * rectangles exactly as X computed them, together, so that the
     * backend never shows some of them without the others */
    int n = RegionNumRects(region);
    BoxPtr box = RegionRects(region);
    struct xfb_front_rect small[64];
    struct xfb_front_rect *r = n <= 64 ? small : malloc((size_t)n * sizeof(*r));
    if (!r) {
        /* no memory for the list: the bounding box, still one update */
        BoxPtr e = RegionExtents(region);
        xfb_front_update(x->front, e->x1, e->y1, e->x2 - e->x1, e->y2 - e->y1);
    } else {
        for (int i = 0; i < n; i++, box++)
            r[i] = (struct xfb_front_rect){box->x1, box->y1, box->x2 - box->x1, box->y2 - box->y1};
        xfb_front_update_rects(x->front, r, (unsigned)n);
        if (r != small)
            free(r);
    }
    DamageEmpty(x->damage);
}
