/* The guests file of xenfb-backend serve: lines -> rules or the exact
 * error line, files with duplicates, and which rule names a domain. */
#include "config.h"

#include "guestconf.h"

#include "tap.h"

#include <unistd.h>

struct line_case {
    const char *line;
    int rc;           /* 1 rule, 0 nothing, -1 error */
    const char *want; /* rule as "KIND ID WxH kbd", or the error */
};

static const struct line_case line_cases[] = {
    {"", 0, NULL},
    {"   \t ", 0, NULL},
    {"# a comment", 0, NULL},
    {"   # indented comment\n", 0, NULL},
    {"guest web1", 1, "name web1 3840x2160 yes both"},
    {"guest web1\n", 1, "name web1 3840x2160 yes both"},
    {"guest web1 # the web server", 1, "name web1 3840x2160 yes both"},
    {"  guest\tweb1   max-size=1920x1080  ", 1, "name web1 1920x1080 yes both"},
    {"guest web1 keyboard=no max-size=800x600", 1, "name web1 800x600 no both"},
    {"guest *", 1, "any * 3840x2160 yes both"},
    {"guest 5E0B7C6A-1d2e-4f00-8a9b-0123456789AB", 1,
     "uuid 5e0b7c6a-1d2e-4f00-8a9b-0123456789ab 3840x2160 yes both"},
    {"guest 5e0b7c6a1d2e4f008a9b0123456789ab", 1,
     "name 5e0b7c6a1d2e4f008a9b0123456789ab 3840x2160 yes both"},
    {"guest a#b", 1, "name a#b 3840x2160 yes both"},
    {"guest", -1, "'guest' without a domain: give its name, UUID or *"},
    {"guest # nobody", -1, "'guest' without a domain: give its name, UUID or *"},
    {"vm web1", -1,
     "unknown word 'vm': a line is: guest NAME|UUID|* [max-size=WxH] [keyboard=yes|no] "
     "[devices=both|kernel|xenfb]"},
    {"guest max-size=800x600", -1,
     "'max-size=800x600' where a domain belongs: a line is: guest NAME|UUID|* [max-size=WxH] "
     "[keyboard=yes|no] [devices=both|kernel|xenfb]"},
    {"guest web1 devices=kernel", 1, "name web1 3840x2160 yes kernel"},
    {"guest web1 devices=xenfb keyboard=no", 1, "name web1 3840x2160 no xenfb"},
    {"guest web1 devices=both", 1, "name web1 3840x2160 yes both"},
    {"guest web1 devices=vfb", -1, "bad devices 'vfb': give devices=both, kernel or xenfb"},
    {"guest web1 devices=kernel devices=both", -1, "devices is given twice: keep one"},
    {"guest web1 display=vnc", -1,
     "unknown option 'display=vnc' (this xenfb-backend knows max-size=WxH, keyboard=yes|no and "
     "devices=both|kernel|xenfb): remove it, or install the version it was written for"},
    {"guest web1 max-size", -1,
     "bad max-size '': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=0x600", -1,
     "bad max-size '0x600': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=800x", -1,
     "bad max-size '800x': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=16385x600", -1,
     "bad max-size '16385x600': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=-800x600", -1,
     "bad max-size '-800x600': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=800X600", -1,
     "bad max-size '800X600': give WxH, each 1 to 16384 (e.g. max-size=1920x1080)"},
    {"guest web1 max-size=800x600 max-size=640x480", -1, "max-size is given twice: keep one"},
    {"guest web1 keyboard=maybe", -1, "bad keyboard 'maybe': give keyboard=yes or keyboard=no"},
    {"guest web1 keyboard", -1, "bad keyboard '': give keyboard=yes or keyboard=no"},
    {"guest web1 keyboard=no keyboard=yes", -1, "keyboard is given twice: keep one"},
    {"guest web\x01", -1, "a control character (byte 0x01): remove it"},
    {"guest "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "a"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     -1, "a domain name longer than 127 bytes: name it by UUID instead"},
};

