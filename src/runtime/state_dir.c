#include "config.h"
#include "runtime/state_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/utc_time.h"
#include "common/util.h"

static int lock_dir(int dir_fd, int *lock_fd, cleat_error_t *err)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open state directory");
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return cleat_error_errno(err, e, "lock state directory");
		}
	}
	*lock_fd = fd;
	return 0;
}

int cleat_state_dir_create(const char *root, const char *id, int *dir_fd, int *lock_fd,
			   cleat_error_t *err)
{
	if (mkdir_p(root, 0700, err) < 0)
		return cleat_error_wrap(err, "create root \"%s\"", root);
	_cleanup_free_ char *path = xasprintf("%s/%s", root, id);
	if (mkdir(path, 0711) < 0) {
		if (errno == EEXIST)
			return cleat_error_msg(err, "container with given ID already exists");
		return cleat_error_errno(err, errno, "create state directory \"%s\"", path);
	}
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	if (lock_dir(fd, lock_fd, err) < 0)
		return -1;
	*dir_fd = TAKE_FD(fd);
	return 0;
}

int cleat_state_dir_relock(int dir_fd, const char *path, int *lock_fd, cleat_error_t *err)
{
	*lock_fd = -1;
	int fd;
	if (lock_dir(dir_fd, &fd, err) < 0)
		return -1;
	/* Under the lock, the directory is ours only while path still names it. */
	struct stat held, named;
	if (fstat(fd, &held) < 0 || stat(path, &named) < 0 || held.st_dev != named.st_dev ||
	    held.st_ino != named.st_ino || held.st_nlink == 0) {
		close(fd);
		return 0;
	}
	*lock_fd = fd;
	return 0;
}

int cleat_state_dir_open(const char *root, const char *id, int *dir_fd, int *lock_fd,
			 cleat_error_t *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return cleat_error_msg(err, "container does not exist");
		return cleat_error_errno(err, errno, "open \"%s\"", path);
	}
	if (lock_fd && lock_dir(fd, lock_fd, err) < 0)
		return -1;
	*dir_fd = TAKE_FD(fd);
	return 0;
}

int cleat_state_dir_remove(int dir_fd, const char *path, cleat_error_t *err)
{
	static const char *const known[] = { CLEAT_STATE_FILE, CLEAT_CONFIG_FILE, CLEAT_EXEC_FIFO };
	for (size_t i = 0; dir_fd >= 0 && i < ARRAY_SIZE(known); i++)
		if (unlinkat(dir_fd, known[i], 0) < 0 && errno != ENOENT)
			break;
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	return rm_rf(path, err);
}

#define GEN_STR(g, s) yajl_gen_string((g), (const unsigned char *) (s), strlen(s))

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	GEN_STR(g, k);
	GEN_STR(g, v ? v : "");
}

static void gen_kv_int(yajl_gen g, const char *k, long long v)
{
	GEN_STR(g, k);
	yajl_gen_integer(g, v);
}

static void gen_kv_bool(yajl_gen g, const char *k, bool v)
{
	GEN_STR(g, k);
	yajl_gen_bool(g, v);
}

/* state.json is only written under the state directory's lock (create, restore): one
 * writer, so one temporary name, and every call relative to the directory.  Swapped in
 * whole, as write_file_atomic() does (a reader sees the old file or the new one; the
 * swap rather than a rename over it spares ext4 an immediate write-back), in five
 * system calls instead of ten. */
static int replace_at(int dir_fd, const char *dir, const char *name, const void *buf, size_t len,
		      cleat_error_t *err)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	_cleanup_close_ int fd = openat(
		dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s/%s\"", dir, tmp);
	if (write_all(fd, buf, len) < 0) {
		int e = errno;
		unlinkat(dir_fd, tmp, 0);
		return cleat_error_errno(err, e, "write \"%s/%s\"", dir, tmp);
	}
	if (renameat2(dir_fd, tmp, dir_fd, name, RENAME_EXCHANGE) == 0) {
		unlinkat(dir_fd, tmp, 0);
		return 0;
	}
	if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
		int e = errno;
		unlinkat(dir_fd, tmp, 0);
		return cleat_error_errno(err, e, "rename \"%s/%s\" to \"%s\"", dir, tmp, name);
	}
	return 0;
}

