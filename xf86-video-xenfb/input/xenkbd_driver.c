/* Module entry points, PreInit and device_control of xenkbd. */
#include "xenkbd.h"

#include <errno.h>
#include <string.h>

#include <X11/Xatom.h>
#include <exevents.h>
#include <xkbsrv.h>
#include <xserver-properties.h>

static void front_log(void *data, int level, const char *msg)
{
    InputInfoPtr pInfo = data;
    MessageType type = level <= XFB_LOG_ERROR     ? X_ERROR
                       : level == XFB_LOG_WARNING ? X_WARNING
                                                  : X_INFO;
    if (level >= XFB_LOG_DEBUG)
        xf86IDrvMsgVerb(pInfo, X_INFO, 5, "%s\n", msg);
    else
        xf86IDrvMsg(pInfo, type, "%s\n", msg);
}

/* Runs on the input thread whenever the vkbd descriptor is readable. */
static void xenkbd_read_input(InputInfoPtr pInfo)
{
    XenkbdPtr k = pInfo->private;
    if (k->front && xfb_front_dispatch(k->front) < 0) {
        xf86IDrvMsg(pInfo, X_ERROR, "vkbd %u: lost xenstore or the event channel (%s)\n", k->devid,
                    strerror(errno));
        xenkbd_release_all(pInfo);
        xf86RemoveEnabledDevice(pInfo);
    }
}

/* vkbd carries Linux key codes: like evdev and libinput, default to the
 * evdev rules whatever the server's own default is (often "base", whose
 * xfree86 keycodes put Delete where evdev has Print). */
static void init_keyboard(InputInfoPtr pInfo)
{
    XkbRMLVOSet rmlvo = {0}, defaults = {0};
    XkbGetRulesDflts(&defaults);
    rmlvo.rules = xf86SetStrOption(pInfo->options, "XkbRules", "evdev");
    rmlvo.model = xf86SetStrOption(pInfo->options, "XkbModel", "pc105");
    rmlvo.layout = xf86SetStrOption(pInfo->options, "XkbLayout", defaults.layout);
    rmlvo.variant = xf86SetStrOption(pInfo->options, "XkbVariant", defaults.variant);
    rmlvo.options = xf86SetStrOption(pInfo->options, "XkbOptions", defaults.options);
    InitKeyboardDeviceStruct(pInfo->dev, &rmlvo, NULL, NULL);
    XkbFreeRMLVOSet(&rmlvo, FALSE);
    XkbFreeRMLVOSet(&defaults, FALSE);
}

static void ptr_ctl(DeviceIntPtr dev, PtrCtrl *ctl)
{
}

static Bool init_pointer(InputInfoPtr pInfo)
{
    DeviceIntPtr dev = pInfo->dev;
    unsigned char map[XENKBD_NUM_BUTTONS + 1];
    Atom buttons[XENKBD_NUM_BUTTONS] = {0};
    Atom axes[XENKBD_NUM_AXES];

    for (int i = 0; i <= XENKBD_NUM_BUTTONS; i++)
        map[i] = (unsigned char)i;
    buttons[0] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_LEFT);
    buttons[1] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_MIDDLE);
    buttons[2] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_RIGHT);
    buttons[3] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_WHEEL_UP);
    buttons[4] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_WHEEL_DOWN);
    buttons[5] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_HWHEEL_LEFT);
    buttons[6] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_HWHEEL_RIGHT);
    buttons[7] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_SIDE);
    buttons[8] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_EXTRA);
    buttons[9] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_FORWARD);
    buttons[10] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_BACK);
    buttons[11] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_TASK);
    axes[0] = XIGetKnownProperty(AXIS_LABEL_PROP_ABS_X);
    axes[1] = XIGetKnownProperty(AXIS_LABEL_PROP_ABS_Y);
    axes[2] = XIGetKnownProperty(AXIS_LABEL_PROP_REL_HSCROLL);
    axes[3] = XIGetKnownProperty(AXIS_LABEL_PROP_REL_VSCROLL);

    if (!InitPointerDeviceStruct((DevicePtr)dev, map, XENKBD_NUM_BUTTONS, buttons, ptr_ctl,
                                 GetMotionHistorySize(), XENKBD_NUM_AXES, axes))
        return FALSE;
    /* absolute axes over the raw range: the server maps them onto the
     * whole screen, whatever its size, so a RandR change moves nothing */
    xf86InitValuatorAxisStruct(dev, 0, axes[0], 0, XENKBD_AXIS_MAX, 0, 0, 0, Absolute);
    xf86InitValuatorAxisStruct(dev, 1, axes[1], 0, XENKBD_AXIS_MAX, 0, 0, 0, Absolute);
    SetScrollValuator(dev, 2, SCROLL_TYPE_HORIZONTAL, XENKBD_SCROLL_INCREMENT, SCROLL_FLAG_NONE);
    SetScrollValuator(dev, 3, SCROLL_TYPE_VERTICAL, XENKBD_SCROLL_INCREMENT, SCROLL_FLAG_NONE);
    return TRUE;
}

