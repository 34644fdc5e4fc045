/* uid/gid maps of a new user namespace, written by the parent (a process
 * cannot map itself beyond its own id).  Unprivileged callers go through the
 * setuid newuidmap/newgidmap helpers, which check /etc/subuid and /etc/subgid. */
#ifndef CLEAT_RUNTIME_LINUX_USERNS_H
#define CLEAT_RUNTIME_LINUX_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"

int cleat_userns_write_maps(pid_t pid, const struct oci_linux *l, cleat_error_t *err);

/* Joining the user namespace ns_fd while the config also gives mappings: accepted when
 * they are the namespace's own (containerd and CRI-O send both; runc accepts it), refused
 * with runc's message otherwise. */
int cleat_userns_check_joined(int ns_fd, const struct oci_linux *l, cleat_error_t *err);

/* "0 1000 1\n1 100000 65536\n" */
char *cleat_userns_format_map(const struct oci_idmap *m, size_t n);

#endif
