/* cleat_rootfs_prepare() / cleat_rootfs_finalize(): the order of the steps
 * that build the container's filesystem view (see rootfs.h). */
#include "config.h"
#include "runtime/linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"

static bool has_mount_ns(const struct oci_config *c)
{
	return oci_config_namespace(c, "mount") != NULL;
}

static const char *propagation_word(const struct oci_config *c)
{
	return c->linux_ && c->linux_->rootfs_propagation && c->linux_->rootfs_propagation[0]
		       ? c->linux_->rootfs_propagation
		       : NULL;
}

static int root_propagation(const struct oci_config *c, unsigned long *flag, cleat_error_t *err)
{
	const char *w = propagation_word(c);
	*flag = 0;
	if (w == NULL)
		return 0;
	*flag = cleat_mount_propagation_flag(w);
	if (*flag == 0)
		return cleat_error_msg(err, "rootfsPropagation: unknown value \"%s\"", w);
	return 0;
}

/* pivot_root(2) refuses a new root whose parent mount is shared, and a bind
 * of the rootfs under a shared parent would propagate back to the host.  With
 * a rootfsPropagation the parent is made private (slave for slave), as runc
 * 1.2+ does: that also undoes an unbindable "/", which could not be bound. */
static int set_parent_propagation(const char *rootfs, unsigned long prop, cleat_error_t *err)
{
	struct mountinfo mi = { 0 };
	int r = 0;
	/* Without a rootfsPropagation "/" was just made rslave: no mount of the
	 * namespace is shared any more, so the parent needs no change and neither
	 * its path nor the mount table (a read of 0.1 ms) is looked up. */
	if (prop == 0)
		return 0;
	/* mountinfo has canonical paths; the bundle path may go through symlinks. */
	_cleanup_free_ char *real = realpath(rootfs, NULL);
	if (real == NULL)
		return cleat_error_errno(err, errno, "resolve rootfs \"%s\"", rootfs);
	if (mountinfo_read("/proc/self/mountinfo", &mi, err) < 0)
		return -1;
	const struct mountinfo_entry *e = mountinfo_find_containing(&mi, real);
	unsigned long flag = prop & MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
	if (e && (prop != 0 || strstr(e->optional, "shared:") != NULL) &&
	    mount(NULL, e->mountpoint, NULL, flag, NULL) < 0)
		r = cleat_error_errno(err, errno, "set propagation of \"%s\"", e->mountpoint);
	mountinfo_free(&mi);
	return r;
}

