/* The long-running shim: serve the Task service on fd 3 (or -socket). */
#ifndef CLEAT_SHIM_DAEMON_H
#define CLEAT_SHIM_DAEMON_H

#include "common/error.h"
#include "shim/bootstrap.h"

int shim_daemon(const struct shim_flags *f, cleat_error_t *err);

#endif
