#include "config.h"
#include "shim/mount.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/mount_flags.h"
#include "common/util.h"
#include "shim/mount_idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

void mount_parse_options(char *const *opts, size_t n, unsigned long *flags, char **data, bool *loop)
{
	*flags = 0;
	*loop = false;
	size_t cap = 1, len = 0;
	for (size_t i = 0; i < n; i++)
		cap += strlen(opts[i]) + 1;
	char *d = xmalloc0(cap);
	for (size_t i = 0; i < n; i++) {
		const struct cleat_mount_flag *w = cleat_mount_flag_find(opts[i], false);
		if (w) {
			if (w->clear)
				*flags &= ~w->flag;
			else
				*flags |= w->flag;
			continue;
		}
		if (strcmp(opts[i], "loop") == 0) {
			*loop = true;
			continue;
		}
		len += (size_t) sprintf(d + len, "%s%s", len ? "," : "", opts[i]);
	}
	*data = d;
}

size_t mount_common_dir_len(const char *list, size_t n)
{
	size_t common = SIZE_MAX;
	const char *first = list;
	for (const char *p = list; p < list + n;) {
		const char *e = memchr(p, ':', (size_t) (list + n - p));
		if (!e)
			e = list + n;
		size_t k = 0, len = (size_t) (e - p);
		while (k < len && k < common && first[k] == p[k])
			k++;
		common = k;
		p = e + 1;
	}
	while (common > 0 && first[common - 1] != '/')
		common--;
	return common == SIZE_MAX ? 0 : common;
}

char *overlay_compact_lowerdir(const char *data, char **dir)
{
	*dir = NULL;
	const char *lo = strstr(data, "lowerdir=");
	if (!lo || (lo != data && lo[-1] != ','))
		return NULL;
	const char *val = lo + strlen("lowerdir=");
	size_t n = strcspn(val, ",");
	size_t common = mount_common_dir_len(val, n);
	if (common <= 1 || val[0] != '/')
		return NULL;
	size_t cap = strlen(data) + 1;
	char *out = xmalloc(cap);
	size_t o = (size_t) (val - data);
	memcpy(out, data, o);
	for (const char *p = val; p < val + n;) {
		const char *e = memchr(p, ':', (size_t) (val + n - p));
		if (!e)
			e = val + n;
		if (p != val)
			out[o++] = ':';
		memcpy(out + o, p + common, (size_t) (e - p) - common);
		o += (size_t) (e - p) - common;
		p = e + 1;
	}
	strcpy(out + o, val + n);
	*dir = xstrndup(val, common);
	return out;
}

/* mount(2) from inside dir, for data with paths relative to it. */
static int mount_in_dir(const char *dir, const struct shim_mount *m, const char *target,
			unsigned long flags, const char *data, cleat_error_t *err)
{
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || chdir(dir) < 0)
		return cleat_error_errno(err, errno, "chdir \"%s\"", dir);
	int r = mount(m->source, target, m->type, flags, data);
	int saved = errno;
	if (fchdir(cwd) < 0)
		cleat_warn("restore the working directory: %s", strerror(errno));
	if (r < 0)
		return cleat_error_errno(err, saved, "mount %s (%s) onto \"%s\"", m->source,
					 m->type, target);
	return 0;
}

/* mount(2) of one entry whose options are split into flags and data. */
static int mount_data(const struct shim_mount *m, const char *target, unsigned long flags,
		      const char *data, cleat_error_t *err)
{
	/* The data string must fit one page (less a margin, as runc-v2): with
	 * many image layers, mount from the layers' common parent instead. */
	if (strlen(data) >= 4096 - 512 && m->type && strcmp(m->type, "overlay") == 0) {
		_cleanup_free_ char *dir = NULL;
		_cleanup_free_ char *rel = overlay_compact_lowerdir(data, &dir);
		if (rel && strlen(rel) < 4096)
			return mount_in_dir(dir, m, target, flags, rel, err);
	}
	if (strlen(data) >= 4096)
		return cleat_error_msg(err, "mount %s: options longer than a page", m->source);
	const char *type = m->type && *m->type ? m->type : NULL;
	/* A bind mount ignores MS_RDONLY on the first call. */
	unsigned long first = (flags & MS_BIND) ? flags & ~(unsigned long) MS_RDONLY : flags;
	if (mount(m->source, target, type, first, *data ? data : NULL) < 0)
		return cleat_error_errno(err, errno, "mount %s (%s) onto \"%s\"", m->source,
					 type ? type : "none", target);
	if ((flags & MS_BIND) && (flags & MS_RDONLY) &&
	    mount(NULL, target, NULL, flags | MS_REMOUNT, NULL) < 0)
		return cleat_error_errno(err, errno, "remount \"%s\" read-only", target);
	return 0;
}

/* uidmap=/gidmap= (both): overlay on idmapped lower dirs, anything else idmapped
 * once mounted; the temporary idmapped mount is gone on return either way. */
static int mount_idmapped(const struct shim_mount *m, struct shim_idmap *idm, const char *target,
			  unsigned long flags, const char *data, cleat_error_t *err)
{
	if (!(m->type && strcmp(m->type, "overlay") == 0)) {
		if (mount_data(m, target, flags, data, err) < 0)
			return -1;
		if (idmap_in_place(idm, target, err) == 0)
			return 0;
		cleat_error_t ignored = NULL;
		unmount_all(target, &ignored);
		cleat_error_free(&ignored);
		return -1;
	}
	_cleanup_free_ char *mapped = NULL;
	if (idmap_overlay_data(idm, data, target, &mapped, err) < 0)
		return -1;
	return mount_data(m, target, flags, mapped, err);
}

static int mount_one(const struct shim_mount *m, const char *target, cleat_error_t *err)
{
	struct shim_idmap idm = SHIM_IDMAP_INIT;
	_cleanup_free_ char **opts = NULL;
	size_t n_opts;
	int mapped = idmap_take_options(m->options, m->n_options, &opts, &n_opts, &idm, err);
	if (mapped < 0) {
		idmap_release(&idm);
		return -1;
	}
	unsigned long flags;
	_cleanup_free_ char *data = NULL;
	bool loop;
	mount_parse_options(opts, n_opts, &flags, &data, &loop);
	int r;
	if (loop)
		r = cleat_error_msg(err,
				    "mount %s: loop devices are not supported: not implemented",
				    m->source);
	else if (mapped)
		r = mount_idmapped(m, &idm, target, flags, data, err);
	else
		r = mount_data(m, target, flags, data, err);
	idmap_release(&idm);
	return r;
}

int mount_rootfs(const struct shim_mount *m, size_t n, const char *target, cleat_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (mount_one(&m[i], target, err) < 0) {
			cleat_error_t ignored = NULL;
			if (i > 0)
				unmount_all(target, &ignored);
			cleat_error_free(&ignored);
			return -1;
		}
	return 0;
}

int unmount_all(const char *target, cleat_error_t *err)
{
	for (int i = 0; i < 64; i++) {
		if (umount2(target, 0) == 0)
			continue;
		if (errno == EINVAL || errno == ENOENT)
			return 0;
		if (errno == EBUSY) {
			/* Still referenced (a process in its mount namespace): detach it. */
			if (umount2(target, MNT_DETACH) == 0)
				continue;
		}
		return cleat_error_errno(err, errno, "unmount \"%s\"", target);
	}
	return 0;
}
