/* C model of the OCI runtime-spec 1.2 config.json (and process.json).
 *
 * Conventions for every struct here:
 *   - strings are owned `char *`, NULL when absent;
 *   - arrays are `T *x; size_t n_x;` (n_x == 0 and x == NULL when absent);
 *   - optional scalars carry `bool has_<name>` next to the value;
 *   - string maps are arrays of struct oci_kv, in document order;
 *   - every pointer is freed by free.c and visited by walk.c (a new field goes
 *     into both: create hands the parsed config to its setup helper by a walk).
 * This module knows JSON and nothing of Linux; values are validated for type
 * and range only (e.g. uid fits in 32 bits), not against the running kernel. */
#ifndef CLEAT_OCI_CONFIG_H
#define CLEAT_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct oci_kv {
	char *key;
	char *value;
};

struct oci_root {
	char *path; /* required */
	bool readonly;
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_mount {
	char *destination; /* required */
	char *source;
	char *type;
	char **options;
	size_t n_options;
	struct oci_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct oci_idmap *gid_mappings;
	size_t n_gid_mappings;
};

struct oci_rlimit {
	char *type; /* "RLIMIT_NOFILE" ... */
	uint64_t hard, soft;
};

struct oci_capabilities {
	/* has_x distinguishes an absent set from an empty one. */
	bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
	char **bounding;
	size_t n_bounding;
	char **effective;
	size_t n_effective;
	char **inheritable;
	size_t n_inheritable;
	char **permitted;
	size_t n_permitted;
	char **ambient;
	size_t n_ambient;
};

struct oci_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* windows only; parsed and ignored */
};

struct oci_console_size {
	uint32_t height, width;
};

struct oci_scheduler {
	char *policy; /* required when scheduler is present: SCHED_OTHER ... */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags;
	size_t n_flags; /* SCHED_FLAG_* */
	bool has_runtime;
	uint64_t runtime;
	bool has_deadline;
	uint64_t deadline;
	bool has_period;
	uint64_t period;
};

struct oci_io_priority {
	char *class; /* IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE */
	int32_t priority;
};

struct oci_cpu_affinity {
	char *initial;
	char *final;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	struct oci_console_size console_size;
	struct oci_user user; /* required in config.json */
	char **args;
	size_t n_args; /* required for start; may be empty in a create-only config */
	char *command_line; /* windows; ignored */
	char **env;
	size_t n_env;
	char *cwd; /* required, absolute */
	bool has_capabilities;
	struct oci_capabilities capabilities;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	struct oci_scheduler *scheduler; /* NULL when absent */
	char *selinux_label;
	struct oci_io_priority *io_priority; /* NULL when absent */
	struct oci_cpu_affinity *exec_cpu_affinity; /* NULL when absent */
};

struct oci_hook {
	char *path; /* required, absolute */
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int64_t timeout; /* seconds, > 0 */
};

struct oci_hooks {
	struct oci_hook *prestart;
	size_t n_prestart;
	struct oci_hook *create_runtime;
	size_t n_create_runtime;
	struct oci_hook *create_container;
	size_t n_create_container;
	struct oci_hook *start_container;
	size_t n_start_container;
	struct oci_hook *poststart;
	size_t n_poststart;
	struct oci_hook *poststop;
	size_t n_poststop;
};

struct oci_namespace {
	char *type; /* pid network mount ipc uts user cgroup time */
	char *path;
};

