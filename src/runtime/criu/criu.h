/* `checkpoint` and `restore` with CRIU (runc's flags and semantics).
 *
 * checkpoint: criu dumps the container's process tree into --image-path (with
 * descriptors.json, the targets of the init's stdio, for restore to reattach
 * pipes); without --leave-running or --pre-dump the container is then gone and
 * deleted, as with runc.
 * restore: a new container <id> from the bundle's config.json, its state dir and
 * cgroup made as by create, then criu restores the tree into them; the result
 * is a running container like any other. */
#ifndef CLEAT_RUNTIME_CRIU_CRIU_H
#define CLEAT_RUNTIME_CRIU_CRIU_H

#include <stdbool.h>

#include "common/error.h"
#include "runtime/context.h"

/* What runc writes into the image directory: a JSON array of the init's fd 0..2. */
#define CLEAT_CRIU_DESCRIPTORS "descriptors.json"

struct cleat_criu_opts {
	const char *image_path; /* default ./checkpoint */
	const char *work_path; /* default: the image path */
	const char *parent_path;
	const char *manage_cgroups_mode; /* soft full strict ignore, NULL: criu's default */
	const char *page_server; /* IP:port */
	const char *lsm_profile, *lsm_mount_context;
	bool leave_running, tcp_established, ext_unix_sk, shell_job, lazy_pages;
	bool file_locks, pre_dump, auto_dedup, empty_ns_net, tcp_skip_in_flight;
	int status_fd; /* -1 */
	/* restore */
	const char *bundle, *pid_file, *console_socket;
	bool detach, no_subreaper, no_pivot;
};

void cleat_criu_opts_init(struct cleat_criu_opts *o);
/* runc's modes: soft full strict ignore; an unknown one is refused. */
int cleat_criu_check_cgroups_mode(const char *mode, cleat_error_t *err);

int cleat_checkpoint(const struct cleat_ctx *ctx, const char *id, const struct cleat_criu_opts *o,
		     cleat_error_t *err);
/* Without detach, waits for the restored init and sets *exit_status. */
int cleat_restore(const struct cleat_ctx *ctx, const char *id, const struct cleat_criu_opts *o,
		  int *exit_status, cleat_error_t *err);

#endif