static int bind_rootfs(const char *rootfs, cleat_error_t *err)
{
	_cleanup_close_ int tree = open_tree(AT_FDCWD, rootfs,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return cleat_error_errno(err, errno, "bind rootfs \"%s\"", rootfs);
	if (move_mount(tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return cleat_error_errno(err, errno, "bind rootfs \"%s\" onto itself", rootfs);
	return 0;
}

static int prepare_mounts(struct rootfs_ctx *c, cleat_error_t *err)
{
	const struct oci_config *cfg = c->o->config;

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		c->index = i;
		if (rootfs_mount_entry(c, &cfg->mounts[i], err) < 0)
			return -1;
	}
	if (rootfs_needs_dev_setup(cfg) && rootfs_setup_devices(c, err) < 0)
		return cleat_error_wrap(err, "devices");
	if (c->o->console_path &&
	    cleat_rootfs_mount_console(c->o->rootfs, c->o->console_path, err) < 0)
		return -1;
	/* The init binds its pty on /dev/console later: make the mount point while a
	 * read-only /dev tmpfs is still writable (runc issue #3248). */
	if (!c->o->console_path && cfg->process && cfg->process->terminal) {
		int fd = cleat_safe_mkpath(c->rootfd, "/dev/console", false, 0666, err);
		if (fd < 0)
			return cleat_error_wrap(err, "/dev/console");
		close(fd);
	}
	if (rootfs_apply_late_ro(c, err) < 0)
		return -1;
	if (cfg->process && cfg->process->cwd) {
		int fd = cleat_safe_mkdir_p(c->rootfd, cfg->process->cwd, 0755, err);
		if (fd < 0)
			return cleat_error_wrap(err, "cwd");
		close(fd);
	}
	return 0;
}

/* Without a mount namespace of its own every mount would be the host's:
 * refuse what needs one (runc's validator says the same). */
static int check_no_mount_ns(const struct oci_config *cfg, cleat_error_t *err)
{
	const struct oci_linux *l = cfg->linux_;
	if (l && (l->n_masked_paths || l->n_readonly_paths))
		return cleat_error_msg(
			err, "unable to restrict sys entries without a private MNT namespace");
	if (cfg->has_root && cfg->root.readonly)
		return cleat_error_msg(err, "root.readonly needs a private mount namespace");
	if (cfg->n_mounts)
		return cleat_error_msg(err, "mounts need a private mount namespace");
	return 0;
}

int cleat_rootfs_prepare(const struct cleat_rootfs_opts *o, cleat_error_t *err)
{
	struct rootfs_ctx c = { .o = o, .rootfd = -1 };
	unsigned long prop;
	int r;

	if (!has_mount_ns(o->config))
		return check_no_mount_ns(o->config, err);
	if (root_propagation(o->config, &prop, err) < 0)
		return -1;
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, prop ? prop : MS_SLAVE | MS_REC, NULL) < 0)
		return cleat_error_errno(err, errno, "set propagation of \"/\"");
	if (set_parent_propagation(o->rootfs, prop, err) < 0 || bind_rootfs(o->rootfs, err) < 0)
		return -1;
	c.rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0)
		return cleat_error_errno(err, errno, "open rootfs \"%s\"", o->rootfs);

	r = prepare_mounts(&c, err);
	for (size_t i = 0; i < c.n_late_ro; i++)
		close(c.late_ro[i]);
	free(c.late_ro);
	close(c.rootfd);
	if (r < 0)
		return -1;
	/* createContainer hooks run with the rootfs as cwd, like runc. */
	if (chdir(o->rootfs) < 0)
		return cleat_error_errno(err, errno, "chdir \"%s\"", o->rootfs);
	return 0;
}

