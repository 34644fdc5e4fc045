/* File access inside cgroup directories.  Errors name the file and the value:
 * a rejected write is the usual way an impossible resource value shows up. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

int cg_open_write(const char *dir, const char *file, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	return fd;
}

int cg_write_fd(int fd, const char *dir, const char *file, const char *value, cleat_error_t *err)
{
	/* cgroup files take one value per write(2); a short write is a failure. */
	ssize_t w;
	do
		w = write(fd, value, strlen(value));
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return cleat_error_errno(err, errno, "write \"%s\" to \"%s/%s\"", value, dir, file);
	return 0;
}

int cg_write(const char *dir, const char *file, const char *value, cleat_error_t *err)
{
	_cleanup_close_ int fd = cg_open_write(dir, file, err);
	return fd < 0 ? -1 : cg_write_fd(fd, dir, file, value, err);
}

int cg_writef(const char *dir, const char *file, cleat_error_t *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *v = NULL;
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	return cg_write(dir, file, v, err);
}

int cg_burst_write(const char *dir, const char *file, uint64_t burst, bool quota_follows,
		   bool *pending, cleat_error_t *err)
{
	_cleanup_error_ cleat_error_t e = NULL;
	if (cg_writef(dir, file, &e, "%llu", (unsigned long long) burst) == 0)
		return 0;
	if (e->errnum == EINVAL && quota_follows && pending) {
		*pending = true;
		return 0;
	}
	*err = TAKE_PTR(e);
	return -1;
}

const char *cg_v1_cpuset_name(const char *dir, const char *file)
{
	static const char pre[] = "cpuset.";
	if (strncmp(file, pre, sizeof pre - 1) == 0 && !cg_exists(dir, "cpuset.cpus") &&
	    cg_exists(dir, "cpus"))
		return file + sizeof pre - 1;
	return file;
}

int cg_read(const char *dir, const char *file, char **out, cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return read_file(path, out, NULL, err);
}

bool cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *v, cleat_error_t *err)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, file, &s, err) < 0)
		return -1;
	s[strcspn(s, "\n")] = 0;
	if (strcmp(s, "max") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return cleat_error_msg(err, "%s/%s: unexpected content \"%s\"", dir, file, s);
	*v = x;
	return 0;
}

int cg_mkdir(const char *dir, bool *created, cleat_error_t *err)
{
	*created = false;
	if (mkdir(dir, 0755) == 0) {
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return cleat_error_errno(err, errno, "mkdir \"%s\"", dir);
	_cleanup_free_ char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return cleat_error_errno(err, ENOENT, "mkdir \"%s\"", dir);
	*slash = 0;
	bool dummy;
	if (cg_mkdir(parent, &dummy, err) < 0)
		return -1;
	if (mkdir(dir, 0755) == 0)
		*created = true;
	else if (errno != EEXIST)
		return cleat_error_errno(err, errno, "mkdir \"%s\"", dir);
	return 0;
}

int cg_rmdir_retry(const char *dir, cleat_error_t *err)
{
	/* The last task may still be exiting (EBUSY) for a moment after it was
	 * reaped; retry with a backoff up to ~1 s. */
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	for (int i = 0;; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 20)
			return cleat_error_errno(err, errno, "rmdir \"%s\"", dir);
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 80 * 1000 * 1000)
			ts.tv_nsec *= 2;
	}
}

int cg_procs(const char *dir, pid_t **pids, size_t *n, cleat_error_t *err)
{
	_cleanup_free_ char *s = NULL;
	*pids = NULL;
	*n = 0;
	if (cg_read(dir, "cgroup.procs", &s, err) < 0)
		return -1;
	size_t cnt = 0, cap = 0;
	pid_t *v = NULL;
	for (char *p = s; *p;) {
		char *end;
		long x = strtol(p, &end, 10);
		if (end == p)
			break;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[cnt++] = (pid_t) x;
		p = end;
		while (*p == '\n')
			p++;
	}
	*pids = v;
	*n = cnt;
	return 0;
}
