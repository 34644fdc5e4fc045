/* `cleat spec`: the example config runc 1.1 writes, built as a model and
 * emitted by the same serializer as every other config. */
#include <config.h>

#include <unistd.h>

#include "common/util.h"
#include "oci-spec/default_spec.h"
#include "oci-spec/json.h"

static char *default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
static char *default_env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			       "TERM=xterm" };
static char *default_args[] = { "sh" };

static char *opts_dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
static char *opts_pts[] = {
	"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"
};
static char *opts_shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" };
static char *opts_mqueue[] = { "nosuid", "noexec", "nodev" };
static char *opts_sys[] = { "nosuid", "noexec", "nodev", "ro" };
static char *opts_sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };
static char *opts_cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro" };

static char *masked[] = {
	"/proc/acpi",	       "/proc/asound",	   "/proc/kcore",	"/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/sys/firmware",       "/proc/scsi",
};
static char *readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			    "/proc/sysrq-trigger" };

#define STRV(f, arr) .f = (arr), .n_##f = ARRAY_SIZE(arr)

char *oci_default_spec_json(bool rootless)
{
	struct oci_rlimit nofile = { .type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024 };
	struct oci_process proc = {
		.terminal = true,
		STRV(args, default_args),
		STRV(env, default_env),
		.cwd = "/",
		.has_capabilities = true,
		.capabilities = {
			.has_bounding = true, STRV(bounding, default_caps),
			.has_effective = true, STRV(effective, default_caps),
			.has_permitted = true, STRV(permitted, default_caps),
			.has_ambient = true, STRV(ambient, default_caps),
		},
		.rlimits = &nofile,
		.n_rlimits = 1,
		.no_new_privileges = true,
	};
	struct oci_mount mounts[] = {
		{ .destination = "/proc", .type = "proc", .source = "proc" },
		{ .destination = "/dev",
		  .type = "tmpfs",
		  .source = "tmpfs",
		  STRV(options, opts_dev) },
		{ .destination = "/dev/pts",
		  .type = "devpts",
		  .source = "devpts",
		  /* rootless drops gid=5: the tty group is not mapped */
		  .options = opts_pts,
		  .n_options = ARRAY_SIZE(opts_pts) - (rootless ? 1 : 0) },
		{ .destination = "/dev/shm",
		  .type = "tmpfs",
		  .source = "shm",
		  STRV(options, opts_shm) },
		{ .destination = "/dev/mqueue",
		  .type = "mqueue",
		  .source = "mqueue",
		  STRV(options, opts_mqueue) },
		{ .destination = "/sys",
		  .type = "sysfs",
		  .source = "sysfs",
		  STRV(options, opts_sys) },
		{ .destination = "/sys/fs/cgroup",
		  .type = "cgroup",
		  .source = "cgroup",
		  STRV(options, opts_cgroup) },
	};
	if (rootless) {
		/* an unprivileged user cannot mount sysfs without a network namespace of its own */
		mounts[5] = (struct oci_mount){ .destination = "/sys",
						.type = "none",
						.source = "/sys",
						STRV(options, opts_sys_rootless) };
	}
	struct oci_namespace ns_root[] = { { .type = "pid" },
					   { .type = "network" },
					   { .type = "ipc" },
					   { .type = "uts" },
					   { .type = "mount" } };
	struct oci_namespace ns_rootless[] = { { .type = "pid" },
					       { .type = "ipc" },
					       { .type = "uts" },
					       { .type = "mount" },
					       { .type = "user" } };
	struct oci_device_cgroup deny_all = { .allow = false, .access = "rwm" };
	struct oci_resources res = { .devices = &deny_all, .n_devices = 1 };
	struct oci_idmap uidmap = { .container_id = 0, .host_id = geteuid(), .size = 1 };
	struct oci_idmap gidmap = { .container_id = 0, .host_id = getegid(), .size = 1 };
	struct oci_linux lx = {
		STRV(masked_paths, masked),
		STRV(readonly_paths, readonly),
	};
	if (rootless) {
		lx.namespaces = ns_rootless;
		lx.n_namespaces = ARRAY_SIZE(ns_rootless);
		lx.uid_mappings = &uidmap;
		lx.n_uid_mappings = 1;
		lx.gid_mappings = &gidmap;
		lx.n_gid_mappings = 1;
	} else {
		lx.namespaces = ns_root;
		lx.n_namespaces = ARRAY_SIZE(ns_root);
		lx.resources = &res;
	}
	struct oci_config c = {
		.oci_version = OCI_DEFAULT_SPEC_VERSION,
		.has_root = true,
		.root = { .path = "rootfs", .readonly = true },
		.mounts = mounts,
		.n_mounts = ARRAY_SIZE(mounts),
		.process = &proc,
		.hostname = "runc",
		.linux_ = &lx,
	};
	yajl_gen g = oci_gen_new("\t");
	oci_gen_config(g, &c);
	return oci_gen_finish(g, false);
}
