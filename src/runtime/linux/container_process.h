/* The container process (container_process.c): pid 1 of the container, cloned by
 * the setup helper, cleat's code until it execs process.args. */
#ifndef CLEAT_RUNTIME_LINUX_CONTAINER_PROCESS_H
#define CLEAT_RUNTIME_LINUX_CONTAINER_PROCESS_H

#include "runtime/linux/setup_helper.h"

/* What the setup helper hands the container process at the clone. */
struct cleat_process_boot {
	const struct cleat_setup_args *a;
	/* The v1 hierarchies, which the container process joins itself: first thing when
	 * it makes a cgroup namespace (rooted where it is), else before the first hook or,
	 * without hooks, before it confines itself.  What the helper and the setup made
	 * until then (the namespaces, this task, the mounts) is charged to the runtime's
	 * cgroup, as clone3 into a cgroup2 directory charges the task to the parent's, and
	 * the container's memory limit pays for the container alone.  The files were
	 * opened before any user namespace: the kernel checks the opener's credentials. */
	struct cleat_cgroup_join v1;
	/* Cloned before the cgroup exists (cleat_setup_launch.early_clone): CLEAT_SYNC_GO is
	 * still to be read, and with it the cgroup to open into v1 and exec.fifo to open
	 * into fifo_fd.  It is read at the first point that needs it: the cgroup namespace,
	 * a cgroup mount, the first hook, the root switch; always before the join. */
	bool await_go;
	int fifo_fd; /* O_PATH fd of <state>/exec.fifo; -1: none (yet) */
};

/* The clone entry point: arg is a struct cleat_process_boot *.  Never returns: it
 * execs the container's program or exits. */
int cleat_container_process_entry(void *arg);

#endif
