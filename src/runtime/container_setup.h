/* Container setup, the hidden `cleat init` command (named as runc's `runc init`,
 * which tools look for): the half of create/run that runs in the setup helper
 * after it re-executed from the sealed copy of cleat (container_setup.c,
 * linux/setup_helper.h). */
#ifndef CLEAT_RUNTIME_CONTAINER_SETUP_H
#define CLEAT_RUNTIME_CONTAINER_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci-spec/config.h"

/* What the parent of create/run hands to its setup helper, the config as the
 * parent parsed it included: the helper maps it and uses it as it is. */
struct cleat_setup_launch {
	char *id, *bundle, *rootfs, *state_dir;
	bool no_pivot, no_new_keyring;
	bool fifo; /* wait on <state_dir>/exec.fifo (create); else for CLEAT_SYNC_START (run) */
	/* cgroupfs v1, no user namespace: the setup helper clones the container process
	 * without waiting for CLEAT_SYNC_GO; the container process reads GO itself, at the
	 * latest before it joins the cgroup or leaves the host's mounts
	 * (container_process.h). */
	bool early_clone;
	unsigned keep_fds, listen_fds;
	struct oci_config *config;
};

/* Parent: a memfd (O_CLOEXEC) holding l and everything it points to in one block. */
int cleat_setup_launch_write(const struct cleat_setup_launch *l, int *fd_out, cleat_error_t *err);

/* Setup helper: map the block cleat_setup_launch_write() wrote to fd and point *out
 * at the launch in it (mapped for the life of the process).  A block that is cut
 * short or points outside itself is refused (EPROTO). */
int cleat_setup_launch_map(int fd, const struct cleat_setup_launch **out, cleat_error_t *err);

struct cleat_cgroup_join;
/* Read CLEAT_SYNC_GO from sync_fd: the parent made the cgroup and exec.fifo.  The
 * cgroup, the message's payload (cleat_cgroup_to_string()), is opened into *join
 * (clone_into as for cleat_cgroup_join_open()).  1: a cgroup was given; 0: none (the
 * parent moved us: systemd); -1: an error. */
int cleat_setup_recv_go(int sync_fd, bool clone_into, struct cleat_cgroup_join *join,
			cleat_error_t *err);
/* Open <state_dir>/exec.fifo O_PATH into *fd (the parent made it before GO). */
int cleat_setup_open_fifo(const struct cleat_setup_launch *l, int *fd, cleat_error_t *err);

/* `cleat init`: returns (an exit status) only when not started by create/run. */
int cleat_container_setup_main(void);

#endif
