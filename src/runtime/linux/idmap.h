/* Idmapped mounts (mount_setattr(2) MOUNT_ATTR_IDMAP). */
#ifndef CLEAT_RUNTIME_LINUX_IDMAP_H
#define CLEAT_RUNTIME_LINUX_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* A user namespace fd carrying exactly these mappings ("containerID hostID
 * size" lines in uid_map / gid_map, as runc writes them). */
int cleat_idmap_userns(const struct oci_idmap *uids, size_t n_uids, const struct oci_idmap *gids,
		       size_t n_gids, cleat_error_t *err);

/* Idmap the detached tree `tree` with the mount's uidMappings/gidMappings, or
 * with the container's linux.uidMappings/gidMappings when the mount has none
 * (the `idmap` / `ridmap` options alone).  recursive: every mount of the tree. */
int cleat_idmap_mount(int tree, const struct oci_mount *m, const struct oci_config *config,
		      bool recursive, cleat_error_t *err);

#endif