int cleat_state_save(const struct cleat_container *c, cleat_error_t *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	gen_kv_str(g, "id", c->id);
	gen_kv_str(g, "bundle", c->bundle);
	gen_kv_str(g, "rootfs", c->rootfs);
	gen_kv_int(g, "init_pid", c->init_pid);
	/* A start time does not fit a double-free JSON reader when > 2^53: keep it a string. */
	char st[32];
	snprintf(st, sizeof st, "%llu", c->init_start_time);
	gen_kv_str(g, "init_start_time", st);
	gen_kv_str(g, "created", c->created);
	gen_kv_int(g, "owner", c->owner);
	gen_kv_str(g, "cgroup", c->cgroup_str);
	gen_kv_bool(g, "systemd_cgroup", c->systemd_cgroup);
	gen_kv_bool(g, "rootless", c->rootless);
	gen_kv_bool(g, "no_pivot", c->no_pivot);
	gen_kv_bool(g, "no_new_keyring", c->no_new_keyring);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	int r;
	if (c->dir_fd >= 0) {
		r = replace_at(c->dir_fd, c->state_dir, CLEAT_STATE_FILE, buf, len, err);
	} else {
		_cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, CLEAT_STATE_FILE);
		r = write_file_atomic(path, buf, len, 0600, err);
	}
	yajl_gen_free(g);
	return r;
}

static const char *tree_str(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static long long tree_int(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool tree_bool(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);
	return v && YAJL_IS_TRUE(v);
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

int cleat_state_load(struct cleat_container *c, cleat_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file_at(c->dir_fd, CLEAT_STATE_FILE, &text, &len, err) < 0)
		return -1;
	char ebuf[256] = "";
	yajl_val root = yajl_tree_parse(text, ebuf, sizeof ebuf);
	if (root == NULL)
		return cleat_error_msg(err, "parse \"%s/%s\": %s", c->state_dir, CLEAT_STATE_FILE,
				       ebuf);
	c->bundle = dup_or_null(tree_str(root, "bundle"));
	c->rootfs = dup_or_null(tree_str(root, "rootfs"));
	c->init_pid = (pid_t) tree_int(root, "init_pid");
	const char *st = tree_str(root, "init_start_time");
	c->init_start_time = st ? strtoull(st, NULL, 10) : 0;
	c->created = dup_or_null(tree_str(root, "created"));
	c->owner = (uid_t) tree_int(root, "owner");
	c->cgroup_str = dup_or_null(tree_str(root, "cgroup"));
	c->systemd_cgroup = tree_bool(root, "systemd_cgroup");
	c->rootless = tree_bool(root, "rootless");
	c->no_pivot = tree_bool(root, "no_pivot");
	c->no_new_keyring = tree_bool(root, "no_new_keyring");
	yajl_tree_free(root);
	return 0;
}

unsigned long long cleat_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields restart after the last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	p += 2; /* field 3, state */
	if (*p == 'Z' || *p == 'X')
		return 0;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

char *cleat_rfc3339_now(void)
{
	struct timespec ts;
	char buf[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	size_t l = cleat_utc_format(ts.tv_sec, buf, sizeof buf);
	/* Go's RFC3339Nano drops trailing zeros of the fraction. */
	char frac[16];
	snprintf(frac, sizeof frac, "%09ld", ts.tv_nsec);
	size_t fl = strlen(frac);
	while (fl > 0 && frac[fl - 1] == '0')
		frac[--fl] = '\0';
	snprintf(buf + l, sizeof buf - l, "%s%sZ", fl ? "." : "", frac);
	return xstrdup(buf);
}
