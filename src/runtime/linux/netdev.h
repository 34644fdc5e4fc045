/* linux.netDevices: host interfaces moved into the container's network namespace. */
#ifndef CLEAT_RUNTIME_LINUX_NETDEV_H
#define CLEAT_RUNTIME_LINUX_NETDEV_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-spec/config.h"
#include "runtime/linux/namespaces.h"

/* Before any state exists: the container has a network namespace of its own (new,
 * or joined by path and not the host's), is not rootless, and every map key names
 * an interface of the host. */
int cleat_netdev_check(const struct oci_config *c, const struct cleat_ns_plan *p, bool rootless,
		       cleat_error_t *err);

/* In the runtime's (host) network namespace, once the init is in the container's:
 * move each device into the namespace of `init`, renamed when asked (in the same
 * request), re-add its permanent global-scope addresses (a move drops them all) and
 * set it up.  Nothing moves when a name is already taken there.  Devices are never
 * moved back: when the namespace goes away the kernel returns physical devices to
 * the initial namespace and destroys virtual ones (a veth with its peer). */
int cleat_netdev_move_all(const struct oci_config *c, pid_t init, cleat_error_t *err);

#endif
