/* Starting the container init (and, for exec, a process joining a running
 * container).
 *
 *   cleat create (parent) --fork--> helper --execveat(sealed copy)--> `cleat init`
 *                                    --clone(CLONE_PARENT)--> init
 *
 * The helper first re-executes a sealed memfd copy of cleat (CVE-2019-5736: the
 * init is a clone of it), while the parent goes on with the state directory and
 * the cgroup; init_stage.c reads what the parent handed over.  After CLEAT_SYNC_GO
 * it joins the namespaces given by path (user first), unshares the
 * new ones, writes time namespace offsets and clones the init as a sibling, i.e.
 * a direct child of `cleat create`: the caller of create (the shim, `cleat run`)
 * reaps it, as with runc.  pid and time namespaces only apply to children, hence
 * the helper.  The init is born inside the cgroup2 directory and joins the v1
 * hierarchies itself (init.c, struct init_boot), before it creates the cgroup
 * namespace, so that namespace is rooted there. */
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
	int sync_fd; /* child end of the sync socketpair */
	int fifo_fd; /* O_PATH fd of <state>/exec.fifo; -1: wait for CLEAT_SYNC_START */
	struct cleat_ns_plan ns;
	bool no_pivot;
	bool no_new_keyring;
	unsigned keep_fds; /* LISTEN_FDS + --preserve-fds: fds 3 .. 3+keep_fds-1 pass through */
	unsigned listen_fds; /* LISTEN_FDS=<n> LISTEN_PID=1 added to the environment when > 0 */
	bool console; /* process.terminal: allocate a pty, send the master */
	/* config->n_mounts detached idmapped mounts made in the host user namespace
	 * with cleat_rootfs_open_idmapped() (-1: none for that entry), or NULL. */
	const int *idmap_fds;
	/* The helper joins the cgroup by itself and clones the init into it
	 * (cgroups.h); NULL: the parent moved it (the systemd driver). */
	struct cleat_cgroup_join *cgroup_join;
	/* New namespaces the helper already made before it joined the cgroup
	 * (cleat_init_unshare_early()): not unshared again. */
	bool unshared[CLEAT_NS_COUNT];
};

/* The environment variable of `cleat init`: "<sync fd>,<born in the cgroup2 dir 0|1>". */
#define CLEAT_INIT_ENV "_CLEAT_INIT"

struct cleat_helper_exec {
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

/* Start the helper, which execs the sealed copy as `cleat init`.  Returns its pid. */
pid_t cleat_init_fork_helper(struct cleat_helper_exec *x, cleat_error_t *err);

/* In `cleat init`, once CLEAT_SYNC_GO arrived: join, unshare, clone the init. */
_Noreturn void cleat_init_helper_main(const struct cleat_init_args *a);

/* In the helper, while the parent still makes the cgroup: unshare the new network,
 * IPC and UTS namespaces of plan p now, when no user namespace is involved (it
 * would own them); marks them in done[].  A refusal fails the create, as it would
 * have later. */
int cleat_init_unshare_early(const struct cleat_ns_plan *p, bool done[CLEAT_NS_COUNT],
			     cleat_error_t *err);

#endif
