/* Which cgroup hierarchies are mounted, read from /proc/self/mountinfo, and
 * which layout that makes: v1 (only v1 hierarchies), hybrid (v1 plus a cgroup2
 * mount, e.g. /sys/fs/cgroup/unified), v2 (cgroup2 on /sys/fs/cgroup). */
#include "config.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

enum cleat_cgroup_mode cleat_cgroup_detect(void)
{
	struct statfs st;
	if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CLEAT_CGROUP_V2;
	if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CLEAT_CGROUP_HYBRID;
	return CLEAT_CGROUP_V1;
}

static char **split(const char *s, char sep)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == sep;
	char **v = xmalloc0((n + 1) * sizeof *v);
	size_t i = 0;
	for (const char *p = s;;) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t) (e - p) : strlen(p);
		if (len)
			v[i++] = xstrndup(p, len);
		if (!e)
			break;
		p = e + 1;
	}
	return v;
}

/* mountinfo escapes blanks as \040 etc. */
static char *unescape(const char *s)
{
	char *r = xmalloc(strlen(s) + 1), *o = r;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else
			*o++ = *s++;
	}
	*o = 0;
	return r;
}

static const char *const v1_known[] = { "cpuset",   "cpu",	  "cpuacct", "memory",	"devices",
					"freezer",  "blkio",	  "pids",    "hugetlb", "net_cls",
					"net_prio", "perf_event", "rdma",    "misc" };

static bool v1_controller_opt(const char *opt)
{
	if (str_has_prefix(opt, "name="))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(v1_known); i++)
		if (strcmp(opt, v1_known[i]) == 0)
			return true;
	return false;
}

static bool seen_mountpoint(const struct cg_hier *h, size_t n, const struct cg_hier *x)
{
	for (size_t i = 0; i < n; i++) {
		if (h[i].v2 != x->v2)
			continue;
		if (x->v2)
			return true; /* one cgroup2 mount is enough */
		if (h[i].controllers[0] && x->controllers[0] &&
		    strcmp(h[i].controllers[0], x->controllers[0]) == 0)
			return true;
	}
	return false;
}

static void v2_controllers(struct cg_hier *h)
{
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ cleat_error_t err = NULL;
	if (cg_read(h->mountpoint, "cgroup.controllers", &s, &err) < 0) {
		h->controllers = xmalloc0(sizeof(char *));
		return;
	}
	s[strcspn(s, "\n")] = 0;
	h->controllers = split(s, ' ');
}

static int parse_line(char *line, struct cg_hier *out)
{
	/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
	char *f[6] = { 0 };
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	for (int i = 0; tok && i < 6; i++, tok = strtok_r(NULL, " ", &save))
		f[i] = tok;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	if (!tok || !f[4])
		return 0;
	char *fstype = strtok_r(NULL, " ", &save);
	strtok_r(NULL, " ", &save); /* source */
	char *super = strtok_r(NULL, " \n", &save);
	if (!fstype || !super)
		return 0;
	bool v2 = strcmp(fstype, "cgroup2") == 0;
	if (!v2 && strcmp(fstype, "cgroup") != 0)
		return 0;
	memset(out, 0, sizeof *out);
	out->v2 = v2;
	out->root = unescape(f[3]);
	out->mountpoint = unescape(f[4]);
	if (!v2) {
		_cleanup_strv_ char **opts = split(super, ',');
		size_t n = 0;
		out->controllers = xmalloc0((strv_length(opts) + 1) * sizeof(char *));
		for (char **o = opts; *o; o++)
			if (v1_controller_opt(*o))
				out->controllers[n++] = xstrdup(*o);
	}
	return 1;
}

/* One line of /proc/self/cgroup ("id:ctrl,ctrl:path" for v1, "0::path" for cgroup2):
 * the path when the line is h's hierarchy, else NULL. */
