/* Paths inside the container's root, resolved by the kernel inside it.
 *
 * Everything goes through openat2(2) with RESOLVE_IN_ROOT: ".." and absolute
 * symlinks stop at the root fd, so a symlink planted in an image (or swapped
 * in by a racing container, CVE-2021-30465) can redirect a path only to
 * another place inside the root, never outside.  Magic links (/proc/self/fd/N,
 * /proc/<pid>/root) are refused outright.  Callers mount onto the O_PATH fd
 * that is returned (move_mount(2) with MOVE_MOUNT_T_EMPTY_PATH), so the target
 * is never looked up a second time by name. */
#ifndef CLEAT_RUNTIME_LINUX_SAFE_PATH_H
#define CLEAT_RUNTIME_LINUX_SAFE_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* openat2(rootfd, path, flags | O_CLOEXEC) resolved in root; `resolve` adds
 * RESOLVE_* bits (e.g. RESOLVE_NO_SYMLINKS).  Leading '/' in path is fine. */
int cleat_safe_open(int rootfd, const char *path, int flags, uint64_t resolve, cleat_error_t *err);

/* mkdir -p inside root; returns an O_PATH fd of the final directory. */
int cleat_safe_mkdir_p(int rootfd, const char *path, mode_t mode, cleat_error_t *err);

/* Make sure `path` exists (a directory when dir, else an empty regular file,
 * creating parents with 0755) and return an O_PATH fd on it.  An existing
 * entry of the other type is left alone: mounting onto it fails later with
 * the kernel's error. */
int cleat_safe_mkpath(int rootfd, const char *path, bool dir, mode_t mode, cleat_error_t *err);

/* Split "a/b/c" into a freshly allocated parent ("a/b", or "." when none)
 * and a pointer to the last component inside path.  Trailing slashes are
 * ignored. */
char *cleat_path_split(const char *path, const char **base);

#endif
