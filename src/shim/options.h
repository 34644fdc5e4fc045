/* Runtime options as containerd hands them over: containerd.runc.v1.Options
 * (ctr, or CRI with runtime_type io.containerd.runc.v2), or
 * runtimeoptions.v1.Options (CRI with any other runtime_type, such as ours),
 * whose config_path names a TOML file with the same keys as runc's options
 * (BinaryName = "runc", Root = "...", SystemdCgroup = true, ...). */
#ifndef CLEAT_SHIM_OPTIONS_H
#define CLEAT_SHIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shim_options {
	char *binary_name, *root, *shim_cgroup;
	char *criu_work_path; /* restore's --work-path */
	bool systemd_cgroup, no_pivot_root, no_new_keyring;
	uint32_t io_uid, io_gid;
};

/* Decode an Any (type_url, value); unknown types leave *o empty. */
void shim_options_from_any(const char *type_url, const uint8_t *value, size_t len,
			   struct shim_options *o);
/* Apply `Key = value` lines (TOML subset: strings, booleans, integers). */
void shim_options_from_toml(const char *text, struct shim_options *o);
void shim_options_clear(struct shim_options *o);

#endif
