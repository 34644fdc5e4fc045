/* Resolution and creation of paths inside the container root (see safe_path.h). */
#include "config.h"
#include "runtime/linux/safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/cut.h"
#include "common/util.h"

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int) syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p ? p : ".";
}

int cleat_safe_open(int rootfd, const char *path, int flags, uint64_t resolve, cleat_error_t *err)
{
	struct open_how how = {
		.flags = (uint64_t) (flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	int fd;

	if (flags & O_CREAT)
		how.mode = 0644;
	do
		fd = sys_openat2(rootfd, skip_slashes(path), &how);
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\" inside the rootfs",
					 cleat_cut(path));
	return fd;
}

char *cleat_path_split(const char *path, const char **base)
{
	const char *p = skip_slashes(path);
	size_t len = strlen(p);

	while (len > 1 && p[len - 1] == '/')
		len--;
	const char *slash = memrchr(p, '/', len);
	if (slash == NULL) {
		*base = p;
		return xstrdup(".");
	}
	*base = slash + 1;
	size_t plen = (size_t) (slash - p);
	while (plen > 0 && p[plen - 1] == '/')
		plen--;
	return plen ? xstrndup(p, plen) : xstrdup(".");
}

/* Length of the first component of p and where the next one starts. */
static size_t component(const char *p, const char **next)
{
	size_t n = strcspn(p, "/");
	const char *q = p + n;
	while (*q == '/')
		q++;
	*next = q;
	return n;
}

/* Symlinks followed while creating, like the kernel's limit for a lookup. */
#define MAX_LINK_DEPTH 40

static int mkdir_p_depth(int rootfd, const char *path, mode_t mode, int depth, cleat_error_t *err);
static int mkpath_depth(int rootfd, const char *path, bool dir, mode_t mode, int depth,
			cleat_error_t *err);

/* `name` in the directory `dirfd` (reached as `dirpath` inside the root) is
 * a symlink whose target does not exist: create the target, inside the
 * root, the way a lookup through the link would find it. */
static int create_link_target(int rootfd, int dirfd, const char *dirpath, const char *name,
			      bool dir, mode_t mode, int depth, cleat_error_t *err)
{
	char target[4096];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return cleat_error_errno(err, errno, "readlink \"%s/%s\" inside the rootfs",
					 dirpath, name);
	target[n] = '\0';
	if (depth >= MAX_LINK_DEPTH)
		return cleat_error_errno(err, ELOOP, "create \"%s/%s\" inside the rootfs", dirpath,
					 name);
	_cleanup_free_ char *full = target[0] == '/' ? xstrdup(target)
						     : xasprintf("%s/%s", dirpath, target);
	int fd = mkpath_depth(rootfd, full, dir, mode, depth + 1, err);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Component by component from the root, creating what is missing: for paths
 * with "." or ".." components, which mkdir_p_depth() does not split. */
static int mkdir_p_walk(int rootfd, const char *path, mode_t mode, int depth, cleat_error_t *err)
{
	const char *rest = skip_slashes(path);
	_cleanup_close_ int cur = -1;
	_cleanup_free_ char *prefix = xmalloc(strlen(rest) + 2);
	size_t plen = 0;

	cur = cleat_safe_open(rootfd, "/", O_PATH | O_DIRECTORY, 0, err);
	if (cur < 0)
		return -1;
	strcpy(prefix, ".");
	while (*rest != '\0' && strcmp(rest, ".") != 0) {
		const char *next;
		size_t n = component(rest, &next);
		_cleanup_free_ char *name = xstrndup(rest, n);
		_cleanup_free_ char *dirpath = xstrndup(prefix, plen ? plen : 1);

		if (plen)
			prefix[plen++] = '/';
		memcpy(prefix + plen, rest, n);
		plen += n;
		prefix[plen] = '\0';
		rest = next;

		cleat_error_t tmp = NULL;
		int fd = cleat_safe_open(rootfd, prefix, O_PATH | O_DIRECTORY, 0, &tmp);
		if (fd < 0 && tmp->errnum == ENOENT) {
			cleat_error_free(&tmp);
			/* mkdirat never follows a symlink in its last component:
			 * EEXIST on a dangling symlink, whose target is then
			 * created inside the root, never outside it. */
			if (mkdirat(cur, name, mode) < 0) {
				if (errno != EEXIST)
					return cleat_error_errno(err, errno,
								 "mkdir \"%s\" inside the rootfs",
								 prefix);
				if (create_link_target(rootfd, cur, dirpath, name, true, mode,
						       depth, err) < 0)
					return -1;
			}
			fd = cleat_safe_open(rootfd, prefix, O_PATH | O_DIRECTORY, 0, err);
		} else if (fd < 0) {
			*err = TAKE_PTR(tmp);
		}
		if (fd < 0)
			return -1;
		cleat_closep(&cur);
		cur = fd;
	}
	return TAKE_FD(cur);
}

/* The whole path in one lookup when it exists (the usual case); else its parent,
 * made the same way, then the last component in it. */
static int mkdir_p_depth(int rootfd, const char *path, mode_t mode, int depth, cleat_error_t *err)
{
	/* Without trailing slashes: the last component is then a plain name. */
	_cleanup_free_ char *rest = xstrdup(skip_slashes(path));
	for (size_t l = strlen(rest); l > 1 && rest[l - 1] == '/'; l--)
		rest[l - 1] = '\0';
	cleat_error_t whole = NULL;
	int fd = cleat_safe_open(rootfd, rest, O_PATH | O_DIRECTORY, 0, &whole);
	if (fd >= 0)
		return fd;
	if (whole->errnum != ENOENT || strcmp(rest, ".") == 0) {
		*err = whole;
		return -1;
	}
	cleat_error_free(&whole);
	const char *base;
	_cleanup_free_ char *parent = cleat_path_split(rest, &base);
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return mkdir_p_walk(rootfd, path, mode, depth, err);
	_cleanup_close_ int pfd = mkdir_p_depth(rootfd, parent, mode, depth, err);
	if (pfd < 0)
		return -1;
	/* mkdirat never follows a symlink in its last component: EEXIST on a
	 * dangling symlink, whose target is then created inside the root. */
	if (mkdirat(pfd, base, mode) < 0) {
		if (errno != EEXIST)
			return cleat_error_errno(err, errno, "mkdir \"%s\" inside the rootfs",
						 rest);
		if (create_link_target(rootfd, pfd, parent, base, true, mode, depth, err) < 0)
			return -1;
	}
	return cleat_safe_open(rootfd, rest, O_PATH | O_DIRECTORY, 0, err);
}

static int mkpath_depth(int rootfd, const char *path, bool dir, mode_t mode, int depth,
			cleat_error_t *err)
{
	cleat_error_t tmp = NULL;
	int fd;

	if (dir)
		return mkdir_p_depth(rootfd, path, mode, depth, err);

	fd = cleat_safe_open(rootfd, path, O_PATH, 0, &tmp);
	if (fd >= 0 || tmp->errnum != ENOENT) {
		if (fd < 0)
			*err = TAKE_PTR(tmp);
		return fd;
	}
	cleat_error_free(&tmp);

	const char *base;
	_cleanup_free_ char *parent = cleat_path_split(path, &base);
	_cleanup_close_ int pfd = mkdir_p_depth(rootfd, parent, 0755, depth, err);
	if (pfd < 0)
		return -1;
	/* O_EXCL: never follow a (dangling) symlink while creating. */
	_cleanup_close_ int created = openat(
		pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (created < 0) {
		if (errno != EEXIST)
			return cleat_error_errno(err, errno, "create \"%s\" inside the rootfs",
						 cleat_cut(path));
		struct stat st;
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
		    create_link_target(rootfd, pfd, parent, base, false, mode, depth, err) < 0)
			return -1;
	}
	return cleat_safe_open(rootfd, path, O_PATH, 0, err);
}

int cleat_safe_mkdir_p(int rootfd, const char *path, mode_t mode, cleat_error_t *err)
{
	return mkdir_p_depth(rootfd, path, mode, 0, err);
}

int cleat_safe_mkpath(int rootfd, const char *path, bool dir, mode_t mode, cleat_error_t *err)
{
	return mkpath_depth(rootfd, path, dir, mode, 0, err);
}
