/* OCI hooks (runtime-spec config.md "POSIX-platform Hooks").  Implemented in hooks.c.
 *
 * Each hook is run in order: fork + execve(path, args, env) where args[0] is
 * argv[0] (path when args is absent) and env is empty when absent, as the spec
 * says.  The container state JSON is written to the hook's stdin.  A hook with
 * a timeout is SIGKILLed when it expires ("hook timed out").  The first hook
 * that fails stops the run: the error ("error running <phase> hook #<i>: ...", runc's
 * words) names the phase, the hook path, the exit status and the hook's stderr output.
 *
 * Failure semantics are the caller's (runtime-spec 1.3): a prestart,
 * createRuntime, createContainer, startContainer or poststart failure is an
 * error that stops the container; poststop failures are warnings only, and the
 * remaining poststop hooks still run (cleat_hooks_run_warn). */
#ifndef CLEAT_RUNTIME_LINUX_HOOKS_H
#define CLEAT_RUNTIME_LINUX_HOOKS_H

#include <stddef.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* phase: "prestart", "createRuntime", "createContainer", "startContainer",
 * "poststart", "poststop" (only used in messages). */
int cleat_hooks_run(const struct oci_hook *hooks, size_t n, const char *phase,
		    const char *state_json, cleat_error_t *err);
/* The same, with default_env (NULL-terminated) for the hooks without an env: runc gives
 * startContainer hooks the process's environment, which tools rely on. */
int cleat_hooks_run_env(const struct oci_hook *hooks, size_t n, const char *phase,
			const char *state_json, char *const *default_env, cleat_error_t *err);

/* Run every hook, logging a warning for each one that fails (poststop).
 * Returns how many failed. */
size_t cleat_hooks_run_warn(const struct oci_hook *hooks, size_t n, const char *phase,
			    const char *state_json);

/* The state JSON with its "status" replaced (e.g. "created" for startContainer,
 * whose state the container process got while the container was still "creating").  NULL
 * when state_json is not a JSON object.  Owned by the caller. */
char *cleat_hooks_state_with_status(const char *state_json, const char *status);

/* Whether create needs the parent/container process exchange around the rootfs: some
 * prestart, createRuntime, createContainer or startContainer hook. */
static inline bool cleat_hooks_need_sync(const struct oci_hooks *h)
{
	return h->n_prestart || h->n_create_runtime || h->n_create_container ||
	       h->n_start_container;
}

#endif
