/* The runtime-spec state object (`cleat state`, hooks' stdin) and the
 * features document (`cleat features`). */
#ifndef CLEAT_OCI_STATE_H
#define CLEAT_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci-spec/config.h"

/* runtime-spec statuses: creating created running stopped (paused is runc's extension). */
struct oci_state {
	char *oci_version;
	char *id;
	char *status;
	pid_t pid; /* 0 when not running */
	char *bundle;
	struct oci_kv *annotations;
	size_t n_annotations;
	/* runc's extensions shown by `runc state` (NULL when unknown): */
	char *rootfs; /* absolute path of the rootfs */
	char *created; /* RFC 3339 with nanoseconds, UTC: "2026-11-28T07:15:50.173158246Z" */
	char *owner; /* "" for root-owned containers */
};

/* `{"ociVersion":..., "id":..., "status":..., "pid":N, "bundle":..., "annotations":{...}}`
 * exactly as the runtime-spec's state schema; pid omitted when 0. Owned by caller. */
char *oci_state_to_json(const struct oci_state *s);
/* `runc state` output: 2-space indent, no trailing newline, keys ociVersion id
 * pid (always, 0 when stopped) status bundle rootfs created annotations
 * (when any) owner.  Owned by caller. */
char *oci_state_to_runc_json(const struct oci_state *s);
int oci_state_parse(const char *json, size_t len, const char *origin, struct oci_state **out,
		    cleat_error_t *err);
void oci_state_free(struct oci_state *s);

/* The runtime-spec features document (features.md / features-linux.md). */
struct oci_features_in {
	const char *oci_version_min, *oci_version_max;
	const char *const *hooks;
	const char *const *mount_options;
	const char *const *namespaces;
	const char *const *capabilities;
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
	bool seccomp_enabled;
	const char *const *seccomp_actions;
	const char *const *seccomp_operators;
	const char *const *seccomp_archs;
	const char *const *seccomp_known_flags;
	const char *const *seccomp_supported_flags;
	bool apparmor_enabled, selinux_enabled, intel_rdt_enabled, mount_extensions_idmap;
	bool intel_rdt_schemata, intel_rdt_monitoring; /* 1.3: schemata, enableMonitoring */
	const char *const *mpol_modes, *const *mpol_flags; /* 1.3 memoryPolicy */
	bool net_devices_enabled; /* linux.netDevices (runtime-spec 1.3) */
	const struct oci_kv *annotations;
	size_t n_annotations;
};
/* NULL lists are omitted; empty ones are printed as [].  Output is indented
 * with 4 spaces and ends in a newline, as `runc features` prints it; the
 * annotations are sorted by key (encoding/json sorts maps). */
char *oci_features_to_json(const struct oci_features_in *f);
/* Fill the static lists (hooks, mountOptions, namespaces incl. time, seccomp
 * actions/operators/archs/knownFlags, memoryPolicy) with runc's values and version
 * 1.0.0 .. OCI_SPEC_VERSION_MAX; the capabilities (the runtime's table) and
 * probed fields (cgroup, apparmor, selinux, seccomp enabled/supportedFlags,
 * intelRdt, idmap, annotations) are left false/NULL for the caller. */
void oci_features_defaults(struct oci_features_in *f);
#define OCI_SPEC_VERSION_MAX "1.3.0"

#endif
