/* The container process (container_process.c): pid 1 of the container, cloned by
 * the setup helper, cleat's code until it execs process.args. */
#ifndef CLEAT_RUNTIME_LINUX_CONTAINER_PROCESS_H
#define CLEAT_RUNTIME_LINUX_CONTAINER_PROCESS_H

#include "runtime/linux/setup_helper.h"

/* The clone entry point: arg is the setup helper's const struct cleat_setup_args *.
 * Never returns: it execs the container's program or exits. */
int cleat_container_process_entry(void *arg);

#endif
