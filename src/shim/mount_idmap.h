/* Rootfs mounts carrying uidmap=/gidmap= (containerd 2.x, pods with a user
 * namespace): overlay on idmapped copies of the lower dirs, or any other mount
 * idmapped in place, as containerd's own mount code does. */
#ifndef CLEAT_SHIM_MOUNT_IDMAP_H
#define CLEAT_SHIM_MOUNT_IDMAP_H

#include <stddef.h>

#include "common/error.h"

struct shim_idmap {
	char *uid_map, *gid_map; /* uid_map / gid_map text, NULL when absent */
	int userns; /* -1 until made */
	char *tmp; /* the idmapped lower dirs' temporary mount point */
};

#define SHIM_IDMAP_INIT      \
	{                    \
		.userns = -1 \
	}

/* Take uidmap=/gidmap= out of opts (the rest copied into *rest, *n_rest
 * entries, not owned). 1: both present and valid; 0: neither; -1 with err
 * naming the option: malformed, or only one of the two. */
int idmap_take_options(char *const *opts, size_t n, char ***rest, size_t *n_rest,
		       struct shim_idmap *idm, cleat_error_t *err);
/* Overlay data with lowerdir= rewritten to an idmapped read-only clone of the
 * lower dirs' common parent, mounted on a temporary directory beside target. */
int idmap_overlay_data(struct shim_idmap *idm, const char *data, const char *target, char **out,
		       cleat_error_t *err);
/* Replace the mount at target by an idmapped clone of itself. */
int idmap_in_place(struct shim_idmap *idm, const char *target, cleat_error_t *err);
/* Detach and remove the temporary mounts (".ovl-idmapped-*") that a shim killed while
 * one was attached left in dir (a bundle): run before mounting a bundle's rootfs and
 * by `shim delete`, the cleanup after a dead shim. */
void idmap_sweep(const char *dir);
/* Detach the temporary mount (overlay holds its own references to its
 * layers), remove its directory, close the namespace, free the maps. */
void idmap_release(struct shim_idmap *idm);

#endif
