#include "config.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xmalloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);
	if (r == NULL)
		abort();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (r == NULL)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	char *r;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	return r;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

size_t strv_length(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v) { cleat_strv_freep(&v); }

int read_all_fd(int fd, const char *what, char **out, size_t *len, cleat_error_t *err)
{
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return cleat_error_errno(err, errno, "read \"%s\"", what);
		}
		if (r == 0)
			break;
		n += (size_t) r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, cleat_error_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	return read_all_fd(fd, path, out, len, err);
}

int read_file(const char *path, char **out, size_t *len, cleat_error_t *err)
{
	return read_file_at(AT_FDCWD, path, out, len, err);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t) w;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
		  cleat_error_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
					mode);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	if (write_all(fd, buf, len) < 0)
		return cleat_error_errno(err, errno, "write \"%s\"", path);
	return 0;
}

int write_file(const char *path, const void *buf, size_t len, mode_t mode, cleat_error_t *err)
{
	return write_file_at(AT_FDCWD, path, buf, len, mode, err);
}

int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		      cleat_error_t *err)
{
	_cleanup_free_ char *tmp = NULL;
	const char *slash = strrchr(path, '/');
	/* A name of its own per writer: two writers of one path never share a file. */
	if (slash)
		tmp = xasprintf("%.*s/.%s.XXXXXX", (int) (slash - path), path, slash + 1);
	else
		tmp = xasprintf(".%s.XXXXXX", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", tmp);
	/* mkostemp makes it 0600; the mode open(2) would have given, umask and all. */
	mode_t um = umask(0);
	umask(um);
	if (write_all(fd, buf, len) < 0 || fchmod(fd, mode & ~um) < 0) {
		int saved = errno;
		unlink(tmp);
		return cleat_error_errno(err, saved, "write \"%s\"", tmp);
	}
	/* Replacing a regular file: swap the two, then drop the old one.  Renaming over
	 * it is as atomic, but ext4 (auto_da_alloc) then starts writing the new file back
	 * at once, and removing it later waits for that I/O: 0.15 ms per container on
	 * ext4 between save and delete. */
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
		unlink(tmp);
		return 0;
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return cleat_error_errno(err, saved, "rename \"%s\" to \"%s\"", tmp, path);
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, cleat_error_t *err)
{
	_cleanup_free_ char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return cleat_error_errno(err, errno, "mkdir \"%s\"", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return cleat_error_errno(err, errno, "mkdir \"%s\"", p);
	return 0;
}

static int rm_rf_at(int parent, const char *name, dev_t dev, cleat_error_t *err)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return cleat_error_errno(err, errno, "stat \"%s\"", name);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return cleat_error_errno(err, errno, "unlink \"%s\"", name);
		return 0;
	}
	if (st.st_dev != dev)
		return cleat_error_errno(err, EBUSY, "remove \"%s\": a mount point", name);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", name);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return cleat_error_errno(err, errno, "opendir \"%s\"", name);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rm_rf_at(dirfd(d), de->d_name, dev, err) < 0)
			return cleat_error_wrap(err, "remove \"%s\"", name);
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return cleat_error_errno(err, errno, "rmdir \"%s\"", name);
	return 0;
}

int rm_rf(const char *path, cleat_error_t *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return cleat_error_errno(err, errno, "stat \"%s\"", path);
	}
	return rm_rf_at(AT_FDCWD, path, st.st_dev, err);
}

int fd_set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags < 0)
		return -1;
	flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, flags);
}

int fd_set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -1;
	flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, flags);
}

static bool fd_is_kept(int fd, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* The smallest fd of keep that is >= lo, or -1. */
static int next_kept(int lo, const int *keep, size_t nkeep)
{
	int best = -1;
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] >= lo && (best < 0 || keep[i] < best))
			best = keep[i];
	return best;
}

/* close_range() over the gaps between the kept fds: no /proc/self/fd listing (the
 * exec helper and the container process call this on their critical path).  No
 * allocation: CLONE_VM children call it too.  False when the kernel has no
 * close_range (before 5.9): the caller then closes what is left by the listing. */
static bool close_ranges(int from, const int *keep, size_t nkeep)
{
	int lo = from;
	for (int k; (k = next_kept(lo, keep, nkeep)) >= 0; lo = k + 1)
		if (k > lo && syscall(SYS_close_range, (unsigned) lo, (unsigned) k - 1, 0) < 0)
			return false;
	return syscall(SYS_close_range, (unsigned) lo, ~0U, 0) == 0;
}

void close_fds_from(int from, const int *keep, size_t nkeep)
{
	if (close_ranges(from, keep, nkeep))
		return;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL) {
		for (int fd = from; fd < 65536; fd++)
			if (!fd_is_kept(fd, keep, nkeep))
				close(fd);
		return;
	}
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long long fd;
		if (parse_int(de->d_name, 0, INT_MAX, &fd) < 0)
			continue;
		if (fd >= from && fd != self && !fd_is_kept((int) fd, keep, nkeep))
			close((int) fd);
	}
	closedir(d);
}

int parse_int(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
