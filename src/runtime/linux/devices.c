/* /dev inside the container: the default device nodes, linux.devices,
 * /dev/ptmx and the conventional symlinks, /dev/console.
 *
 * Nodes are made with mknodat(2) under a parent fd resolved inside the root
 * (mknodat never follows a symlink in its last component); in a user
 * namespace, where mknod of devices is not allowed, the host's node is
 * bind-mounted onto an empty file instead, as runc does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"

struct dev_node {
	const char *path;
	char type; /* c b u p */
	long long major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* The runtime-spec's default devices, always created (like runc, a
 * linux.devices entry with the same path replaces the default). */
static const struct dev_node default_devices[] = {
	/* runc's order, so that mount tables (user namespaces) compare equal. */
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 }, { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 0, 0 }, { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
};

static bool same_path(const char *a, const char *b)
{
	while (*a == '/')
		a++;
	while (*b == '/')
		b++;
	return strcmp(a, b) == 0;
}

bool rootfs_needs_dev_setup(const struct oci_config *config)
{
	for (size_t i = 0; i < config->n_mounts; i++) {
		const struct oci_mount *m = &config->mounts[i];
		if (!same_path(m->destination, "/dev") && !same_path(m->destination, "/dev/"))
			continue;
		if (m->type && strcmp(m->type, "bind") == 0)
			return false;
		for (size_t j = 0; j < m->n_options; j++)
			if (strcmp(m->options[j], "bind") == 0 ||
			    strcmp(m->options[j], "rbind") == 0)
				return false;
	}
	return true;
}

static int bind_node(int rootfd, const struct dev_node *d, cleat_error_t *err)
{
	_cleanup_close_ int target = cleat_safe_mkpath(rootfd, d->path, false, 0666, err);
	if (target < 0)
		return -1;
	_cleanup_close_ int tree = open_tree(AT_FDCWD, d->path,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return cleat_error_errno(err, errno, "open_tree host device \"%s\"",
					 cleat_cut(d->path));
	return rootfs_attach(tree, target, NULL, 0, d->path, err);
}

static int create_node(struct rootfs_ctx *c, const struct dev_node *d, cleat_error_t *err)
{
	mode_t type;
	const char *base;

	switch (d->type) {
	case 'c':
	case 'u': type = S_IFCHR; break;
	case 'b': type = S_IFBLK; break;
	case 'p': type = S_IFIFO; break;
	default:
		return cleat_error_msg(err, "device \"%s\": unknown type \"%c\"",
				       cleat_cut(d->path), d->type);
	}
	if (c->o->in_userns)
		return bind_node(c->rootfd, d, err);

	_cleanup_free_ char *parent = cleat_path_split(d->path, &base);
	_cleanup_close_ int pfd = cleat_safe_mkdir_p(c->rootfd, parent, 0755, err);
	if (pfd < 0)
		return -1;
	dev_t dev = makedev((unsigned int) d->major, (unsigned int) d->minor);
	if (mknodat(pfd, base, type | (d->mode & 07777), type == S_IFIFO ? 0 : dev) < 0) {
		if (errno == EEXIST)
			return 0;
		if (errno == EPERM)
			return bind_node(c->rootfd, d, err);
		return cleat_error_errno(err, errno, "mknod \"%s\"", cleat_cut(d->path));
	}
	if (fchownat(pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return cleat_error_errno(err, errno, "chown \"%s\"", cleat_cut(d->path));
	return 0;
}

static bool overridden(const struct oci_linux *l, const char *path)
{
	for (size_t i = 0; l && i < l->n_devices; i++)
		if (same_path(l->devices[i].path, path))
			return true;
	return false;
}

static int create_all(struct rootfs_ctx *c, cleat_error_t *err)
{
	const struct oci_linux *l = c->o->config->linux_;

	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		if (!overridden(l, default_devices[i].path) &&
		    create_node(c, &default_devices[i], err) < 0)
			return -1;
	for (size_t i = 0; l && i < l->n_devices; i++) {
		const struct oci_device *od = &l->devices[i];
		struct dev_node d = {
			.path = od->path,
			.type = od->type && od->type[0] ? od->type[0] : '?',
			.major = od->major,
			.minor = od->minor,
			.mode = od->has_file_mode ? (mode_t) (od->file_mode & 07777) : 0666,
			.uid = od->has_uid ? od->uid : 0,
			.gid = od->has_gid ? od->gid : 0,
		};
		if (d.type != 'p' && (!od->has_major || !od->has_minor))
			return cleat_error_msg(err, "device \"%s\": major and minor are required",
					       od->path);
		if (create_node(c, &d, err) < 0)
			return -1;
	}
	return 0;
}

static int symlinks(struct rootfs_ctx *c, cleat_error_t *err)
{
	static const struct {
		const char *target, *name;
	} links[] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	_cleanup_close_ int dev = cleat_safe_mkdir_p(c->rootfd, "/dev", 0755, err);
	if (dev < 0)
		return -1;

	/* /dev/ptmx must be the devpts instance of the container, not a node. */
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return cleat_error_errno(err, errno, "remove \"/dev/ptmx\"");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return cleat_error_errno(err, errno, "symlink \"/dev/ptmx\"");

	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			return cleat_error_errno(err, errno, "symlink \"/dev/%s\"", links[i].name);
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 &&
	    errno != EEXIST)
		return cleat_error_errno(err, errno, "symlink \"/dev/core\"");
	return 0;
}

int rootfs_setup_devices(struct rootfs_ctx *c, cleat_error_t *err)
{
	/* file_mode is meant literally: no umask. */
	mode_t old = umask(0);
	int r = create_all(c, err);
	umask(old);
	if (r < 0)
		return -1;
	return symlinks(c, err);
}

int cleat_rootfs_mount_console(const char *rootfs, const char *console_path, cleat_error_t *err)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cleat_error_errno(err, errno, "open rootfs \"%s\"", rootfs);
	_cleanup_close_ int target = cleat_safe_mkpath(rootfd, "/dev/console", false, 0666, err);
	if (target < 0)
		return cleat_error_wrap(err, "/dev/console");
	_cleanup_close_ int tree = open_tree(AT_FDCWD, console_path,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return cleat_error_errno(err, errno, "open_tree console \"%s\"", console_path);
	if (rootfs_attach(tree, target, NULL, 0, "/dev/console", err) < 0)
		return cleat_error_wrap(err, "/dev/console");
	return 0;
}

/* A process given the host's /dev/null as stdin (dockerd and containerd give no
 * stdin that way) would hold a file of a mount outside its namespace, which criu
 * cannot dump ("Can't lookup mount").  As runc does once it is in the new root,
 * each of fd 0..2 that is a /dev/null node is replaced by the container's. */
int rootfs_reopen_dev_null(cleat_error_t *err)
{
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return cleat_error_errno(err, errno, "open /dev/null");
	struct stat ns;
	if (fstat(null, &ns) < 0)
		return cleat_error_errno(err, errno, "stat /dev/null");
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != ns.st_rdev)
			continue;
		if (dup3(null, fd, 0) < 0)
			return cleat_error_errno(err, errno, "reopen fd %d on /dev/null", fd);
	}
	return 0;
}
