/* Idmapped bind sources made when their entry is mounted, from the container's mount
 * namespace (runc's mount source requests).
 *
 * An idmapped mount must be made by a process privileged in the host's user namespace,
 * so the helper opens them before the container's user namespace exists.  A source that
 * lies inside the rootfs may be made by an earlier mounts entry, which does not exist
 * then: for those the init asks the runtime when it gets to the entry, and the runtime
 * clones the source from inside the container's mount namespace, where the earlier
 * mounts are. */
#ifndef CLEAT_RUNTIME_LINUX_MOUNT_SOURCE_H
#define CLEAT_RUNTIME_LINUX_MOUNT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/linux/sync.h"

/* Whether mounts entry `source` (absolute, or relative to the bundle) lies inside rootfs:
 * such an idmapped source is requested at mount time rather than opened up front. */
bool cleat_mount_source_in_rootfs(const char *bundle, const char *rootfs, const char *source);

/* Init side: the detached, idmapped tree of mounts[index], from the runtime. */
int cleat_mount_source_request(int sync_fd, size_t index, cleat_error_t *err);

/* Runtime side, for a CLEAT_SYNC_MOUNT_SOURCE message `m`: a child joins the mount
 * namespace of `init`, clones and idmaps the entry's source there, and the tree goes back
 * over sync_fd. */
int cleat_mount_source_serve(int sync_fd, const struct cleat_sync_msg *m,
			     const struct oci_config *config, const char *bundle, pid_t init,
			     cleat_error_t *err);

#endif