static void describe(const struct guest_rule *r, char *buf, size_t len)
{
    static const char *const kinds[] = {"name", "uuid", "any"};
    snprintf(buf, len, "%s %s %ux%u %s %s", kinds[r->kind], r->id, r->max_width, r->max_height,
             r->keyboard ? "yes" : "no",
             r->xenfb && r->kernel ? "both"
             : r->kernel           ? "kernel"
                                   : "xenfb");
}

static void test_guestconf_lines(void)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const struct line_case *c = &line_cases[i];
        struct guest_rule r;
        char err[512] = "", got[512] = "";
        int rc = guestconf_parse_line(c->line, true, &r, err, sizeof(err));
        if (rc == 1)
            describe(&r, got, sizeof(got));
        else if (rc < 0)
            snprintf(got, sizeof(got), "%s", err);
        is_int(rc, c->rc, "line %zu: result", i);
        is_str(rc ? got : NULL, c->want, "line %zu: %s", i, c->rc < 0 ? "error" : "rule");
    }
}

static void test_guestconf_spec_has_no_keyword(void)
{
    struct guest_rule r;
    char err[512], got[512];
    is_int(guestconf_parse_line("web1 keyboard=no", false, &r, err, sizeof(err)), 1,
           "--guest takes the words after 'guest'");
    describe(&r, got, sizeof(got));
    is_str(got, "name web1 3840x2160 no both", "--guest: the rule");
    is_int(guestconf_parse_line("guest", false, &r, err, sizeof(err)), 1,
           "--guest guest names a domain called guest");
    is_int(guestconf_parse_line("  ", false, &r, err, sizeof(err)), -1, "an empty --guest fails");
    is_str(err, "empty: give a domain name, UUID or *", "with its line");
}

/* Write text to a temporary file; its name in path. */
static void temp_file(char *path, size_t len, const char *text)
{
    snprintf(path, len, "%s/guestconf.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        perror(path);
        exit(1);
    }
    close(fd);
}

