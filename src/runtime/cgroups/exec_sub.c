/* `exec --cgroup [controller[,controller]:]subpath` (runc's semantics): the
 * exec'd process joins existing sub-cgroups of the container's cgroup. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

/* subpath cleaned relative to the container's cgroup; a ".." that climbs
 * above it is refused (runc compares prefixes, so "../<id>x" slips through
 * there). */
static int clean_sub(const char *arg, const char *sub, char **out, cleat_error_t *err)
{
	_cleanup_free_ char *copy = xstrdup(sub);
	char *res = xmalloc0(strlen(sub) + 2);
	for (char *sv = NULL, *t = strtok_r(copy, "/", &sv); t; t = strtok_r(NULL, "/", &sv)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			char *s = strrchr(res, '/');
			if (!s) {
				free(res);
				return cleat_error_msg(
					err, "--cgroup \"%s\": bad sub cgroup path: %s", arg, sub);
			}
			*s = '\0';
			continue;
		}
		strcat(res, "/");
		strcat(res, t);
	}
	*out = res;
	return 0;
}

/* The hierarchy of a v1 controller (runc's keys: the v1 subsystems and
 * name=...; the cgroup2 tree has none). */
static struct cg_hier *v1_hier(struct cleat_cgroup *cg, const char *ctrl)
{
	for (size_t i = 0; i < cg->n_h; i++)
		if (!cg->h[i].v2 && cg->h[i].dir && cg_hier_has(&cg->h[i], ctrl))
			return &cg->h[i];
	return NULL;
}

static int move_into(struct cg_hier *h, const char *arg, const char *sub, cleat_error_t *err)
{
	_cleanup_free_ char *clean = NULL;
	if (clean_sub(arg, sub, &clean, err) < 0)
		return -1;
	char *dir = xasprintf("%s%s", h->dir, clean);
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	struct stat st;
	if (stat(procs, &st) < 0) {
		int e = errno;
		free(dir);
		/* Go's wording, which runc's users and tests match. */
		if (e == ENOENT)
			return cleat_error_msg(
				err, "adding pid to cgroups: %s: no such file or directory", procs);
		return cleat_error_errno(err, e, "adding pid to cgroups: stat \"%s\"", procs);
	}
	free(h->dir);
	h->dir = dir;
	return 0;
}

int cleat_cgroup_exec_sub(struct cleat_cgroup *cg, char *const *args, size_t n, cleat_error_t *err)
{
	const char *all = NULL, *all_arg = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(args[i], ':');
		if (colon && strchr(colon + 1, ':'))
			return cleat_error_msg(err, "invalid --cgroup argument: %s", args[i]);
		if (!colon && n != 1)
			return cleat_error_msg(
				err, "invalid --cgroup argument: %s (missing <controller>: prefix)",
				args[i]);
		/* No prefix, or an empty controller in it: one path for every
		 * hierarchy (the only way on cgroup2). */
		bool empty = !colon;
		for (const char *c = args[i]; colon && c <= colon; c++)
			if ((*c == ',' || *c == ':') && (c == args[i] || c[-1] == ','))
				empty = true;
		if (empty) {
			all = colon ? colon + 1 : args[i];
			all_arg = args[i];
		}
	}
	if (all) {
		for (size_t i = 0; i < cg->n_h; i++)
			if (cg->h[i].dir && move_into(&cg->h[i], all_arg, all, err) < 0)
				return -1;
		return 0;
	}
	/* Per controller; a later argument for the same hierarchy wins, and a
	 * hierarchy shared by two named controllers moves once. */
	_cleanup_free_ const char **sub = xmalloc0(cg->n_h * sizeof *sub);
	_cleanup_free_ const char **sub_arg = xmalloc0(cg->n_h * sizeof *sub_arg);
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(args[i], ':');
		_cleanup_free_ char *ctrls = xstrndup(args[i], (size_t) (colon - args[i]));
		for (char *sv = NULL, *t = strtok_r(ctrls, ",", &sv); t;
		     t = strtok_r(NULL, ",", &sv)) {
			struct cg_hier *h = v1_hier(cg, t);
			if (!h)
				return cleat_error_msg(err, "--cgroup: unknown controller \"%s\"",
						       t);
			sub[h - cg->h] = colon + 1;
			sub_arg[h - cg->h] = args[i];
		}
	}
	for (size_t i = 0; i < cg->n_h; i++)
		if (sub[i] && move_into(&cg->h[i], sub_arg[i], sub[i], err) < 0)
			return -1;
	return 0;
}
