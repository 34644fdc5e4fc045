/* Starting the container init (and, for exec, a process joining a running
 * container).
 *
 *   cleat create (parent) --fork--> helper --clone(CLONE_PARENT)--> init
 *
 * The helper joins the namespaces given by path (user first), unshares the
 * new ones, writes time namespace offsets and clones the init as a sibling,
 * i.e. a direct child of `cleat create`: the caller of create (the shim,
 * `cleat run`) reaps it, as with runc.  pid and time namespaces only apply to
 * children, hence the helper.  The parent puts the helper in the container's
 * cgroup before it clones, so the init is born inside it and a new cgroup
 * namespace is rooted there. */
#ifndef CLEAT_RUNTIME_LINUX_INIT_H
#define CLEAT_RUNTIME_LINUX_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/linux/namespaces.h"

struct cleat_init_args {
	const char *id;
	const struct oci_config *config;
	const struct oci_process *process; /* config->process */
	const char *bundle;
	const char *rootfs;
	int sync_fd;          /* child end of the sync socketpair */
	int fifo_fd;          /* O_PATH fd of <state>/exec.fifo; -1: wait for CLEAT_SYNC_START */
	struct cleat_ns_plan ns;
	bool no_pivot;
	bool no_new_keyring;
	unsigned keep_fds;    /* LISTEN_FDS + --preserve-fds: fds 3 .. 3+keep_fds-1 pass through */
	unsigned listen_fds;  /* LISTEN_FDS=<n> LISTEN_PID=1 added to the environment when > 0 */
	bool console;         /* process.terminal: allocate a pty, send the master */
	/* Parent fds the children must not keep: the state dir lock above all,
	 * or `cleat start` would wait for the init that waits for it. */
	int close_in_child[4];
	size_t n_close_in_child;
	/* config->n_mounts detached idmapped mounts made by the parent with
	 * cleat_rootfs_open_idmapped() (-1: none for that entry), or NULL. */
	const int *idmap_fds;
	/* The helper joins the cgroup by itself (cgroups.h); NULL: the parent
	 * moves it before CLEAT_SYNC_GO (the systemd driver). */
	struct cleat_cgroup_join *cgroup_join;
};

/* Fork the helper.  Returns its pid in the parent; never returns in the child. */
pid_t cleat_init_spawn(const struct cleat_init_args *a, cleat_error_t *err);

#endif
