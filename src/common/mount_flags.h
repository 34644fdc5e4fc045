/* mount(8) option words that set or clear an MS_* flag, shared by the runtime
 * (config.json mounts) and the shim (the rootfs mounts containerd sends). */
#ifndef CLEAT_COMMON_MOUNT_FLAGS_H
#define CLEAT_COMMON_MOUNT_FLAGS_H

#include <stdbool.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct cleat_mount_flag {
	const char *name;
	bool clear; /* the word removes the flag instead of setting it */
	bool runtime_only; /* not in containerd's table: the shim passes it on as fs data */
	unsigned long flag; /* MS_* */
};

/* The entry for `word`, or NULL.  With `runtime` false only containerd's words
 * (its mount_linux.go table) match, so the shim mounts what containerd would. */
const struct cleat_mount_flag *cleat_mount_flag_find(const char *word, bool runtime);

#endif
