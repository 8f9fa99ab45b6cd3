/* xevents: prints the input events a guest X client receives, one line
 * each, for the input tests to compare with what the backend sent.
 *
 *   xevents            a full-screen window that takes the focus
 *
 * Lines: "ready" once listening, then
 *   key press|release KEYCODE KEYSYM     (keysym of level 1 in group 1)
 *   button press|release N X Y           (core events; 4-7 are the wheel)
 *   motion X Y                           (XI2, root coordinates)
 *   scroll V H                           (XI2 smooth-scroll deltas)
 * Exits when stdin closes.
 */
#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int xi_opcode;
/* scroll valuators are absolute and start at 0: deltas from the last value */
static double last_v, last_h;
static int v_axis = -1, h_axis = -1;

static void find_scroll_axes(Display *d, int deviceid)
{
    int n;
    XIDeviceInfo *info = XIQueryDevice(d, deviceid, &n);
    for (int i = 0; info && i < info->num_classes; i++) {
        if (info->classes[i]->type != XIScrollClass)
            continue;
        XIScrollClassInfo *s = (XIScrollClassInfo *)info->classes[i];
        if (s->scroll_type == XIScrollTypeVertical)
            v_axis = s->number;
        else
            h_axis = s->number;
    }
    XIFreeDeviceInfo(info);
}

static void xi2_motion(Display *d, XIDeviceEvent *e)
{
    if (v_axis < 0 && h_axis < 0)
        find_scroll_axes(d, e->sourceid);
    double *val = e->valuators.values;
    double dv = 0, dh = 0;
    int moved = 0;
    for (int i = 0; i < e->valuators.mask_len * 8; i++) {
        if (!XIMaskIsSet(e->valuators.mask, i))
            continue;
        if (i == v_axis) {
            dv = *val - last_v;
            last_v = *val;
        } else if (i == h_axis) {
            dh = *val - last_h;
            last_h = *val;
        } else if (i == 0 || i == 1) {
            moved = 1;
        }
        val++;
    }
    /* a client that selects XI2 motion gets no core MotionNotify */
    if (moved)
        printf("motion %d %d\n", (int)e->root_x, (int)e->root_y);
    if (dv != 0 || dh != 0)
        printf("scroll %g %g\n", dv, dh);
}

int main(void)
{
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fprintf(stderr, "xevents: cannot open display\n");
        return 1;
    }
    int ev, err, major = 2, minor = 1;
    if (!XQueryExtension(d, "XInputExtension", &xi_opcode, &ev, &err) ||
        XIQueryVersion(d, &major, &minor) != Success) {
        fprintf(stderr, "xevents: no XInput 2.1\n");
        return 1;
    }
    int scr = DefaultScreen(d);
    XSetWindowAttributes a = {.override_redirect = True,
                              .event_mask = KeyPressMask | KeyReleaseMask | ButtonPressMask |
                                            ButtonReleaseMask};
    Window w = XCreateWindow(d, RootWindow(d, scr), 0, 0, DisplayWidth(d, scr),
                             DisplayHeight(d, scr), 0, CopyFromParent, InputOnly, CopyFromParent,
                             CWOverrideRedirect | CWEventMask, &a);
    /* smooth scrolling is XI2 only: ask for XI_Motion on the root too */
    unsigned char m[XIMaskLen(XI_LASTEVENT)] = {0};
    XISetMask(m, XI_Motion);
    XIEventMask em = {.deviceid = XIAllMasterDevices, .mask_len = sizeof(m), .mask = m};
    XISelectEvents(d, w, &em, 1);
    XMapRaised(d, w);
    XSync(d, False);
    XSetInputFocus(d, w, RevertToPointerRoot, CurrentTime);
    XSync(d, False);
    printf("ready\n");
    fflush(stdout);

    struct pollfd p[2] = {{ConnectionNumber(d), POLLIN, 0}, {0, POLLIN, 0}};
    for (;;) {
        while (XPending(d)) {
            XEvent e;
            XNextEvent(d, &e);
            if (e.type == KeyPress || e.type == KeyRelease) {
                KeySym ks = XkbKeycodeToKeysym(d, (KeyCode)e.xkey.keycode, 0, 0);
                const char *name = XKeysymToString(ks);
                printf("key %s %u %s\n", e.type == KeyPress ? "press" : "release", e.xkey.keycode,
                       name ? name : "NoSymbol");
            } else if (e.type == ButtonPress || e.type == ButtonRelease) {
                printf("button %s %u %d %d\n", e.type == ButtonPress ? "press" : "release",
                       e.xbutton.button, e.xbutton.x_root, e.xbutton.y_root);
            } else if (e.type == GenericEvent && e.xcookie.extension == xi_opcode &&
                       XGetEventData(d, &e.xcookie)) {
                if (e.xcookie.evtype == XI_Motion)
                    xi2_motion(d, e.xcookie.data);
                XFreeEventData(d, &e.xcookie);
            }
        }
        fflush(stdout);
        if (poll(p, 2, -1) < 0)
            break;
        if (p[1].revents) {
            char buf[64];
            if (read(0, buf, sizeof(buf)) <= 0)
                break;
        }
    }
    XCloseDisplay(d);
    return 0;
}
