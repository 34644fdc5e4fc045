#include "config.h"
#include "runtime/cli/cli.h"

#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/state.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/linux/caps.h"

int cli_features(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	optind = 0;
	int c;
	while ((c = cli_getopt(argc, argv, "+", (const struct option[]){ { 0 } }, "features", err)) != -1)
		return -1;
	if (cli_require_args(argc, "features", 0, err) < 0)
		return -1;
	struct oci_features_in f;
	oci_features_defaults(&f);
	f.capabilities = cleat_cap_names();
	enum cleat_cgroup_mode mode = cleat_cgroup_detect();
	f.cgroup_v1 = true;
	f.cgroup_v2 = true;
	f.cgroup_systemd = true;
	f.cgroup_systemd_user = true;
	f.cgroup_rdma = mode == CLEAT_CGROUP_V2;
	f.seccomp_enabled = true;
	f.seccomp_supported_flags = (const char *const[]){ "SECCOMP_FILTER_FLAG_TSYNC",
							    "SECCOMP_FILTER_FLAG_LOG",
							    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
	f.apparmor_enabled = access("/sys/kernel/security/apparmor", F_OK) == 0;
	f.selinux_enabled = access("/sys/fs/selinux/enforce", F_OK) == 0;
	f.mount_extensions_idmap = true;
	f.intel_rdt_enabled = f.intel_rdt_schemata = f.intel_rdt_monitoring = true;
	f.net_devices_enabled = true;
	static const struct oci_kv annotations[] = {
		{ "org.opencontainers.runc.checkpoint.enabled", "false" },
		{ "run.oci.cleat.version", PACKAGE_VERSION },
	};
	f.annotations = annotations;
	f.n_annotations = ARRAY_SIZE(annotations);
	_cleanup_free_ char *json = oci_features_to_json(&f);
	fputs(json, stdout);
	return 0;
}
