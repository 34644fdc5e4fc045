/* criu options shared by dump and restore (runc sets the same for both). */
#ifndef CLEAT_RUNTIME_CRIU_ARGS_H
#define CLEAT_RUNTIME_CRIU_ARGS_H

#include <stdbool.h>

#include "oci-spec/config.h"
#include "runtime/criu/criu.h"
#include "runtime/criu/criu_rpc.h"
#include "runtime/criu/criu_run.h"

/* Absolute image and work directories (made 0700 when missing). */
struct cleat_criu_dirs {
	char *image, *work;
};
int cleat_criu_dirs_make(const struct cleat_criu_opts *o, struct cleat_criu_dirs *d,
			 cleat_error_t *err);
void cleat_criu_dirs_free(struct cleat_criu_dirs *d);

/* The options dump and restore share (image and work directories, log, cgroup mode,
 * runc's boolean flags) as criu_opts fields of the request; c gets the log path. */
int cleat_criu_common_opts(struct cleat_criu_req *r, struct cleat_criu_cmd *c,
			   const struct cleat_criu_dirs *d, const char *log_name,
			   const struct cleat_criu_opts *o, cleat_error_t *err);
/* A bind mount (type "bind" or a bind/rbind option): criu sees it as external. */
bool cleat_criu_is_bind(const struct oci_mount *m);

#endif
