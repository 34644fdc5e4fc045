/* One cgroup driver interface; cgroupfs v1, hybrid, v2 and systemd behind it.
 * Implemented by the files under cgroups/.  Layout detected at run time (cleat_cgroup_detect). */
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

/* Two steps, so that the caller can record the cgroup before anything exists
 * (cleat_cgroup_to_string() of a plan restores to the same directories, which
 * cleat_cgroup_destroy() removes whether or not they were made yet):
 * plan: resolve the directory in every hierarchy (and the systemd unit), check
 * them; nothing is made.
 * make: create (or join) them, put pid in (0: none), apply resources; on failure
 * what was made is removed again. */
int cleat_cgroup_plan(const struct cleat_cgroup_opts *o, struct cleat_cgroup **out,
		      cleat_error_t *err);
int cleat_cgroup_make(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *o, pid_t pid,
		      cleat_error_t *err);
/* linux.resources.pids, which make leaves out: the runtime's helper that clones
 * the init is in the cgroup for a moment and must not count against the limit
 * (a limit of 1 would refuse the init).  Called once the init is waiting for
 * start, before any process of the container's runs. */
int cleat_cgroup_limit_pids(struct cleat_cgroup *cg, const struct oci_resources *r,
			    cleat_error_t *err);
/* Serialize / restore the resolved cgroup (kept in the container state dir). */
char *cleat_cgroup_to_string(const struct cleat_cgroup *cg);
int cleat_cgroup_from_string(const char *s, struct cleat_cgroup **out, cleat_error_t *err);
/* Move pid (e.g. an exec'd process) into the container's cgroup. */
int cleat_cgroup_enter(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err);

/* systemd driver: ask systemd to move pid into the unit's cgroup (AttachProcessesToUnit),
 * as runc 1.5's exec does; the move then needs no write access to the cgroupfs.  1: not a
 * systemd cgroup, nothing done. */
int cleat_cgroup_enter_by_systemd(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err);

/* A child joining the cgroup by itself (join.c), much cheaper than
 * cleat_cgroup_enter(): the parent opens the files (the kernel checks the
 * opener's credentials), forks with cleat_cgroup_fork(), the child calls
 * cleat_cgroup_join_self() before it forks anything, and the parent closes
 * its copies with cleat_cgroup_join_close(). */
struct cleat_cgroup_join {
	int *fds; /* per hierarchy: v1 "tasks", v2 "cgroup.procs" */
	bool *v2;
	char **paths; /* for errors */
	size_t n;
	int v2_dir; /* the cgroup2 directory for clone3(CLONE_INTO_CGROUP), or -1 */
	bool hybrid; /* a refused write to the unified tree is harmless */
	bool in_v2; /* in the child: born inside v2_dir */
};
void cleat_cgroup_join_init(struct cleat_cgroup_join *j);
/* clone_into: let cleat_cgroup_fork() start the child inside the cgroup2
 * directory (else the child joins it by writing, after whatever the parent
 * does between fork and the child's join). */
int cleat_cgroup_join_open(struct cleat_cgroup *cg, bool clone_into, struct cleat_cgroup_join *j,
			   cleat_error_t *err);
void cleat_cgroup_join_close(struct cleat_cgroup_join *j);
/* The same for a cgroup given as cleat_cgroup_to_string() made it. */
int cleat_cgroup_join_open_string(const char *s, bool clone_into, struct cleat_cgroup_join *j,
				  cleat_error_t *err);
/* The fds to hand a join over with (cleat_sync_send_fds()): each hierarchy's file in
 * order, then the cgroup2 directory when open; their number (at most max).  j keeps
 * them. */
size_t cleat_cgroup_join_fds(const struct cleat_cgroup_join *j, int *fds, size_t max);
/* Like cleat_cgroup_join_open_string(), with the n files the sender opened, as
 * cleat_cgroup_join_fds() lists them: j takes them (each set to -1 in fds), and the
 * cgroup2 directory only with clone_into.  On error (EPROTO: not the files of s) they
 * are closed. */
int cleat_cgroup_join_adopt_string(const char *s, int *fds, size_t n, bool clone_into,
				   struct cleat_cgroup_join *j, cleat_error_t *err);
/* fork(), or clone3 into j->v2_dir when set and the kernel allows; j may be NULL.  -1
 * (errno) when the cgroup refuses the new process (EAGAIN: pids limit). */
pid_t cleat_cgroup_fork(struct cleat_cgroup_join *j);
/* In the child (single-threaded): join every hierarchy, close the fds. */
int cleat_cgroup_join_self(struct cleat_cgroup_join *j, cleat_error_t *err);
/* Move j's v1 hierarchies into v1 (a join of its own, to close with
 * cleat_cgroup_join_close()): j keeps the cgroup2 part for the clone, the new process
 * joins the v1 ones itself with cleat_cgroup_join_v1(). */
void cleat_cgroup_join_split_v1(struct cleat_cgroup_join *j, struct cleat_cgroup_join *v1);
/* The container init joins the v1 hierarchies (the kernel checks the fds' opener, so
 * also from inside a user namespace); its helper, at the clone, starts the child in
 * the cgroup2 directory with clone3(CLONE_INTO_CGROUP | flags) or, where that is
 * refused, moves itself there first.  Like clone(): the pid, 0 in the child, -1 with
 * err set.  j (may be NULL) is closed in both. */
int cleat_cgroup_join_v1(struct cleat_cgroup_join *j, cleat_error_t *err);
pid_t cleat_cgroup_clone_joined(struct cleat_cgroup_join *j, unsigned long flags,
				cleat_error_t *err);
/* The same for a child sharing our memory (linux/clone_vm.h) that runs fn on a copy
 * of the len bytes at arg; ENOSYS in err: no such clone here. */
pid_t cleat_cgroup_clone_joined_vm(struct cleat_cgroup_join *j, unsigned long flags,
				   int (*fn)(void *), const void *arg, size_t len,
				   cleat_error_t *err);
/* runc's `exec --cgroup [controller[,controller]:]subpath` (args: each
 * flag's value): move cg's directories into those existing sub-cgroups. */
int cleat_cgroup_exec_sub(struct cleat_cgroup *cg, char *const *args, size_t n, cleat_error_t *err);
int cleat_cgroup_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err);
int cleat_cgroup_freeze(struct cleat_cgroup *cg, bool frozen, cleat_error_t *err);
int cleat_cgroup_is_frozen(struct cleat_cgroup *cg, bool *frozen, cleat_error_t *err);
/* pids in the cgroup (recursive); *pids malloc'd. */
int cleat_cgroup_pids(struct cleat_cgroup *cg, pid_t **pids, size_t *n, cleat_error_t *err);
int cleat_cgroup_kill_all(struct cleat_cgroup *cg, int signo, cleat_error_t *err);
/* How many processes the OOM killer killed in the cgroup (v1 memory.oom_control,
 * v2 memory.events oom_kill); 0 without a memory controller or when unreadable. */
unsigned long long cleat_cgroup_oom_kills(struct cleat_cgroup *cg);
/* Kill what is left, remove the cgroup (and systemd unit).  Directories that do
 * not exist (a plan never made, or made in part) are no error. */
int cleat_cgroup_destroy(struct cleat_cgroup *cg, cleat_error_t *err);
/* runc's `events --stats` JSON "data" object for this cgroup.  Owned by caller. */
int cleat_cgroup_stats_json(struct cleat_cgroup *cg, char **json, cleat_error_t *err);
void cleat_cgroup_free(struct cleat_cgroup *cg);

#endif
