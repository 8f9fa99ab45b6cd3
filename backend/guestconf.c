/* Parsing the guests file and --guest specs (guestconf.h). Every error is
 * one line saying where, what is wrong and what to do; nothing of a file
 * with an error is used. */
#include "config.h"

#include "guestconf.h"

#include "devnodes.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1024
#define SYNTAX                                                                                     \
    "a line is: guest NAME|UUID|* [max-size=WxH] [keyboard=yes|no] [devices=both|kernel|xenfb]"

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

bool guestconf_is_uuid(const char *s, char *norm)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    if (norm) {
        for (int i = 0; i < 36; i++)
            norm[i] = (char)tolower((unsigned char)s[i]);
        norm[36] = '\0';
    }
    return true;
}

/* The next white-space separated word of *p, or NULL at the end or at a
 * comment. Words are at most GUESTCONF_ID_MAX - 1 bytes (longer: *toolong). */
static const char *next_word(const char **p, char *buf, bool *toolong)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '#' || *s == '\n' || *s == '\r')
        return NULL;
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r')
        n++;
    *toolong = n >= GUESTCONF_ID_MAX;
    if (!*toolong) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
    *p = s + n;
    return buf;
}

static int parse_size(const char *v, unsigned *w, unsigned *h)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*v))
        return -1;
    unsigned long x = strtoul(v, &end, 10);
    if (errno || *end != 'x' || x == 0 || x > GUESTCONF_SIZE_MAX || !isdigit((unsigned char)end[1]))
        return -1;
    unsigned long y = strtoul(end + 1, &end, 10);
    if (errno || *end || y == 0 || y > GUESTCONF_SIZE_MAX)
        return -1;
    *w = (unsigned)x;
    *h = (unsigned)y;
    return 0;
}

struct seen {
    bool size, kbd, devices;
};

static int parse_option(const char *word, struct guest_rule *r, struct seen *seen, char *err,
                        size_t len)
{
    bool *seen_size = &seen->size, *seen_kbd = &seen->kbd;
    const char *eq = strchr(word, '=');
    size_t klen = eq ? (size_t)(eq - word) : strlen(word);
    const char *v = eq ? eq + 1 : "";
    if (klen == 8 && !strncmp(word, "max-size", 8)) {
        if (*seen_size)
            return fail(err, len, "max-size is given twice: keep one");
        *seen_size = true;
        if (parse_size(v, &r->max_width, &r->max_height) < 0)
            return fail(err, len,
                        "bad max-size '%s': give WxH, each 1 to %d (e.g. max-size=1920x1080)", v,
                        GUESTCONF_SIZE_MAX);
        return 0;
    }
    if (klen == 8 && !strncmp(word, "keyboard", 8)) {
        if (*seen_kbd)
            return fail(err, len, "keyboard is given twice: keep one");
        *seen_kbd = true;
        if (strcmp(v, "yes") && strcmp(v, "no"))
            return fail(err, len, "bad keyboard '%s': give keyboard=yes or keyboard=no", v);
        r->keyboard = !strcmp(v, "yes");
        return 0;
    }
    if (klen == 7 && !strncmp(word, "devices", 7)) {
        if (seen->devices)
            return fail(err, len, "devices is given twice: keep one");
        seen->devices = true;
        if (strcmp(v, "both") && strcmp(v, "kernel") && strcmp(v, "xenfb"))
            return fail(err, len, "bad devices '%s': give devices=both, kernel or xenfb", v);
        r->kernel = strcmp(v, "xenfb") != 0;
        r->xenfb = strcmp(v, "kernel") != 0;
        return 0;
    }
    return fail(err, len,
                "unknown option '%s' (this xenfb-backend knows max-size=WxH, keyboard=yes|no "
                "and devices=both|kernel|xenfb): remove it, or install the version it was "
                "written for",
                word);
}

int guestconf_parse_line(const char *text, bool keyword, struct guest_rule *r, char *err,
                         size_t errlen)
{
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r')
            return fail(err, errlen, "a control character (byte 0x%02x): remove it",
                        (unsigned char)*c);
    char buf[GUESTCONF_ID_MAX];
    bool toolong = false;
    const char *p = text;
    const char *w = next_word(&p, buf, &toolong);
    if (!w && !toolong)
        return keyword ? 0 : fail(err, errlen, "empty: give a domain name, UUID or *");
    if (keyword) {
        if (toolong)
            return fail(err, errlen, "a word longer than %d bytes: %s", GUESTCONF_ID_MAX - 1,
                        SYNTAX);
        if (strcmp(w, "guest"))
            return fail(err, errlen, "unknown word '%s': %s", w, SYNTAX);
        w = next_word(&p, buf, &toolong);
        if (!w && !toolong)
            return fail(err, errlen, "'guest' without a domain: give its name, UUID or *");
    }
    if (toolong)
        return fail(err, errlen, "a domain name longer than %d bytes: name it by UUID instead",
                    GUESTCONF_ID_MAX - 1);
    memset(r, 0, sizeof(*r));
    r->max_width = DEVNODES_DEFAULT_MAX_WIDTH;
    r->max_height = DEVNODES_DEFAULT_MAX_HEIGHT;
    r->keyboard = true;
    r->xenfb = r->kernel = true;
    if (!strcmp(w, "*")) {
        r->kind = GUEST_ANY;
        strcpy(r->id, "*");
    } else if (guestconf_is_uuid(w, r->id)) {
        r->kind = GUEST_BY_UUID;
    } else if (strchr(w, '=')) {
        return fail(err, errlen, "'%s' where a domain belongs: %s", w, SYNTAX);
    } else {
        r->kind = GUEST_BY_NAME;
        snprintf(r->id, sizeof(r->id), "%s", w);
    }
    struct seen seen = {0};
    while ((w = next_word(&p, buf, &toolong)) || toolong) {
        if (toolong)
            return fail(err, errlen, "an option longer than %d bytes: %s", GUESTCONF_ID_MAX - 1,
                        SYNTAX);
        if (parse_option(w, r, &seen, err, errlen) < 0)
            return -1;
    }
    return 1;
}

