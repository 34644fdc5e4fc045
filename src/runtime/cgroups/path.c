/* linux.cgroupsPath semantics, as runc 1.1 has them.
 *
 * cgroupfs: an absolute path is taken under each hierarchy's root; a relative
 * one (and the default, the container id) goes under the creating process's
 * own cgroup (for cgroup2, its parent: the own cgroup most likely has
 * processes, and "no internal processes" forbids enabling controllers below
 * it).  The path is cleaned lexically first so ".." can't climb out.
 * systemd: "slice:prefix:name" → unit "<prefix>-<name>.scope" in <slice>;
 * the default is "system.slice:cleat:<id>" (runc uses its own name as prefix). */
#include "config.h"

#include <string.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

/* Lexical clean of an absolute path: collapse //, drop ".", resolve "..". */
static char *clean_abs(const char *p)
{
	size_t len = strlen(p);
	char *out = xmalloc(len + 2);
	size_t o = 0;
	out[o++] = '/';
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t) (e - s) : strlen(s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the slash */
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	out[o] = 0;
	return out;
}

char *cg_clean_path(const char *p)
{
	if (p == NULL || *p == 0)
		return xstrdup("");
	if (p[0] == '/')
		return clean_abs(p);
	/* Relative: clean as if rooted at "/" and strip the root again. */
	_cleanup_free_ char *a = clean_abs(p);
	return xstrdup(a[1] ? a + 1 : ".");
}

static char *join(const char *a, const char *b)
{
	_cleanup_free_ char *j = xasprintf("%s/%s", a, b);
	return clean_abs(j);
}

char *cg_resolve_path(const char *cgroups_path, const char *id, const char *own_parent)
{
	_cleanup_free_ char *inner = cg_clean_path(cgroups_path);
	if (*inner == 0) {
		free(inner);
		inner = cg_clean_path(id);
	}
	if (inner[0] == '/')
		return TAKE_PTR(inner);
	return join(own_parent ? own_parent : "/", inner);
}

int cg_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **unit,
		     cleat_error_t *err)
{
	if (cgroups_path == NULL || *cgroups_path == 0) {
		*slice = xstrdup("system.slice");
		*unit = xasprintf("cleat-%s.scope", id);
		return 0;
	}
	const char *c1 = strchr(cgroups_path, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':'))
		return cleat_error_msg(
			err,
			"expected cgroupsPath to be of format \"slice:prefix:name\" for "
			"systemd cgroups, got \"%s\" instead",
			cgroups_path);
	_cleanup_free_ char *s = xstrndup(cgroups_path, (size_t) (c1 - cgroups_path));
	_cleanup_free_ char *prefix = xstrndup(c1 + 1, (size_t) (c2 - c1 - 1));
	const char *name = c2 + 1;
	if (*name == 0)
		return cleat_error_msg(err, "cgroupsPath \"%s\": empty unit name", cgroups_path);
	if (strchr(s, '/') || strchr(name, '/'))
		return cleat_error_msg(err, "cgroupsPath \"%s\": slice and name can't contain '/'",
				       cgroups_path);
	if (*s && !str_has_suffix(s, ".slice"))
		return cleat_error_msg(err, "invalid slice name \"%s\": must end in \".slice\"", s);
	/* A name that already is a unit (x.slice, x.scope) is used as is. */
	if (str_has_suffix(name, ".slice") || str_has_suffix(name, ".scope"))
		*unit = xstrdup(name);
	else if (*prefix)
		*unit = xasprintf("%s-%s.scope", prefix, name);
	else
		*unit = xasprintf("%s.scope", name);
	*slice = *s ? TAKE_PTR(s) : xstrdup("system.slice");
	return 0;
}

int cg_systemd_slice_path(const char *slice, char **out, cleat_error_t *err)
{
	if (strcmp(slice, "-.slice") == 0) {
		*out = xstrdup("/");
		return 0;
	}
	if (!str_has_suffix(slice, ".slice") || strchr(slice, '/'))
		return cleat_error_msg(err, "invalid slice name \"%s\"", slice);
	size_t base_len = strlen(slice) - strlen(".slice");
	_cleanup_free_ char *base = xstrndup(slice, base_len);
	if (*base == 0 || base[0] == '-' || base[base_len - 1] == '-' || strstr(base, "--"))
		return cleat_error_msg(err, "invalid slice name \"%s\"", slice);
	/* a-b-c.slice lives in a.slice/a-b.slice/a-b-c.slice. */
	size_t cap = (base_len + 8) * (base_len + 8), len = 0;
	char *path = xmalloc(cap);
	path[0] = 0;
	for (size_t i = 0; i <= base_len; i++) {
		if (i == base_len || base[i] == '-')
			len += (size_t) snprintf(path + len, cap - len, "/%.*s.slice", (int) i,
						 base);
	}
	*out = path;
	return 0;
}
