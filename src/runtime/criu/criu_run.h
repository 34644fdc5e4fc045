/* Running the criu binary for checkpoint/restore.
 *
 * cleat is a static-PIE binary: libcriu.so (and the libc it needs) cannot be
 * dlopen()ed into it safely.  libcriu itself only forks `criu swrk`: cleat does
 * the same (criu_rpc.h, with protobuf-c linked statically, its pages untouched
 * by create/run), so criu is needed only when checkpoint/restore runs, and a
 * missing or broken criu is named in the error (with `criu check`'s output). */
#ifndef CLEAT_RUNTIME_CRIU_RUN_H
#define CLEAT_RUNTIME_CRIU_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct cleat_cgroup_opts;

struct cleat_criu_cmd {
	char **argv; /* NULL-terminated */
	size_t n, cap;
	/* Descriptors criu inherits at the same number (the RPC socket, namespace fds). */
	int keep[8];
	size_t n_keep;
	/* stdio of criu: -1 keeps ours (restore passes the container's stdio). */
	int stdio[3];
	/* Moved into this cgroup before exec (restore), or NULL. */
	struct cleat_cgroup *cgroup;
	/* When set, the cgroup is made with criu's pid in it before criu runs (as runc
	 * applies the cgroup to criu's process): a systemd scope needs a pid to start. */
	const struct cleat_cgroup_opts *cgroup_make;
	/* The log criu writes (-o), read for the error. */
	char *log_path;
};

void cleat_criu_cmd_init(struct cleat_criu_cmd *c);
void cleat_criu_cmd_free(struct cleat_criu_cmd *c);
void cleat_criu_arg(struct cleat_criu_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The criu binary on PATH; NULL when there is none. */
char *cleat_criu_path(void);
/* Set *path, or fail saying criu is not installed. */
int cleat_criu_require(char **path, cleat_error_t *err);
/* Fork criu (its cgroup made first when cgroup_make is set) without waiting: *pid
 * is criu's pid. */
int cleat_criu_spawn(const char *criu, struct cleat_criu_cmd *c, pid_t *pid, cleat_error_t *err);
/* waitpid, retried on EINTR. */
int cleat_criu_wait(pid_t pid, int *status, cleat_error_t *err);
/* The error for a failed criu: `criu check`'s output when criu cannot work on this
 * kernel, else the action, detail (or the wait status st when NULL) and the last
 * errors of criu's log.  Always returns -1. */
int cleat_criu_failed(const char *criu, const struct cleat_criu_cmd *c, const char *action, int st,
		      const char *detail, cleat_error_t *err);
/* Each line of /proc/<pid>/cgroup as (controller or NULL on v2, path): criu restores
 * the tree's cgroups below the ones it runs in (runc's CgRoot from the same file). */
typedef void (*cleat_criu_cgroup_root_fn)(void *data, const char *ctrl, const char *path);
void cleat_criu_cgroup_roots(pid_t pid, cleat_criu_cgroup_root_fn fn, void *data);

#endif
