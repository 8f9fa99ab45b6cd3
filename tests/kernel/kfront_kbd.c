/* xen-kbdfront, as Linux 6.1 has it. probe: the backend's
 * feature-disable-keyboard and -pointer, feature-abs-pointer, and the
 * pointer's axes from its width and height (xen_kbdfront.ptr_size=
 * otherwise: 800,600), read once; request-abs-pointer when offered; a
 * page granted to the backend, named both by frame (page-ref) and by
 * grant (page-gref), with event-channel in one transaction, then
 * Initialised. InitWait or Connected from the backend makes it Connected;
 * Closing closes it for good.
 *
 * The in ring's events go to the input core as the driver reports them:
 * a key already down that comes down again is a repeat (value 2); the
 * wheel is REL_WHEEL = -rel_z. With the console's echo on, key presses
 * are typed at the console (a US keyboard, as a getty with the kernel's
 * default keymap). */
#include "config.h"

#include "kfront.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/kbdif.h>
#include <xen/io/xenbus.h>

struct kf_kbd {
    struct kf_dev *dev;
    struct kf_mem page_mem;
    struct xenkbd_page *page;
    uint32_t gref;
    bool with_kbd, with_ptr, abs;
    int ptr_w, ptr_h;
    uint8_t down[KEY_MAX + 1];
};

/* what a US keymap types, unshifted and shifted */
static const char keymap[][2] = {
    [KEY_1] = {'1', '!'},          [KEY_2] = {'2', '@'},           [KEY_3] = {'3', '#'},
    [KEY_4] = {'4', '$'},          [KEY_5] = {'5', '%'},           [KEY_6] = {'6', '^'},
    [KEY_7] = {'7', '&'},          [KEY_8] = {'8', '*'},           [KEY_9] = {'9', '('},
    [KEY_0] = {'0', ')'},          [KEY_MINUS] = {'-', '_'},       [KEY_EQUAL] = {'=', '+'},
    [KEY_Q] = {'q', 'Q'},          [KEY_W] = {'w', 'W'},           [KEY_E] = {'e', 'E'},
    [KEY_R] = {'r', 'R'},          [KEY_T] = {'t', 'T'},           [KEY_Y] = {'y', 'Y'},
    [KEY_U] = {'u', 'U'},          [KEY_I] = {'i', 'I'},           [KEY_O] = {'o', 'O'},
    [KEY_P] = {'p', 'P'},          [KEY_LEFTBRACE] = {'[', '{'},   [KEY_RIGHTBRACE] = {']', '}'},
    [KEY_A] = {'a', 'A'},          [KEY_S] = {'s', 'S'},           [KEY_D] = {'d', 'D'},
    [KEY_F] = {'f', 'F'},          [KEY_G] = {'g', 'G'},           [KEY_H] = {'h', 'H'},
    [KEY_J] = {'j', 'J'},          [KEY_K] = {'k', 'K'},           [KEY_L] = {'l', 'L'},
    [KEY_SEMICOLON] = {';', ':'},  [KEY_APOSTROPHE] = {'\'', '"'}, [KEY_GRAVE] = {'`', '~'},
    [KEY_BACKSLASH] = {'\\', '|'}, [KEY_Z] = {'z', 'Z'},           [KEY_X] = {'x', 'X'},
    [KEY_C] = {'c', 'C'},          [KEY_V] = {'v', 'V'},           [KEY_B] = {'b', 'B'},
    [KEY_N] = {'n', 'N'},          [KEY_M] = {'m', 'M'},           [KEY_COMMA] = {',', '<'},
    [KEY_DOT] = {'.', '>'},        [KEY_SLASH] = {'/', '?'},       [KEY_SPACE] = {' ', ' '},
    [KEY_ENTER] = {'\n', '\n'},    [KEY_BACKSPACE] = {'\b', '\b'},
};

static bool echo = true;

static int connect_backend(struct kf_kbd *k)
{
    struct kf_dev *d = k->dev;
    if (kf_grant(k->page_mem.frames[0], (unsigned)d->otherend_id, false, &k->gref) < 0)
        return -1;
    if (kf_alloc_evtchn(d) < 0) {
        kf_end_grant(k->gref);
        return -1;
    }
    char ref[24], gref[16], port[16];
    snprintf(ref, sizeof(ref), "%llu", (unsigned long long)k->page_mem.frames[0]);
    snprintf(gref, sizeof(gref), "%u", k->gref);
    snprintf(port, sizeof(port), "%d", d->port);
    const char *names[] = {XENKBD_FIELD_RING_REF, XENKBD_FIELD_RING_GREF, XENKBD_FIELD_EVT_CHANNEL};
    const char *values[] = {ref, gref, port};
    if (kf_publish(d, names, values, 3) < 0) {
        kf_free_evtchn(d);
        kf_end_grant(k->gref);
        return -1;
    }
    kf_switch_state(d, XenbusStateInitialised);
    return 0;
}

