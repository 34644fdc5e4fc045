/* A container as seen from its state directory <root>/<id>/.
 *
 * No daemon keeps state: everything is re-derived on each invocation from
 * state.json (written once by create), the init's pid + start time (field 22 of
 * /proc/<pid>/stat, so a recycled pid is not mistaken for the init), the
 * existence of exec.fifo (created vs running) and the cgroup freezer (paused).
 *
 * The API below is also what the cgroups-owned verbs (update, pause, resume,
 * ps, events) use:
 *   cleat_container_load(ctx->root, id, &c, err)   loads + locks (flock) + derives status
 *   c->status, c->init_pid, c->config, c->bundle, cleat_container_cgroup(c, &cg, err)
 *   cleat_container_free(c)                        unlocks */
#ifndef CLEAT_RUNTIME_CONTAINER_H
#define CLEAT_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/cgroups/cgroups.h"
#include "oci-spec/state.h"
#include "runtime/context.h"

enum cleat_status {
	CLEAT_STATUS_CREATING,
	CLEAT_STATUS_CREATED,
	CLEAT_STATUS_RUNNING,
	CLEAT_STATUS_PAUSED,
	CLEAT_STATUS_STOPPED,
};

/* "creating" "created" "running" "paused" "stopped" */
const char *cleat_status_name(enum cleat_status s);

struct cleat_container {
	char *id;
	char *root; /* --root */
	char *state_dir; /* <root>/<id> */
	int dir_fd; /* O_DIRECTORY fd of state_dir */
	int lock_fd; /* flock()ed while this struct lives */

	/* From state.json. */
	char *bundle; /* absolute */
	char *rootfs; /* absolute */
	pid_t init_pid; /* 0 while creating */
	unsigned long long init_start_time; /* /proc/<pid>/stat field 22 */
	char *created; /* RFC 3339, UTC, nanoseconds */
	uid_t owner;
	char *cgroup_str; /* cleat_cgroup_to_string() */
	bool systemd_cgroup, rootless, no_pivot, no_new_keyring;

	/* The config.json copied into the state dir by create (the bundle's may change). */
	struct oci_config *config;

	/* Derived by cleat_container_refresh(). */
	enum cleat_status status;

	struct cleat_cgroup *cgroup; /* lazily restored from cgroup_str */
};

/* Check an id against runc's rules: non-empty, [A-Za-z0-9_+.-]+, not "." or "..". */
int cleat_container_validate_id(const char *id, cleat_error_t *err);

/* Load <root>/<id> without taking the lock (state, list: read-only views). */
int cleat_container_open(const char *root, const char *id, bool lock, struct cleat_container **out,
			 cleat_error_t *err);
/* Load <root>/<id> and flock it: "container does not exist" when absent. */
int cleat_container_load(const char *root, const char *id, struct cleat_container **out,
			 cleat_error_t *err);
/* Re-derive c->status (init liveness, exec.fifo, freezer). */
int cleat_container_refresh(struct cleat_container *c, cleat_error_t *err);
/* The container's cgroup (restored from state.json on first use; owned by c). */
int cleat_container_cgroup(struct cleat_container *c, struct cleat_cgroup **out,
			   cleat_error_t *err);
/* True when the init pid is alive and still the process create started. */
bool cleat_container_init_alive(const struct cleat_container *c);
/* The runtime-spec state JSON (the output of `cleat state`, hooks' stdin). */
char *cleat_container_state_json(const struct cleat_container *c);
/* The runtime-spec state object (hooks' stdin, seccomp listener). */
char *cleat_container_spec_state_json(const struct cleat_container *c);
/* runc's `list --format json` entry; also includes rootfs, created, owner. */
char *cleat_container_list_json(const struct cleat_container *c);
void cleat_container_free(struct cleat_container *c);
static inline void cleat_container_freep(struct cleat_container **c)
{
	if (*c)
		cleat_container_free(*c);
}
#define _cleanup_container_ __attribute__((cleanup(cleat_container_freep)))

/* Lifecycle operations (container_ops.c). */
struct cleat_create_opts {
	const char *id;
	const char *bundle; /* NULL = cwd */
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket; /* --pidfd-socket: receives a pidfd of the init */
	unsigned preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool detach; /* run -d */
	bool foreground; /* run without -d: the caller stays and waits */
	bool direct_start; /* run: no exec.fifo; the caller starts the init itself with
				     * cleat_container_start_direct() (crun's `run` does the same) */
};

struct cleat_created {
	pid_t init_pid;
	int pty_master; /* run in foreground with terminal and no console socket, else -1 */
	/* direct_start only: the container, still locked, and the init's sync socket. */
	struct cleat_container *container;
	int start_fd;
	/* direct_start without a pids limit: the setup helper, exited but not reaped yet,
	 * and the stack it ran on, for cleat_created_reap_helper() once the container
	 * process was told to start (0 and NULL otherwise). */
	pid_t helper;
	void *helper_stack;
	size_t helper_stack_size;
};

int cleat_container_create(const struct cleat_ctx *ctx, const struct cleat_create_opts *o,
			   struct cleat_created *out, cleat_error_t *err);
/* Reap the setup helper create left in out (if any) and unmap its stack. */
void cleat_created_reap_helper(struct cleat_created *out);
int cleat_container_start(const struct cleat_ctx *ctx, const char *id, cleat_error_t *err);
/* `run`: start what create returned (direct_start), then drop its lock so other
 * commands can reach the running container. */
int cleat_container_start_direct(struct cleat_container *c, int start_fd, cleat_error_t *err);
/* `run`, after the init exited: lock c again and delete it, unless the state
 * directory was deleted (and maybe re-created) by someone else meanwhile. */
int cleat_container_delete_direct(struct cleat_container *c, cleat_error_t *err);
int cleat_container_kill(const struct cleat_ctx *ctx, const char *id, int signo, bool all,
			 cleat_error_t *err);
int cleat_container_delete(const struct cleat_ctx *ctx, const char *id, bool force,
			   cleat_error_t *err);
struct cleat_exec_opts {
	const struct oci_process *process; /* complete: from --process or built from flags */
	const char *console_socket;
	const char *pidfd_socket; /* --pidfd-socket: receives a pidfd of the process */
	const char *pid_file;
	unsigned preserve_fds;
	bool detach;
	bool ignore_paused;
	/* --cgroup values: [controller[,controller]:]subpath (cleat_cgroup_exec_sub). */
	char **cgroup_subs;
	size_t n_cgroup_subs;
};
/* Run a process in the container c (opened without the lock; freed here); without
 * detach, wait for it and set *exit_status (128 + signal for a signal death). */
int cleat_container_exec(struct cleat_container *c, const struct cleat_exec_opts *o,
			 int *exit_status, cleat_error_t *err);
/* Remove what a (possibly failed) create left: cgroup, state dir. */
int cleat_container_destroy(struct cleat_container *c, cleat_error_t *err);

#endif
