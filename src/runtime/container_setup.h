/* Container setup, the hidden `cleat init` command (named as runc's `runc init`,
 * which tools look for): the half of create/run that runs in the setup helper
 * after it re-executed from the sealed copy of cleat (container_setup.c,
 * linux/setup_helper.h). */
#ifndef CLEAT_RUNTIME_CONTAINER_SETUP_H
#define CLEAT_RUNTIME_CONTAINER_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* What the parent of create/run hands to its setup helper. */
struct cleat_setup_launch {
	const char *id, *bundle, *rootfs, *state_dir;
	bool no_pivot, no_new_keyring;
	bool fifo; /* wait on <state_dir>/exec.fifo (create); else for CLEAT_SYNC_START (run) */
	unsigned keep_fds, listen_fds;
	const char *config; /* the config.json text the parent parsed */
	size_t config_len;
};

/* Parent: a memfd (O_CLOEXEC, offset 0) holding l. */
int cleat_setup_launch_write(const struct cleat_setup_launch *l, int *fd_out, cleat_error_t *err);

/* Split what cleat_setup_launch_write() wrote into l; its strings point into buf. */
int cleat_setup_launch_parse(char *buf, size_t len, struct cleat_setup_launch *l,
			     cleat_error_t *err);

/* `cleat init`: returns (an exit status) only when not started by create/run. */
int cleat_container_setup_main(void);

#endif
