/* QEMU key numbers to Linux key codes (rfbkeys.h). The scan codes
 * without a prefix are the Linux codes themselves up to KEY_KPDOT
 * (the kernel numbered its keys after set 1); the rest follow the
 * keycodemapdb table QEMU, SPICE and VNC servers share. */
#include "config.h"

#include "rfbkeys.h"

#include <linux/input-event-codes.h>

/* clang-format off */
static const uint16_t beyond[256] = {
    [0x54] = KEY_SYSRQ,
    [0x56] = KEY_102ND,
    [0x57] = KEY_F11,
    [0x58] = KEY_F12,
    [0x59] = KEY_KPEQUAL,
    [0x5d] = KEY_F13,
    [0x5e] = KEY_F14,
    [0x5f] = KEY_F15,
    [0x70] = KEY_KATAKANAHIRAGANA,
    [0x73] = KEY_RO,
    [0x79] = KEY_HENKAN,
    [0x7b] = KEY_MUHENKAN,
    [0x7d] = KEY_YEN,
    [0x7e] = KEY_KPCOMMA,
    [0x90] = KEY_PREVIOUSSONG,
    [0x99] = KEY_NEXTSONG,
    [0x9c] = KEY_KPENTER,
    [0x9d] = KEY_RIGHTCTRL,
    [0xa0] = KEY_MUTE,
    [0xa1] = KEY_CALC,
    [0xa2] = KEY_PLAYPAUSE,
    [0xa4] = KEY_STOPCD,
    [0xae] = KEY_VOLUMEDOWN,
    [0xb0] = KEY_VOLUMEUP,
    [0xb2] = KEY_HOMEPAGE,
    [0xb5] = KEY_KPSLASH,
    [0xb7] = KEY_SYSRQ,
    [0xb8] = KEY_RIGHTALT,
    [0xc6] = KEY_PAUSE,
    [0xc7] = KEY_HOME,
    [0xc8] = KEY_UP,
    [0xc9] = KEY_PAGEUP,
    [0xcb] = KEY_LEFT,
    [0xcd] = KEY_RIGHT,
    [0xcf] = KEY_END,
    [0xd0] = KEY_DOWN,
    [0xd1] = KEY_PAGEDOWN,
    [0xd2] = KEY_INSERT,
    [0xd3] = KEY_DELETE,
    [0xdb] = KEY_LEFTMETA,
    [0xdc] = KEY_RIGHTMETA,
    [0xdd] = KEY_COMPOSE,
    [0xde] = KEY_POWER,
    [0xdf] = KEY_SLEEP,
    [0xe3] = KEY_WAKEUP,
    [0xe5] = KEY_SEARCH,
    [0xe6] = KEY_BOOKMARKS,
    [0xe7] = KEY_REFRESH,
    [0xe8] = KEY_STOP,
    [0xe9] = KEY_FORWARD,
    [0xea] = KEY_BACK,
    [0xeb] = KEY_COMPUTER,
    [0xec] = KEY_MAIL,
    [0xed] = KEY_MEDIA,
};
/* clang-format on */

unsigned rfbkeys_qnum_to_evdev(uint32_t qnum)
{
    if (qnum >= 1 && qnum <= KEY_KPDOT)
        return qnum;
    return qnum < 256 ? beyond[qnum] : 0;
}
