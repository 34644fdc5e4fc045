/* linux.memoryPolicy: set_mempolicy(2) in the container init (and in exec's
 * process) just before execve; the policy is kept across execve and inherited
 * by children.  The raw syscall: glibc has no wrapper and libnuma would only
 * add a dependency for one call.  The config parser already checked and
 * resolved mode, flags and nodes (oci-spec/config_mempolicy.c). */
#include "config.h"
#include "runtime/linux/security.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int cleat_mempolicy_apply(const struct oci_memory_policy *mp, cleat_error_t *err)
{
	if (mp == NULL)
		return 0;
	/* maxnode counts one past the last bit the kernel reads (it decrements it). */
	const unsigned long *mask = mp->n_nodes ? (const unsigned long *) mp->nodemask : NULL;
	unsigned long maxnode = mp->n_nodes ? OCI_MPOL_MAX_NODES + 1 : 0;
	long r;
	do
		r = syscall(SYS_set_mempolicy, mp->mode_value | (int) mp->flags_value, mask,
			    maxnode);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return cleat_error_errno(err, errno, "linux.memoryPolicy: set_mempolicy(%s%s%s)",
					 mp->mode, mp->nodes ? ", " : "",
					 mp->nodes ? mp->nodes : "");
	return 0;
}
