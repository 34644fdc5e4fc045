/* Per-container state, keyed by container id: a grouped shim serves several
 * containers, so nothing may assume there is only one. */
#ifndef CLEAT_SHIM_CONTAINER_H
#define CLEAT_SHIM_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "shim/process.h"
#include "shim/shim.h"

struct oom_watch;

struct container {
	struct container *next;
	struct shim *shim;
	char *id;
	char *bundle; /* absolute: the daemon's cwd may be another container's bundle */
	char *log_path;
	struct runtime_opts opts;
	bool rootfs_mounted;
	bool private_pidns;
	int busy; /* runtime commands in flight that reference this container */
	struct process *init;
	struct process *execs;
	struct oom_watch *oom;
};

struct container *container_new(struct shim *s, const char *id, const char *bundle);
/* Unlink from the shim and free; the caller made sure nothing is in flight. */
void container_free(struct container *c);
/* exec_id "" or NULL: the init process. */
struct process *container_find_process(struct container *c, const char *exec_id);
struct process *shim_find_pid(struct shim *s, pid_t pid);
/* Runtime argv for this container: global flags + args (NULL-terminated). */
char **container_runtime_argv(struct container *c, const char *const *args);
/* Fill opts from containerd's Options (may be NULL) and the environment. */
void container_set_options(struct container *c, const char *binary_name, const char *root,
			   bool systemd_cgroup, bool no_pivot, bool no_new_keyring, uint32_t io_uid,
			   uint32_t io_gid);
/* Read config.json: does the container get its own pid namespace? */
bool container_spec_private_pidns(const char *config_json);
/* The runtime binary to use: BinaryName, else $CLEAT_SHIM_RUNTIME, else cleat (runc when
 * run as containerd-shim-runc-v2: shim_default_runtime). */
const char *container_runtime_name(const char *binary_name);

#endif
