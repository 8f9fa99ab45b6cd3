/* The sysfs of each simulated guest kernel, as real files: DIR/sys/N/
 * mirrors the part of /sys that a process of domain N sees in place of the
 * machine's own (libxsim-preload.so redirects bus/xen, module/xen_gntalloc
 * and the Xen devices under devices/ there). Real files and symbolic links
 * give every way of looking at them (stat, readlink, opendir, open and
 * read...) the kernel's own answers.
 *
 * xsimd changes the tree before it answers the request or ctl verb that
 * changed it, so a process that looks afterwards sees the change. Paths
 * below are relative to DIR/sys/N. Errors are -1 + errno. */
#ifndef XSIMD_SYSFS_H
#define XSIMD_SYSFS_H

#include <sys/types.h>

int sysfs_init(const char *dir);
/* Remove every domain's tree (xsimd stops). */
void sysfs_fini(void);

/* A domain's kernel boots: its (empty) tree. */
int sysfs_domain_created(unsigned domid);
void sysfs_domain_destroyed(unsigned domid);

/* A directory and its missing parents. */
int sysfs_mkdir(unsigned domid, const char *rel);
/* A file holding text, replaced whole (a reader sees the old or the new). */
int sysfs_file(unsigned domid, const char *rel, const char *text, mode_t mode);
int sysfs_link(unsigned domid, const char *rel, const char *target);
/* A file, a link, or a directory with everything in it; missing is fine. */
void sysfs_remove(unsigned domid, const char *rel);
/* Whether rel exists (without following a last link). */
int sysfs_exists(unsigned domid, const char *rel);

#endif
