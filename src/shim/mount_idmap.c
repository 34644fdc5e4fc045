#include "config.h"
#include "shim/mount_idmap.h"
#include "common/cleanup.h"
#include "common/cut.h"
#include "common/log.h"
#include "common/userns.h"
#include "common/util.h"
#include "shim/failpoint.h"
#include "shim/mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* The kernel's limit of lines in uid_map / gid_map. */
#define IDMAP_MAX_LINES 340

#define IDMAP_TMP_PREFIX ".ovl-idmapped-"

static int parse_id(const char *s, size_t n, long long *out)
{
	if (n == 0 || n > 10 || strspn(s, "0123456789") < n)
		return -1;
	_cleanup_free_ char *t = xstrndup(s, n);
	return parse_int(t, 0, UINT32_MAX, out);
}

/* "containerID:hostID:size" (one line of the map) appended to *text. */
static int parse_range(const char *s, size_t n, char **text)
{
	long long v[3];
	for (int i = 0; i < 3; i++) {
		const char *e = i < 2 ? memchr(s, ':', n) : s + n;
		if (!e || parse_id(s, (size_t) (e - s), &v[i]) < 0)
			return -1;
		n -= (size_t) (e - s) + (i < 2);
		s = e + 1;
	}
	if (v[2] == 0 || v[0] + v[2] > (long long) UINT32_MAX + 1 ||
	    v[1] + v[2] > (long long) UINT32_MAX + 1)
		return -1;
	char *t = xasprintf("%s%lld %lld %lld\n", *text, v[0], v[1], v[2]);
	free(*text);
	*text = t;
	return 0;
}

