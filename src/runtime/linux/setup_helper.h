/* Starting the container process (and, for exec, a process joining a running
 * container) goes through a setup helper:
 *
 *   cleat create (parent) --clone--> setup helper --execveat(sealed copy)-->
 *   `cleat init` (container setup) --clone(CLONE_PARENT)--> container process
 *
 * The setup helper first re-executes a sealed memfd copy of cleat (CVE-2019-5736:
 * the container process is a clone of it), while the parent goes on with the
 * state directory and the cgroup; container_setup.c reads what the parent handed
 * over.  After CLEAT_SYNC_GO (or at once for an early clone, container_process.h)
 * it joins the namespaces given by path
 * (user first), unshares the new ones, writes time namespace offsets and clones
 * the container process as a sibling, i.e. a direct child of `cleat create`: the
 * caller of create (the shim, `cleat run`) reaps it, as with runc.  pid and time
 * namespaces only apply to children, hence the helper.  The container process is
 * born inside the cgroup2 directory and joins the v1 hierarchies itself
 * (container_process.h, struct cleat_process_boot), before it creates the cgroup
 * namespace, so that namespace is rooted there. */
#ifndef CLEAT_RUNTIME_LINUX_SETUP_HELPER_H
#define CLEAT_RUNTIME_LINUX_SETUP_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/container_setup.h"
#include "runtime/linux/namespaces.h"

/* What the setup helper and the container process it clones work from. */
struct cleat_setup_args {
	/* From the parent (container_setup.h): ids, paths, flags, the parsed config. */
	const struct cleat_setup_launch *launch;
	int sync_fd; /* child end of the sync socketpair */
	int fifo_fd; /* O_PATH fd of <state>/exec.fifo; -1: wait for CLEAT_SYNC_START */
	struct cleat_ns_plan ns;
	/* config->n_mounts detached idmapped mounts made in the host user namespace
	 * with cleat_rootfs_open_idmapped() (-1: none for that entry), or NULL. */
	int *idmap_fds;
	/* The setup helper joins the cgroup by itself and clones the container process
	 * into it (cgroups.h); NULL: the parent moved it (the systemd driver). */
	struct cleat_cgroup_join *cgroup_join;
	/* New namespaces the setup helper already made before it joined the cgroup
	 * (cleat_setup_unshare_early()): not unshared again. */
	bool unshared[CLEAT_NS_COUNT];
};

/* The environment variable of `cleat init`: "<sync fd>,<born in the cgroup2 dir 0|1>". */
#define CLEAT_SETUP_ENV "_CLEAT_SETUP"

/* How the parent starts the setup helper. */
struct cleat_setup_spawn {
	const char *argv0;
	int sync_fd; /* the helper's end of the sync socket */
	unsigned keep_fds; /* fds 3 .. 3+keep_fds-1 pass through untouched */
	struct cleat_cgroup_join *born_into; /* clone3 the helper into its cgroup2 dir, or NULL */
	bool moved_by_pid; /* the systemd driver moves it: no CLONE_VM spawn */
	const char *state_root; /* an existing directory of ours for the overlay seal */
	void *stack; /* out: the helper's stack and data until its exec (stack_size bytes),
		      * to munmap once it exec'd or died; NULL when none */
	size_t stack_size;
};
#define HELPER_STACK (64 * 1024) /* the part of stack_size the child's calls may use */

/* Start the setup helper, which execs the sealed copy as `cleat init`.  Returns its pid. */
pid_t cleat_setup_helper_spawn(struct cleat_setup_spawn *x, cleat_error_t *err);

/* In `cleat init`, once CLEAT_SYNC_GO arrived: join, unshare, clone the container
 * process. */
_Noreturn void cleat_setup_helper_main(const struct cleat_setup_args *a);

/* In the setup helper, while the parent still makes the cgroup: unshare the new network,
 * IPC and UTS namespaces of plan p now, when no user namespace is involved (it
 * would own them); marks them in done[].  A refusal fails the create, as it would
 * have later. */
int cleat_setup_unshare_early(const struct cleat_ns_plan *p, bool done[CLEAT_NS_COUNT],
			      cleat_error_t *err);

#endif
