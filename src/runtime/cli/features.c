#include "config.h"
#include "runtime/cli/cli.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "oci-spec/state.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/linux/caps.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Whether the kernel knows WAIT_KILLABLE_RECV (5.19+): with a NULL program it
 * answers EFAULT for flags it accepts, EINVAL for others (libseccomp's probe,
 * which runc 1.5 lists by). */
static bool kernel_has_wait_killable_recv(void)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		       SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
		       NULL) < 0 &&
	       errno == EFAULT;
}

int cli_features(const struct cleat_ctx *ctx, int argc, char **argv, cleat_error_t *err)
{
	optind = 0;
	int c;
	while ((c = cli_getopt(argc, argv, cli_no_flags, "features", err)) != -1)
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
	static const char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
				       "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL, NULL };
	if (kernel_has_wait_killable_recv())
		flags[3] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
	f.seccomp_supported_flags = flags;
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