static Bool open_front(InputInfoPtr pInfo)
{
    XenkbdPtr k = pInfo->private;
    struct xfb_front_opts opts = {
        .kind = XFB_FRONT_VKBD,
        .devid = k->devid,
        .log_fn = front_log,
        .log_data = pInfo,
        .event_fn = xenkbd_event,
        .event_data = pInfo,
    };
    /* the device may come after the server, and go and come again: the
     * handle watches for it, with nothing to retry */
    k->front = xfb_front_open_flags(&opts, XFB_FRONT_HOTPLUG);
    if (!k->front)
        return FALSE;
    pInfo->fd = xfb_front_fd(k->front);
    xf86AddEnabledDevice(pInfo);
    return TRUE;
}

static void close_front(InputInfoPtr pInfo)
{
    XenkbdPtr k = pInfo->private;
    if (!k->front)
        return;
    xf86RemoveEnabledDevice(pInfo);
    xenkbd_release_all(pInfo);
    xfb_front_close(k->front);
    k->front = NULL;
    k->connected = FALSE;
    pInfo->fd = -1;
}

static int device_on(DeviceIntPtr dev)
{
    InputInfoPtr pInfo = dev->public.devicePrivate;
    XenkbdPtr k = pInfo->private;

    dev->public.on = TRUE;
    /* a device that is not there yet is no error; what fails here (the
     * Xen devices, xenstore) needs a restart of X, and the keyboard stays
     * without input meanwhile rather than stop the server */
    if (!open_front(pInfo))
        xf86IDrvMsg(pInfo, X_ERROR, "vkbd %u cannot be opened (%s): no input from dom0\n", k->devid,
                    strerror(errno));
    return Success;
}

static int device_off(DeviceIntPtr dev)
{
    InputInfoPtr pInfo = dev->public.devicePrivate;
    close_front(pInfo);
    dev->public.on = FALSE;
    return Success;
}

static int keyboard_control(DeviceIntPtr dev, int what)
{
    InputInfoPtr pInfo = dev->public.devicePrivate;

    switch (what) {
    case DEVICE_INIT:
        init_keyboard(pInfo);
        return Success;
    case DEVICE_ON:
        return device_on(dev);
    case DEVICE_OFF:
        return device_off(dev);
    case DEVICE_CLOSE:
        return Success;
    default:
        return BadValue;
    }
}

static int pointer_control(DeviceIntPtr dev, int what)
{
    InputInfoPtr pInfo = dev->public.devicePrivate;
    XenkbdPtr p = pInfo->private;

    switch (what) {
    case DEVICE_INIT:
        p->mask = valuator_mask_new(XENKBD_NUM_AXES);
        return p->mask && init_pointer(pInfo) ? Success : BadAlloc;
    case DEVICE_ON:
        dev->public.on = TRUE;
        return Success;
    case DEVICE_OFF:
        /* buttons held through this device go up with it */
        if (p->partner)
            xenkbd_release_all(p->partner);
        dev->public.on = FALSE;
        return Success;
    case DEVICE_CLOSE:
        valuator_mask_free(&p->mask);
        return Success;
    default:
        return BadValue;
    }
}

/* The pointer beside the keyboard: added once the server is up, since a
 * device cannot be added from inside another one's PreInit. */
static Bool add_pointer(ClientPtr client, void *closure)
{
    InputInfoPtr kbd = closure;
    XenkbdPtr k = kbd->private;
    char name[256], id[16], devid[16];

    snprintf(name, sizeof(name), "%s pointer", kbd->name);
    snprintf(id, sizeof(id), "%d", k->id);
    snprintf(devid, sizeof(devid), "%u", k->devid);
    InputOption *opts = NULL;
    opts = input_option_new(opts, "driver", "xenkbd");
    opts = input_option_new(opts, "identifier", name);
    opts = input_option_new(opts, "Device", devid);
    opts = input_option_new(opts, "_source", "_driver/xenkbd");
    opts = input_option_new(opts, "_xenkbd/keyboard", id);
    DeviceIntPtr dev;
    if (NewInputDeviceRequest(opts, NULL, &dev) != Success)
        xf86IDrvMsg(kbd, X_ERROR, "vkbd %u: cannot add the pointer device; keys only\n", k->devid);
    input_option_free_list(&opts);
    return TRUE;
}

