/* The shim daemon's context and the pieces every module shares.
 * One `struct shim` per daemon; no process-wide mutable globals. */
#ifndef CLEAT_SHIM_SHIM_H
#define CLEAT_SHIM_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"
#include "shim/loop.h"
#include "shim/ttrpc/ttrpc.h"

#define SHIM_TASK_SERVICE "containerd.task.v2.Task"
/* What containerd 2.x calls when start answered a BootstrapResult of version 3. */
#define SHIM_TASK_SERVICE_V3 "containerd.task.v3.Task"
/* Runtime state root when containerd's Options.root is empty (as runc-v2). */
#define SHIM_DEFAULT_RUNTIME_ROOT "/run/containerd/runc"
/* Default runtime binary; containerd's BinaryName or $CLEAT_SHIM_RUNTIME override it, and
 * the drop-in name makes it runc (shim_default_runtime). */
#define SHIM_DEFAULT_RUNTIME "cleat"

struct container;
struct process;
struct events_publisher;
struct reaper;

/* An exit the reaper saw for a pid no process claimed yet: the runtime's
 * create/exec may still be running, and its pid file not read (fast
 * exits must be stashed, not dropped). */
struct unclaimed_exit {
	struct unclaimed_exit *next;
	pid_t pid;
	int status;
	struct timespec at;
};

struct shim {
	struct loop *loop;
	struct ttrpc_server *server;
	struct events_publisher *pub; /* NULL when $TTRPC_ADDRESS is unset */
	struct reaper *reaper;
	char *ns;
	char *address; /* containerd's gRPC address (-address) */
	char *socket_path; /* our listening socket, unlinked at exit */
	bool debug;
	struct container *containers;
	struct unclaimed_exit *unclaimed;
	size_t nunclaimed;
	int spawns_in_flight; /* runtime create/exec commands not yet finished */
	bool exiting;
};

/* Runtime options from containerd (containerd.runc.v1.Options). */
struct runtime_opts {
	char *binary; /* resolved runtime binary (absolute when found) */
	char *root; /* state root including the namespace */
	bool systemd_cgroup;
	bool no_pivot_root;
	bool no_new_keyring;
	uint32_t io_uid, io_gid;
};

void runtime_opts_clear(struct runtime_opts *o);

/* Zero value of Go's time.Time, which containerd 1.6 reads as "not exited". */
#define SHIM_ZERO_TIME_SECONDS (-62135596800LL)

/* Called by the reaper for every reaped pid that no runtime command owned. */
void shim_handle_exit(struct shim *s, pid_t pid, int status, const struct timespec *at);
/* A runtime create/exec finished: claim a stashed exit for its pid, if any. */
bool shim_claim_exit(struct shim *s, pid_t pid, int *status, struct timespec *at);
void shim_spawn_done(struct shim *s);

struct container *shim_find_container(struct shim *s, const char *id);
void shim_maybe_exit(struct shim *s);

/* Register every Task method on the server (task.c). */
void task_register(struct shim *s);

#endif