static int do_pivot(const char *rootfs, cleat_error_t *err)
{
	_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return cleat_error_errno(err, errno, "open old/new root");
	if (fchdir(newroot) < 0)
		return cleat_error_errno(err, errno, "chdir \"%s\"", rootfs);
	/* pivot_root(".", ".") stacks the old root on top of the new one: no
	 * directory for it is needed inside the image. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return cleat_error_errno(err, errno, "pivot_root \"%s\"", rootfs);
	if (fchdir(oldroot) < 0)
		return cleat_error_errno(err, errno, "chdir old root");
	/* Make sure the unmount cannot propagate to the host. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return cleat_error_errno(err, errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return cleat_error_errno(err, errno, "unmount old root");
	if (chdir("/") < 0)
		return cleat_error_errno(err, errno, "chdir /");
	return 0;
}

static bool is_ancestor_or_under(const char *mp, const char *rootfs)
{
	size_t lm = strlen(mp), lr = strlen(rootfs);
	if (strcmp(mp, "/") == 0)
		return true;
	if (lm <= lr)
		return strncmp(rootfs, mp, lm) == 0 && (rootfs[lm] == '/' || rootfs[lm] == '\0');
	return strncmp(mp, rootfs, lr) == 0 && mp[lr] == '/';
}

/* --no-pivot: the host's mounts outside the rootfs would stay reachable in
 * the namespace (and pin their filesystems); detach what we can first. */
static int do_move_root(const char *rootfs, cleat_error_t *err)
{
	struct mountinfo mi = { 0 };
	if (mountinfo_read("/proc/self/mountinfo", &mi, err) < 0)
		return -1;
	for (size_t i = mi.n; i-- > 0;)
		if (!is_ancestor_or_under(mi.e[i].mountpoint, rootfs))
			(void) umount2(mi.e[i].mountpoint, MNT_DETACH);
	mountinfo_free(&mi);

	if (chdir(rootfs) < 0)
		return cleat_error_errno(err, errno, "chdir \"%s\"", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return cleat_error_errno(err, errno, "move \"%s\" to /", rootfs);
	if (chroot(".") < 0)
		return cleat_error_errno(err, errno, "chroot \"%s\"", rootfs);
	if (chdir("/") < 0)
		return cleat_error_errno(err, errno, "chdir /");
	return 0;
}

static int finalize_paths(const struct oci_config *cfg, const char *mask_data, cleat_error_t *err)
{
	const struct oci_linux *l = cfg->linux_;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cleat_error_errno(err, errno, "open /");

	if (rootfs_write_sysctls(cfg, err) < 0)
		return -1;
	for (size_t i = 0; l && i < l->n_readonly_paths; i++)
		if (rootfs_readonly_path(rootfd, l->readonly_paths[i], err) < 0)
			return -1;
	_cleanup_close_ int shared_dir = -1;
	for (size_t i = 0; l && i < l->n_masked_paths; i++) {
		/* A path given twice is masked once (runc 1.5). */
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(l->masked_paths[j], l->masked_paths[i]) == 0;
		if (!dup &&
		    rootfs_mask_path(rootfd, l->masked_paths[i], mask_data, &shared_dir, err) < 0)
			return -1;
	}
	if (cfg->has_root && cfg->root.readonly) {
		/* Read-only on top of what the rootfs mount has: runc 1.5 keeps the
		 * nosuid, nodev, noexec and atime flags of the bundle's rootfs mount. */
		_cleanup_close_ int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (top < 0)
			return cleat_error_errno(err, errno, "open /");
		if (rootfs_setattr(top, 0, MOUNT_ATTR_RDONLY, 0, 0, -1, "/", err) < 0)
			return cleat_error_wrap(err, "read-only root");
	}
	return 0;
}

/* The rootfs bind is private (or a slave) after prepare: shared and
 * unbindable are set on the new root, where they cannot reach the host
 * (runc 1.4+: a new peer group for shared). */
static int apply_root_propagation(const struct oci_config *cfg, cleat_error_t *err)
{
	unsigned long prop;
	if (root_propagation(cfg, &prop, err) < 0)
		return -1;
	if (prop == 0 || (prop & (MS_PRIVATE | MS_SLAVE)))
		return 0;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return cleat_error_errno(err, errno, "rootfsPropagation: set propagation of \"/\"");
	return 0;
}

/* The new root for a process without a mount namespace of its own: a chroot. */
static int do_chroot(const char *rootfs, cleat_error_t *err)
{
	if (chroot(rootfs) < 0)
		return cleat_error_errno(err, errno, "chroot \"%s\"", rootfs);
	if (chdir("/") < 0)
		return cleat_error_errno(err, errno, "chdir /");
	return 0;
}

int cleat_rootfs_finalize(const struct cleat_rootfs_opts *o, cleat_error_t *err)
{
	const struct oci_linux *l = o->config->linux_;
	/* Decided before pivot_root hides the host's selinuxfs. */
	_cleanup_free_ char *mask_data = cleat_lsm_fs_mount_data("tmpfs", NULL,
								 l ? l->mount_label : NULL);
	bool ns = has_mount_ns(o->config);
	int r = !ns	      ? do_chroot(o->rootfs, err)
		: o->no_pivot ? do_move_root(o->rootfs, err)
			      : do_pivot(o->rootfs, err);
	if (r < 0 || (ns && apply_root_propagation(o->config, err) < 0))
		return -1;
	/* Only where cleat made /dev: without a mount namespace the rootfs may have none. */
	if (ns && rootfs_needs_dev_setup(o->config) && rootfs_reopen_dev_null(err) < 0)
		return -1;
	if (finalize_paths(o->config, mask_data, err) < 0)
		return -1;
	if (ns)
		umask(0022);
	return 0;
}
