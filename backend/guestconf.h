/* The daemon's configuration: which domains get a framebuffer, with
 * what options (xenfb-backend(8), FILES). One rule a line:
 *
 *     guest NAME|UUID|* [max-size=WxH] [keyboard=yes|no]
 *                       [devices=both|kernel|xenfb]
 *
 * `#` starts a comment (at the start of a line or after white space).
 * `serve --guest SPEC` takes the words after `guest`. Unknown words and
 * options are errors, so that a file written for a later version is
 * refused with a clear line rather than half obeyed.
 */
#ifndef XFB_GUESTCONF_H
#define XFB_GUESTCONF_H

#include <stdbool.h>
#include <stddef.h>

enum guest_kind { GUEST_BY_NAME, GUEST_BY_UUID, GUEST_ANY };

#define GUESTCONF_ID_MAX   128 /* a domain name, NUL included */
#define GUESTCONF_SIZE_MAX 16384

struct guest_rule {
    enum guest_kind kind;
    char id[GUESTCONF_ID_MAX]; /* the name; the UUID in lower case; "*" */
    unsigned max_width, max_height;
    bool keyboard; /* keyboards: xenkbd beside xenfb, the kernel's vkbd beside its vfb */
    /* devices=: xenfb's (the X server's drivers), the kernel's (xen-fbfront
     * and xen-kbdfront: its console), or both (the default) */
    bool xenfb, kernel;
    const char *source; /* the file, or "--guest"; owned by the config */
    unsigned line;      /* in the file; 0 for --guest */
};

struct guest_config {
    struct guest_rule *rules;
    size_t n;
    char *file;   /* the file read, NULL when none */
    bool missing; /* the (default) file does not exist: no rules from it */
};

/* Parse one line, or a --guest SPEC (keyword false: without the word
 * `guest`). 1: a rule in *r (source and line left to the caller); 0:
 * nothing on it (blank, comment); -1: err holds what is wrong and what to
 * do, one line without a trailing newline. */
int guestconf_parse_line(const char *text, bool keyword, struct guest_rule *r, char *err,
                         size_t errlen);

/* Read the --guest specs, then FILE (NULL: none). A FILE that does not
 * exist is an error only when required. 0, or -1 with err naming the
 * file and line (or the --guest) and what to do; *c is then empty. */
int guestconf_load(struct guest_config *c, const char *file, bool required,
                   const char *const *specs, size_t nspecs, char *err, size_t errlen);

void guestconf_clear(struct guest_config *c);

/* The rule naming this domain: by UUID before by name before `*`; NULL
 * when none does. name and uuid may be NULL or "" when unknown. */
const struct guest_rule *guestconf_match(const struct guest_config *c, const char *name,
                                         const char *uuid);

/* Whether s is a UUID as libxl writes it (any case); with norm, its
 * lower-case form (37 bytes). */
bool guestconf_is_uuid(const char *s, char *norm);

#endif
