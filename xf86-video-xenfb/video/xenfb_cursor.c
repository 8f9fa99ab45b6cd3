/* The cursor, drawn by the backend's viewers instead of into the screen
 * (the cursor extension, docs/protocol.md 7), through Xorg's hardware
 * cursor interface: X hands us the image, hotspot, position and
 * visibility and stops painting the cursor into the screen pixmap, so
 * moving the pointer damages nothing.
 *
 * X asks UseHWCursor/UseHWCursorARGB each time the cursor changes, and we
 * say yes only while a backend that draws the cursor is connected: with
 * none, or one without the extension, X draws it itself as before. When
 * that changes (a backend comes or goes) xf86CursorResetCursor makes X
 * ask again for the cursor on screen. */
#include "xenfb.h"

#include <string.h>

#include "cursorstr.h"
#include "servermd.h"
#include "xf86Cursor.h"

#define MAX XFB_FRONT_CURSOR_MAX

/* What RealizeCursor makes of a two-colour (core) cursor, for
 * LoadCursorImage: the colours come separately (SetCursorColors), so we
 * keep which pixels are foreground, background or transparent, and the
 * hotspot, which LoadCursorImage is not told. */
struct mono {
    uint8_t width, height, hot_x, hot_y;
    uint8_t px[MAX * MAX]; /* 0 transparent, 1 background, 2 foreground */
};

static Bool bit(const unsigned char *row, int x)
{
#if BITMAP_BIT_ORDER == MSBFirst
    return (row[x / 8] >> (7 - x % 8)) & 1;
#else
    return (row[x / 8] >> (x % 8)) & 1;
#endif
}

/* Called by X with NullCursor too (its transparent cursor): then all 0. */
static unsigned char *realize(xf86CursorInfoPtr info, CursorPtr pCurs)
{
    struct mono *m = calloc(1, sizeof(*m));
    if (!m || !pCurs)
        return (unsigned char *)m;
    CursorBitsPtr b = pCurs->bits;
    int w = b->width < MAX ? b->width : MAX, h = b->height < MAX ? b->height : MAX;
    int pad = BitmapBytePad(b->width);
    m->width = (uint8_t)w;
    m->height = (uint8_t)h;
    m->hot_x = (uint8_t)(b->xhot < w ? b->xhot : 0);
    m->hot_y = (uint8_t)(b->yhot < h ? b->yhot : 0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (bit(b->mask + y * pad, x))
                m->px[y * MAX + x] = bit(b->source + y * pad, x) ? 2 : 1;
    return (unsigned char *)m;
}

static void push_mono(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    const struct mono *m = x->cursor_mono;
    static uint32_t argb[MAX * MAX];
    if (!m || !x->front)
        return;
    for (int i = 0; i < MAX * MAX; i++)
        argb[i] = m->px[i] == 2   ? 0xff000000u | x->cursor_fg
                  : m->px[i] == 1 ? 0xff000000u | x->cursor_bg
                                  : 0;
    x->cursor_hot_x = m->hot_x;
    x->cursor_hot_y = m->hot_y;
    xfb_front_cursor_image(x->front, m->width, m->height, m->hot_x, m->hot_y, argb, MAX);
}

static void load_image(ScrnInfoPtr pScrn, unsigned char *bits)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (!x->cursor_mono)
        x->cursor_mono = malloc(sizeof(struct mono));
    if (!x->cursor_mono)
        return;
    memcpy(x->cursor_mono, bits, sizeof(struct mono));
    push_mono(pScrn);
}

static void set_colors(ScrnInfoPtr pScrn, int bg, int fg)
{
    XenfbPtr x = XENFBPTR(pScrn);
    x->cursor_bg = (uint32_t)bg & 0xffffff;
    x->cursor_fg = (uint32_t)fg & 0xffffff;
    push_mono(pScrn);
}

static void load_argb(ScrnInfoPtr pScrn, CursorPtr pCurs)
{
    XenfbPtr x = XENFBPTR(pScrn);
    CursorBitsPtr b = pCurs->bits;
    free(x->cursor_mono); /* the colours that follow are not for an ARGB image */
    x->cursor_mono = NULL;
    x->cursor_hot_x = b->xhot;
    x->cursor_hot_y = b->yhot;
    if (x->front)
        xfb_front_cursor_image(x->front, b->width, b->height, b->xhot, b->yhot, b->argb, b->width);
}

