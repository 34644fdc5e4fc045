/* User namespaces made only to carry an idmapping for mount_setattr(2). */
#include "config.h"
#include "runtime/linux/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"

static char *format_map(const struct oci_idmap *m, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%u %u %u\n", s, m[i].container_id, m[i].host_id, m[i].size);
		free(s);
		s = t;
	}
	return s;
}

static int write_map(pid_t pid, const char *file, const char *map, cleat_error_t *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open `%s`", path);
	if (write(fd, map, strlen(map)) != (ssize_t) strlen(map))
		return cleat_error_errno(err, errno, "write `%s`", path);
	return 0;
}

/* The child unshares a user namespace, reports its pid as this /proc sees it
 * (the caller may live in a pid namespace that /proc does not show) and waits
 * until the parent has taken a reference to the namespace. */
static void holder_child(int report, int wait_fd)
{
	char buf[32] = { 0 };
	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0 || write(report, buf, (size_t) n) != n)
		_exit(1);
	close(report);
	(void) !read(wait_fd, buf, 1);
	_exit(0);
}

int cleat_idmap_userns(const struct oci_idmap *uids, size_t n_uids, const struct oci_idmap *gids,
		       size_t n_gids, cleat_error_t *err)
{
	int rep[2], hold[2];
	if (n_uids == 0 || n_gids == 0)
		return cleat_error_msg(err, "an idmapped mount needs both uid and gid mappings");
	if (pipe2(rep, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(rep[0]);
		close(rep[1]);
		return cleat_error_errno(err, errno, "pipe");
	}
	_cleanup_close_ int rep_r = rep[0], rep_w = rep[1], hold_r = hold[0], hold_w = hold[1];
	pid_t pid = fork();
	if (pid < 0)
		return cleat_error_errno(err, errno, "fork");
	if (pid == 0) {
		close(rep_r);
		close(hold_w);
		holder_child(rep_w, hold_r);
	}
	close(TAKE_FD(rep_w));
	close(TAKE_FD(hold_r));

	char buf[32] = { 0 };
	int fd = -1;
	ssize_t n = read(rep_r, buf, sizeof(buf) - 1);
	long long procpid = 0;
	if (n <= 0 || parse_int(buf, 1, INT32_MAX, &procpid) < 0) {
		cleat_error_msg(err, "user namespace helper failed");
	} else {
		_cleanup_free_ char *um = format_map(uids, n_uids);
		_cleanup_free_ char *gm = format_map(gids, n_gids);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%lld/ns/user", procpid);
		if (write_map((pid_t) procpid, "uid_map", um, err) == 0 &&
		    write_map((pid_t) procpid, "gid_map", gm, err) == 0) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				cleat_error_errno(err, errno, "open `%s`", path);
		}
	}
	close(TAKE_FD(hold_w));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

int cleat_idmap_mount(int tree, const struct oci_mount *m, const struct oci_config *config,
		      bool recursive, cleat_error_t *err)
{
	const struct oci_idmap *u = m->uid_mappings, *g = m->gid_mappings;
	size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;

	if (nu == 0 && ng == 0 && config->linux_ != NULL) {
		u = config->linux_->uid_mappings;
		nu = config->linux_->n_uid_mappings;
		g = config->linux_->gid_mappings;
		ng = config->linux_->n_gid_mappings;
	}
	_cleanup_close_ int userns = cleat_idmap_userns(u, nu, g, ng, err);
	if (userns < 0)
		return cleat_error_wrap(err, "idmap");
	return rootfs_setattr(tree, recursive ? AT_RECURSIVE : 0, MOUNT_ATTR_IDMAP, 0, 0, userns,
			      "idmapped mount", err);
}
