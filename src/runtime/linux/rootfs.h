/* Building the container's filesystem view, inside its mount namespace.
 * Implemented in rootfs.c, mounts.c, devices.c, safe_path.c, masked.c (one concern each).
 *
 * Called from the container process (linux/container_process.c) in this order:
 *   cleat_rootfs_prepare()   propagation, rootfs bind, every `mounts` entry in order,
 *                            default devices + linux.devices, /dev symlinks, /dev/pts+ptmx,
 *                            /dev/console (when console_path is set)
 *   ... it syncs with the parent for createRuntime/prestart hooks, runs createContainer ...
 *   cleat_rootfs_finalize()  pivot_root (or chroot with no_pivot), sysctl, maskedPaths,
 *                            readonlyPaths, root.readonly; cwd is "/" of the container after it.
 * Every target inside the rootfs is resolved inside it (no symlink may escape). */
#ifndef CLEAT_RUNTIME_LINUX_ROOTFS_H
#define CLEAT_RUNTIME_LINUX_ROOTFS_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-spec/config.h"

struct cleat_rootfs_opts {
	const struct oci_config *config;
	const char *bundle; /* absolute bundle directory */
	const char *rootfs; /* absolute path of root.path (resolved against bundle) */
	bool no_pivot; /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool in_userns; /* a new user namespace was created: device nodes are bind-mounted */
	bool in_cgroupns; /* a new cgroup namespace was created */
	const char *console_path; /* pts slave to bind on /dev/console, or NULL */
	/* Optional (NULL: prepare idmaps by itself, which works only without a
	 * container user namespace): config->n_mounts entries from
	 * cleat_rootfs_open_idmapped(), -1 where a mount needs none. */
	const int *idmap_fds;
	/* The sync socket to the runtime, which makes the idmapped sources left at -1 in
	 * idmap_fds because they lie inside the rootfs (mount_source.h); -1: none. */
	int sync_fd;
	/* The v1 "tasks" files of the cgroup the init joins once the rootfs is ready (a
	 * cgroup mount binds their directories); none: it is in its cgroup already. */
	char *const *cgroup_v1_tasks;
	size_t n_cgroup_v1_tasks;
	/* Or, when set, called by a cgroup mount (without a cgroup namespace) for them: the
	 * container process was cloned before its cgroup existed and waits for it here. */
	int (*cgroup_v1_await)(void *arg, char *const **tasks, size_t *n, cleat_error_t *err);
	void *cgroup_v1_await_arg;
};

int cleat_rootfs_prepare(const struct cleat_rootfs_opts *o, cleat_error_t *err);
int cleat_rootfs_finalize(const struct cleat_rootfs_opts *o, cleat_error_t *err);

/* Idmapped mounts need privilege over the source filesystem's user
 * namespace, which the init has lost once it is in the container's.  Call
 * this in the runtime (host user namespace, before or after the init is
 * forked): for each bind mounts[i] *fds gets a detached open_tree() clone of
 * its source, idmapped when the entry asks for it (uid/gidMappings, idmap,
 * ridmap); -1 for the others.  The plain clones let the init bind sources that
 * the container's root cannot reach (runc's mount fds), so call it whenever
 * the container has a user namespace.  *fds is malloc'd with config->n_mounts entries, or NULL
 * when no mount needs it.  Hand the fds to the init (SCM_RIGHTS) and set
 * opts.idmap_fds there; prepare attaches them with move_mount(2). */
/* Checks on config->mounts made before anything is created: as runc 1.2+, a
 * bind mount with filesystem-specific options (which the kernel would ignore,
 * the superblock being the source's) is refused. */
int cleat_rootfs_check_mounts(const struct oci_config *config, cleat_error_t *err);

int cleat_rootfs_open_idmapped(const struct oci_config *config, const char *bundle,
			       const char *rootfs, int **fds, cleat_error_t *err);

/* Check linux.sysctl against the namespaces of the config (runc's rules);
 * also done by finalize, callable early by `create` for a prompt error. */
int cleat_sysctl_validate(const struct oci_config *config, cleat_error_t *err);

/* Bind console_path (a path in the init's current mount namespace, e.g. the
 * pts slave of a pty opened from <rootfs>/dev/ptmx after prepare) onto
 * <rootfs>/dev/console.  prepare does this itself when o->console_path is
 * set; call this instead when the pty only exists after prepare. */
int cleat_rootfs_mount_console(const char *rootfs, const char *console_path, cleat_error_t *err);

#endif
