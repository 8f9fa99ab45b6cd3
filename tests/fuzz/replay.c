/* Replays the committed inputs of one harness without libFuzzer, so that
 * the ordinary test suite (gcc, and its ASan/UBSan pass) runs every seed,
 * every regression input and the minimised corpus of the long runs, in
 * child processes, so a crash names its file and the others still run.
 *
 * Without arguments: one TAP line per file of tests/fuzz/corpus/NAME
 * (seeds) and tests/fuzz/regress/NAME below $top_srcdir, then one line
 * for all of tests/fuzz/grown/NAME (hundreds of machine-made inputs; a
 * failing one is named in a diagnostic). With arguments: one line per
 * file given, or per file in a directory given. */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME names the harness"
#endif

static char **files;
static size_t n_files;
static size_t first_grown = (size_t)-1; /* files from here on share one TAP line */

static void add(const char *path)
{
    files = realloc(files, (n_files + 1) * sizeof(*files));
    if (!files || !(files[n_files] = strdup(path))) {
        perror("replay");
        exit(99);
    }
    n_files++;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_tree(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        add(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    size_t first = n_files;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p;
        if (asprintf(&p, "%s/%s", path, e->d_name) < 0)
            exit(99);
        add(p);
        free(p);
    }
    closedir(d);
    qsort(files + first, n_files - first, sizeof(*files), cmp);
}

/* The input's bytes (malloc'ed), or NULL. */
static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                exit(99);
        }
        size_t k = fread(buf + *len, 1, cap - *len, f);
        if (!k)
            break;
        *len += k;
    }
    fclose(f);
    return buf;
}

/* Run files [from, to) one after the other in one child process: 0 when
 * it exited cleanly (LeakSanitizer, and gcov, run at its exit). */
static int run(size_t from, size_t to)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        for (size_t i = from; i < to; i++) {
            size_t len;
            uint8_t *buf = load(files[i], &len);
            if (!buf)
                exit(98);
            LLVMFuzzerTestOneInput(buf, len);
            free(buf);
        }
        exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static const char *short_name(const char *path)
{
    const char *name = strstr(path, "tests/fuzz/");
    return name ? name : path;
}

static void add_dir(const char *top, const char *kind)
{
    char *p;
    if (asprintf(&p, "%s/tests/fuzz/%s/%s", top, kind, FUZZ_NAME) < 0)
        exit(99);
    add_tree(p);
    free(p);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            add_tree(argv[i]);
    } else {
        const char *top = getenv("top_srcdir");
        if (!top)
            top = ".";
        add_dir(top, "corpus");
        add_dir(top, "regress");
        first_grown = n_files;
        add_dir(top, "grown");
    }
    if (!n_files) {
        printf("1..1\nnot ok 1 - %s: no inputs found\n", FUZZ_NAME);
        return 1;
    }
    size_t single = first_grown < n_files ? first_grown : n_files;
    printf("1..%zu\n", single + (single < n_files));
    int failed = 0;
    for (size_t i = 0; i < single; i++) {
        int ok = run(i, i + 1) == 0;
        failed += !ok;
        printf("%sok %zu - %s %s\n", ok ? "" : "not ", i + 1, FUZZ_NAME, short_name(files[i]));
        fflush(stdout);
    }
    if (single < n_files) {
        /* all in one process, which is much cheaper under the
         * sanitizers; only when that fails, one by one to name them */
        size_t bad = 0;
        if (run(single, n_files) < 0) {
            for (size_t i = single; i < n_files; i++) {
                if (run(i, i + 1) == 0)
                    continue;
                bad++;
                printf("# %s failed\n", short_name(files[i]));
            }
            bad += !bad; /* failed together only: still a failure */
        }
        failed += bad != 0;
        printf("%sok %zu - %s: %zu inputs of tests/fuzz/grown/%s\n", bad ? "not " : "", single + 1,
               FUZZ_NAME, n_files - single, FUZZ_NAME);
    }
    for (size_t i = 0; i < n_files; i++)
        free(files[i]);
    free(files);
    return failed ? 1 : 0;
}
