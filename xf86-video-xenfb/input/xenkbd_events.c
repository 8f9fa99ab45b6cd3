/* vkbd events to X input events. Runs on the input thread, from
 * xfb_front_dispatch(): it posts events and touches nothing else. */
#include "xenkbd.h"

/* The pointer device, if it is there and on: pointer events for it are
 * dropped otherwise (the user disabled it, or it is being removed). */
static InputInfoPtr pointer_of(InputInfoPtr kbd)
{
    XenkbdPtr k = kbd->private;
    InputInfoPtr p = k->partner;
    return p && p->dev && p->dev->public.on ? p : NULL;
}

static void post_code(InputInfoPtr pInfo, uint32_t code, Bool pressed)
{
    XenkbdPtr k = pInfo->private;
    struct xenkbd_action a = xenkbd_map_code(code);
    InputInfoPtr ptr;

    switch (a.kind) {
    case XENKBD_KEY:
        xf86PostKeyboardEvent(pInfo->dev, (unsigned)a.x, pressed);
        break;
    case XENKBD_BUTTON:
        if (!(ptr = pointer_of(pInfo)))
            return;
        xf86PostButtonEvent(ptr->dev, Relative, a.x, pressed, 0, 0);
        break;
    case XENKBD_DROP:
        /* a few, not a flood, in the log: a hostile backend can send
         * millions */
        if (k->dropped++ % 1000 == 0)
            xf86IDrvMsg(pInfo, X_WARNING,
                        "vkbd %u: code %u has no X equivalent, dropped (%u so far)\n", k->devid,
                        code, k->dropped);
        return;
    }
    xenkbd_down_set(&k->down, code, pressed);
}

static void post_wheel(InputInfoPtr ptr, int32_t z, int32_t w)
{
    XenkbdPtr p = ptr->private;
    if (!z && !w)
        return;
    /* Linux REL_WHEEL counts up as positive, X's vertical scroll axis
     * down; both count right as positive horizontally. 120 per detent. */
    valuator_mask_zero(p->mask);
    if (z)
        valuator_mask_set_double(p->mask, 3, -(double)z * XENKBD_SCROLL_INCREMENT);
    if (w)
        valuator_mask_set_double(p->mask, 2, (double)w * XENKBD_SCROLL_INCREMENT);
    xf86PostMotionEventM(ptr->dev, Relative, p->mask);
}

void xenkbd_release_all(InputInfoPtr pInfo)
{
    XenkbdPtr k = pInfo->private;
    uint32_t code = 0;
    while (xenkbd_down_next(&k->down, &code)) {
        post_code(pInfo, code, FALSE);
        code++;
    }
}

void xenkbd_event(void *data, const struct xfb_front_event *ev)
{
    InputInfoPtr pInfo = data;
    XenkbdPtr k = pInfo->private;
    InputInfoPtr ptr = pointer_of(pInfo);
    XenkbdPtr p = ptr ? ptr->private : NULL;

    switch (ev->type) {
    case XFB_FRONT_EV_KEY:
        post_code(pInfo, ev->key.code, ev->key.pressed);
        break;
    case XFB_FRONT_EV_POS:
        if (!ptr)
            break;
        valuator_mask_zero(p->mask);
        valuator_mask_set(p->mask, 0, xenkbd_scale(ev->pos.x, ev->pos.x_max, XENKBD_AXIS_MAX));
        valuator_mask_set(p->mask, 1, xenkbd_scale(ev->pos.y, ev->pos.y_max, XENKBD_AXIS_MAX));
        xf86PostMotionEventM(ptr->dev, Absolute, p->mask);
        post_wheel(ptr, ev->pos.z, ev->pos.w);
        break;
    case XFB_FRONT_EV_MOTION:
        if (!ptr)
            break;
        if (ev->motion.dx || ev->motion.dy) {
            valuator_mask_zero(p->mask);
            valuator_mask_set(p->mask, 0, ev->motion.dx);
            valuator_mask_set(p->mask, 1, ev->motion.dy);
            xf86PostMotionEventM(ptr->dev, Relative, p->mask);
        }
        post_wheel(ptr, ev->motion.dz, ev->motion.dw);
        break;
    case XFB_FRONT_EV_STATE:
        if (ev->state.connected == k->connected)
            break;
        k->connected = ev->state.connected;
        if (!k->connected) {
            /* whatever the backend pressed, it can no longer release */
            xenkbd_release_all(pInfo);
            xf86IDrvMsg(pInfo, X_WARNING, "vkbd %u: backend gone; keys and buttons released\n",
                        k->devid);
        } else {
            xf86IDrvMsg(pInfo, X_INFO, "vkbd %u connected\n", k->devid);
        }
        break;
    case XFB_FRONT_EV_DEVICE:
        /* the library's line names the device; what it means for input */
        if (!ev->device.present && k->connected) {
            k->connected = FALSE;
            xenkbd_release_all(pInfo);
            xf86IDrvMsg(pInfo, X_WARNING, "vkbd %u: device gone; keys and buttons released\n",
                        k->devid);
        }
        break;
    case XFB_FRONT_EV_REFRESH:
    case XFB_FRONT_EV_CLIPBOARD:      /* a clip handle's, never a vkbd's */
    case XFB_FRONT_EV_RESIZE_REQUEST: /* a vfb handle's */
        break;
    }
}
