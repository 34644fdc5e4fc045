/* `cleat features`: the runtime-spec features document (features.md,
 * features-linux.md), in the layout `runc features` prints. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "oci-spec/json.h"
#include "oci-spec/state.h"

static void gen_list(yajl_gen g, const char *k, const char *const *v)
{
	if (!v)
		return;
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (; *v; v++)
		gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void gen_enabled(yajl_gen g, const char *k, bool on)
{
	gen_key(g, k);
	yajl_gen_map_open(g);
	gen_kbool(g, "enabled", on);
	yajl_gen_map_close(g);
}

char *oci_features_to_json(const struct oci_features_in *f)
{
	yajl_gen g = oci_gen_new("    ");
	yajl_gen_map_open(g);
	gen_kstr(g, "ociVersionMin", f->oci_version_min);
	gen_kstr(g, "ociVersionMax", f->oci_version_max);
	gen_list(g, "hooks", f->hooks);
	gen_list(g, "mountOptions", f->mount_options);

	gen_key(g, "linux");
	yajl_gen_map_open(g);
	gen_list(g, "namespaces", f->namespaces);
	gen_list(g, "capabilities", f->capabilities);
	gen_key(g, "cgroup");
	yajl_gen_map_open(g);
	gen_kbool(g, "v1", f->cgroup_v1);
	gen_kbool(g, "v2", f->cgroup_v2);
	gen_kbool(g, "systemd", f->cgroup_systemd);
	gen_kbool(g, "systemdUser", f->cgroup_systemd_user);
	gen_kbool(g, "rdma", f->cgroup_rdma);
	yajl_gen_map_close(g);
	gen_key(g, "seccomp");
	yajl_gen_map_open(g);
	gen_kbool(g, "enabled", f->seccomp_enabled);
	gen_list(g, "actions", f->seccomp_actions);
	gen_list(g, "operators", f->seccomp_operators);
	gen_list(g, "archs", f->seccomp_archs);
	gen_list(g, "knownFlags", f->seccomp_known_flags);
	gen_list(g, "supportedFlags", f->seccomp_supported_flags);
	yajl_gen_map_close(g);
	gen_enabled(g, "apparmor", f->apparmor_enabled);
	gen_enabled(g, "selinux", f->selinux_enabled);
	gen_key(g, "intelRdt");
	yajl_gen_map_open(g);
	gen_kbool(g, "enabled", f->intel_rdt_enabled);
	gen_kbool(g, "schemata", f->intel_rdt_schemata);
	gen_kbool(g, "monitoring", f->intel_rdt_monitoring);
	yajl_gen_map_close(g);
	if (f->mpol_modes || f->mpol_flags) {
		gen_key(g, "memoryPolicy");
		yajl_gen_map_open(g);
		gen_list(g, "modes", f->mpol_modes);
		gen_list(g, "flags", f->mpol_flags);
		yajl_gen_map_close(g);
	}
	gen_key(g, "mountExtensions");
	yajl_gen_map_open(g);
	gen_enabled(g, "idmap", f->mount_extensions_idmap);
	yajl_gen_map_close(g);
	gen_enabled(g, "netDevices", f->net_devices_enabled);
	yajl_gen_map_close(g);

	gen_kkv_sorted(g, "annotations", f->annotations, f->n_annotations);
	yajl_gen_map_close(g);
	return oci_gen_finish(g, true);
}

static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL,
};

/* The mount(8)-style options the runtime maps to flags, sorted as runc prints them. */
static const char *const mount_options[] = {
	"acl",
	"async",
	"atime",
	"bind",
	"defaults",
	"dev",
	"diratime",
	"dirsync",
	"exec",
	"iversion",
	"lazytime",
	"loud",
	"mand",
	"noacl",
	"noatime",
	"nodev",
	"nodiratime",
	"noexec",
	"noiversion",
	"nolazytime",
	"nomand",
	"norelatime",
	"nostrictatime",
	"nosuid",
	"nosymfollow",
	"private",
	"ratime",
	"rbind",
	"rdev",
	"rdiratime",
	"relatime",
	"remount",
	"rexec",
	"rnoatime",
	"rnodev",
	"rnodiratime",
	"rnoexec",
	"rnorelatime",
	"rnostrictatime",
	"rnosuid",
	"rnosymfollow",
	"ro",
	"rprivate",
	"rrelatime",
	"rro",
	"rrw",
	"rshared",
	"rslave",
	"rstrictatime",
	"rsuid",
	"rsymfollow",
	"runbindable",
	"rw",
	"shared",
	"silent",
	"slave",
	"strictatime",
	"suid",
	"symfollow",
	"sync",
	"tmpcopyup",
	"unbindable",
	NULL,
};

static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
};

static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW",	"SCMP_ACT_ERRNO",
	"SCMP_ACT_KILL",	"SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",	"SCMP_ACT_TRACE",
	"SCMP_ACT_TRAP",	NULL,
};

static const char *const seccomp_operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE",	     "SCMP_CMP_GT", "SCMP_CMP_LE",
	"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

static const char *const seccomp_archs[] = {
	"SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",	       "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
	"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      NULL,
};

static const char *const seccomp_known_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_LOG",
	NULL,
};

void oci_features_defaults(struct oci_features_in *f)
{
	*f = (struct oci_features_in){
		.oci_version_min = "1.0.0",
		.oci_version_max = OCI_SPEC_VERSION_MAX,
		.hooks = hooks,
		.mount_options = mount_options,
		.namespaces = namespaces,
		.seccomp_actions = seccomp_actions,
		.seccomp_operators = seccomp_operators,
		.seccomp_archs = seccomp_archs,
		.seccomp_known_flags = seccomp_known_flags,
		.mpol_modes = oci_mpol_modes,
		.mpol_flags = oci_mpol_flags,
	};
}
