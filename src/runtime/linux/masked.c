/* linux.maskedPaths and linux.readonlyPaths, applied after pivot_root.
 *
 * Each path is opened once inside the new root (RESOLVE_IN_ROOT, no magic
 * links) and the mount lands on that fd with move_mount(2): a symlink or a
 * rename racing us can only move the mask to another place inside the
 * container, never make a masked path stay visible through a second lookup
 * (CVE-2019-16884 / CVE-2021-30465 classes).  A missing path is skipped, as
 * the spec and runc do. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"

/* Returns 1 and *fd when the path exists, 0 when it does not. */
static int open_existing(int rootfd, const char *path, int *fd, cleat_error_t *err)
{
	cleat_error_t tmp = NULL;
	*fd = cleat_safe_open(rootfd, path, O_PATH, 0, &tmp);
	if (*fd >= 0)
		return 1;
	if (tmp->errnum == ENOENT || tmp->errnum == ENOTDIR) {
		cleat_error_free(&tmp);
		return 0;
	}
	*err = TAKE_PTR(tmp);
	return -1;
}

int rootfs_readonly_path(int rootfd, const char *path, cleat_error_t *err)
{
	_cleanup_close_ int fd = -1;
	int r = open_existing(rootfd, path, &fd, err);
	if (r <= 0)
		return r < 0 ? cleat_error_wrap(err, "readonly path \"%s\"", path) : 0;

	_cleanup_close_ int tree = open_tree(
		fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return cleat_error_errno(err, errno, "readonly path \"%s\": open_tree", path);
	/* Only read-only is added: nosuid/nodev/noexec of the original stay,
	 * and the sub-mounts keep their flags, as with runc's bind remount. */
	if (rootfs_setattr(tree, 0, MOUNT_ATTR_RDONLY, 0, 0, -1, path, err) < 0 ||
	    rootfs_attach(tree, fd, NULL, 0, path, err) < 0)
		return cleat_error_wrap(err, "readonly path \"%s\"", path);
	return 0;
}

/* The empty read-only tmpfs over masked directories, one block and one inode big as in
 * runc 1.5; some distribution kernels refuse nr_inodes=1, and get 2 (runc 1.5.1). */
static int mask_tmpfs(const char *label_data, cleat_error_t *err)
{
	static const char *const sizes[] = { "nr_blocks=1,nr_inodes=1", "nr_blocks=1,nr_inodes=2" };
	for (size_t i = 0;; i++) {
		_cleanup_free_ char *data = label_data && *label_data
						    ? xasprintf("%s,%s", sizes[i], label_data)
						    : xstrdup(sizes[i]);
		cleat_error_t tmp = NULL;
		int tree = rootfs_fs_mount("tmpfs", "tmpfs", data, MS_RDONLY, &tmp);
		if (tree >= 0 || i + 1 == ARRAY_SIZE(sizes)) {
			if (tree < 0)
				*err = tmp;
			return tree;
		}
		cleat_error_free(&tmp);
	}
}

int rootfs_mask_path(int rootfd, const char *path, const char *tmpfs_data, int *shared_dir,
		     cleat_error_t *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r = open_existing(rootfd, path, &fd, err);
	if (r <= 0)
		return r < 0 ? cleat_error_wrap(err, "masked path \"%s\"", path) : 0;
	if (fstat(fd, &st) < 0)
		return cleat_error_errno(err, errno, "masked path \"%s\": stat", path);

	_cleanup_close_ int tree = -1;
	bool first_dir = false;
	if (S_ISDIR(st.st_mode) && *shared_dir >= 0) {
		/* Every masked directory shows the same empty read-only tmpfs, as in
		 * runc 1.5: one instance, bound again. */
		tree = open_tree(*shared_dir, "",
				 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			return cleat_error_errno(err, errno, "masked path \"%s\": open_tree", path);
	} else if (S_ISDIR(st.st_mode)) {
		tree = mask_tmpfs(tmpfs_data, err);
		if (tree < 0)
			return cleat_error_wrap(err, "masked path \"%s\"", path);
		first_dir = true;
	} else {
		/* The container's own /dev/null, but only if it really is the
		 * null device: an image must not be able to unmask a path by
		 * making /dev/null something else. */
		_cleanup_close_ int null = cleat_safe_open(rootfd, "/dev/null", O_PATH, 0, err);
		struct stat ns;
		if (null < 0)
			return cleat_error_wrap(err, "masked path \"%s\"", path);
		if (fstat(null, &ns) < 0 || !S_ISCHR(ns.st_mode) || major(ns.st_rdev) != 1 ||
		    minor(ns.st_rdev) != 3)
			return cleat_error_msg(
				err, "masked path \"%s\": /dev/null is not the null device", path);
		tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			return cleat_error_errno(err, errno,
						 "masked path \"%s\": open_tree /dev/null", path);
	}
	if (rootfs_attach(tree, fd, NULL, 0, path, err) < 0)
		return cleat_error_wrap(err, "masked path \"%s\"", path);
	/* The mount just attached, for the next directories to bind. */
	if (first_dir) {
		*shared_dir = open_tree(tree, "", OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (*shared_dir < 0)
			return cleat_error_errno(err, errno, "masked path \"%s\": open_tree", path);
	}
	return 0;
}
