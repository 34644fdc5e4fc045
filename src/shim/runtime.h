/* Running the OCI runtime binary (cleat, runc, crun) as a child of the shim.
 * Commands are asynchronous: the loop keeps serving while the runtime runs,
 * and the reaper reports its exit. */
#ifndef CLEAT_SHIM_RUNTIME_H
#define CLEAT_SHIM_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "shim/shim.h"

/* Pass as an fd in runtime_spawn_opts to capture that stream into `out`. */
#define RUNTIME_FD_CAPTURE (-2)
/* Pass to give the child /dev/null. */
#define RUNTIME_FD_NULL (-1)

struct runtime_spawn_opts {
	int fd[3]; /* fds for the child's 0/1/2, or RUNTIME_FD_* */
	const char *input; /* written to the child's stdin (fd[0] must be NULL) */
	size_t input_len;
	const char *log_path; /* the runtime's --log, read for error messages */
};

/* Result of one runtime command.  `out` is the captured stdout/stderr;
 * `error` is the last "level":"error" message the runtime logged during the
 * command (or NULL). */
struct runtime_result {
	int status;
	char *out;
	size_t out_len;
	char *error;
};

typedef void (*runtime_done_fn)(struct shim *s, struct runtime_result *res, void *data);

/* argv: <binary> --root <root> --log <log> --log-format json [--systemd-cgroup] <args...>
 * (log may be NULL to leave out --log/--log-format). */
char **runtime_argv(const struct runtime_opts *o, const char *log, const char *const *args);

/* Fork and exec argv; fn runs on the loop when it has exited. */
int runtime_run(struct shim *s, char **argv, const struct runtime_spawn_opts *o, runtime_done_fn fn,
		void *data, cleat_error_t *err);

/* Same, synchronously, for the `delete` subcommand where no loop exists. */
int runtime_run_sync(char **argv, const char *log_path, struct runtime_result *res,
		     cleat_error_t *err);

void runtime_result_clear(struct runtime_result *r);

/* Text to show containerd: "<what>: <runtime message or output or exit status>". */
char *runtime_result_message(const struct runtime_result *r, const char *what);

/* Set *err to that text, code Unknown, as runc-v2's runtimeError.  Returns -1. */
int runtime_result_error(const struct runtime_result *r, const char *what, cleat_error_t *err);

/* The message of the last "level":"error" line in buf (JSON log lines). */
char *runtime_log_last_error(const char *buf);

/* Find a runtime binary: absolute paths as given, names in $PATH, then next
 * to the shim's own executable.  Returns a malloc'd path (the name itself if
 * nothing was found, so exec reports ENOENT with it). */
char *runtime_resolve_binary(const char *name);

/* Reset what a child must not inherit from the shim: the signal mask, the
 * dispositions, NOTIFY_SOCKET. */
void shim_child_reset(void);

#endif
