#include "config.h"
#include "runtime/linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *oci, *proc;
	int flag;
} ns_table[CLEAT_NS_COUNT] = {
	[CLEAT_NS_USER] = { "user", "user", CLONE_NEWUSER },
	[CLEAT_NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
	[CLEAT_NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
	[CLEAT_NS_NET] = { "network", "net", CLONE_NEWNET },
	[CLEAT_NS_PID] = { "pid", "pid", CLONE_NEWPID },
	[CLEAT_NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
	[CLEAT_NS_TIME] = { "time", "time", CLONE_NEWTIME },
	[CLEAT_NS_MNT] = { "mount", "mnt", CLONE_NEWNS },
};

const char *cleat_ns_oci_name(enum cleat_ns_kind k) { return ns_table[k].oci; }
const char *cleat_ns_proc_name(enum cleat_ns_kind k) { return ns_table[k].proc; }
int cleat_ns_clone_flag(enum cleat_ns_kind k) { return ns_table[k].flag; }

int cleat_ns_kind_from_oci(const char *type)
{
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (strcmp(ns_table[k].oci, type) == 0)
			return k;
	return -1;
}

void cleat_ns_plan_init(struct cleat_ns_plan *p)
{
	memset(p, 0, sizeof *p);
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		p->join_fd[k] = -1;
}

void cleat_ns_plan_close(struct cleat_ns_plan *p)
{
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (p->join_fd[k] >= 0) {
			close(p->join_fd[k]);
			p->join_fd[k] = -1;
		}
}

static bool has_ns(const struct cleat_ns_plan *p, enum cleat_ns_kind k)
{
	return p->create[k] || p->join_fd[k] >= 0;
}

/* Checks of what a config asks from a namespace it does not have (runc's
 * libcontainer/configs/validate messages). */
static int validate_combinations(const struct oci_config *c, const struct cleat_ns_plan *p,
				 cleat_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (c->hostname && *c->hostname && !has_ns(p, CLEAT_NS_UTS))
		return cleat_error_msg(err,
				       "unable to set hostname without a private UTS namespace");
	if (c->domainname && *c->domainname && !has_ns(p, CLEAT_NS_UTS))
		return cleat_error_msg(err,
				       "unable to set domainname without a private UTS namespace");
	if (l && (l->n_uid_mappings || l->n_gid_mappings) && !has_ns(p, CLEAT_NS_USER))
		return cleat_error_msg(err, "user namespace mappings specified, but USER namespace "
					    "isn't enabled in the config");
	if (p->create[CLEAT_NS_USER] && (!l || !l->n_uid_mappings || !l->n_gid_mappings))
		return cleat_error_msg(
			err, "user namespaces enabled, but no user namespace mappings found");
	if (l && l->n_time_offsets && !p->create[CLEAT_NS_TIME])
		return cleat_error_msg(
			err, "time offsets specified, but no new time namespace is configured");
	if (p->create[CLEAT_NS_TIME] && access("/proc/self/ns/time", F_OK) < 0)
		return cleat_error_errno(err, errno,
					 "time namespaces aren't enabled in the kernel");
	if (p->create[CLEAT_NS_CGROUP] && access("/proc/self/ns/cgroup", F_OK) < 0)
		return cleat_error_errno(err, errno,
					 "cgroup namespaces aren't enabled in the kernel");
	return 0;
}

int cleat_ns_plan_build(const struct oci_config *c, struct cleat_ns_plan *p, cleat_error_t *err)
{
	cleat_ns_plan_init(p);
	bool seen[CLEAT_NS_COUNT] = { false };
	const struct oci_linux *l = c->linux_;
	for (size_t i = 0; l && i < l->n_namespaces; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		int k = cleat_ns_kind_from_oci(ns->type ? ns->type : "");
		if (k < 0) {
			cleat_ns_plan_close(p);
			return cleat_error_msg(err, "namespace %s does not exist",
					       ns->type ? ns->type : "");
		}
		if (seen[k]) {
			cleat_ns_plan_close(p);
			return cleat_error_msg(err, "malformed spec file: duplicated ns \"%s\"",
					       ns->type);
		}
		seen[k] = true;
		if (ns->path == NULL || *ns->path == '\0') {
			p->create[k] = true;
			continue;
		}
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			cleat_ns_plan_close(p);
			return cleat_error_errno(err, e, "open %s namespace path \"%s\"", ns->type,
						 cleat_cut(ns->path));
		}
		p->join_fd[k] = fd;
	}
	if (validate_combinations(c, p, err) < 0) {
		cleat_ns_plan_close(p);
		return -1;
	}
	return 0;
}

int cleat_ns_join(const struct cleat_ns_plan *p, enum cleat_ns_kind k, cleat_error_t *err)
{
	if (p->join_fd[k] < 0)
		return 0;
	if (setns(p->join_fd[k], ns_table[k].flag) < 0)
		return cleat_error_errno(err, errno, "join %s namespace", ns_table[k].oci);
	return 0;
}

int cleat_ns_unshare_new(const struct cleat_ns_plan *p, cleat_error_t *err)
{
	int flags = 0;
	for (int k = 0; k < CLEAT_NS_COUNT; k++)
		if (k != CLEAT_NS_USER && p->create[k])
			flags |= ns_table[k].flag;
	if (flags && unshare(flags) < 0) {
		int e = errno;
		/* Name the namespace that failed: retry one by one only to find it. */
		for (int k = 0; k < CLEAT_NS_COUNT; k++)
			if (k != CLEAT_NS_USER && p->create[k] && unshare(ns_table[k].flag) < 0)
				return cleat_error_errno(err, errno, "unshare %s namespace",
							 ns_table[k].oci);
		return cleat_error_errno(err, e, "unshare namespaces");
	}
	return 0;
}

int cleat_ns_open_time_offsets(const struct oci_config *c, cleat_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (!l || !l->n_time_offsets)
		return -2;
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"/proc/self/timens_offsets\"");
	return fd;
}

int cleat_ns_write_time_offsets(const struct oci_config *c, int fd, cleat_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (fd < 0 || !l)
		return 0;
	for (size_t i = 0; i < l->n_time_offsets; i++) {
		const struct oci_time_offset *t = &l->time_offsets[i];
		const char *clock = t->clock ? t->clock : "";
		if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
			return cleat_error_msg(err, "linux.timeOffsets: unknown clock \"%s\"",
					       clock);
		/* The kernel takes one "<clock> <secs> <nanosecs>" line per write. */
		_cleanup_free_ char *line = xasprintf("%s %lld %u\n", clock, (long long) t->secs,
						      t->nanosecs);
		if (write(fd, line, strlen(line)) < 0)
			return cleat_error_errno(
				err, errno, "write time offset \"%s\" to /proc/self/timens_offsets",
				clock);
	}
	return 0;
}

int cleat_ns_loopback_up(cleat_error_t *err)
{
	/* Any socket reaches the device ioctls; a kernel without IPv4 has AF_UNIX. */
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 && errno == EAFNOSUPPORT)
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return cleat_error_errno(err, errno, "socket to bring up lo");
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return cleat_error_errno(err, errno, "get the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return cleat_error_errno(err, errno, "bring up lo");
	return 0;
}
