#include "config.h"
#include "runtime/linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

char *cleat_userns_format_map(const struct oci_idmap *m, size_t n)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%u %u %u\n", out, m[i].container_id, m[i].host_id,
				       m[i].size);
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
				       WIFEXITED(status) && WEXITSTATUS(status) == 127
					       ? ": not installed (package uidmap)"
					       : "");
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

static int cmp_idmap(const void *a, const void *b)
{
	const struct oci_idmap *x = a, *y = b;
	if (x->container_id != y->container_id)
		return x->container_id < y->container_id ? -1 : 1;
	if (x->host_id != y->host_id)
		return x->host_id < y->host_id ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* A map as sorted "ID HOSTID SIZE\n" lines, from the config or from /proc's text. */
static char *sorted_map(const struct oci_idmap *m, size_t n)
{
	_cleanup_free_ struct oci_idmap *copy = xmalloc((n + 1) * sizeof *copy);
	if (n > 0)
		memcpy(copy, m, n * sizeof *copy);
	qsort(copy, n, sizeof *copy, cmp_idmap);
	return cleat_userns_format_map(copy, n);
}

static char *sorted_proc_map(const char *text)
{
	size_t n = 0, cap = 8;
	_cleanup_free_ struct oci_idmap *m = xmalloc(cap * sizeof *m);
	unsigned a, b, c;
	int used;
	while (sscanf(text, " %u %u %u%n", &a, &b, &c, &used) == 3) {
		if (n == cap)
			m = xrealloc(m, (cap *= 2) * sizeof *m);
		m[n++] = (struct oci_idmap){ .container_id = a, .host_id = b, .size = c };
		text += used;
	}
	return sorted_map(m, n);
}

/* In a child that joins the namespace: its own /proc/self maps are the namespace's, seen
 * from its parent namespace.  Writes "UIDMAP\0GIDMAP". */
static _Noreturn void report_maps_child(int ns_fd, int out)
{
	if (setns(ns_fd, CLONE_NEWUSER) < 0)
		_exit(1);
	static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	for (size_t i = 0; i < 2; i++) {
		char *text = NULL;
		size_t len = 0;
		cleat_error_t e = NULL;
		if (read_file(files[i], &text, &len, &e) < 0 || write_all(out, text, len) < 0 ||
		    write_all(out, "", i == 0 ? 1 : 0) < 0)
			_exit(1);
	}
	_exit(0);
}

int cleat_userns_check_joined(int ns_fd, const struct oci_linux *l, cleat_error_t *err)
{
	if (l == NULL || (l->n_uid_mappings == 0 && l->n_gid_mappings == 0))
		return 0;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cleat_error_errno(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return cleat_error_errno(err, e, "fork");
	}
	if (child == 0) {
		close(p[0]);
		report_maps_child(ns_fd, p[1]);
	}
	close(p[1]);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int ret = read_all_fd(p[0], "user namespace maps", &text, &len, err);
	close(p[0]);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (ret < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strlen(text) + 1 > len)
		return cleat_error_msg(err, "read the uid/gid maps of the user namespace to join");
	_cleanup_free_ char *uid_ns = sorted_proc_map(text);
	_cleanup_free_ char *gid_ns = sorted_proc_map(text + strlen(text) + 1);
	_cleanup_free_ char *uid_cfg = sorted_map(l->uid_mappings, l->n_uid_mappings);
	_cleanup_free_ char *gid_cfg = sorted_map(l->gid_mappings, l->n_gid_mappings);
	if (strcmp(uid_ns, uid_cfg) != 0 || strcmp(gid_ns, gid_cfg) != 0)
		return cleat_error_msg(
			err, "user namespaces enabled, but both namespace path and non-matching "
			     "mapping specified -- you may only provide one");
	return 0;
}
