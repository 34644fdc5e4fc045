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
	struct oci_kv *annotations; size_t n_annotations;
};

/* `{"ociVersion":..., "id":..., "status":..., "pid":N, "bundle":..., "annotations":{...}}`
 * exactly as the runtime-spec's state schema; pid omitted when 0. Owned by caller. */
char *oci_state_to_json(const struct oci_state *s);
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
	const struct oci_kv *annotations; size_t n_annotations;
};
char *oci_features_to_json(const struct oci_features_in *f);

#endif
