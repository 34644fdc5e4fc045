/* Opening procfs files through a procfs root no mount can cover (see procfs.h). */
#include "config.h"
#include "runtime/linux/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

/* The inode number of every procfs root (PROC_ROOT_INO in the kernel). */
#define PROCFS_ROOT_INO 1

static bool is_procfs_root(int fd)
{
	struct statfs sf;
	struct stat st;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 &&
	       S_ISDIR(st.st_mode) && st.st_ino == PROCFS_ROOT_INO;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	int fd;
	do
		fd = (int) syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* A new procfs instance of this process's pid namespace, detached. */
static int fresh_procfs(void)
{
	_cleanup_close_ int fsfd = fsopen("proc", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fsfd, FSMOUNT_CLOEXEC,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

/* The procfs root, or -1 with errno.  fsmount is refused in a user namespace
 * whose /proc is not fully visible (the masked paths), and a process that
 * joined a pid namespace without forking may not create one: then the clone
 * of /proc, then /proc itself. */
int cleat_procfs_root(cleat_error_t *err)
{
	int fd = fresh_procfs();
	if (fd >= 0 && is_procfs_root(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int proc = sys_openat2(AT_FDCWD, "/proc", &how);
	if (proc < 0)
		return cleat_error_errno(err, errno, "open \"/proc\"");
	if (!is_procfs_root(proc))
		return cleat_error_msg(err, "\"/proc\" is not the root of a procfs");
	fd = open_tree(proc, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (fd >= 0 && is_procfs_root(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	return TAKE_FD(proc);
}

int cleat_procfs_open(const char *path, int flags, cleat_error_t *err)
{
	_cleanup_close_ int root = cleat_procfs_root(err);
	if (root < 0)
		return -1;
	return cleat_procfs_openat(root, path, flags, err);
}

int cleat_procfs_openat(int root, const char *path, int flags, cleat_error_t *err)
{
	/* self and thread-self are symlinks to "<pid>" and "<pid>/task/<tid>"
	 * as this procfs numbers them: read them rather than follow them. */
	_cleanup_free_ char *rel = NULL;
	size_t n = strcspn(path, "/");
	if ((n == 4 && strncmp(path, "self", 4) == 0) ||
	    (n == 11 && strncmp(path, "thread-self", 11) == 0)) {
		char link[64];
		_cleanup_free_ char *name = xstrndup(path, n);
		ssize_t l = readlinkat(root, name, link, sizeof(link) - 1);
		if (l < 0)
			return cleat_error_errno(err, errno, "readlink \"/proc/%s\"", name);
		link[l] = '\0';
		rel = xasprintf("%s%s", link, path + n);
	} else {
		rel = xstrdup(path);
	}
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(root, rel, &how);
	if (fd < 0 && errno == EXDEV)
		return cleat_error_errno(err, errno, "\"/proc/%s\": something is mounted over it",
					 path);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"/proc/%s\"", path);
	return fd;
}

int cleat_procfs_write(const char *path, const char *value, cleat_error_t *err)
{
	_cleanup_close_ int root = cleat_procfs_root(err);
	if (root < 0)
		return -1;
	return cleat_procfs_writeat(root, path, value, err);
}

int cleat_procfs_writeat(int root, const char *path, const char *value, cleat_error_t *err)
{
	_cleanup_close_ int fd = cleat_procfs_openat(root, path, O_WRONLY, err);
	if (fd < 0)
		return -1;
	size_t len = strlen(value);
	ssize_t n;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cleat_error_errno(err, errno, "write \"/proc/%s\"", path);
	if ((size_t) n != len)
		return cleat_error_msg(err, "short write to \"/proc/%s\"", path);
	return 0;
}
