/* A `cgroup` type mount entry.
 *
 * cgroup v1 / hybrid (what runc does): a tmpfs at the destination, then for
 * each v1 hierarchy of the host a directory named like the host's mount point
 * holding either a bind of the container's own cgroup directory (no cgroup
 * namespace) or a fresh mount of that hierarchy (cgroup namespace: the
 * kernel roots it at the namespace's cgroup), plus symlinks for co-mounted
 * controllers ("cpu" -> "cpu,cpuacct").  cgroup v2: a cgroup2 mount; without
 * a cgroup namespace where that is refused, a bind of the container's
 * cgroup. */
#include "config.h"

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

#include "common/util.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"

/* The container's path in the v1 hierarchy whose controllers are `ctrls`
 * (from /proc/self/cgroup, once the init sits in its cgroup). */
static char *own_cgroup_path(const char *proc_cgroup, const char *ctrls)
{
	_cleanup_free_ char *copy = xstrdup(proc_cgroup);
	char *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		if (strcmp(c1 + 1, ctrls) == 0)
			return xstrdup(c2 + 1);
	}
	return NULL;
}

/* The container's directory in the v1 hierarchy mounted at mp when the init joins it
 * only after the rootfs (cleat_rootfs_opts.cgroup_v1_tasks: tasks, n), or NULL. */
static char *pending_cgroup_dir(char *const *tasks, size_t n, const char *mp)
{
	size_t l = strlen(mp);
	for (size_t i = 0; i < n; i++) {
		const char *t = tasks[i];
		if (strncmp(t, mp, l) == 0 && t[l] == '/')
			return xstrndup(t, (size_t) (strrchr(t, '/') - t));
	}
	return NULL;
}

/* Controllers of a v1 mount from its super options ("rw,cpu,cpuacct" ->
 * "cpu,cpuacct"; "rw,name=systemd" -> "name=systemd"), in kernel order. */
static char *v1_controllers(const char *super)
{
	static const char *const skip[] = {
		"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"
	};
	_cleanup_free_ char *copy = xstrdup(super);
	char *out = xstrdup(""), *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool s = strchr(o, '=') != NULL && !str_has_prefix(o, "name=");
		for (size_t i = 0; i < ARRAY_SIZE(skip) && !s; i++)
			s = strcmp(o, skip[i]) == 0;
		if (s)
			continue;
		char *n = xasprintf("%s%s%s", out, *out ? "," : "", o);
		free(out);
		out = n;
	}
	return out;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The directory `name` in the tmpfs just mounted at dest (top: its root), made there.
 * The tmpfs is new and nothing else can reach it yet, but the lookup still refuses
 * to leave it or follow a symlink. */
static int v1_subdir(int top, const char *dest, const char *name, cleat_error_t *err)
{
	if (mkdirat(top, name, 0755) < 0 && errno != EEXIST)
		return cleat_error_errno(err, errno, "mkdir \"%s/%s\"", dest, name);
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int) syscall(SYS_openat2, top, name, &how, sizeof(how));
	if (fd < 0)
		return cleat_error_errno(err, errno, "open \"%s/%s\"", dest, name);
	return fd;
}

static int mount_one_v1(struct rootfs_ctx *c, int top, const char *dest,
			const struct mountinfo_entry *e, const char *proc_cgroup,
			char *const *tasks, size_t n_tasks, const struct cleat_mount_flags *f,
			cleat_error_t *err)
{
	_cleanup_free_ char *ctrls = v1_controllers(e->super_options);
	const char *name = basename_of(e->mountpoint);
	_cleanup_free_ char *sub = xasprintf("%s/%s", dest, name);
	unsigned long ms = MS_NOSUID | MS_NODEV | MS_NOEXEC | (f->flags & MS_RDONLY);
	_cleanup_close_ int tree = -1;

	_cleanup_close_ int target = v1_subdir(top, dest, name, err);
	if (target < 0)
		return -1;
	if (c->o->in_cgroupns) {
		/* "name=systemd" is a key=value option, controllers are flags. */
		/* runc names the named hierarchy's source after it. */
		const char *src = strcmp(ctrls, "name=systemd") == 0 ? "systemd" : "cgroup";
		tree = rootfs_fs_mount("cgroup", src, ctrls, ms, err);
		if (tree < 0)
			return -1;
	} else {
		_cleanup_free_ char *src = pending_cgroup_dir(tasks, n_tasks, e->mountpoint);
		_cleanup_free_ char *path = src ? NULL : own_cgroup_path(proc_cgroup, ctrls);
		if (src == NULL && path == NULL)
			return cleat_error_msg(err, "no cgroup of this process for \"%s\"", ctrls);
		/* The bind source is the mount point plus our path below the
		 * mount's own root. */
		const char *rel = path;
		size_t rl = strlen(e->root);
		if (path && strcmp(e->root, "/") != 0 && strncmp(path, e->root, rl) == 0)
			rel = path + rl;
		if (src == NULL)
			src = xasprintf("%s%s", e->mountpoint, rel);
		tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return cleat_error_errno(err, errno, "open_tree \"%s\"", src);
		/* Flags of the entry, applied as runc's bind remount does. */
		if ((f->flags & CLEAT_MS_MNT_FLAGS) &&
		    rootfs_bind_set_flags(tree, f->flags, sub, err) < 0)
			return -1;
	}
	if (rootfs_attach(tree, target, f->propagation, f->n_propagation, sub, err) < 0)
		return -1;

	/* "cpu,cpuacct" mounted as such also answers to "cpu" and "cpuacct". */
	if (strcmp(name, ctrls) == 0 && strchr(ctrls, ',') != NULL) {
		_cleanup_free_ char *copy = xstrdup(ctrls);
		char *save = NULL;
		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (symlinkat(ctrls, top, s) < 0 && errno != EEXIST)
				return cleat_error_errno(err, errno, "symlink \"%s/%s\"", dest, s);
	}
	return 0;
}