int kf_kbd_probe(struct kf_dev *d, int ptr_w, int ptr_h)
{
    struct kf_kbd *k = calloc(1, sizeof(*k));
    if (!k)
        return -1;
    k->dev = d;
    d->kbd = k;
    if (kf_alloc(&k->page_mem, 1) < 0)
        return -1;
    k->page = (struct xenkbd_page *)(void *)k->page_mem.addr;
    /* reverse logic: a feature set means no such device */
    k->with_kbd = !kf_read_unsigned(d->otherend, XENKBD_FIELD_FEAT_DSBL_KEYBRD, 0);
    k->with_ptr = !kf_read_unsigned(d->otherend, XENKBD_FIELD_FEAT_DSBL_POINTER, 0);
    if (k->with_ptr) {
        k->abs = kf_read_unsigned(d->otherend, XENKBD_FIELD_FEAT_ABS_POINTER, 0) != 0;
        k->ptr_w = (int)kf_read_unsigned(d->otherend, XENKBD_FIELD_WIDTH, (unsigned)ptr_w);
        k->ptr_h = (int)kf_read_unsigned(d->otherend, XENKBD_FIELD_HEIGHT, (unsigned)ptr_h);
        if (k->abs) {
            const char *n[] = {XENKBD_FIELD_REQ_ABS_POINTER}, *v[] = {"1"};
            if (kf_publish(d, n, v, 1) < 0)
                k->abs = false;
        }
    }
    if (!k->with_kbd && !k->with_ptr)
        return -1;
    if (connect_backend(k) < 0)
        return -1;
    kf_say("vkbd %d probed %s %d %d", d->id, k->abs ? "abs" : "rel", k->ptr_w, k->ptr_h);
    return 0;
}

void kf_kbd_backend_changed(struct kf_dev *d, int state)
{
    switch (state) {
    case XenbusStateInitWait:
        kf_switch_state(d, XenbusStateConnected);
        kf_say("vkbd %d connected", d->id);
        break;
    case XenbusStateConnected:
        if (d->state != XenbusStateConnected) {
            kf_switch_state(d, XenbusStateConnected);
            kf_say("vkbd %d connected", d->id);
        }
        break;
    case XenbusStateClosed:
        if (d->state == XenbusStateClosed)
            break;
        /* the backend's Closing was missed */
        __attribute__((fallthrough));
    case XenbusStateClosing:
        kf_frontend_closed(d);
        break;
    default:
        break;
    }
}

static void key(struct kf_kbd *k, const struct xenkbd_key *ev)
{
    unsigned code = ev->keycode;
    bool ptr_key = code >= BTN_LEFT && code <= BTN_TASK;
    bool kbd_key = (code >= KEY_ESC && code < KEY_UNKNOWN) || (code >= KEY_OK && code < KEY_MAX);
    if ((ptr_key && !k->with_ptr) || (!ptr_key && (!kbd_key || !k->with_kbd))) {
        kf_say("unhandled keycode 0x%x", code);
        return;
    }
    int value = ev->pressed ? 1 : 0;
    if (!ptr_key && ev->pressed && k->down[code])
        value = 2; /* autorepeat */
    k->down[code] = ev->pressed ? 1 : 0;
    kf_say("key %u %d", code, value);
    if (!echo || !value || code >= sizeof(keymap) / sizeof(keymap[0]) || !keymap[code][0])
        return;
    bool shift = k->down[KEY_LEFTSHIFT] || k->down[KEY_RIGHTSHIFT];
    /* a control character (^D) is not echoed as its letter */
    if (k->down[KEY_LEFTCTRL] || k->down[KEY_RIGHTCTRL])
        return;
    kf_fb_typed(keymap[code][shift]);
}

void kf_kbd_event(struct kf_dev *d)
{
    struct kf_kbd *k = d->kbd;
    uint32_t prod = __atomic_load_n(&k->page->in_prod, __ATOMIC_ACQUIRE), cons;
    if (prod == k->page->in_cons)
        return;
    for (cons = k->page->in_cons; cons != prod; cons++) {
        union xenkbd_in_event ev;
        memcpy(&ev, &XENKBD_IN_RING_REF(k->page, cons), sizeof(ev));
        switch (ev.type) {
        case XENKBD_TYPE_MOTION:
            if (!k->with_ptr)
                break;
            kf_say("motion %d %d", ev.motion.rel_x, ev.motion.rel_y);
            if (ev.motion.rel_z)
                kf_say("wheel %d", -ev.motion.rel_z);
            break;
        case XENKBD_TYPE_KEY:
            key(k, &ev.key);
            break;
        case XENKBD_TYPE_POS:
            if (!k->with_ptr)
                break;
            kf_say("pos %d %d", ev.pos.abs_x, ev.pos.abs_y);
            if (ev.pos.rel_z)
                kf_say("wheel %d", -ev.pos.rel_z);
            break;
        default:
            break;
        }
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&k->page->in_cons, cons, __ATOMIC_RELEASE);
    kf_notify(d);
}

void kf_kbd_remove(struct kf_dev *d)
{
    struct kf_kbd *k = d->kbd;
    if (k->gref)
        kf_end_grant(k->gref);
    kf_free(&k->page_mem);
    free(k);
    d->kbd = NULL;
}

void kf_kbd_echo(bool on)
{
    echo = on;
}
