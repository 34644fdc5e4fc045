#include "config.h"
#include "runtime/linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

char *cleat_userns_format_map(const struct oci_idmap *m, size_t n)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%u %u %u\n", out, m[i].container_id, m[i].host_id, m[i].size);
		free(out);
		out = next;
	}
	return out;
}

/* newuidmap PID ID HOSTID SIZE ... */
static int run_map_helper(const char *helper, pid_t pid, const struct oci_idmap *m, size_t n,
			  cleat_error_t *err)
{
	size_t argc = 2 + 3 * n + 1;
	_cleanup_strv_ char **argv = xmalloc0(argc * sizeof(char *));
	argv[0] = xstrdup(helper);
	argv[1] = xasprintf("%d", (int) pid);
	for (size_t i = 0; i < n; i++) {
		argv[2 + 3 * i] = xasprintf("%u", m[i].container_id);
		argv[3 + 3 * i] = xasprintf("%u", m[i].host_id);
		argv[4 + 3 * i] = xasprintf("%u", m[i].size);
	}
	pid_t child = fork();
	if (child < 0)
		return cleat_error_errno(err, errno, "fork %s", helper);
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return cleat_error_errno(err, errno, "wait for %s", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cleat_error_msg(err, "%s %d failed (status %d)%s", helper, (int) pid, status,
				       WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": not installed (package uidmap)" : "");
	return 0;
}

static int write_map(pid_t pid, const char *file, const char *helper, const struct oci_idmap *m,
		     size_t n, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int) pid, file);
	_cleanup_free_ char *text = cleat_userns_format_map(m, n);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	if (write(fd, text, strlen(text)) >= 0)
		return 0;
	int e = errno;
	/* Not privileged over the target ids: let the setuid helper try. */
	if ((e == EPERM || e == EINVAL) && geteuid() != 0)
		return run_map_helper(helper, pid, m, n, err);
	return cleat_error_errno(err, e, "write %s \"%s\"", file, path);
}

int cleat_userns_write_maps(pid_t pid, const struct oci_linux *l, cleat_error_t *err)
{
	if (geteuid() != 0) {
		/* An unprivileged writer of gid_map must deny setgroups first (user_namespaces(7)),
		 * unless newgidmap does it; try and ignore failure. */
		_cleanup_free_ char *sg = xasprintf("/proc/%d/setgroups", (int) pid);
		_cleanup_close_ int fd = open(sg, O_WRONLY | O_CLOEXEC);
		bool single_self = l->n_gid_mappings == 1 && l->gid_mappings[0].size == 1 &&
				   l->gid_mappings[0].host_id == getegid();
		if (fd >= 0 && single_self)
			(void) !write(fd, "deny", 4);
	}
	if (write_map(pid, "uid_map", "newuidmap", l->uid_mappings, l->n_uid_mappings, err) < 0)
		return -1;
	return write_map(pid, "gid_map", "newgidmap", l->gid_mappings, l->n_gid_mappings, err);
}
