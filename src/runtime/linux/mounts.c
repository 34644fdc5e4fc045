/* One `mounts` entry of config.json, mounted inside the rootfs.
 *
 * Every mount is built detached with the new mount API (open_tree(2) for
 * binds, fsopen(2)/fsmount(2) for filesystems), gets its flags, idmapping and
 * recursive attributes while nobody can see it, and is attached with
 * move_mount(2) onto an O_PATH fd resolved inside the root (safe_path.h).  The
 * target is therefore looked up exactly once, by the kernel, confined to the
 * root: no symlink or rename race can send a mount to the host
 * (CVE-2021-30465).  Propagation is applied on the attached mount's own fd,
 * again without a lookup by name. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cut.h"
#include "common/util.h"
#include "runtime/linux/idmap.h"
#include "runtime/linux/lsm.h"
#include "runtime/linux/mount_source.h"
#include "runtime/linux/rootfs_internal.h"
#include "runtime/linux/safe_path.h"
#include "runtime/linux/tmpcopy.h"

int rootfs_setattr(int fd, unsigned int at_flags, uint64_t set, uint64_t clr, uint64_t propagation,
		   int userns_fd, const char *what, cleat_error_t *err)
{
	struct mount_attr a = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = propagation,
		.userns_fd = userns_fd >= 0 ? (uint64_t) userns_fd : 0,
	};
	if (mount_setattr(fd, "", AT_EMPTY_PATH | at_flags, &a, sizeof(a)) < 0)
		return cleat_error_errno(err, errno, "mount_setattr \"%s\"", what);
	return 0;
}

int rootfs_attach(int tree, int targetfd, const unsigned long *prop, size_t n_prop,
		  const char *what, cleat_error_t *err)
{
	if (move_mount(tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return cleat_error_errno(err, errno, "move_mount onto \"%s\"", what);
	for (size_t i = 0; i < n_prop; i++) {
		unsigned int at = (prop[i] & MS_REC) ? AT_RECURSIVE : 0;
		if (rootfs_setattr(tree, at, 0, 0, prop[i] & ~MS_REC, -1, what, err) < 0)
			return cleat_error_wrap(err, "set propagation");
	}
	return 0;
}

/* Read the error log of a filesystem context: the kernel explains there why
 * a parameter was refused ("e tmpfs: Bad value for 'mode'"). */
static void fs_context_log(int fsfd, char *buf, size_t size)
{
	buf[0] = '\0';
	ssize_t n = read(fsfd, buf, size - 1);
	if (n > 0) {
		buf[n] = '\0';
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
	}
}

static int fs_error(int fsfd, cleat_error_t *err, int errnum, const char *what, const char *type)
{
	char log[256];
	fs_context_log(fsfd, log, sizeof(log));
	if (log[0] != '\0')
		return cleat_error_errno(err, errnum, "%s for \"%s\" (%s)", what, type,
					 log[0] && log[1] == ' ' ? log + 2 : log);
	return cleat_error_errno(err, errnum, "%s for \"%s\"", what, type);
}

static const struct {
	unsigned long ms;
	const char *set;
} sb_flags[] = {
	{ MS_RDONLY, "ro" },	     { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
	{ MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
};

int rootfs_fs_mount(const char *type, const char *source, const char *data, unsigned long ms_flags,
		    cleat_error_t *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return cleat_error_errno(err, errno, "fsopen \"%s\"", type);
	if (source != NULL && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fs_error(fsfd, err, errno, "set source", type);

	_cleanup_free_ char *copy = data ? xstrdup(data) : NULL;
	char *cursor = copy;
	for (char *opt; (opt = cleat_lsm_mount_opt_next(&cursor)) != NULL;) {
		if (*opt == '\0')
			continue;
		char *eq = strchr(opt, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			int e = errno;
			_cleanup_free_ char *w = xasprintf("set option \"%s%s%s\"", opt,
							   eq ? "=" : "", eq ? eq + 1 : "");
			return fs_error(fsfd, err, e, w, type);
		}
	}
	/* mount(2) puts these on the superblock; fsmount(2) only knows mount
	 * attributes, so they go through the context like mount(8) does. */
	for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
		if ((ms_flags & sb_flags[i].ms) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].set, NULL, 0) < 0)
			return fs_error(fsfd, err, errno, "set superblock flag", type);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(fsfd, err, errno, "create filesystem", type);
	int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int) cleat_mount_ms_to_attr(ms_flags));
	if (mfd < 0)
		return fs_error(fsfd, err, errno, "fsmount", type);
	return mfd;
}

