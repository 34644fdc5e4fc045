/* linux.sysctl: validated like runc (a sysctl is allowed only when the
 * container has its own instance of the namespace it belongs to), written
 * to /proc/sys after pivot_root, through a procfs no mount can cover. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"
#include "runtime/linux/procfs.h"
#include "runtime/linux/rootfs.h"
#include "runtime/linux/rootfs_internal.h"

static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool has_ns(const struct oci_config *c, const char *type)
{
	return oci_config_namespace(c, type) != NULL;
}

/* A namespace given by path may be the host's own: then it is not separate. */
static bool ns_is_host(const struct oci_config *c, const char *type, const char *proc_name)
{
	const struct oci_namespace *ns = oci_config_namespace(c, type);
	struct stat a, b;
	char self[64];
	if (ns == NULL || ns->path == NULL)
		return false;
	snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name);
	return stat(ns->path, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static int check_one(const struct oci_config *c, const char *key, cleat_error_t *err)
{
	/* Accept the slash form too ("net/ipv4/ip_forward"). */
	_cleanup_free_ char *k = xstrdup(key);
	for (char *p = k; *p; p++)
		if (*p == '/')
			*p = '.';

	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		if (strcmp(k, ipc_sysctls[i]) == 0) {
			if (has_ns(c, "ipc") && !ns_is_host(c, "ipc", "ipc"))
				return 0;
			return cleat_error_msg(
				err, "sysctl \"%s\" is not allowed in the hosts ipc namespace",
				key);
		}
	if (str_has_prefix(k, "fs.mqueue.")) {
		if (has_ns(c, "ipc") && !ns_is_host(c, "ipc", "ipc"))
			return 0;
		return cleat_error_msg(
			err, "sysctl \"%s\" is not allowed in the hosts ipc namespace", key);
	}
	if (str_has_prefix(k, "net.")) {
		if (has_ns(c, "network") && !ns_is_host(c, "network", "net"))
			return 0;
		return cleat_error_msg(err, "sysctl \"%s\" not allowed in host network namespace",
				       key);
	}
	if (strcmp(k, "kernel.domainname") == 0 || strcmp(k, "kernel.hostname") == 0) {
		if (has_ns(c, "uts") && !ns_is_host(c, "uts", "uts"))
			return 0;
		return cleat_error_msg(err,
				       "sysctl \"%s\" is not allowed as it conflicts with the OCI "
				       "\"hostname\" field",
				       key);
	}
	/* user.* (ucounts such as user.max_user_namespaces) are per user namespace:
	 * in the host's they would limit every process on the host. */
	if (str_has_prefix(k, "user.")) {
		if (has_ns(c, "user") && !ns_is_host(c, "user", "user"))
			return 0;
		return cleat_error_msg(
			err, "setting ucounts without a user namespace not allowed: \"%s\"", key);
	}
	return cleat_error_msg(err, "sysctl \"%s\" is not in a separate kernel namespace", key);
}

int cleat_sysctl_validate(const struct oci_config *config, cleat_error_t *err)
{
	const struct oci_linux *l = config->linux_;
	for (size_t i = 0; l && i < l->n_sysctl; i++) {
		const char *k = l->sysctl[i].key;
		if (k == NULL || *k == '\0' || strstr(k, "..") != NULL || k[0] == '/' ||
		    k[0] == '.')
			return cleat_error_msg(err, "sysctl \"%s\": invalid name", k ? k : "");
		if (check_one(config, k, err) < 0)
			return -1;
	}
	return 0;
}

int rootfs_write_sysctls(const struct oci_config *config, cleat_error_t *err)
{
	const struct oci_linux *l = config->linux_;
	if (l == NULL || l->n_sysctl == 0)
		return 0;
	if (cleat_sysctl_validate(config, err) < 0)
		return -1;
	/* Through a procfs of our own, not the container's /proc: a mount over
	 * the file (or over /proc) must not receive the value (procfs.h).  One
	 * root for every key. */
	_cleanup_close_ int root = cleat_procfs_root(err);
	if (root < 0)
		return cleat_error_wrap(err, "sysctl");
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key,
			   *val = l->sysctl[i].value ? l->sysctl[i].value : "";
		/* Dots are separators unless the key already uses slashes (an
		 * interface name like "eth0.100" contains a dot). */
		_cleanup_free_ char *rel = xasprintf("sys/%s", key);
		if (strchr(key, '/') == NULL)
			for (char *p = rel + strlen("sys/"); *p; p++)
				if (*p == '.')
					*p = '/';
		if (cleat_procfs_writeat(root, rel, val, err) < 0)
			return cleat_error_wrap(err, "sysctl \"%s\"", key);
	}
	return 0;
}
