/* Shared between the rootfs files (rootfs.c, mounts.c, mount_cgroup.c,
 * devices.c, masked.c, sysctl.c, mountinfo.c); not an interface for others. */
#ifndef CLEAT_RUNTIME_LINUX_ROOTFS_INTERNAL_H
#define CLEAT_RUNTIME_LINUX_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "runtime/linux/mount_options.h"
#include "runtime/linux/rootfs.h"

/* Mount setup state for one cleat_rootfs_prepare() call. */
struct rootfs_ctx {
	const struct cleat_rootfs_opts *o;
	int rootfd; /* O_PATH on the rootfs bind mount */
	size_t index; /* of the mounts entry being mounted */
	/* Mounts whose read-only flag waits until /dev is populated and nested
	 * mount points exist (tmpfs and /dev, like runc). */
	int *late_ro;
	size_t n_late_ro;
};

/* linux.mountLabel (lsm.h says which mounts get it), or NULL. */
static inline const char *rootfs_mount_label(const struct rootfs_ctx *c)
{
	return c->o->config->linux_ ? c->o->config->linux_->mount_label : NULL;
}

/* mounts.c */
int rootfs_mount_entry(struct rootfs_ctx *c, const struct oci_mount *m, cleat_error_t *err);
int rootfs_apply_late_ro(struct rootfs_ctx *c, cleat_error_t *err);
/* The resolved mount target of a destination outside /proc must not be on
 * procfs: a symlink of the image leading into /proc would otherwise pass
 * the /proc rules, which look at the destination string (runc checks the
 * resolved path). */
int rootfs_check_target(int target, const char *dest, cleat_error_t *err);
/* Create a new filesystem instance (fsopen/fsconfig/fsmount) with the given
 * data options and MS_* flags; returns the detached mount fd. */
int rootfs_fs_mount(const char *type, const char *source, const char *data, unsigned long ms_flags,
		    cleat_error_t *err);
/* The detached clone of mounts[index]'s bind source, idmapped when the entry asks. */
int rootfs_open_bind_source(const struct oci_config *config, const char *bundle, size_t index,
			    cleat_error_t *err);
/* Attach the detached mount `tree` onto target and apply propagation changes. */
int rootfs_attach(int tree, int targetfd, const unsigned long *prop, size_t n_prop,
		  const char *what, cleat_error_t *err);
/* mount_setattr() wrapper: flags are AT_* (AT_RECURSIVE). */
int rootfs_setattr(int fd, unsigned int at_flags, uint64_t set, uint64_t clr, uint64_t propagation,
		   int userns_fd, const char *what, cleat_error_t *err);
/* A bind mount's flags as runc's MS_REMOUNT|MS_BIND applies them, on a
 * detached tree; locked flags (EPERM in a user namespace) are kept. */
int rootfs_bind_set_flags(int tree, unsigned long ms, const char *what, cleat_error_t *err);

/* mount_cgroup.c: a `cgroup` type mount entry. */
int rootfs_mount_cgroup(struct rootfs_ctx *c, const struct oci_mount *m,
			const struct cleat_mount_flags *f, cleat_error_t *err);

/* devices.c */
bool rootfs_needs_dev_setup(const struct oci_config *config);
int rootfs_setup_devices(struct rootfs_ctx *c, cleat_error_t *err);
/* After pivot_root: stdio on the host's /dev/null is moved to the container's. */
int rootfs_reopen_dev_null(cleat_error_t *err);

/* masked.c (after pivot_root, rootfd is the new "/") */
int rootfs_readonly_path(int rootfd, const char *path, cleat_error_t *err);
/* tmpfs_data: mount data of the tmpfs over a masked directory (its SELinux
 * label), computed before pivot_root while the host's selinuxfs is visible. */
/* *shared_dir: -1 at first; then the tmpfs of the first masked directory, which the
 * next ones bind (the caller closes it). */
int rootfs_mask_path(int rootfd, const char *path, const char *tmpfs_data, int *shared_dir,
		     cleat_error_t *err);

/* sysctl.c */
int rootfs_write_sysctls(const struct oci_config *config, cleat_error_t *err);

/* mountinfo.c */
struct mountinfo_entry {
	int id, parent;
	char *root; /* root of the mount within its filesystem */
	char *mountpoint; /* decoded */
	char *options; /* per-mount options */
	char *optional; /* optional fields ("shared:1 master:2"), may be "" */
	char *fstype;
	char *source;
	char *super_options;
};
struct mountinfo {
	struct mountinfo_entry *e;
	size_t n;
};
int mountinfo_read(const char *path, struct mountinfo *mi, cleat_error_t *err);
void mountinfo_free(struct mountinfo *mi);
/* The mount whose mountpoint is the longest prefix of path (the mount path is on). */
const struct mountinfo_entry *mountinfo_find_containing(const struct mountinfo *mi,
							const char *path);

#endif
