/* Mounting CreateTaskRequest.rootfs onto <bundle>/rootfs and taking it down. */
#ifndef CLEAT_SHIM_MOUNT_H
#define CLEAT_SHIM_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct shim_mount {
	const char *type, *source;
	char **options;
	size_t n_options;
};

/* Split mount options into MS_* flags and the filesystem data string
 * (unknown words joined with ","); *loop set for "loop". */
void mount_parse_options(char *const *opts, size_t n, unsigned long *flags, char **data,
			 bool *loop);
/* Length of the longest common directory prefix (ending in '/') of the
 * first n bytes of a ':'-separated path list. */
size_t mount_common_dir_len(const char *list, size_t n);
/* Overlay data too long for one page: rewrite lowerdir=A:B:... relative to
 * their common parent directory (returned in *dir), as runc-v2 does; NULL
 * when there is nothing to shorten. */
char *overlay_compact_lowerdir(const char *data, char **dir);
/* Mount each entry in order onto target (an absolute path). */
int mount_rootfs(const struct shim_mount *m, size_t n, const char *target, cleat_error_t *err);
/* umount2 until EINVAL (nothing mounted there any more). */
int unmount_all(const char *target, cleat_error_t *err);

#endif