static char *own_path_from_line(char *line, const struct cg_hier *h)
{
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return NULL;
	*c2 = 0;
	const char *ctrls = c1 + 1, *path = c2 + 1;
	if (h->v2)
		return *ctrls == 0 ? xstrdup(path) : NULL;
	_cleanup_strv_ char **v = split(ctrls, ',');
	if (v[0] && h->controllers[0] && strcmp(v[0], h->controllers[0]) == 0)
		return xstrdup(path);
	for (char **p = v; *p; p++)
		if (cg_hier_has(h, *p))
			return xstrdup(path);
	return NULL;
}

/* Read once per load: every path decision (precheck, each hierarchy's
 * directory) asks for it, and the file is regenerated on every open. */
static void load_own_paths(struct cg_hier *h, size_t n)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	_cleanup_error_ cleat_error_t e = NULL;
	if (read_file("/proc/self/cgroup", &text, &len, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *copy = xstrdup(text);
		char *s = copy, *line;
		while (!h[i].own && (line = strsep(&s, "\n")) != NULL)
			if (*line)
				h[i].own = own_path_from_line(line, &h[i]);
	}
}

int cg_hiers_load(struct cg_hier **out, size_t *n_out, enum cleat_cgroup_mode *mode,
		  cleat_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return cleat_error_errno(err, errno, "open \"/proc/self/mountinfo\"");
	struct cg_hier *h = NULL;
	size_t n = 0;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool have_v1 = false;
	while (getline(&line, &cap, f) > 0) {
		struct cg_hier x;
		if (!parse_line(line, &x))
			continue;
		if (!x.v2 && !x.controllers[0]) {
			cg_hiers_free(&x, 1);
			continue;
		}
		if (seen_mountpoint(h, n, &x)) {
			/* The same hierarchy bind-mounted twice: keep the first. */
			cg_hiers_free(&x, 1);
			continue;
		}
		if (x.v2)
			v2_controllers(&x);
		else
			have_v1 = true;
		h = xrealloc(h, (n + 1) * sizeof *h);
		h[n++] = x;
	}
	if (n == 0) {
		free(h);
		return cleat_error_msg(err, "no cgroup hierarchy is mounted");
	}
	bool have_v2 = false;
	for (size_t i = 0; i < n; i++)
		have_v2 |= h[i].v2;
	*mode = have_v1 ? (have_v2 ? CLEAT_CGROUP_HYBRID : CLEAT_CGROUP_V1) : CLEAT_CGROUP_V2;
	load_own_paths(h, n);
	*out = h;
	*n_out = n;
	return 0;
}

void cg_hiers_free(struct cg_hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].mountpoint);
		free(h[i].root);
		free(h[i].own);
		free(h[i].dir);
		strv_free(h[i].controllers);
	}
}

bool cg_hier_has(const struct cg_hier *h, const char *controller)
{
	for (char **c = h->controllers; c && *c; c++)
		if (strcmp(*c, controller) == 0)
			return true;
	return false;
}

char *cg_own_path(const struct cg_hier *h) { return xstrdup(h->own ? h->own : "/"); }

struct cg_hier *cg_find(struct cleat_cgroup *cg, const char *controller)
{
	/* A controller bound to v1 wins; on a hybrid host the unified mount only
	 * carries what no v1 hierarchy has (here: hugetlb). */
	for (size_t i = 0; i < cg->n_h; i++)
		if (!cg->h[i].v2 && cg->h[i].dir && cg_hier_has(&cg->h[i], controller))
			return &cg->h[i];
	for (size_t i = 0; i < cg->n_h; i++)
		if (cg->h[i].v2 && cg->h[i].dir && cg_hier_has(&cg->h[i], controller))
			return &cg->h[i];
	return NULL;
}

struct cg_hier *cg_v2(struct cleat_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_h; i++)
		if (cg->h[i].v2 && cg->h[i].dir)
			return &cg->h[i];
	return NULL;
}