static void test_guestconf_file(void)
{
    char path[256], err[512], want[512];
    temp_file(path, sizeof(path),
              "# guests with a framebuffer\n"
              "\n"
              "guest web1 max-size=1280x800\n"
              "guest 5e0b7c6a-1d2e-4f00-8a9b-0123456789ab keyboard=no\n"
              "guest *   max-size=1024x768\n");
    struct guest_config c;
    const char *specs[] = {"db1"};
    is_int(guestconf_load(&c, path, true, specs, 1, err, sizeof(err)), 0, "a good file loads");
    is_int(c.n, 4, "four rules, the --guest one included");
    is_int(c.rules[1].line, 3, "rules know their line");
    is_str(c.rules[0].source, "--guest", "and the --guest one says so");

    const struct guest_rule *r =
        guestconf_match(&c, "web1", "5e0b7c6a-1d2e-4f00-8a9b-0123456789ab");
    ok(r && r->kind == GUEST_BY_UUID, "the UUID's rule wins over the name's");
    r = guestconf_match(&c, "web1", "00000000-0000-0000-0000-000000000000");
    ok(r && r->kind == GUEST_BY_NAME && r->max_width == 1280, "then the name's");
    r = guestconf_match(&c, "mail", "");
    ok(r && r->kind == GUEST_ANY && r->max_width == 1024, "then *");
    r = guestconf_match(&c, "db1", NULL);
    ok(r && !strcmp(r->source, "--guest"), "a --guest rule names its domain");
    guestconf_clear(&c);
    unlink(path);

    temp_file(path, sizeof(path), "guest web1\nguest db1\n");
    is_int(guestconf_load(&c, path, true, NULL, 0, err, sizeof(err)), 0, "no --guest");
    ok(guestconf_match(&c, "mail", NULL) == NULL, "a domain nobody names has no rule");
    guestconf_clear(&c);
    unlink(path);

    temp_file(path, sizeof(path), "guest web1\n\n# x\nguest web1 keyboard=no\n");
    is_int(guestconf_load(&c, path, true, NULL, 0, err, sizeof(err)), -1, "a name twice fails");
    snprintf(want, sizeof(want),
             "%s:4: guest 'web1' is already named on line 1: name each guest once", path);
    is_str(err, want, "naming both lines");
    is_int(c.n, 0, "and nothing of the file is kept");
    unlink(path);

    temp_file(path, sizeof(path), "guest web1\n");
    is_int(guestconf_load(&c, path, true, specs + 0, 0, err, sizeof(err)), 0, "loads");
    guestconf_clear(&c);
    const char *dup[] = {"web1"};
    is_int(guestconf_load(&c, path, true, dup, 1, err, sizeof(err)), -1,
           "a name given by --guest and the file fails");
    snprintf(want, sizeof(want),
             "%s:1: guest 'web1' is already named by --guest: name each guest once", path);
    is_str(err, want, "saying so");
    unlink(path);

    temp_file(path, sizeof(path), "guest *\nguest * keyboard=no\n");
    is_int(guestconf_load(&c, path, true, NULL, 0, err, sizeof(err)), -1, "* twice fails");
    snprintf(want, sizeof(want), "%s:2: * is already named on line 1: name each guest once", path);
    is_str(err, want, "saying so");
    unlink(path);

    is_int(guestconf_load(&c, path, false, NULL, 0, err, sizeof(err)), 0,
           "a missing file that is not required: no rules");
    ok(c.missing && c.n == 0, "and marked missing");
    guestconf_clear(&c);
    is_int(guestconf_load(&c, path, true, NULL, 0, err, sizeof(err)), -1,
           "a missing file that is required fails");
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    is_str(err, want, "with its name");

    const char *bad[] = {"web2 max-size=1x"};
    is_int(guestconf_load(&c, NULL, false, bad, 1, err, sizeof(err)), -1, "a bad --guest fails");
    is_str(err,
           "--guest 'web2 max-size=1x': bad max-size '1x': give WxH, each 1 to 16384 (e.g. "
           "max-size=1920x1080)",
           "naming the --guest");
}

static void test_guestconf_nul_byte(void)
{
    char path[256], err[512], want[512];
    snprintf(path, sizeof(path), "%s/guestconf.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    static const char text[] = "guest web1\nguest a\0b\n";
    if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
        exit(1);
    close(fd);
    struct guest_config c;
    is_int(guestconf_load(&c, path, true, NULL, 0, err, sizeof(err)), -1, "a NUL byte fails");
    snprintf(want, sizeof(want), "%s:2: a NUL byte: this is not a text file", path);
    is_str(err, want, "saying so");
    unlink(path);
}

static void test_guestconf_uuid(void)
{
    char norm[37];
    ok(guestconf_is_uuid("5E0B7C6A-1D2E-4F00-8A9B-0123456789AB", norm) &&
           !strcmp(norm, "5e0b7c6a-1d2e-4f00-8a9b-0123456789ab"),
       "a UUID in capitals, lowered");
    ok(!guestconf_is_uuid("5e0b7c6a-1d2e-4f00-8a9b-0123456789a", NULL), "one digit short");
    ok(!guestconf_is_uuid("5e0b7c6a-1d2e-4f00-8a9b-0123456789ag", NULL), "a g");
    ok(!guestconf_is_uuid("5e0b7c6a+1d2e-4f00-8a9b-0123456789ab", NULL), "a plus for a dash");
}

int main(void)
{
    test_guestconf_lines();
    test_guestconf_spec_has_no_keyword();
    test_guestconf_file();
    test_guestconf_nul_byte();
    test_guestconf_uuid();
    return done_testing();
}
