/* xkb-expect: what each key should give, computed by libxkbcommon from
 * the same xkeyboard-config data the X server compiles: the reference the
 * key tests compare the guest's events with.
 *
 *   xkb-expect LAYOUT CODE...   prints "CODE+8 KEYSYM" per Linux key code
 *                               (level 1 of group 1, as XkbKeycodeToKeysym)
 */
#include <stdio.h>
#include <stdlib.h>
#include <xkbcommon/xkbcommon.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: xkb-expect LAYOUT CODE...\n");
        return 2;
    }
    struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    struct xkb_rule_names names = {.rules = "evdev", .model = "pc105", .layout = argv[1]};
    struct xkb_keymap *km = ctx ? xkb_keymap_new_from_names(ctx, &names, 0) : NULL;
    if (!km) {
        fprintf(stderr, "xkb-expect: no keymap for layout %s\n", argv[1]);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        xkb_keycode_t kc = (xkb_keycode_t)strtoul(argv[i], NULL, 0) + 8;
        const xkb_keysym_t *syms;
        char name[64] = "NoSymbol";
        if (xkb_keymap_key_get_syms_by_level(km, kc, 0, 0, &syms) > 0)
            xkb_keysym_get_name(syms[0], name, sizeof(name));
        printf("%u %s\n", kc, name);
    }
    xkb_keymap_unref(km);
    xkb_context_unref(ctx);
    return 0;
}
