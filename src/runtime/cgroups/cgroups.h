/* One cgroup driver interface; cgroupfs v1, hybrid, v2 and systemd behind it.
 * Owner: the files under cgroups/.  Layout detected at run time (cleat_cgroup_detect). */
#ifndef CLEAT_RUNTIME_CGROUPS_H
#define CLEAT_RUNTIME_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

enum cleat_cgroup_mode {
	CLEAT_CGROUP_V1,
	CLEAT_CGROUP_HYBRID,
	CLEAT_CGROUP_V2
};

struct cleat_cgroup; /* opaque: driver + resolved paths */

struct cleat_cgroup_opts {
	const char *id; /* container id (default path /<id>, systemd unit name) */
	const char *cgroups_path; /* linux.cgroupsPath or NULL */
	bool systemd; /* --systemd-cgroup */
	bool rootless;
	const struct oci_resources *resources; /* may be NULL */
	const struct oci_config *config; /* annotations etc., may be NULL */
};

enum cleat_cgroup_mode cleat_cgroup_detect(void);

/* Create (or join) the cgroup, put pid in it, apply resources. */
int cleat_cgroup_create(const struct cleat_cgroup_opts *o, pid_t pid, struct cleat_cgroup **out,
			cleat_error_t *err);
/* Serialize / restore the resolved cgroup (kept in the container state dir). */
char *cleat_cgroup_to_string(const struct cleat_cgroup *cg);
int cleat_cgroup_from_string(const char *s, struct cleat_cgroup **out, cleat_error_t *err);
/* Move pid (e.g. an exec'd process) into the container's cgroup. */
int cleat_cgroup_enter(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err);
int cleat_cgroup_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err);
int cleat_cgroup_freeze(struct cleat_cgroup *cg, bool frozen, cleat_error_t *err);
int cleat_cgroup_is_frozen(struct cleat_cgroup *cg, bool *frozen, cleat_error_t *err);
/* pids in the cgroup (recursive); *pids malloc'd. */
int cleat_cgroup_pids(struct cleat_cgroup *cg, pid_t **pids, size_t *n, cleat_error_t *err);
int cleat_cgroup_kill_all(struct cleat_cgroup *cg, int signo, cleat_error_t *err);
/* Kill what is left, remove the cgroup (and systemd unit). */
int cleat_cgroup_destroy(struct cleat_cgroup *cg, cleat_error_t *err);
/* runc's `events --stats` JSON "data" object for this cgroup.  Owned by caller. */
int cleat_cgroup_stats_json(struct cleat_cgroup *cg, char **json, cleat_error_t *err);
void cleat_cgroup_free(struct cleat_cgroup *cg);

#endif