/* uidmap=/gidmap= value, "c:h:s[,c:h:s...]", as uid_map text. */
static int parse_map(const char *opt, const char *value, char **text, cleat_error_t *err)
{
	if (*text)
		return cleat_error_msg(err, "rootfs mount option \"%s\" given twice", opt);
	*text = xstrdup("");
	size_t lines = 0;
	for (const char *p = value;; lines++) {
		size_t n = strcspn(p, ",");
		if (lines == IDMAP_MAX_LINES || parse_range(p, n, text) < 0) {
			free(TAKE_PTR(*text));
			return cleat_error_msg(err,
					       "rootfs mount option \"%s=%s\": want "
					       "containerID:hostID:size[,...] with size > 0, ids "
					       "within 32 bits, at most %d ranges",
					       opt, cleat_cut(value), IDMAP_MAX_LINES);
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	return 0;
}

int idmap_take_options(char *const *opts, size_t n, char ***rest, size_t *n_rest,
		       struct shim_idmap *idm, cleat_error_t *err)
{
	*rest = xmalloc0((n + 1) * sizeof **rest);
	*n_rest = 0;
	for (size_t i = 0; i < n; i++) {
		int r = 0;
		if (strncmp(opts[i], "uidmap=", 7) == 0)
			r = parse_map("uidmap", opts[i] + 7, &idm->uid_map, err);
		else if (strncmp(opts[i], "gidmap=", 7) == 0)
			r = parse_map("gidmap", opts[i] + 7, &idm->gid_map, err);
		else
			(*rest)[(*n_rest)++] = opts[i];
		if (r < 0)
			return -1;
	}
	if (!idm->uid_map && !idm->gid_map)
		return 0;
	if (!idm->uid_map || !idm->gid_map)
		return cleat_error_msg(err, "rootfs mount option \"%s\" needs \"%s\" too",
				       idm->uid_map ? "uidmap" : "gidmap",
				       idm->uid_map ? "gidmap" : "uidmap");
	idm->userns = cleat_userns_fd(idm->uid_map, idm->gid_map, err);
	return idm->userns < 0 ? cleat_error_wrap(err, "rootfs idmapping") : 1;
}

/* An idmapped (read-only when rdonly, recursive) clone of src attached at dst. */
static int clone_idmapped(const struct shim_idmap *idm, const char *src, const char *dst,
			  bool rdonly, cleat_error_t *err)
{
	_cleanup_close_ int tree = open_tree(AT_FDCWD, src,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return cleat_error_errno(err, errno, "open_tree \"%s\"", src);
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | (rdonly ? MOUNT_ATTR_RDONLY : 0),
		.propagation = MS_PRIVATE,
		.userns_fd = (uint64_t) idm->userns,
	};
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
		return cleat_error_errno(err, errno, "idmap a clone of \"%s\"", src);
	if (move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return cleat_error_errno(err, errno,
					 "attach the idmapped clone of \"%s\" at \"%s\"", src, dst);
	return 0;
}

int idmap_overlay_data(struct shim_idmap *idm, const char *data, const char *target, char **out,
		       cleat_error_t *err)
{
	const char *lo = strstr(data, "lowerdir=");
	while (lo && lo != data && lo[-1] != ',')
		lo = strstr(lo + 1, "lowerdir=");
	if (!lo)
		return cleat_error_msg(err, "idmapped overlay rootfs without lowerdir=");
	const char *val = lo + strlen("lowerdir=");
	size_t n = strcspn(val, ",");
	size_t common = mount_common_dir_len(val, n);
	if (val[0] != '/' || common <= 1)
		return cleat_error_msg(err,
				       "idmapped overlay rootfs: lowerdir=%s has no common parent "
				       "directory other than /",
				       cleat_cut(val));
	_cleanup_free_ char *parent = xstrndup(val, common - 1);
	const char *slash = strrchr(target, '/');
	_cleanup_free_ char *tmpl = xasprintf("%.*s/" IDMAP_TMP_PREFIX "XXXXXX",
					      (int) (slash ? slash - target : 0), target);
	if (!mkdtemp(tmpl))
		return cleat_error_errno(err, errno, "mkdtemp \"%s\"", tmpl);
	idm->tmp = TAKE_PTR(tmpl);
	if (clone_idmapped(idm, parent, idm->tmp, true, err) < 0) {
		idmap_release(idm);
		return -1;
	}
	shim_failpoint("idmap-attached");
	/* The same lower dirs, reached through the idmapped clone. */
	size_t cap = strlen(data) + 1 + (strlen(idm->tmp) + 1) * (n + 1);
	char *d = xmalloc0(cap);
	size_t o = (size_t) (val - data);
	memcpy(d, data, o);
	for (const char *p = val; p < val + n;) {
		const char *e = memchr(p, ':', (size_t) (val + n - p));
		if (!e)
			e = val + n;
		o += (size_t) sprintf(d + o, "%s%s/%.*s", p == val ? "" : ":", idm->tmp,
				      (int) ((size_t) (e - p) - common), p + common);
		p = e + 1;
	}
	strcpy(d + o, val + n);
	*out = d;
	return 0;
}

int idmap_in_place(struct shim_idmap *idm, const char *target, cleat_error_t *err)
{
	return clone_idmapped(idm, target, target, false, err);
}

void idmap_sweep(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, IDMAP_TMP_PREFIX, strlen(IDMAP_TMP_PREFIX)) != 0 ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
		cleat_error_t err = NULL;
		if (unmount_all(path, &err) < 0)
			cleat_warn("%s", err->msg);
		cleat_error_free(&err);
		if (rmdir(path) < 0)
			cleat_warn("remove \"%s\": %s", path, strerror(errno));
		else
			cleat_warn("removed \"%s\", left by a shim that was killed", path);
	}
}

void idmap_release(struct shim_idmap *idm)
{
	if (idm->tmp) {
		if (umount2(idm->tmp, MNT_DETACH) < 0 && errno != EINVAL)
			cleat_warn("unmount \"%s\": %s", idm->tmp, strerror(errno));
		if (rmdir(idm->tmp) < 0)
			cleat_warn("remove \"%s\": %s", idm->tmp, strerror(errno));
		free(TAKE_PTR(idm->tmp));
	}
	if (idm->userns >= 0)
		close(TAKE_FD(idm->userns));
	free(TAKE_PTR(idm->uid_map));
	free(TAKE_PTR(idm->gid_map));
}
