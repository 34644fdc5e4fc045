/* The helper of `cleat exec`, started first thing (exec_helper.c).
 *
 *   cleat exec (parent, our binary) --fork--> child --execveat--> sealed copy
 *   running the hidden `cleat exec-init`, the helper of linux/exec.h
 *
 * CVE-2019-5736: only the helper and the process it clones enter the container, and
 * both run from the sealed copy (the overlay seal, or a memfd copy); the parent never
 * joins a namespace of the container.  The helper starts while the parent loads the
 * container's state and config; CLEAT_SYNC_LAUNCH then hands over what the parent
 * decided (the config with the process to run, in a block the helper maps without
 * parsing, container_setup.h), and CLEAT_SYNC_GO lets it join the container. */
#ifndef CLEAT_RUNTIME_EXEC_HELPER_H
#define CLEAT_RUNTIME_EXEC_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/linux/namespaces.h"

/* The parent's handle.  pid 0: not started, or reaped. */
struct cleat_exec_helper {
	pid_t pid;
	int sync; /* the parent's end of the sync socket */
	int seal_mnt; /* the overlay seal's mount, closed off the critical path, or -1 */
};

/* What the helper needs besides the config. */
struct cleat_exec_launch {
	const char *id, *bundle, *rootfs, *state_dir;
	const struct oci_config *config;
	const struct oci_process *process; /* run this one (config's or --process) */
	bool no_new_keyring;
	unsigned keep_fds;
	bool console, console_kept;
	const char *cgroup; /* cleat_cgroup_to_string() of the container's, or NULL */
	char *const *cgroup_subs; /* --cgroup */
	size_t n_cgroup_subs;
	bool by_systemd; /* the parent has systemd move the helper: unopenable files are fine */
	const struct cleat_ns_plan *ns; /* the namespaces to join (join_fd), opened here */
};

void cleat_exec_helper_init(struct cleat_exec_helper *h);
/* Fork the helper, which re-executes sealed (argv0 names us in its argv); root is the
 * state root (the seal's other layer); keep_fds: --preserve-fds. */
int cleat_exec_helper_start(struct cleat_exec_helper *h, const char *root, const char *argv0,
			    unsigned keep_fds, cleat_error_t *err);
int cleat_exec_helper_launch(struct cleat_exec_helper *h, const struct cleat_exec_launch *l,
			     cleat_error_t *err);
/* Close the seal's mount: after GO, while the helper works. */
void cleat_exec_helper_release_seal(struct cleat_exec_helper *h);
/* Kill and reap the helper if it still runs; close everything. */
void cleat_exec_helper_stop(struct cleat_exec_helper *h);

/* `cleat exec-init`: an exit status only when not started by cleat exec. */
int cleat_exec_helper_main(void);

#endif