/* X gives the image's top-left corner; the protocol wants the hotspot */
static void set_position(ScrnInfoPtr pScrn, int px, int py)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->front)
        xfb_front_cursor_move(x->front, px + x->cursor_hot_x, py + x->cursor_hot_y);
}

static void show(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->front)
        xfb_front_cursor_show(x->front, TRUE);
}

static void hide(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->front)
        xfb_front_cursor_show(x->front, FALSE);
}

static Bool use_hw(ScreenPtr pScreen, CursorPtr pCurs)
{
    XenfbPtr x = XENFBPTR(xf86ScreenToScrn(pScreen));
    return x->front && xfb_front_cursor_active(x->front) && pCurs->bits->width <= MAX &&
           pCurs->bits->height <= MAX;
}

Bool xenfb_cursor_init(ScreenPtr pScreen)
{
    ScrnInfoPtr pScrn = xf86ScreenToScrn(pScreen);
    XenfbPtr x = XENFBPTR(pScrn);

    x->cursor_hw = FALSE;
    if (x->sw_cursor) {
        xf86DrvMsg(pScrn->scrnIndex, X_CONFIG,
                   "cursor: drawn by X into the screen (Option \"SWCursor\")\n");
        return TRUE;
    }
    xf86CursorInfoPtr info = xf86CreateCursorInfoRec();
    if (!info)
        return FALSE;
    info->MaxWidth = MAX;
    info->MaxHeight = MAX;
    /* no HideCursor before each new image: it would tell the backend
     * twice for every change */
    info->Flags = HARDWARE_CURSOR_ARGB | HARDWARE_CURSOR_UPDATE_UNHIDDEN;
    info->RealizeCursor = realize;
    info->LoadCursorImage = load_image;
    info->SetCursorColors = set_colors;
    info->UseHWCursor = use_hw;
    info->UseHWCursorARGB = use_hw;
    info->LoadCursorARGB = load_argb;
    info->SetCursorPosition = set_position;
    info->ShowCursor = show;
    info->HideCursor = hide;
    if (!xf86InitCursor(pScreen, info)) {
        xf86DestroyCursorInfoRec(info);
        /* the backend keeps the hidden cursor the handle started with */
        xf86DrvMsg(pScrn->scrnIndex, X_WARNING,
                   "cursor: drawn by X: the server's cursor layer refused ours\n");
        return TRUE;
    }
    x->cursor_info = info;
    xf86DrvMsg(pScrn->scrnIndex, X_INFO,
               "cursor: drawn by the backend's viewers whenever the backend offers it "
               "(feature-cursor); by X until then\n");
    return TRUE;
}

void xenfb_cursor_check(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (!x->cursor_info || !x->front)
        return;
    Bool active = xfb_front_cursor_active(x->front);
    if (active == x->cursor_hw)
        return;
    x->cursor_hw = active;
    if (active)
        xf86DrvMsg(pScrn->scrnIndex, X_INFO,
                   "vfb %u: cursor drawn by the backend's viewers (feature-cursor): X no longer "
                   "paints it into the screen\n",
                   x->devid);
    else
        xf86DrvMsg(pScrn->scrnIndex, X_INFO, "vfb %u: cursor drawn by X: %s\n", x->devid,
                   xfb_front_connected(x->front) ? "the backend has no feature-cursor"
                                                 : "no backend connected");
    /* X chooses again for the cursor on screen, asking use_hw */
    xf86CursorResetCursor(xf86ScrnToScreen(pScrn));
}

void xenfb_cursor_fini(ScrnInfoPtr pScrn)
{
    XenfbPtr x = XENFBPTR(pScrn);
    if (x->cursor_info)
        xf86DestroyCursorInfoRec(x->cursor_info);
    x->cursor_info = NULL;
    free(x->cursor_mono);
    x->cursor_mono = NULL;
}