static InputInfoPtr find_keyboard(int id)
{
    for (InputInfoPtr i = xf86FirstLocalDevice(); i; i = i->next) {
        XenkbdPtr k = i->private;
        if (i->drv && !strcmp(i->drv->driverName, "xenkbd") && k && !k->is_pointer && k->id == id)
            return i;
    }
    return NULL;
}

static int xenkbd_pre_init(InputDriverPtr drv, InputInfoPtr pInfo, int flags)
{
    static int next_id;
    XenkbdPtr k = calloc(1, sizeof(*k));
    if (!k)
        return BadAlloc;
    pInfo->private = k;
    pInfo->control_proc = NULL;
    pInfo->switch_mode = NULL;
    pInfo->fd = -1;

    int devid = xf86SetIntOption(pInfo->options, "Device", 0);
    if (devid < 0) {
        xf86IDrvMsg(pInfo, X_ERROR, "Option \"Device\" \"%d\": a vkbd index is 0 or more\n", devid);
        free(k);
        pInfo->private = NULL;
        return BadValue;
    }
    k->devid = (unsigned)devid;

    int kbd_id = xf86CheckIntOption(pInfo->options, "_xenkbd/keyboard", -1);
    if (kbd_id >= 0) {
        InputInfoPtr kbd = find_keyboard(kbd_id);
        if (!kbd) {
            free(k);
            pInfo->private = NULL;
            return BadMatch;
        }
        k->is_pointer = TRUE;
        k->partner = kbd;
        ((XenkbdPtr)kbd->private)->partner = pInfo;
        pInfo->type_name = XI_MOUSE;
        pInfo->device_control = pointer_control;
        pInfo->read_input = NULL;
        xf86IDrvMsg(pInfo, X_INFO, "vkbd %u: absolute pointer, buttons and wheel\n", k->devid);
        return Success;
    }

    k->id = ++next_id;
    pInfo->type_name = XI_KEYBOARD;
    pInfo->device_control = keyboard_control;
    pInfo->read_input = xenkbd_read_input;
    xf86IDrvMsg(pInfo, X_CONFIG, "Xen vkbd device %u: keyboard, with a pointer device beside\n",
                k->devid);
    QueueWorkProc(add_pointer, NULL, pInfo);
    return Success;
}

static void xenkbd_uninit(InputDriverPtr drv, InputInfoPtr pInfo, int flags)
{
    XenkbdPtr k = pInfo->private;
    if (k && k->partner) {
        InputInfoPtr other = k->partner;
        XenkbdPtr o = other->private;
        if (o)
            o->partner = NULL;
        /* the pointer exists for the keyboard's sake: it goes with it */
        if (!k->is_pointer && other->dev)
            DeleteInputDeviceRequest(other->dev);
    }
    free(pInfo->private);
    pInfo->private = NULL;
    xf86DeleteInput(pInfo, flags);
}

static InputDriverRec XENKBD = {
    .driverVersion = 1,
    .driverName = "xenkbd",
    .PreInit = xenkbd_pre_init,
    .UnInit = xenkbd_uninit,
};

static void *xenkbd_setup(void *module, void *opts, int *errmaj, int *errmin)
{
    xf86AddInputDriver(&XENKBD, module, 0);
    return module;
}

static XF86ModuleVersionInfo xenkbd_version = {
    "xenkbd",
    MODULEVENDORSTRING,
    MODINFOSTRING1,
    MODINFOSTRING2,
    XORG_VERSION_CURRENT,
    PACKAGE_VERSION_MAJOR,
    PACKAGE_VERSION_MINOR,
    PACKAGE_VERSION_PATCHLEVEL,
    ABI_CLASS_XINPUT,
    ABI_XINPUT_VERSION,
    MOD_CLASS_XINPUT,
    {0, 0, 0, 0},
};

_X_EXPORT XF86ModuleData xenkbdModuleData = {&xenkbd_version, xenkbd_setup, NULL};
