/* User namespaces made only to carry an idmapping for mount_setattr(2). */
#include "config.h"
#include "runtime/linux/idmap.h"

#include <fcntl.h>
#include <sys/mount.h>

#include "common/userns.h"
#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"

static char *format_map(const struct oci_idmap *m, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%u %u %u\n", s, m[i].container_id, m[i].host_id, m[i].size);
		free(s);
		s = t;
	}
	return s;
}

int cleat_idmap_userns(const struct oci_idmap *uids, size_t n_uids, const struct oci_idmap *gids,
		       size_t n_gids, cleat_error_t *err)
{
	if (n_uids == 0 || n_gids == 0)
		return cleat_error_msg(err, "an idmapped mount needs both uid and gid mappings");
	_cleanup_free_ char *um = format_map(uids, n_uids);
	_cleanup_free_ char *gm = format_map(gids, n_gids);
	return cleat_userns_fd(um, gm, err);
}

int cleat_idmap_mount(int tree, const struct oci_mount *m, const struct oci_config *config,
		      bool recursive, cleat_error_t *err)
{
	const struct oci_idmap *u = m->uid_mappings, *g = m->gid_mappings;
	size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;

	if (nu == 0 && ng == 0 && config->linux_ != NULL) {
		u = config->linux_->uid_mappings;
		nu = config->linux_->n_uid_mappings;
		g = config->linux_->gid_mappings;
		ng = config->linux_->n_gid_mappings;
	}
	_cleanup_close_ int userns = cleat_idmap_userns(u, nu, g, ng, err);
	if (userns < 0)
		return cleat_error_wrap(err, "idmap");
	return rootfs_setattr(tree, recursive ? AT_RECURSIVE : 0, MOUNT_ATTR_IDMAP, 0, 0, userns,
			      "idmapped mount", err);
}
