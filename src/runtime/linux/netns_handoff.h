/* The container's new network namespace, made by the setup helper while the
 * container process makes its first mounts.
 *
 * A network namespace is the costliest namespace to make (every per-namespace part of
 * the network stack, then lo: about 1 ms here, as long as the container process's
 * mounts up to /sys).  Without a user namespace nothing orders it before the
 * container process: the setup helper clones the container process first, then
 * unshares the network namespace, brings lo up in it and sends it over a socket
 * pair.  The container process joins it at the first step that may depend on it (a
 * sysfs mount: rootfs.h, netns_await) and at the latest once its rootfs is prepared:
 * before any hook runs, before it reports anything but its pid, and before the
 * runtime looks at its namespaces.  Not with linux.netDevices, which the runtime
 * moves into the namespace of the announced pid. */
#ifndef CLEAT_RUNTIME_LINUX_NETNS_HANDOFF_H
#define CLEAT_RUNTIME_LINUX_NETNS_HANDOFF_H

#include "common/error.h"

/* Setup helper, before the clone: fds[0] its end, fds[1] the container process's
 * (both close-on-exec). */
int cleat_netns_handoff_open(int fds[2], cleat_error_t *err);

/* Setup helper, after the clone: unshare a network namespace, bring up lo, send the
 * namespace (or what failed) on fd, exit.  It may share its memory with the running
 * container process: system calls only (raw_syscall.h), on its own stack. */
_Noreturn void cleat_netns_handoff_make(int fd);

/* Container process: join the namespace sent on *fd, then close it (*fd = -1).
 * Nothing when *fd < 0.  A failure of the setup helper's is reported as it would
 * have been had it made the namespace before the clone. */
int cleat_netns_handoff_join(int *fd, cleat_error_t *err);

/* Bring up lo in the current network namespace: 0, or -errno with *what naming the
 * step.  System calls only (raw_syscall.h). */
int cleat_netns_lo_up_raw(const char **what);

#endif
