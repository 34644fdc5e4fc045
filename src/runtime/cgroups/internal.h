/* Private to src/runtime/cgroups: the resolved cgroup and the helpers the
 * drivers share.  Pure conversions live in convert.c so unit tests reach them
 * without touching /sys. */
#ifndef CLEAT_RUNTIME_CGROUPS_INTERNAL_H
#define CLEAT_RUNTIME_CGROUPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/cgroups/cgroups.h"

/* One mounted hierarchy: a v1 hierarchy (one or more controllers, or a named
 * one such as name=systemd) or the cgroup2 mount (the only one on v2, the
 * "unified" one on a hybrid host). */
struct cg_hier {
	bool v2;
	char *mountpoint; /* /sys/fs/cgroup/memory, /sys/fs/cgroup/unified */
	char *root; /* mount root inside the hierarchy, "/" outside a cgroupns */
	char **controllers; /* v1: from the mount options; v2: cgroup.controllers */
	char *own; /* the loading process's cgroup here ("/..."), from /proc/self/cgroup */
	char *dir; /* the container's directory in this hierarchy, once resolved */
	bool created; /* we made dir (and must remove it) */
};

struct cleat_cgroup {
	enum cleat_cgroup_mode mode;
	bool systemd;
	char *unit; /* systemd: "cleat-<id>.scope" */
	char *slice; /* systemd: parent slice */
	char *path; /* the cgroup path inside each hierarchy, "/a/b" */
	struct cg_hier *h;
	size_t n_h;
};

/* detect.c */
int cg_hiers_load(struct cg_hier **out, size_t *n, enum cleat_cgroup_mode *mode,
		  cleat_error_t *err);
void cg_hiers_free(struct cg_hier *h, size_t n);
/* The cgroup of the process that loaded h, in the hierarchy h ("/..."), malloc'd. */
char *cg_own_path(const struct cg_hier *h);
bool cg_hier_has(const struct cg_hier *h, const char *controller);
/* The hierarchy that carries controller, or NULL. */
struct cg_hier *cg_find(struct cleat_cgroup *cg, const char *controller);
struct cg_hier *cg_v2(struct cleat_cgroup *cg);

/* manager.c: the directory of the container in h for the cgroupfs driver;
 * *path gets the cgroup path inside the hierarchy. */
char *cg_hier_dir(const struct cg_hier *h, const struct cleat_cgroup_opts *o, char **path);

/* precheck.c: once the directories are placed (h->dir), before anything is made
 * or joined: refuse a frozen cgroup, warn about processes already in it. */
int cg_precheck(struct cleat_cgroup *cg, cleat_error_t *err);

/* path.c */
/* runc's CleanPath: lexical clean; a relative path can't climb above itself. */
char *cg_clean_path(const char *p);
/* Resolve linux.cgroupsPath for the cgroupfs drivers: absolute stays, relative and
 * the default (id) go under own_parent.  Returns malloc'd "/a/b". */
char *cg_resolve_path(const char *cgroups_path, const char *id, const char *own_parent);
/* systemd "slice:prefix:name" → slice, unit name.  Errors like runc's. */
int cg_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **unit,
		     cleat_error_t *err);
/* "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice" (systemd's slice nesting). */
int cg_systemd_slice_path(const char *slice, char **out, cleat_error_t *err);
/* Whether a libc.so.6 image (its "... release version 2.36." banner) is glibc release
 * `version` (gnu_get_libc_version()), the check before a static cleat dlopens libsystemd. */
bool cleat_glibc_banner_matches(const char *buf, size_t len, const char *version);

/* io.c: file access inside a cgroup directory, with errors naming file and value. */
/* Open dir/file for cg_write_fd() (several values to one file: one open). */
int cg_open_write(const char *dir, const char *file, cleat_error_t *err);
int cg_write_fd(int fd, const char *dir, const char *file, const char *value, cleat_error_t *err);
int cg_write(const char *dir, const char *file, const char *value, cleat_error_t *err);
int cg_writef(const char *dir, const char *file, cleat_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The CFS burst (v1 cpu.cfs_burst_us, v2 cpu.max.burst), which may not exceed the
 * quota: refused (EINVAL) while a new quota is still to come (quota_follows), it
 * sets *pending (when non-NULL) for a second write after the quota. */
int cg_burst_write(const char *dir, const char *file, uint64_t burst, bool quota_follows,
		   bool *pending, cleat_error_t *err);
/* A v1 cpuset hierarchy mounted with noprefix names its files without "cpuset."
 * ("cpus", not "cpuset.cpus"): file ("cpuset.<name>") as the hierarchy whose
 * directory is dir names it. */
const char *cg_v1_cpuset_name(const char *dir, const char *file);
int cg_read(const char *dir, const char *file, char **out, cleat_error_t *err);
bool cg_exists(const char *dir, const char *file);
int cg_read_u64(const char *dir, const char *file, uint64_t *v, cleat_error_t *err);
/* mkdir every missing component under the mountpoint; reports whether the leaf is new. */
int cg_mkdir(const char *dir, bool *created, cleat_error_t *err);
int cg_rmdir_retry(const char *dir, cleat_error_t *err);
int cg_procs(const char *dir, pid_t **pids, size_t *n, cleat_error_t *err);

/* convert.c: pure functions (unit-tested). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t w);
/* cpu.max value, NULL when neither quota nor period is set. */
char *cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period);
/* memory.swap.max from OCI memory.swap (memory+swap) and memory.limit. */
int cg_swap_v2(int64_t swap, int64_t limit, int64_t *out, cleat_error_t *err);
/* "-1" → "max" for v2 files, numbers as is. */
char *cg_v2_limit(int64_t v);
int64_t cg_pids_max(int64_t limit);

