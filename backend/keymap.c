/* The keysym table of one layout, from libxkbcommon's compiled keymap:
 * every key (evdev code + 8 in XKB), levels 1 to 4 of its first group.
 * The first key found for a keysym wins, lower levels first, so that
 * plain keys are preferred over shifted ones and the main block over the
 * keypad (which comes later in evdev order).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xkbcommon/xkbcommon.h>

#include "keymap.h"

struct entry {
    uint32_t keysym;
    uint16_t code;
    uint8_t mods;
};

struct keymap {
    struct entry *e;
    size_t n, cap;
};

static int add(struct keymap *km, uint32_t sym, unsigned code, unsigned mods)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->e[i].keysym == sym)
            return 0;
    if (km->n == km->cap) {
        size_t cap = km->cap ? km->cap * 2 : 256;
        struct entry *e = realloc(km->e, cap * sizeof(*e));
        if (!e)
            return -1;
        km->e = e;
        km->cap = cap;
    }
    km->e[km->n++] = (struct entry){sym, (uint16_t)code, (uint8_t)mods};
    return 0;
}

/* The modifiers that select level (0-based) of a key, from its type's
 * masks: shift and level 3 (AltGr) are the ones that matter for typing. */
static unsigned level_mods(struct xkb_keymap *map, xkb_keycode_t kc, xkb_level_index_t level)
{
    xkb_mod_mask_t masks[4];
    size_t n = xkb_keymap_key_get_mods_for_level(map, kc, 0, level, masks, 4);
    if (n == 0)
        return ~0u;
    xkb_mod_index_t shift = xkb_keymap_mod_get_index(map, XKB_MOD_NAME_SHIFT);
    xkb_mod_index_t l3 = xkb_keymap_mod_get_index(map, "Mod5");
    xkb_mod_index_t lock = xkb_keymap_mod_get_index(map, XKB_MOD_NAME_CAPS);
    for (size_t i = 0; i < n; i++) {
        xkb_mod_mask_t m = masks[i];
        unsigned out = 0;
        if (lock != XKB_MOD_INVALID && (m & (1u << lock)))
            continue;
        if (shift != XKB_MOD_INVALID && (m & (1u << shift))) {
            out |= KEYMAP_SHIFT;
            m &= ~(1u << shift);
        }
        if (l3 != XKB_MOD_INVALID && (m & (1u << l3))) {
            out |= KEYMAP_ALTGR;
            m &= ~(1u << l3);
        }
        if (m == 0)
            return out;
    }
    return ~0u;
}

static int fill(struct keymap *km, struct xkb_keymap *map)
{
    /* X keycodes stop at 255: a key beyond (as KEY_DOLLAR, 434, which
     * evdev maps to dollar) could not reach a guest's X clients */
    xkb_keycode_t min = xkb_keymap_min_keycode(map), max = xkb_keymap_max_keycode(map);
    if (max > 255)
        max = 255;
    for (xkb_level_index_t level = 0; level < 4; level++)
        for (xkb_keycode_t kc = min < 8 ? 8 : min; kc <= max; kc++) {
            if (level >= xkb_keymap_num_levels_for_key(map, kc, 0))
                continue;
            const xkb_keysym_t *syms;
            int n = xkb_keymap_key_get_syms_by_level(map, kc, 0, level, &syms);
            if (n != 1)
                continue;
            unsigned mods = level_mods(map, kc, level);
            if (mods == ~0u)
                continue;
            if (add(km, syms[0], kc - 8, mods) < 0)
                return -1;
        }
    return 0;
}

struct keymap *keymap_new(const char *layout)
{
    struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
    if (!ctx) {
        errno = ENOMEM;
        return NULL;
    }
    /* an unknown layout is reported once, by the caller */
    xkb_context_set_log_level(ctx, XKB_LOG_LEVEL_CRITICAL);
    struct xkb_rule_names names = {.rules = "evdev", .model = "pc105", .layout = layout};
    struct xkb_keymap *map = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    struct keymap *km = NULL;
    if (!map) {
        errno = EINVAL;
        goto out;
    }
    km = calloc(1, sizeof(*km));
    if (!km || fill(km, map) < 0) {
        keymap_free(km);
        km = NULL;
        errno = ENOMEM;
    }
    xkb_keymap_unref(map);
out:
    xkb_context_unref(ctx);
    return km;
}

void keymap_free(struct keymap *km)
{
    if (!km)
        return;
    free(km->e);
    free(km);
}

int keymap_lookup(const struct keymap *km, uint32_t keysym, unsigned *mods)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->e[i].keysym == keysym) {
            *mods = km->e[i].mods;
            return km->e[i].code;
        }
    return -1;
}