static int mount_v1(struct rootfs_ctx *c, const struct oci_mount *m,
		    const struct cleat_mount_flags *f, cleat_error_t *err)
{
	struct mountinfo mi = { 0 };
	_cleanup_free_ char *proc_cgroup = NULL;
	size_t len;
	int r = 0;

	_cleanup_close_ int target = cleat_safe_mkdir_p(c->rootfd, m->destination, 0755, err);
	if (target < 0)
		return -1;
	if (rootfs_check_target(target, m->destination, err) < 0)
		return -1;
	/* The tmpfs stays writable until its sub-directories exist; runc
	 * leaves it rw even for a read-only entry, and so do we. */
	_cleanup_free_ char *data = cleat_lsm_fs_mount_data("tmpfs", "mode=755",
							    rootfs_mount_label(c));
	_cleanup_close_ int tmpfs = rootfs_fs_mount("tmpfs", "tmpfs", data,
						    MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
	if (tmpfs < 0)
		return -1;
	if (rootfs_attach(tmpfs, target, f->propagation, f->n_propagation, m->destination, err) < 0)
		return -1;

	char *const *tasks = c->o->cgroup_v1_tasks;
	size_t n_tasks = c->o->n_cgroup_v1_tasks;
	if (!c->o->in_cgroupns && c->o->cgroup_v1_await &&
	    c->o->cgroup_v1_await(c->o->cgroup_v1_await_arg, &tasks, &n_tasks, err) < 0)
		return -1;
	if (read_file("/proc/self/cgroup", &proc_cgroup, &len, err) < 0 ||
	    mountinfo_read("/proc/self/mountinfo", &mi, err) < 0)
		return -1;
	for (size_t i = 0; i < mi.n && r == 0; i++) {
		const struct mountinfo_entry *e = &mi.e[i];
		/* Only the host's own hierarchies, not their binds inside rootfs. */
		if (strcmp(e->fstype, "cgroup") != 0 || str_has_prefix(e->mountpoint, c->o->rootfs))
			continue;
		r = mount_one_v1(c, tmpfs, m->destination, e, proc_cgroup, tasks, n_tasks, f, err);
	}
	mountinfo_free(&mi);
	return r;
}

static int mount_v2(struct rootfs_ctx *c, const struct oci_mount *m,
		    const struct cleat_mount_flags *f, cleat_error_t *err)
{
	cleat_error_t tmp = NULL;
	_cleanup_close_ int target = cleat_safe_mkdir_p(c->rootfd, m->destination, 0755, err);
	if (target < 0)
		return -1;
	if (rootfs_check_target(target, m->destination, err) < 0)
		return -1;
	_cleanup_close_ int tree = rootfs_fs_mount("cgroup2", "cgroup", f->data, f->flags, &tmp);
	if (tree < 0 && (tmp->errnum == EPERM || tmp->errnum == EBUSY) && !c->o->in_cgroupns) {
		_cleanup_free_ char *cg = NULL;
		size_t len;
		cleat_error_free(&tmp);
		if (read_file("/proc/self/cgroup", &cg, &len, err) < 0)
			return -1;
		char *p = strstr(cg, "0::");
		if (p == NULL)
			return cleat_error_msg(err, "no cgroup v2 path in /proc/self/cgroup");
		p += 3;
		p[strcspn(p, "\n")] = '\0';
		_cleanup_free_ char *src = xasprintf("/sys/fs/cgroup%s", p);
		tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return cleat_error_errno(err, errno, "open_tree \"%s\"", src);
		if ((f->flags & CLEAT_MS_MNT_FLAGS) &&
		    rootfs_bind_set_flags(tree, f->flags, m->destination, err) < 0)
			return -1;
	} else if (tree < 0) {
		*err = TAKE_PTR(tmp);
		return -1;
	}
	return rootfs_attach(tree, target, f->propagation, f->n_propagation, m->destination, err);
}

int rootfs_mount_cgroup(struct rootfs_ctx *c, const struct oci_mount *m,
			const struct cleat_mount_flags *f, cleat_error_t *err)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return mount_v2(c, m, f, err);
	return mount_v1(c, m, f, err);
}
