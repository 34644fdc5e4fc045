/* linux.intelRdt through the resctrl filesystem (runtime-spec 1.3, as runc
 * 1.4 applies it).  Every call takes the resctrl root directory, so the
 * writer is tested against a plain directory tree. */
#ifndef CLEAT_RUNTIME_LINUX_RESCTRL_H
#define CLEAT_RUNTIME_LINUX_RESCTRL_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* A file in the state directory: the CLOS group was made by create. */
#define CLEAT_RESCTRL_CREATED "resctrl-created"

/* The mounted resctrl filesystem (/sys/fs/resctrl, else the first resctrl
 * mount): *root is malloc'ed.  Fails naming linux.intelRdt and why. */
int cleat_resctrl_root(char **root, cleat_error_t *err);

/* The CLOS group directory: root for closID "/", root/closID, root/id. */
char *cleat_resctrl_group(const char *root, const struct oci_intel_rdt *rdt, const char *id);

/* Make (or join) the group, write the schemata lines (l3CacheSchema,
 * memBwSchema, then schemata), add pid to its tasks and, with
 * enableMonitoring, to mon_groups/<id>/tasks.  *created: the group was made
 * here (so delete removes it).  A preset closID without schemata must exist. */
int cleat_resctrl_apply(const char *root, const struct oci_intel_rdt *rdt, const char *id,
			pid_t pid, bool *created, cleat_error_t *err);

/* runc update's refusals of --l3-cache-schema / --mem-bw-schema, in its order
 * and words: the feature is not in root/info (root NULL: no resctrl), or the
 * container has no intelRdt.  NULL or "" lines are not asked for. */
int cleat_resctrl_update_check(const char *root, const struct oci_intel_rdt *rdt, const char *l3,
			       const char *mb, cleat_error_t *err);

/* `update --l3-cache-schema / --mem-bw-schema`: the given lines (NULL or ""
 * = keep) replace rdt's, then the whole schemata is written again as at
 * create (as runc does). */
int cleat_resctrl_update(const char *root, struct oci_intel_rdt *rdt, const char *id,
			 const char *l3, const char *mb, cleat_error_t *err);

/* Delete: the group if it was created here without a closID, else only the
 * monitoring group. Absent directories are fine. */
int cleat_resctrl_remove(const char *root, const struct oci_intel_rdt *rdt, const char *id,
			 bool created, cleat_error_t *err);
/* At delete (and when a create fails): the group of the container whose state
 * directory is state_dir_fd, as cleat_resctrl_remove, with "created" read from
 * the CLEAT_RESCTRL_CREATED mark.  Nothing to do without rdt; resctrl gone
 * since create is a warning. */
int cleat_resctrl_cleanup(int state_dir_fd, const struct oci_intel_rdt *rdt, const char *id,
			  cleat_error_t *err);

#endif