#define MNT_ATTR_BITS                                                                   \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | \
	 MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

/* The flags a mount has now, as MS_* (those a user namespace may find locked). */
static unsigned long statvfs_locked_ms(const struct statvfs *sv)
{
	unsigned long ms = 0;
	if (sv->f_flag & ST_RDONLY)
		ms |= MS_RDONLY;
	if (sv->f_flag & ST_NOSUID)
		ms |= MS_NOSUID;
	if (sv->f_flag & ST_NODEV)
		ms |= MS_NODEV;
	if (sv->f_flag & ST_NOEXEC)
		ms |= MS_NOEXEC;
	return ms;
}

/* cleared: the MS_* flags the options explicitly clear (rw, suid, dev, exec); one of
 * them that is locked is an error, as in runc, rather than a mount unlike the request. */
static int bind_set_flags(int tree, unsigned long ms, unsigned long cleared, const char *what,
			  cleat_error_t *err)
{
	uint64_t set = cleat_mount_ms_to_attr(ms);
	uint64_t clr = MNT_ATTR_BITS & ~set;
	cleat_error_t tmp = NULL;

	/* MS_REMOUNT|MS_BIND keeps the atime setting unless one is given. */
	if (ms & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
		clr |= MOUNT_ATTR__ATIME;
	if (rootfs_setattr(tree, 0, set, clr, 0, -1, what, &tmp) == 0)
		return 0;
	if (tmp->errnum != EPERM) {
		*err = TAKE_PTR(tmp);
		return -1;
	}
	cleat_error_free(&tmp);

	/* In a user namespace the flags of a mount inherited from a more
	 * privileged one are locked: keep those that are set, as runc does
	 * after its EPERM. */
	struct statvfs sv;
	if (fstatvfs(tree, &sv) < 0)
		return cleat_error_errno(err, errno, "statvfs \"%s\"", what);
	unsigned long locked = statvfs_locked_ms(&sv) & cleared;
	if (locked)
		return cleat_error_errno(err, EPERM, "cannot clear locked flags%s%s%s%s of \"%s\"",
					 locked & MS_RDONLY ? " ro" : "",
					 locked & MS_NOSUID ? " nosuid" : "",
					 locked & MS_NODEV ? " nodev" : "",
					 locked & MS_NOEXEC ? " noexec" : "", what);
	if (sv.f_flag & ST_RDONLY)
		clr &= ~(uint64_t) MOUNT_ATTR_RDONLY, set |= MOUNT_ATTR_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		clr &= ~(uint64_t) MOUNT_ATTR_NOSUID, set |= MOUNT_ATTR_NOSUID;
	if (sv.f_flag & ST_NODEV)
		clr &= ~(uint64_t) MOUNT_ATTR_NODEV, set |= MOUNT_ATTR_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		clr &= ~(uint64_t) MOUNT_ATTR_NOEXEC, set |= MOUNT_ATTR_NOEXEC;
	if (sv.f_flag & (ST_NOATIME | ST_RELATIME)) {
		clr &= ~(uint64_t) MOUNT_ATTR__ATIME;
		set &= ~(uint64_t) MOUNT_ATTR__ATIME;
	}
	return rootfs_setattr(tree, 0, set, clr, 0, -1, what, err);
}

int rootfs_bind_set_flags(int tree, unsigned long ms, const char *what, cleat_error_t *err)
{
	return bind_set_flags(tree, ms, 0, what, err);
}

/* dest without repeated or trailing slashes, always starting with '/'. */
static void clean_dest(const char *dest, char *out, size_t size)
{
	size_t j = 0;
	if (dest[0] != '/')
		out[j++] = '/';
	for (const char *p = dest; *p && j < size - 2; p++)
		if (!(*p == '/' && j > 0 && out[j - 1] == '/'))
			out[j++] = *p;
	while (j > 1 && out[j - 1] == '/')
		j--;
	out[j] = '\0';
}

/* runc's checkProcMount: nothing may be mounted inside /proc except a few
 * files that lxcfs-style tools replace; /proc itself takes only procfs
 * (a tmpfs or bind over /proc would hide the masking of /proc paths). */
static int check_proc_dest(const char *dest, const char *type, const char *source, bool bind,
			   cleat_error_t *err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
		"/proc/stat",	 "/proc/swaps",	    "/proc/uptime",
		"/proc/loadavg", "/proc/slabinfo",  "/proc/sys/kernel/ns_last_pid",
	};
	char d[4096];
	clean_dest(dest, d, sizeof(d));
	if (strcmp(d, "/proc") == 0) {
		struct statfs sf;
		if (!bind && type && strcmp(type, "proc") == 0)
			return 0;
		if (bind && source && statfs(source, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
			return 0;
		return cleat_error_msg(err, "\"%s\" cannot be mounted on /proc: only procfs may be",
				       source ? source : "none");
	}
	if (!str_has_prefix(d, "/proc/"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(d, allowed[i]) == 0)
			return 0;
	return cleat_error_msg(err, "\"%s\" cannot be mounted because it is inside /proc", d);
}

int rootfs_check_target(int target, const char *dest, cleat_error_t *err)
{
	char d[4096];
	struct statfs sf;
	clean_dest(dest, d, sizeof(d));
	if (strcmp(d, "/proc") == 0 || str_has_prefix(d, "/proc/"))
		return 0;
	if (fstatfs(target, &sf) < 0)
		return cleat_error_errno(err, errno, "statfs the target of \"%s\"", dest);
	if (sf.f_type == PROC_SUPER_MAGIC)
		return cleat_error_msg(
			err,
			"\"%s\" cannot be mounted because it is inside /proc (through "
			"a symlink)",
			dest);
	return 0;
}

static bool wants_idmap(const struct oci_mount *m, const struct cleat_mount_flags *f)
{
	return f->idmap || f->ridmap || m->n_uid_mappings || m->n_gid_mappings;
}

/* The detached clone of a bind source, idmapped when the entry asks for it. */
static int open_bind_tree(const struct oci_config *config, const struct oci_mount *m,
			  const struct cleat_mount_flags *f, const char *source, cleat_error_t *err)
{
	unsigned int ot = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			  ((f->flags & MS_REC) ? AT_RECURSIVE : 0);
	_cleanup_close_ int tree = open_tree(AT_FDCWD, source, ot);
	if (tree < 0)
		return cleat_error_errno(err, errno, "open_tree \"%s\"", source);
	if (wants_idmap(m, f) && cleat_idmap_mount(tree, m, config, f->ridmap, err) < 0)
		return -1;
	return TAKE_FD(tree);
}

static char *bind_source(const char *bundle, const char *source)
{
	return source[0] == '/' ? xstrdup(source) : xasprintf("%s/%s", bundle, source);
}

int cleat_rootfs_check_mounts(const struct oci_config *config, cleat_error_t *err)
{
	for (size_t i = 0; i < config->n_mounts; i++) {
		const struct oci_mount *m = &config->mounts[i];
		struct cleat_mount_flags f;
		if (cleat_mount_options_parse(m->options, m->n_options, &f, err) < 0)
			return cleat_error_wrap(err, "mounts[%zu]", i);
		bool bind = (f.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
		int r = 0;
		if (bind && f.data)
			r = cleat_error_msg(err,
					    "mounts[%zu] (\"%s\"): bind mounts cannot have any "
					    "filesystem-specific options applied: \"%s\"",
					    i, cleat_cut(m->destination), f.data);
		cleat_mount_flags_free(&f);
		if (r < 0)
			return -1;
	}
	return 0;
}

int rootfs_open_bind_source(const struct oci_config *config, const char *bundle, size_t index,
			    cleat_error_t *err)
{
	const struct oci_mount *m = &config->mounts[index];
	struct cleat_mount_flags f;
	if (m->source == NULL)
		return cleat_error_msg(err, "bind mount needs a source");
	if (cleat_mount_options_parse(m->options, m->n_options, &f, err) < 0)
		return -1;
	_cleanup_free_ char *src = bind_source(bundle, m->source);
	int tree = open_bind_tree(config, m, &f, src, err);
	cleat_mount_flags_free(&f);
	return tree;
}

int cleat_rootfs_open_idmapped(const struct oci_config *config, const char *bundle,
			       const char *rootfs, int **fds, cleat_error_t *err)
{
	_cleanup_free_ int *out = NULL;
	*fds = NULL;
	for (size_t i = 0; i < config->n_mounts; i++) {
		const struct oci_mount *m = &config->mounts[i];
		struct cleat_mount_flags f;
		if (cleat_mount_options_parse(m->options, m->n_options, &f, err) < 0)
			goto fail;
		/* Every bind source, not only idmapped ones: the container's root may not be
		 * able to reach a host path that the runtime can (runc's mount fds). */
		bool bind = (f.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
		bool want = (bind || wants_idmap(m, &f)) && m->source != NULL;
		if (want) {
			if (out == NULL) {
				out = xmalloc(config->n_mounts * sizeof(int));
				for (size_t j = 0; j < config->n_mounts; j++)
					out[j] = -1;
			}
			_cleanup_free_ char *src = bind_source(bundle, m->source);
			if (wants_idmap(m, &f) &&
			    cleat_mount_source_in_rootfs(bundle, rootfs, src)) {
				/* Maybe made by an earlier entry: asked for at mount time. */
				want = false;
			} else if (wants_idmap(m, &f)) {
				out[i] = open_bind_tree(config, m, &f, src, err);
			} else {
				/* Best effort: a rootless runtime may not clone mounts, and a
				 * missing source is reported by the init in its own words. */
				_cleanup_error_ cleat_error_t ignored = NULL;
				out[i] = open_bind_tree(config, m, &f, src, &ignored);
				want = false;
			}
		}
		cleat_mount_flags_free(&f);
		if (want && out[i] < 0) {
			cleat_error_wrap(err, "mount \"%s\"", cleat_cut(m->destination));
			goto fail;
		}
	}
	*fds = TAKE_PTR(out);
	return 0;
fail:
	for (size_t j = 0; out && j < config->n_mounts; j++)
		if (out[j] >= 0)
			close(out[j]);
	return -1;
}

static int bind_entry(struct rootfs_ctx *c, const struct oci_mount *m,
		      const struct cleat_mount_flags *f, cleat_error_t *err)
{
	_cleanup_free_ char *source = NULL;
	struct stat st;

	if (m->source == NULL)
		return cleat_error_msg(err, "bind mount needs a source");
	source = bind_source(c->o->bundle, m->source);
	/* Cloned by the runtime outside the user namespace.  Idmapped trees must come from
	 * there; a plain bind uses it only when the container's root cannot reach the
	 * source, since a clone made here keeps the host mount's flags locked (a host ro
	 * mount stays ro even for a CAP_SYS_ADMIN container). */
	int pre = c->o->idmap_fds ? c->o->idmap_fds[c->index] : -1;
	_cleanup_close_ int requested = -1;
	if (pre < 0 && c->o->idmap_fds && c->o->sync_fd >= 0 && wants_idmap(m, f)) {
		requested = cleat_mount_source_request(c->o->sync_fd, c->index, err);
		if (requested < 0)
			return -1;
		pre = requested;
	}
	bool use_pre = pre >= 0 && wants_idmap(m, f);
	if (!use_pre && stat(source, &st) < 0) {
		if (pre < 0 || errno != EACCES)
			return cleat_error_errno(err, errno, "stat source \"%s\"", source);
		use_pre = true;
	}
	if (use_pre && fstat(pre, &st) < 0)
		return cleat_error_errno(err, errno, "stat source \"%s\"", source);

	_cleanup_close_ int target = cleat_safe_mkpath(c->rootfd, m->destination,
						       S_ISDIR(st.st_mode), 0755, err);
	if (target < 0)
		return -1;
	if (rootfs_check_target(target, m->destination, err) < 0)
		return -1;

	_cleanup_close_ int tree = -1;
	if (use_pre) {
		tree = fcntl(pre, F_DUPFD_CLOEXEC, 3);
		if (tree < 0)
			return cleat_error_errno(err, errno, "dup bind mount fd");
	} else {
		tree = open_bind_tree(c->o->config, m, f, source, err);
		if (tree < 0)
			return -1;
	}
	/* Like runc 1.2+, a bind with only bind/rbind/remount keeps the source's flags;
	 * any other option, clearing-only ones (rw, exec, dev, suid) included, is applied
	 * the way MS_REMOUNT|MS_BIND would. */
	if (((f->flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0 || f->cleared != 0) &&
	    bind_set_flags(tree, f->flags, f->cleared, m->destination, err) < 0)
		return -1;
	if ((f->rec_attr_set | f->rec_attr_clr) &&
	    rootfs_setattr(tree, AT_RECURSIVE, f->rec_attr_set, f->rec_attr_clr, 0, -1,
			   m->destination, err) < 0)
		return -1;
	return rootfs_attach(tree, target, f->propagation, f->n_propagation, m->destination, err);
}

static bool is_dev_dest(const char *dest)
{
	while (*dest == '/')
		dest++;
	size_t l = strlen(dest);
	while (l > 0 && dest[l - 1] == '/')
		l--;
	return l == 3 && strncmp(dest, "dev", 3) == 0;
}

static void add_late_ro(struct rootfs_ctx *c, int fd)
{
	c->late_ro = xrealloc(c->late_ro, (c->n_late_ro + 1) * sizeof(int));
	c->late_ro[c->n_late_ro++] = fd;
}

/* proc and sysfs must land on a real directory reached without any symlink:
 * a procfs redirected elsewhere would let an image fake the /proc files the
 * runtime writes (CVE-2019-19921). */
/* runc's words, which tools and tests match on. */
static int not_ordinary_dir(const struct oci_mount *m, cleat_error_t *err)
{
	return cleat_error_msg(err, "filesystem \"%s\" must be mounted on ordinary directory",
			       m->type);
}

static int open_fs_target(struct rootfs_ctx *c, const struct oci_mount *m, bool strict,
			  cleat_error_t *err)
{
	if (!strict)
		return cleat_safe_mkdir_p(c->rootfd, m->destination, 0755, err);

	cleat_error_t tmp = NULL;
	int fd = cleat_safe_open(c->rootfd, m->destination, O_PATH | O_NOFOLLOW,
				 RESOLVE_NO_SYMLINKS, &tmp);
	if (fd < 0 && tmp->errnum == ENOENT) {
		cleat_error_free(&tmp);
		fd = cleat_safe_mkdir_p(c->rootfd, m->destination, 0755, err);
		if (fd < 0)
			return -1;
		/* Re-check: nothing on the way may be a symlink. */
		close(fd);
		fd = cleat_safe_open(c->rootfd, m->destination, O_PATH | O_NOFOLLOW,
				     RESOLVE_NO_SYMLINKS, &tmp);
	}
	if (fd < 0) {
		int e = tmp->errnum;
		cleat_error_free(&tmp);
		if (e == ELOOP)
			return not_ordinary_dir(m, err);
		return cleat_error_errno(err, e, "open \"%s\" inside the rootfs",
					 cleat_cut(m->destination));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return not_ordinary_dir(m, err);
	}
	return fd;
}

static int fs_entry(struct rootfs_ctx *c, const struct oci_mount *m,
		    const struct cleat_mount_flags *f, cleat_error_t *err)
{
	bool is_tmpfs = strcmp(m->type, "tmpfs") == 0;
	bool strict = strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0;
	unsigned long ms = f->flags;
	bool delay_ro = (ms & MS_RDONLY) && (is_tmpfs || is_dev_dest(m->destination));

	/* An idmapping applies to an existing filesystem's mount, not a new one. */
	if (f->idmap || f->ridmap || m->n_uid_mappings || m->n_gid_mappings)
		return cleat_error_msg(err, "idmapped mounts are supported for bind mounts only");
	/* runc: a tmpfs without mode= takes the mode of the directory it covers (mode=
	 * in its data, so it shows in the mount options); over a directory made for it,
	 * tmpfs's own default, 1777. */
	bool inherit_mode = is_tmpfs && !cleat_mount_data_has(f->data, "mode");
	if (inherit_mode) {
		cleat_error_t tmp = NULL;
		_cleanup_close_ int probe = cleat_safe_open(c->rootfd, m->destination, O_PATH, 0,
							    &tmp);
		inherit_mode = probe >= 0;
		cleat_error_free(&tmp);
	}

	_cleanup_close_ int target = open_fs_target(c, m, strict, err);
	if (target < 0)
		return -1;
	if (rootfs_check_target(target, m->destination, err) < 0)
		return -1;
	struct stat before;
	_cleanup_free_ char *fs_data = NULL;
	if (inherit_mode && fstat(target, &before) == 0)
		fs_data = f->data && *f->data
				  ? xasprintf("%s,mode=%o", f->data,
					      (unsigned) (before.st_mode & 07777))
				  : xasprintf("mode=%o", (unsigned) (before.st_mode & 07777));
	if (delay_ro)
		ms &= ~(unsigned long) MS_RDONLY;

	/* No fallback to a bind of the host's /sys when sysfs is refused (a
	 * user namespace without its own network namespace): like runc, the
	 * config must ask for that bind (as `spec --rootless` does). */
	_cleanup_free_ char *data = cleat_lsm_fs_mount_data(m->type, fs_data ? fs_data : f->data,
							    rootfs_mount_label(c));
	_cleanup_close_ int tree = rootfs_fs_mount(m->type, m->source, data, ms, err);
	if (tree < 0)
		return -1;
	if (cleat_lsm_label_mount_root(tree, m->type, rootfs_mount_label(c), err) < 0)
		return -1;

	if (is_tmpfs && f->tmpcopyup && cleat_tmpcopyup(target, tree, err) < 0)
		return cleat_error_wrap(err, "tmpcopyup");
	if ((f->rec_attr_set | f->rec_attr_clr) &&
	    rootfs_setattr(tree, AT_RECURSIVE, f->rec_attr_set, f->rec_attr_clr, 0, -1,
			   m->destination, err) < 0)
		return -1;
	if (rootfs_attach(tree, target, f->propagation, f->n_propagation, m->destination, err) < 0)
		return -1;
	if (delay_ro)
		add_late_ro(c, TAKE_FD(tree));
	return 0;
}

/* A destination that lexically starts with the rootfs path names the same place inside
 * the rootfs as the rest of it does ("<rootfs>/mnt" is "/mnt"), as runc strips it; any
 * other destination is relative to the rootfs.  Returns dest or a pointer into buf. */
static const char *dest_in_root(const char *rootfs, const char *dest, char *buf, size_t size)
{
	size_t n = strlen(rootfs);
	if (dest == NULL || dest[0] != '/' || n <= 1)
		return dest;
	clean_dest(dest, buf, size);
	if (strncmp(buf, rootfs, n) != 0 || (buf[n] != '/' && buf[n] != '\0'))
		return dest;
	return buf[n] ? buf + n : "/";
}

int rootfs_mount_entry(struct rootfs_ctx *c, const struct oci_mount *entry, cleat_error_t *err)
{
	struct cleat_mount_flags f;
	char dest[4096];
	struct oci_mount local = *entry;
	const struct oci_mount *m = &local;
	int r;

	local.destination = (char *) dest_in_root(c->o->rootfs, entry->destination, dest,
						  sizeof(dest));
	if (local.destination) {
		char top[4096];
		clean_dest(local.destination, top, sizeof(top));
		if (strcmp(top, "/") == 0)
			return cleat_error_msg(err,
					       "mount \"%s\": mountpoint is on the top of rootfs",
					       cleat_cut(entry->destination));
	}

	if (cleat_mount_options_parse(m->options, m->n_options, &f, err) < 0)
		return cleat_error_wrap(err, "mount \"%s\"", cleat_cut(m->destination));
	bool bind = (f.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
	if (bind)
		f.flags |= MS_BIND;

	r = check_proc_dest(m->destination, m->type, m->source, bind, err);
	if (r == 0) {
		if (bind)
			r = bind_entry(c, m, &f, err);
		else if (m->type == NULL || m->type[0] == '\0')
			r = cleat_error_msg(err, "no type given (and not a bind mount)");
		else if (strcmp(m->type, "cgroup") == 0)
			r = rootfs_mount_cgroup(c, m, &f, err);
		else
			r = fs_entry(c, m, &f, err);
	}
	cleat_mount_flags_free(&f);
	if (r < 0)
		return cleat_error_wrap(err, "mount \"%s\"", cleat_cut(m->destination));
	return 0;
}

int rootfs_apply_late_ro(struct rootfs_ctx *c, cleat_error_t *err)
{
	/* Mount-level only, like runc's MS_BIND|MS_REMOUNT|MS_RDONLY: the
	 * superblock stays rw in mountinfo's super options. */
	for (size_t i = 0; i < c->n_late_ro; i++)
		if (rootfs_setattr(c->late_ro[i], 0, MOUNT_ATTR_RDONLY, 0, 0, -1, "read-only tmpfs",
				   err) < 0)
			return -1;
	return 0;
}
