/* `containerd-shim-cleat-v2 -info`: containerd 2.x asks the shim binary about
 * its runtime (the options Any on stdin, a containerd.types.RuntimeInfo on
 * stdout) before creating a container with idmapped mounts, and for its
 * introspection service. The features are the runtime binary's own
 * `features` output (runc 1.1+'s JSON), as containerd-shim-runc-v2 reports. */
#ifndef CLEAT_SHIM_INFO_H
#define CLEAT_SHIM_INFO_H

#include "common/error.h"

/* Read the options from stdin, print the RuntimeInfo to stdout. */
int shim_info(const char *shim_name, cleat_error_t *err);

#endif