struct oci_time_offset {
	char *clock; /* "boottime" | "monotonic" */
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_device {
	char *type; /* c b u p */
	char *path;
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct oci_device_cgroup {
	bool allow;
	char *type; /* a c b, NULL = all */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access; /* rwm subset */
};

struct oci_memory {
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct oci_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct oci_weight_device {
	int64_t major, minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct oci_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct oci_blkio {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct oci_weight_device *weight_device;
	size_t n_weight_device;
	struct oci_throttle_device *throttle_read_bps_device;
	size_t n_throttle_read_bps_device;
	struct oci_throttle_device *throttle_write_bps_device;
	size_t n_throttle_write_bps_device;
	struct oci_throttle_device *throttle_read_iops_device;
	size_t n_throttle_read_iops_device;
	struct oci_throttle_device *throttle_write_iops_device;
	size_t n_throttle_write_iops_device;
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB", "1GB", ... */
	uint64_t limit;
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

struct oci_network_resources {
	bool has_class_id;
	uint32_t class_id;
	struct oci_net_priority *priorities;
	size_t n_priorities;
};

struct oci_rdma {
	char *device; /* map key */
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct oci_resources {
	struct oci_device_cgroup *devices;
	size_t n_devices;
	bool has_memory;
	struct oci_memory memory;
	bool has_cpu;
	struct oci_cpu cpu;
	bool has_pids;
	int64_t pids_limit; /* pids.limit; < 0 unlimited, 0 written as 1 */
	bool has_blkio;
	struct oci_blkio blkio;
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_network;
	struct oci_network_resources network;
	struct oci_rdma *rdma;
	size_t n_rdma;
	struct oci_kv *unified;
	size_t n_unified;
};

struct oci_seccomp_arg {
	uint32_t index;
	uint64_t value;
	bool has_value_two;
	uint64_t value_two;
	char *op; /* SCMP_CMP_NE ... */
};

struct oci_seccomp_syscall {
	char **names;
	size_t n_names; /* required, non-empty */
	char *action; /* required */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	char *default_action; /* required */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct oci_personality {
	char *domain; /* LINUX | LINUX32 */
	char **flags;
	size_t n_flags;
};

struct oci_intel_rdt {
	char *clos_id; /* "/" = the resctrl root; NULL = the container id */
	char *l3_cache_schema; /* one schemata line, "L3:..." */
	char *mem_bw_schema; /* one schemata line, "MB:..." */
	char **schemata;
	size_t n_schemata; /* runtime-spec 1.3: lines written last */
	bool enable_monitoring; /* 1.3: a mon_groups/<id> group */
	/* 1.1-1.2 fields, replaced by enableMonitoring in 1.3: parsed and ignored */
	bool has_enable_cmt;
	bool enable_cmt;
	bool has_enable_mbm;
	bool enable_mbm;
};

/* runtime-spec 1.3 linux.memoryPolicy (set_mempolicy(2)).  The names are
 * checked and resolved at parse: mode_value | flags_value is the syscall's
 * mode argument (uapi <linux/mempolicy.h> values), nodemask its node bits. */
#define OCI_MPOL_MAX_NODES 1024
struct oci_memory_policy {
	char *mode; /* required: MPOL_DEFAULT ... */
	char *nodes; /* "0-3,7"; NULL when absent */
	char **flags;
	size_t n_flags;
	int mode_value;
	unsigned flags_value;
	size_t n_nodes; /* nodes set in nodemask */
	uint64_t nodemask[OCI_MPOL_MAX_NODES / 64];
};

struct oci_net_device {
	char *host_name; /* the map key: the interface's name on the host */
	char *name; /* its name inside the container; NULL = keep host_name */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct oci_idmap *gid_mappings;
	size_t n_gid_mappings;
	struct oci_time_offset *time_offsets;
	size_t n_time_offsets;
	struct oci_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct oci_resources *resources; /* NULL when absent */
	char *rootfs_propagation; /* private shared slave unbindable rprivate ... */
	struct oci_seccomp *seccomp; /* NULL when absent */
	struct oci_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct oci_personality *personality; /* NULL when absent */
	struct oci_intel_rdt *intel_rdt; /* NULL when absent */
	struct oci_memory_policy *memory_policy; /* NULL when absent */
	/* runtime-spec 1.2 linux.netDevices: host interfaces moved into the
	 * container's network namespace, in document order. */
	struct oci_net_device *net_devices;
	size_t n_net_devices;
};

struct oci_config {
	char *oci_version; /* required */
	bool has_root;
	struct oci_root root;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_process *process; /* NULL when absent (allowed for create-only configs) */
	char *hostname;
	char *domainname;
	struct oci_hooks hooks;
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_linux *linux_; /* NULL when absent; `linux` is a predefined macro in GNU C */
};

/* Parse config.json text.  `origin` names the document in errors, e.g.
 * "config.json: .process.user.uid: expected an unsigned 32-bit integer, got \"root\"". */
int oci_config_parse(const char *json, size_t len, const char *origin, struct oci_config **out,
		     cleat_error_t *err);
/* Read and parse <path>. */
int oci_config_load(const char *path, struct oci_config **out, cleat_error_t *err);
void oci_config_free(struct oci_config *c);
static inline void oci_config_freep(struct oci_config **c)
{
	if (*c)
		oci_config_free(*c);
}
#define _cleanup_oci_config_ __attribute__((cleanup(oci_config_freep)))

/* process.json (cleat exec --process, the shim's exec spec): an OCI Process object. */
int oci_process_parse(const char *json, size_t len, const char *origin, struct oci_process **out,
		      cleat_error_t *err);
void oci_process_free(struct oci_process *p);
static inline void oci_process_freep(struct oci_process **p)
{
	if (*p)
		oci_process_free(*p);
}
#define _cleanup_oci_process_ __attribute__((cleanup(oci_process_freep)))

/* linux.resources alone (cleat update --resources FILE|-). */
int oci_resources_parse(const char *json, size_t len, const char *origin,
			struct oci_resources **out, cleat_error_t *err);
void oci_resources_free(struct oci_resources *r);

/* The memoryPolicy mode and flag names, sorted (`cleat features`). */
extern const char *const oci_mpol_modes[];
extern const char *const oci_mpol_flags[];

/* Lookup helpers. */
const struct oci_namespace *oci_config_namespace(const struct oci_config *c, const char *type);
const char *oci_config_annotation(const struct oci_config *c, const char *key);

/* Serialize the config back to JSON (for hooks' state and tests).  Owned by the caller. */
char *oci_config_to_json(const struct oci_config *c);
/* Serialize a process object (the shim writes process.json for `exec --process`). */
char *oci_process_to_json(const struct oci_process *p);
/* Serialize linux.resources alone (the shim writes it for `update --resources`). */
char *oci_resources_to_json(const struct oci_resources *r);

#endif
