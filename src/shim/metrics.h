/* Stats: the container's cgroup files → io.containerd.cgroups.v1/v2.Metrics. */
#ifndef CLEAT_SHIM_METRICS_H
#define CLEAT_SHIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* True when /sys/fs/cgroup is a cgroup2 mount (unified mode). */
bool cgroup_unified(void);
/* The cgroup directory of pid: for a v1 controller ("memory", "cpuacct"...),
 * or, with controller NULL, the v2 directory.  NULL if unknown. */
char *cgroup_dir_of(pid_t pid, const char *controller);
/* Same, from the text of /proc/PID/cgroup (pure; for tests). */
char *cgroup_dir_from(const char *proc_cgroup, const char *controller, bool unified);

/* Pack the Metrics message for pid's cgroup into *type_url / *buf. */
int metrics_collect(pid_t pid, const char **type_url, uint8_t **buf, size_t *len,
		    cleat_error_t *err);

#endif
