/* Keysyms to Linux key codes for one keyboard layout, for VNC clients
 * that send keysyms only (no QEMU extended key events). Built once with
 * libxkbcommon from the layout the guest is configured with: the key
 * that produces a keysym in that layout, and the modifiers it needs.
 */
#ifndef XFB_KEYMAP_H
#define XFB_KEYMAP_H

#include <stdint.h>

#define KEYMAP_SHIFT 1u
#define KEYMAP_ALTGR 2u

struct keymap;

/* NULL + errno (EINVAL: no such layout). */
struct keymap *keymap_new(const char *layout);
void keymap_free(struct keymap *km);

/* The Linux key code that types keysym, -1 when no key does; *mods gets
 * the KEYMAP_* modifiers to hold down with it. */
int keymap_lookup(const struct keymap *km, uint32_t keysym, unsigned *mods);

#endif
