/* Placeholder until the cgroups owner lands the drivers. */
#include "config.h"
#include "runtime/cgroups/cgroups.h"
#include <stdlib.h>
#include <errno.h>
#include "common/util.h"
struct cleat_cgroup { int unused; };
enum cleat_cgroup_mode cleat_cgroup_detect(void) { return CLEAT_CGROUP_HYBRID; }
int cleat_cgroup_create(const struct cleat_cgroup_opts *o, pid_t pid, struct cleat_cgroup **out,
			cleat_error_t *err) { *out = xmalloc0(sizeof **out); return 0; }
char *cleat_cgroup_to_string(const struct cleat_cgroup *cg) { return xstrdup(""); }
int cleat_cgroup_from_string(const char *s, struct cleat_cgroup **out, cleat_error_t *err)
{ *out = xmalloc0(sizeof **out); return 0; }
int cleat_cgroup_enter(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err) { return 0; }
int cleat_cgroup_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err)
{ return cleat_error_errno(err, ENOSYS, "update"); }
int cleat_cgroup_freeze(struct cleat_cgroup *cg, bool frozen, cleat_error_t *err)
{ return cleat_error_errno(err, ENOSYS, "freeze"); }
int cleat_cgroup_is_frozen(struct cleat_cgroup *cg, bool *frozen, cleat_error_t *err) { *frozen = false; return 0; }
int cleat_cgroup_pids(struct cleat_cgroup *cg, pid_t **pids, size_t *n, cleat_error_t *err)
{ *pids = NULL; *n = 0; return 0; }
int cleat_cgroup_kill_all(struct cleat_cgroup *cg, int signo, cleat_error_t *err) { return 0; }
int cleat_cgroup_destroy(struct cleat_cgroup *cg, cleat_error_t *err) { return 0; }
int cleat_cgroup_stats_json(struct cleat_cgroup *cg, char **json, cleat_error_t *err)
{ *json = xstrdup("{}"); return 0; }
void cleat_cgroup_free(struct cleat_cgroup *cg) { free(cg); }
