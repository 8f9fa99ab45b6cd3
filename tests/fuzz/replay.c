/* Replays the committed inputs of one harness without libFuzzer, so that
 * the ordinary test suite (gcc, and its ASan/UBSan pass) runs every seed
 * and every regression input: one TAP line per file. Each input runs in
 * a child process, so a crash names its file and the others still run.
 *
 * Without arguments the directories are tests/fuzz/corpus/NAME and
 * tests/fuzz/regress/NAME below $top_srcdir; with arguments, the files
 * (or directories) given. */
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

static int run_one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            if (!buf)
                exit(99);
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        if (!k)
            break;
        len += k;
    }
    fclose(f);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        LLVMFuzzerTestOneInput(buf, len);
        fflush(NULL);
        _exit(0);
    }
    free(buf);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
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
        static const char *const kinds[] = {"corpus", "regress"};
        for (int i = 0; i < 2; i++) {
            char *p;
            if (asprintf(&p, "%s/tests/fuzz/%s/%s", top, kinds[i], FUZZ_NAME) < 0)
                exit(99);
            add_tree(p);
            free(p);
        }
    }
    if (!n_files) {
        printf("1..1\nnot ok 1 - %s: no inputs found\n", FUZZ_NAME);
        return 1;
    }
    printf("1..%zu\n", n_files);
    int failed = 0;
    for (size_t i = 0; i < n_files; i++) {
        const char *name = strstr(files[i], "tests/fuzz/");
        int ok = run_one(files[i]) == 0;
        failed += !ok;
        printf("%sok %zu - %s %s\n", ok ? "" : "not ", i + 1, FUZZ_NAME, name ? name : files[i]);
        fflush(stdout);
        free(files[i]);
    }
    free(files);
    return failed ? 1 : 0;
}
