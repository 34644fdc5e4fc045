/* tmpcopyup: copy a directory tree fd-to-fd without following symlinks. */
#include "config.h"
#include "runtime/linux/tmpcopy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     cleat_error_t *err)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", name);
	_cleanup_close_ int out = openat(ddir, name,
					 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					 st->st_mode & 07777);
	if (out < 0)
		return cleat_error_errno(err, errno, "create \"%s\"", name);
	for (;;) {
		ssize_t n = sendfile(out, in, NULL, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cleat_error_errno(err, errno, "copy \"%s\"", name);
		if (n == 0)
			break;
	}
	return 0;
}

static int copy_dir(int sdir, int ddir, int depth, cleat_error_t *err);

static int copy_entry(int sdir, int ddir, const char *name, int depth, cleat_error_t *err)
{
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cleat_error_errno(err, errno, "stat \"%s\"", name);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(ddir, name, st.st_mode & 07777) < 0)
			return cleat_error_errno(err, errno, "mkdir \"%s\"", name);
		_cleanup_close_ int s = openat(sdir, name,
					       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d = openat(ddir, name,
					       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return cleat_error_errno(err, errno, "open directory \"%s\"", name);
		if (copy_dir(s, d, depth + 1, err) < 0)
			return cleat_error_wrap(err, "%s", name);
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return cleat_error_errno(err, errno, "readlink \"%s\"", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return cleat_error_errno(err, errno, "symlink \"%s\"", name);
	} else if (S_ISREG(st.st_mode)) {
		if (copy_file(sdir, ddir, name, &st, err) < 0)
			return -1;
	} else if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0) {
		return cleat_error_errno(err, errno, "mknod \"%s\"", name);
	}
	if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return cleat_error_errno(err, errno, "chown \"%s\"", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(ddir, name, st.st_mode & 07777, 0) < 0)
		return cleat_error_errno(err, errno, "chmod \"%s\"", name);
	return 0;
}

static int copy_dir(int sdir, int ddir, int depth, cleat_error_t *err)
{
	if (depth > 64)
		return cleat_error_msg(err, "directory tree too deep");
	int dup_fd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return cleat_error_errno(err, errno, "open directory");
	_cleanup_closedir_ DIR *d = fdopendir(dup_fd);
	if (d == NULL) {
		close(dup_fd);
		return cleat_error_errno(err, errno, "fdopendir");
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(dirfd(d), ddir, de->d_name, depth, err) < 0)
			return -1;
	}
	return 0;
}

int cleat_tmpcopyup(int src, int dst, cleat_error_t *err)
{
	_cleanup_close_ int d = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return cleat_error_errno(err, errno, "open tmpfs root");
	return copy_dir(src, d, 0, err);
}
