/* `cleat exec`: a new process inside a running container.
 *
 *   cleat exec (parent) --fork--> process
 *   cleat exec (parent) --fork--> helper --clone(CLONE_PARENT)--> process
 *
 * The parent sets the container's pid namespace for its children and forks the
 * process into it; where it cannot (a time namespace to join, or rootless: no
 * CAP_SYS_ADMIN in its own user namespace), a helper comes between.  The process (or
 * the helper) joins the container's cgroup by itself (cgroups.h) after the parent set
 * execCPUAffinity.initial and sent GO, then every namespace of the container's init
 * that differs from its own (user first, mount last; pid and time apply to children:
 * the parent's setns, or the helper's clone) and the process sets itself up as the
 * init does (terminal, rlimits, cwd, user, caps, NNP, seccomp) and execs.  The sync
 * socket is O_CLOEXEC: end of file after the fork (or CLEAT_SYNC_EXEC_PID from the
 * helper) means the execve succeeded. */
#ifndef CLEAT_RUNTIME_LINUX_EXEC_H
#define CLEAT_RUNTIME_LINUX_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/linux/namespaces.h"

struct cleat_exec_args {
	const struct oci_process *process;
	const struct oci_config *config; /* the container's: seccomp, personality */
	const char *id; /* the container's: its session keyring */
	bool no_new_keyring; /* create --no-new-keyring: keep the caller's */
	int sync_fd;
	struct cleat_ns_plan ns; /* join_fd only */
	unsigned keep_fds; /* --preserve-fds */
	bool console;
	/* The runtime keeps the master (foreground exec): clear ONLCR before the process
	 * can write (see cleat_terminal_clear_onlcr). */
	bool console_kept;
	int close_in_child[5];
	size_t n_close_in_child;
	struct cleat_cgroup_join *cgroup_join; /* the helper joins by itself after GO, or NULL */
};

/* Open /proc/<pid>/ns/<type> of every namespace that differs from ours. */
int cleat_exec_ns_plan(pid_t init_pid, struct cleat_ns_plan *p, cleat_error_t *err);
/* Fork the process (*direct) or the helper; returns its pid (never returns in the
 * children). */
pid_t cleat_exec_spawn(const struct cleat_exec_args *a, bool *direct, cleat_error_t *err);

#endif