static const char *describe(const struct guest_rule *r, char *buf, size_t len)
{
    if (r->kind == GUEST_ANY)
        snprintf(buf, len, "*");
    else
        snprintf(buf, len, "guest '%s'", r->id);
    return buf;
}

/* Add r, refusing a second rule for the same domain. */
static int add_rule(struct guest_config *c, const struct guest_rule *r, char *err, size_t len,
                    const char *where)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct guest_rule *o = &c->rules[i];
        if (o->kind != r->kind || strcmp(o->id, r->id))
            continue;
        char what[GUESTCONF_ID_MAX + 16];
        describe(r, what, sizeof(what));
        if (o->line)
            return fail(err, len, "%s: %s is already named on line %u: name each guest once", where,
                        what, o->line);
        return fail(err, len, "%s: %s is already named by --guest: name each guest once", where,
                    what);
    }
    struct guest_rule *n = realloc(c->rules, (c->n + 1) * sizeof(*n));
    if (!n)
        return fail(err, len, "%s: out of memory", where);
    c->rules = n;
    c->rules[c->n++] = *r;
    return 0;
}

static int read_file(struct guest_config *c, FILE *f, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned no = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        no++;
        char where[64 + 4096];
        snprintf(where, sizeof(where), "%s:%u", c->file, no);
        struct guest_rule r;
        char why[512];
        if ((size_t)got != strlen(line))
            rc = fail(err, errlen, "%s: a NUL byte: this is not a text file", where);
        else if (got > LINE_MAX_LEN)
            rc = fail(err, errlen, "%s: longer than %d bytes: one guest a line", where,
                      LINE_MAX_LEN);
        else if ((rc = guestconf_parse_line(line, true, &r, why, sizeof(why))) < 0)
            fail(err, errlen, "%s: %s", where, why);
        else if (rc == 1) {
            r.source = c->file;
            r.line = no;
            rc = add_rule(c, &r, err, errlen, where);
        }
        if (rc > 0)
            rc = 0;
    }
    if (rc == 0 && ferror(f))
        rc = fail(err, errlen, "%s: %s", c->file, strerror(errno));
    free(line);
    return rc;
}

int guestconf_load(struct guest_config *c, const char *file, bool required,
                   const char *const *specs, size_t nspecs, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < nspecs; i++) {
        char where[GUESTCONF_ID_MAX + 32], why[512];
        snprintf(where, sizeof(where), "--guest '%.*s'", GUESTCONF_ID_MAX, specs[i]);
        struct guest_rule r;
        int rc = guestconf_parse_line(specs[i], false, &r, why, sizeof(why));
        if (rc < 0) {
            fail(err, errlen, "%s: %s", where, why);
            goto fail;
        }
        r.source = "--guest";
        r.line = 0;
        if (add_rule(c, &r, err, errlen, where) < 0)
            goto fail;
    }
    if (!file)
        return 0;
    c->file = strdup(file);
    if (!c->file) {
        fail(err, errlen, "%s: out of memory", file);
        goto fail;
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        if (errno == ENOENT && !required) {
            c->missing = true;
            return 0;
        }
        fail(err, errlen, "%s: %s%s", file, strerror(errno),
             errno == EACCES ? ": make it readable by the daemon's user" : "");
        goto fail;
    }
    int rc = read_file(c, f, err, errlen);
    fclose(f);
    if (rc < 0)
        goto fail;
    return 0;
fail:
    guestconf_clear(c);
    return -1;
}

void guestconf_clear(struct guest_config *c)
{
    free(c->rules);
    free(c->file);
    memset(c, 0, sizeof(*c));
}

const struct guest_rule *guestconf_match(const struct guest_config *c, const char *name,
                                         const char *uuid)
{
    const struct guest_rule *by_name = NULL, *any = NULL;
    for (size_t i = 0; i < c->n; i++) {
        const struct guest_rule *r = &c->rules[i];
        if (r->kind == GUEST_BY_UUID && uuid && !strcmp(r->id, uuid))
            return r;
        if (r->kind == GUEST_BY_NAME && name && *name && !strcmp(r->id, name))
            by_name = r;
        if (r->kind == GUEST_ANY)
            any = r;
    }
    return by_name ? by_name : any;
}
