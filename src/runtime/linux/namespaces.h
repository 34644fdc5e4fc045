/* Which namespaces the container gets: new, joined by path, or the host's, and
 * the single steps on them (join one, unshare the new ones, time offsets,
 * loopback).  The order in which the setup helper takes these steps is in
 * setup_helper.c; `cleat exec` has its own in exec.c. */
#ifndef CLEAT_RUNTIME_LINUX_NAMESPACES_H
#define CLEAT_RUNTIME_LINUX_NAMESPACES_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* Order matters: a user namespace is joined first (it owns the others) and a
 * mount namespace last (joining it changes how later paths resolve). */
enum cleat_ns_kind {
	CLEAT_NS_USER,
	CLEAT_NS_IPC,
	CLEAT_NS_UTS,
	CLEAT_NS_NET,
	CLEAT_NS_PID,
	CLEAT_NS_CGROUP,
	CLEAT_NS_TIME,
	CLEAT_NS_MNT,
	CLEAT_NS_COUNT,
};

struct cleat_ns_plan {
	bool create[CLEAT_NS_COUNT];
	int join_fd[CLEAT_NS_COUNT]; /* -1 when not joining */
};

/* OCI type name ("network", "mount", ...) and /proc/<pid>/ns/ name ("net", "mnt", ...). */
const char *cleat_ns_oci_name(enum cleat_ns_kind k);
const char *cleat_ns_proc_name(enum cleat_ns_kind k);
int cleat_ns_clone_flag(enum cleat_ns_kind k);
/* -1 when unknown. */
int cleat_ns_kind_from_oci(const char *type);

void cleat_ns_plan_init(struct cleat_ns_plan *p);
/* Validate linux.namespaces (+ hostname, domainname, mappings, timeOffsets
 * that need one) and open every path; *p owns the fds. */
int cleat_ns_plan_build(const struct oci_config *c, struct cleat_ns_plan *p, cleat_error_t *err);
void cleat_ns_plan_close(struct cleat_ns_plan *p);

/* In the setup helper (or exec): setns() into the joined namespace of kind k
 * (no-op when not joined). */
int cleat_ns_join(const struct cleat_ns_plan *p, enum cleat_ns_kind k, cleat_error_t *err);
/* unshare() every new namespace except user. */
int cleat_ns_unshare_new(const struct cleat_ns_plan *p, cleat_error_t *err);
/* Open /proc/self/timens_offsets for linux.timeOffsets: the fd, -2 when there are no
 * offsets, -1 on error.  Open it before entering a new user namespace: the kernel checks
 * CAP_SYS_TIME against the opener's credentials, and once the ids change the process is
 * not dumpable, so its /proc files stay owned by the host's root and cannot be opened. */
int cleat_ns_open_time_offsets(const struct oci_config *c, cleat_error_t *err);
/* Write linux.timeOffsets to that fd (after unsharing time, before any child); no-op for fd < 0. */
int cleat_ns_write_time_offsets(const struct oci_config *c, int fd, cleat_error_t *err);
/* In a network namespace just made: bring lo up, as runc (its "loopback" network,
 * added for every new network namespace) and crun do. */
int cleat_ns_loopback_up(cleat_error_t *err);

#endif
