/* sys-look: look at a path the ways programs do, through libc, and print
 * one line: what was found, or "err ENAME". For the tests of the guest
 * kernel's /sys as libxsim-preload.so shows it.
 *
 *   sys-look access PATH       access(F_OK)                 ok
 *   sys-look faccessat PATH    faccessat(AT_FDCWD, R_OK)    ok
 *   sys-look eaccess PATH      euidaccess(F_OK)             ok
 *   sys-look stat PATH         stat, stat64, fstatat and fstatat64 (must
 *                              agree)                       dir|file|link|other
 *   sys-look lstat PATH        lstat, lstat64, fstatat(AT_SYMLINK_NOFOLLOW)
 *   sys-look statx PATH        statx(AT_SYMLINK_NOFOLLOW)
 *   sys-look readlink PATH     readlink and readlinkat      the target
 *   sys-look realpath PATH     realpath                     the path
 *   sys-look ls PATH           opendir/readdir, sorted, without . and ..
 *   sys-look cat PATH          open + read                  the content, one line
 *   sys-look scan PATH         fopen + fscanf("%ld")        the number
 *   sys-look write PATH VALUE  open(O_WRONLY) + write       ok
 *   sys-look fprintf PATH VALUE fopen("w") + fprintf + fclose ok
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(void)
{
    const char *name = strerrorname_np(errno);
    printf("err %s\n", name ? name : "EUNKNOWN");
    return 1;
}

static const char *kind(mode_t m)
{
    return S_ISDIR(m) ? "dir" : S_ISREG(m) ? "file" : S_ISLNK(m) ? "link" : "other";
}

/* Every stat-like call must say the same, or the answer is "mismatch". */
static int look_stat(const char *path, int nofollow)
{
    struct stat a, c;
    struct stat64 b, d;
    int flag = nofollow ? AT_SYMLINK_NOFOLLOW : 0;
    int ra = nofollow ? lstat(path, &a) : stat(path, &a);
    int ea = errno;
    int rb = nofollow ? lstat64(path, &b) : stat64(path, &b);
    int rc = fstatat(AT_FDCWD, path, &c, flag);
    int rd = fstatat64(AT_FDCWD, path, &d, flag);
    if (ra != rb || ra != rc || ra != rd ||
        (ra == 0 && (a.st_ino != b.st_ino || a.st_ino != c.st_ino || a.st_ino != d.st_ino))) {
        printf("mismatch\n");
        return 1;
    }
    if (ra < 0) {
        errno = ea;
        return fail();
    }
    printf("%s\n", kind(a.st_mode));
    return 0;
}

static int look_readlink(const char *path)
{
    char a[PATH_MAX], b[PATH_MAX];
    ssize_t na = readlink(path, a, sizeof(a) - 1);
    int e = errno;
    ssize_t nb = readlinkat(AT_FDCWD, path, b, sizeof(b) - 1);
    if (na != nb || (na > 0 && memcmp(a, b, (size_t)na))) {
        printf("mismatch\n");
        return 1;
    }
    if (na < 0) {
        errno = e;
        return fail();
    }
    a[na] = '\0';
    printf("%s\n", a);
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int look_ls(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return fail();
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        printf("%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    printf("\n");
    return 0;
}

static int look_cat(const char *path)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fail();
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    int e = errno;
    close(fd);
    if (n < 0) {
        errno = e;
        return fail();
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    printf("%s\n", buf);
    return 0;
}

static int look_scan(const char *path)
{
    FILE *f = fopen(path, "re");
    long v;
    if (!f)
        return fail();
    int n = fscanf(f, "%ld", &v);
    fclose(f);
    if (n != 1) {
        printf("err EUNREADABLE\n");
        return 1;
    }
    printf("%ld\n", v);
    return 0;
}

static int store_write(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return fail();
    char buf[256];
    int len = snprintf(buf, sizeof(buf), "%s\n", val);
    ssize_t n = write(fd, buf, (size_t)len);
    int e = errno;
    close(fd);
    if (n != len) {
        errno = n < 0 ? e : EIO;
        return fail();
    }
    printf("ok\n");
    return 0;
}

static int store_fprintf(const char *path, const char *val)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fail();
    fprintf(f, "%s\n", val);
    if (fclose(f) != 0)
        return fail();
    printf("ok\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sys-look CMD PATH [VALUE]\n");
        return 2;
    }
    const char *c = argv[1], *p = argv[2];
    if (!strcmp(c, "access"))
        return access(p, F_OK) < 0 ? fail() : (printf("ok\n"), 0);
    if (!strcmp(c, "faccessat"))
        return faccessat(AT_FDCWD, p, R_OK, 0) < 0 ? fail() : (printf("ok\n"), 0);
    if (!strcmp(c, "eaccess"))
        return euidaccess(p, F_OK) < 0 ? fail() : (printf("ok\n"), 0);
    if (!strcmp(c, "stat"))
        return look_stat(p, 0);
    if (!strcmp(c, "lstat"))
        return look_stat(p, 1);
    if (!strcmp(c, "statx")) {
        struct statx sx;
        if (statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) < 0)
            return fail();
        printf("%s\n", kind(sx.stx_mode));
        return 0;
    }
    if (!strcmp(c, "readlink"))
        return look_readlink(p);
    if (!strcmp(c, "realpath")) {
        char *r = realpath(p, NULL);
        if (!r)
            return fail();
        printf("%s\n", r);
        free(r);
        return 0;
    }
    if (!strcmp(c, "ls"))
        return look_ls(p);
    if (!strcmp(c, "cat"))
        return look_cat(p);
    if (!strcmp(c, "scan"))
        return look_scan(p);
    if (!strcmp(c, "write") && argc == 4)
        return store_write(p, argv[3]);
    if (!strcmp(c, "fprintf") && argc == 4)
        return store_fprintf(p, argv[3]);
    fprintf(stderr, "sys-look: unknown command %s\n", c);
    return 2;
}
