/* A user namespace that exists only to carry an idmapping, for mount_setattr(2)
 * MOUNT_ATTR_IDMAP: used by the runtime (idmapped OCI mounts) and by the shim
 * (rootfs mounts with uidmap=/gidmap=). */
#ifndef CLEAT_COMMON_USERNS_H
#define CLEAT_COMMON_USERNS_H

#include "common/error.h"

/* An fd of a new user namespace whose uid_map and gid_map are exactly these
 * texts ("containerID hostID size" lines).  A short-lived child holds the
 * namespace until the fd is open; it is reaped before return. */
int cleat_userns_fd(const char *uid_map, const char *gid_map, cleat_error_t *err);

#endif