struct cg_dev_rule {
	bool allow;
	char type; /* 'a' 'b' 'c' */
	int64_t major, minor; /* -1 = any */
	unsigned access; /* CG_DEV_R | CG_DEV_W | CG_DEV_M */
};
#define CG_DEV_M 1u
#define CG_DEV_R 2u
#define CG_DEV_W 4u
int cg_dev_rule_from_oci(const struct oci_device_cgroup *d, struct cg_dev_rule *r,
			 cleat_error_t *err);
/* "c 1:3 rwm" as written to devices.allow/deny. */
char *cg_dev_rule_string(const struct cg_dev_rule *r);
/* The full device rule list runc applies: the spec's rules, the config's
 * linux.devices, then the default allowed devices. */
int cg_dev_rules_build(const struct oci_resources *r, const struct oci_config *c,
		       bool with_defaults, struct cg_dev_rule **out, size_t *n, cleat_error_t *err);

/* The cgroup v1 emulator: the list a v1 devices cgroup ends up with. */
struct cg_dev_emu {
	bool default_allow;
	struct cg_dev_rule *r;
	size_t n;
};
void cg_dev_emu_apply(struct cg_dev_emu *e, const struct cg_dev_rule *rule);
void cg_dev_emu_free(struct cg_dev_emu *e);

/* bpf_devices.c */
struct bpf_insn;
/* Build the program for an emulated rule set; *insns malloc'd. */
int cg_bpf_dev_program(const struct cg_dev_emu *e, struct bpf_insn **insns, size_t *n);
int cg_bpf_dev_apply(const char *dir, const struct cg_dev_emu *e, cleat_error_t *err);

/* systemd properties (systemd_props.c), pure: the unit properties runc sets
 * for a resource block.  Each entry is name + a printable value for tests. */
struct cg_unit_prop {
	const char *name;
	char type; /* 't' u64, 's' string, 'b' bool, 'y' byte array (AllowedCPUs),
		      'A' a(ss) pairs (DeviceAllow) */
	uint64_t u;
	char *s;
	uint8_t *bytes;
	size_t n_bytes;
	char **pairs; /* 'A': path, access, path, access... */
	size_t n_pairs;
};
int cg_systemd_props(const struct oci_resources *r, bool v2, struct cg_unit_prop **out, size_t *n,
		     cleat_error_t *err);
void cg_unit_props_free(struct cg_unit_prop *p, size_t n);
/* DevicePolicy + DeviceAllow for an emulated rule set; proc_devices is the text of
 * /proc/devices (names for wildcard-minor rules). */
void cg_systemd_device_props(const struct cg_dev_emu *e, const char *proc_devices,
			     struct cg_unit_prop **v, size_t *n);
int cg_cpuset_to_mask(const char *list, uint8_t **bytes, size_t *n, cleat_error_t *err);

/* resources_v1.c / resources_v2.c */
int cg_v1_apply(struct cleat_cgroup *cg, const struct oci_resources *r, const struct oci_config *c,
		bool update, cleat_error_t *err);
int cg_v2_apply(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_resources *r,
		const struct oci_config *c, bool update, cleat_error_t *err);
int cg_rdma_apply(struct cg_hier *h, const struct oci_resources *r, cleat_error_t *err);
int cg_v2_enable_controllers(const struct cg_hier *h, cleat_error_t *err);
/* v1 cpuset: a new directory starts empty; copy the parent's cpus/mems down. */
int cg_v1_cpuset_init(const struct cg_hier *h, cleat_error_t *err);

/* systemd.c */
/* Start the scope at cg->path (placed by cleat_cgroup_plan()) with pid in it. */
int cg_systemd_start(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *o, pid_t pid,
		     cleat_error_t *err);
int cg_systemd_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err);
int cg_systemd_stop(struct cleat_cgroup *cg, cleat_error_t *err);
/* AttachProcessesToUnit: systemd moves pid into the unit's cgroup. */
int cg_systemd_attach(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err);

#endif
