/* Files of procfs that the runtime writes (sysctls, LSM attributes,
 * oom_score_adj), opened so that no mount can redirect the write.
 *
 * Looked up by name in the container's /proc, such a write goes to whatever is
 * mounted over the path: a bind of another procfs file (a harmless one to
 * swallow an LSM label, or a host-wide one such as core_pattern to receive a
 * sysctl value) placed by a config mount or a racing process (the
 * CVE-2025-52881 class).  Checking afterwards that the file is on procfs does
 * not see that.  The file is therefore opened below a procfs root of the
 * runtime's own, the first of:
 *   - a new procfs instance (fsopen/fsmount), never attached anywhere, so
 *     nothing can be mounted on it;
 *   - a non-recursive clone (open_tree) of the /proc mount: that procfs mount
 *     alone, without anything mounted over its files;
 *   - /proc itself, reached without symlinks and checked to be a procfs root;
 * and the path below that root is resolved with RESOLVE_BENEATH, NO_XDEV (no
 * mount may be crossed, the last component included) and NO_SYMLINKS.  A
 * leading "self" or "thread-self" is read from that procfs first. */
#ifndef CLEAT_RUNTIME_LINUX_PROCFS_H
#define CLEAT_RUNTIME_LINUX_PROCFS_H

#include "common/error.h"

/* A procfs root of the runtime's own (above), for several files in a row. */
int cleat_procfs_root(cleat_error_t *err);
/* cleat_procfs_open and cleat_procfs_write below a root from cleat_procfs_root. */
int cleat_procfs_openat(int root, const char *path, int flags, cleat_error_t *err);
int cleat_procfs_writeat(int root, const char *path, const char *value, cleat_error_t *err);

/* One file, below a root opened for it: path is relative to the procfs root ("sys/net/ipv4/ip_forward",
 * "thread-self/attr/exec"); flags as for open(2), O_CLOEXEC is added. */
int cleat_procfs_open(const char *path, int flags, cleat_error_t *err);

/* Write value to path in one write(2), as procfs wants it.  Errors name the
 * file as /proc/<path> and keep the kernel's errno. */
int cleat_procfs_write(const char *path, const char *value, cleat_error_t *err);

#endif
