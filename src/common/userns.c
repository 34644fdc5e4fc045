/* User namespaces made only to carry an idmapping for mount_setattr(2). */
#include "config.h"
#include "common/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

static int write_map(long long pid, const char *file, const char *map, cleat_error_t *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/%s", pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	if (write(fd, map, strlen(map)) != (ssize_t) strlen(map))
		return cleat_error_errno(err, errno, "write \"%s\"", path);
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

/* The namespace fd of the holder that reported on rep_r, with the maps written. */
static int open_holder_userns(int rep_r, const char *uid_map, const char *gid_map,
			      cleat_error_t *err)
{
	char buf[32] = { 0 };
	ssize_t n = read(rep_r, buf, sizeof(buf) - 1);
	long long procpid = 0;
	if (n <= 0 || parse_int(buf, 1, INT32_MAX, &procpid) < 0)
		return cleat_error_msg(err, "user namespace helper failed");
	if (write_map(procpid, "uid_map", uid_map, err) < 0 ||
	    write_map(procpid, "gid_map", gid_map, err) < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/ns/user", procpid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	return fd;
}

int cleat_userns_fd(const char *uid_map, const char *gid_map, cleat_error_t *err)
{
	int rep[2], hold[2];
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
	int fd = open_holder_userns(rep_r, uid_map, gid_map, err);
	close(TAKE_FD(hold_w));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}
