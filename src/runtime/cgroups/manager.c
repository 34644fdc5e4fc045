/* The driver interface (cgroups.h): one cleat_cgroup holds the container's
 * directory in every mounted hierarchy; v1, hybrid and v2 differ only in
 * which hierarchy carries which controller.  The systemd driver creates the
 * scope over D-Bus and then shares everything else with cgroupfs. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/cgroups/internal.h"

static void cg_free_fields(struct cleat_cgroup *cg)
{
	cg_hiers_free(cg->h, cg->n_h);
	free(cg->h);
	free(cg->unit);
	free(cg->slice);
	free(cg->path);
}

void cleat_cgroup_free(struct cleat_cgroup *cg)
{
	if (!cg)
		return;
	cg_free_fields(cg);
	free(cg);
}

static void cgroup_freep(struct cleat_cgroup **cg) { cleat_cgroup_free(*cg); }
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

static char *parent_of(const char *p)
{
	char *d = xstrdup(p);
	char *s = strrchr(d, '/');
	if (s && s != d)
		*s = 0;
	else
		strcpy(d, "/");
	return d;
}

char *cg_hier_dir(const struct cg_hier *h, const struct cleat_cgroup_opts *o, char **path)
{
	_cleanup_free_ char *own = cg_own_path(h);
	/* cgroup2: the parent of our own cgroup (see path.c). */
	_cleanup_free_ char *base = h->v2 ? parent_of(own) : xstrdup(own);
	*path = cg_resolve_path(o->cgroups_path, o->id, base);
	return xasprintf("%s%s", h->mountpoint, strcmp(*path, "/") == 0 ? "" : *path);
}

static int apply(struct cleat_cgroup *cg, const struct oci_resources *r, const struct oci_config *c,
		 bool update, cleat_error_t *err)
{
	if (cg->mode != CLEAT_CGROUP_V2 && cg_v1_apply(cg, r, c, update, err) < 0)
		return -1;
	struct cg_hier *v2 = cg_v2(cg);
	if (v2 && cg_v2_apply(cg, v2, r, c, update, err) < 0)
		return -1;
	return 0;
}

/* Where the container's directory is in each hierarchy: the cgroupfs path
 * (path.c), or the systemd scope's, which systemd makes at the same path in
 * every hierarchy.  Nothing is made yet. */
static int place_dirs(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *o,
		      cleat_error_t *err)
{
	if (cg->systemd) {
		_cleanup_free_ char *slice = NULL;
		if (cg_systemd_slice_path(cg->slice, &slice, err) < 0)
			return -1;
		free(cg->path);
		cg->path = xasprintf("%s/%s", strcmp(slice, "/") == 0 ? "" : slice, cg->unit);
	}
	for (size_t i = 0; i < cg->n_h; i++) {
		struct cg_hier *h = &cg->h[i];
		_cleanup_free_ char *path = NULL;
		free(h->dir);
		if (cg->systemd) {
			h->dir = xasprintf("%s%s", h->mountpoint, cg->path);
		} else {
			h->dir = cg_hier_dir(h, o, &path);
			if (!cg->path)
				cg->path = TAKE_PTR(path);
		}
		if (strchr(h->dir, '\n') || strchr(h->dir, '\t'))
			return cleat_error_msg(err, "cgroup path \"%s\" contains a newline or tab",
					       h->dir);
	}
	return 0;
}

static int make_dirs(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *o, cleat_error_t *err)
{
	for (size_t i = 0; i < cg->n_h; i++) {
		struct cg_hier *h = &cg->h[i];
		if (cg_mkdir(h->dir, &h->created, err) < 0) {
			int e = (*err)->errnum;
			if ((o->rootless && (e == EACCES || e == EPERM || e == EROFS)) ||
			    (cg->systemd && e == EROFS)) {
				/* Rootless without a delegated hierarchy, or a systemd that
				 * doesn't own this one (v1 controllers mounted read-only in a
				 * container): run without it; asking for a limit there fails
				 * later, naming the controller. */
				cleat_error_free(err);
				free(h->dir);
				h->dir = NULL;
				continue;
			}
			return cleat_error_wrap(err, "create cgroup");
		}
		if (!h->v2 && cg_hier_has(h, "cpuset") && cg_v1_cpuset_init(h, err) < 0)
			return -1;
		if (h->v2 && cg_v2_enable_controllers(h, err) < 0)
			return -1;
		if (h->v2) {
			/* What this directory can use, not what the root offers. */
			_cleanup_free_ char *s = NULL;
			_cleanup_error_ cleat_error_t e = NULL;
			if (cg_read(h->dir, "cgroup.controllers", &s, &e) == 0) {
				strv_free(h->controllers);
				size_t n = 0;
				h->controllers = xmalloc0((strlen(s) / 2 + 2) * sizeof(char *));
				for (char *sv = NULL, *t = strtok_r(s, " \n", &sv); t;
				     t = strtok_r(NULL, " \n", &sv))
					h->controllers[n++] = xstrdup(t);
			}
		}
	}
	return 0;
}

int cleat_cgroup_plan(const struct cleat_cgroup_opts *o, struct cleat_cgroup **out,
		      cleat_error_t *err)
{
	_cleanup_cgroup_ struct cleat_cgroup *cg = xmalloc0(sizeof *cg);
	if (cg_hiers_load(&cg->h, &cg->n_h, &cg->mode, err) < 0)
		return -1;
	cg->systemd = o->systemd;
	if (o->systemd && cg_systemd_parse(o->cgroups_path, o->id, &cg->slice, &cg->unit, err) < 0)
		return -1;
	if (place_dirs(cg, o, err) < 0 || cg_precheck(cg, err) < 0)
		return -1;
	*out = TAKE_PTR(cg);
	return 0;
}

int cleat_cgroup_make(struct cleat_cgroup *cg, const struct cleat_cgroup_opts *opts, pid_t pid,
		      cleat_error_t *err)
{
	/* pids.max waits for cleat_cgroup_limit_pids(): the runtime's own helper
	 * must not count against the container's limit. */
	struct cleat_cgroup_opts no_pids = *opts, *o = &no_pids;
	struct oci_resources r;
	if (opts->resources && opts->resources->has_pids) {
		r = *opts->resources;
		r.has_pids = false;
		no_pids.resources = &r;
	}
	/* systemd makes the scope's directories (place_dirs() named them). */
	if (o->systemd && cg_systemd_start(cg, o, pid, err) < 0)
		return -1;
	if (make_dirs(cg, o, err) < 0 || apply(cg, o->resources, o->config, false, err) < 0 ||
	    (pid > 0 && cleat_cgroup_enter(cg, pid, err) < 0)) {
		_cleanup_error_ cleat_error_t e2 = NULL;
		if (cleat_cgroup_destroy(cg, &e2) < 0)
			cleat_debug("cleanup after a failed cgroup setup: %s", e2->msg);
		return -1;
	}
	return 0;
}

int cleat_cgroup_limit_pids(struct cleat_cgroup *cg, const struct oci_resources *r,
			    cleat_error_t *err)
{
	if (!r || !r->has_pids)
		return 0;
	struct oci_resources only = { .has_pids = true, .pids_limit = r->pids_limit };
	return cleat_cgroup_update(cg, &only, err);
}

int cleat_cgroup_enter_by_systemd(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err)
{
	if (!cg->systemd || !cg->unit)
		return 1;
	return cg_systemd_attach(cg, pid, err);
}

int cleat_cgroup_enter(struct cleat_cgroup *cg, pid_t pid, cleat_error_t *err)
{
	for (size_t i = 0; i < cg->n_h; i++) {
		if (!cg->h[i].dir)
			continue;
		if (cg_writef(cg->h[i].dir, "cgroup.procs", err, "%d", (int) pid) < 0) {
			if (cg->h[i].v2 && cg->mode == CLEAT_CGROUP_HYBRID &&
			    (*err)->errnum == EBUSY) {
				/* Nothing in the unified tree decides limits here. */
				cleat_error_free(err);
				continue;
			}
			return cleat_error_wrap(err, "add pid %d to the cgroup", (int) pid);
		}
	}
	return 0;
}

int cleat_cgroup_update(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err)
{
	if (cg->systemd && cg_systemd_update(cg, r, err) < 0)
		return -1;
	return apply(cg, r, NULL, true, err);
}

/* ---- freezer ---- */

static struct cg_hier *freezer(struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "freezer");
	if (h)
		return h;
	h = cg_v2(cg);
	return h && cg_exists(h->dir, "cgroup.freeze") ? h : NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int v2_frozen(const char *dir, bool *frozen, cleat_error_t *err)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, "cgroup.events", &s, err) < 0)
		return -1;
	char *p = strstr(s, "frozen ");
	*frozen = p && p[7] == '1';
	return 0;
}

int cleat_cgroup_freeze(struct cleat_cgroup *cg, bool frozen, cleat_error_t *err)
{
	struct cg_hier *h = freezer(cg);
	if (!h)
		return cleat_error_msg(
			err, "cannot toggle freezer: cgroups not configured for container");
	if (h->v2) {
		if (cg_write(h->dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
			return -1;
		for (int i = 0; i < 2000; i++) {
			bool now;
			if (v2_frozen(h->dir, &now, err) < 0)
				return -1;
			if (now == frozen)
				return 0;
			sleep_ms(1);
		}
		return cleat_error_msg(err, "timeout waiting for \"%s/cgroup.freeze\" to reach %d",
				       h->dir, frozen);
	}
	const char *want = frozen ? "FROZEN" : "THAWED";
	for (int i = 0; i < 1000; i++) {
		/* A task stuck in an uninterruptible sleep can keep the cgroup
		 * FREEZING: re-kick it with a thaw/freeze every so often. */
		if (frozen && i % 50 == 49) {
			_cleanup_error_ cleat_error_t e = NULL;
			cg_write(h->dir, "freezer.state", "THAWED", &e);
			sleep_ms(1);
		}
		if (cg_write(h->dir, "freezer.state", want, err) < 0)
			return -1;
		_cleanup_free_ char *s = NULL;
		if (cg_read(h->dir, "freezer.state", &s, err) < 0)
			return -1;
		if (str_has_prefix(s, want))
			return 0;
		sleep_ms(1);
	}
	_cleanup_error_ cleat_error_t e = NULL;
	cg_write(h->dir, "freezer.state", "THAWED", &e);
	return cleat_error_msg(err, "timeout waiting for the cgroup \"%s\" to freeze", h->dir);
}

int cleat_cgroup_is_frozen(struct cleat_cgroup *cg, bool *frozen, cleat_error_t *err)
{
	*frozen = false;
	struct cg_hier *h = freezer(cg);
	if (!h)
		return 0;
	_cleanup_free_ char *s = NULL;
	if (h->v2) {
		if (cg_read(h->dir, "cgroup.freeze", &s, err) == 0)
			*frozen = s[0] == '1';
	} else if (cg_read(h->dir, "freezer.state", &s, err) == 0) {
		/* FREEZING counts as frozen for callers: the tasks can't run. */
		*frozen = str_has_prefix(s, "FROZEN") || str_has_prefix(s, "FREEZING");
	}
	if (*err) {
		/* Removed meanwhile (the container ended): ENOENT at the open, ENODEV at
		 * the read of a file opened just before the rmdir.  Not frozen. */
		if ((*err)->errnum == ENOENT || (*err)->errnum == ENODEV) {
			cleat_error_free(err);
			return 0;
		}
		return -1;
	}
	return 0;
}

/* ---- processes ---- */

static struct cg_hier *main_hier(struct cleat_cgroup *cg)
{
	if (cg->mode == CLEAT_CGROUP_V2)
		return cg_v2(cg);
	static const char *const pref[] = { "pids", "memory", "freezer", "cpu", "devices" };
	for (size_t i = 0; i < ARRAY_SIZE(pref); i++) {
		struct cg_hier *h = cg_find(cg, pref[i]);
		if (h && !h->v2)
			return h;
	}
	for (size_t i = 0; i < cg->n_h; i++)
		if (cg->h[i].dir)
			return &cg->h[i];
	return NULL;
}

static int collect(const char *dir, pid_t **pids, size_t *n, cleat_error_t *err)
{
	pid_t *p;
	size_t k;
	if (cg_procs(dir, &p, &k, err) < 0)
		return -1;
	*pids = xrealloc(*pids, (*n + k + 1) * sizeof **pids);
	if (k > 0) /* cg_procs() gives NULL for an empty cgroup */
		memcpy(*pids + *n, p, k * sizeof *p);
	*n += k;
	free(p);
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (collect(sub, pids, n, err) < 0)
			return -1;
	}
	return 0;
}

int cleat_cgroup_pids(struct cleat_cgroup *cg, pid_t **pids, size_t *n, cleat_error_t *err)
{
	*pids = NULL;
	*n = 0;
	struct cg_hier *h = main_hier(cg);
	if (!h)
		return 0;
	if (collect(h->dir, pids, n, err) < 0) {
		free(*pids);
		*pids = NULL;
		if ((*err)->errnum == ENOENT) {
			cleat_error_free(err);
			*n = 0;
			return 0;
		}
		return -1;
	}
	return 0;
}

int cleat_cgroup_kill_all(struct cleat_cgroup *cg, int signo, cleat_error_t *err)
{
	struct cg_hier *v2 = cg_v2(cg);
	if (signo == SIGKILL && cg->mode == CLEAT_CGROUP_V2 && v2 &&
	    cg_exists(v2->dir, "cgroup.kill"))
		return cg_write(v2->dir, "cgroup.kill", "1", err);
	/* Freeze first so nothing forks between listing and signalling. */
	_cleanup_error_ cleat_error_t ferr = NULL;
	bool froze = cleat_cgroup_freeze(cg, true, &ferr) == 0;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;
	int rc = cleat_cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (kill(pids[i], signo) < 0 && errno != ESRCH)
			rc = cleat_error_errno(err, errno, "kill %d", (int) pids[i]);
	if (froze) {
		_cleanup_error_ cleat_error_t e = NULL;
		cleat_cgroup_freeze(cg, false, &e);
	}
	return rc;
}

unsigned long long cleat_cgroup_oom_kills(struct cleat_cgroup *cg)
{
	struct cg_hier *h = cg_find(cg, "memory");
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	if (!h || !h->dir ||
	    cg_read(h->dir, h->v2 ? "memory.events" : "memory.oom_control", &s, &e) < 0)
		return 0;
	/* A "key value" line in both. */
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (str_has_prefix(l, "oom_kill "))
			return strtoull(l + 9, NULL, 10);
	return 0;
}

static int rmdir_tree(const char *dir, cleat_error_t *err)
{
	/* Usually a leaf: one rmdir, no listing.  A cgroup with children (or with a
	 * task still exiting) says EBUSY. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return cleat_error_errno(err, errno, "rmdir \"%s\"", dir);
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : cleat_error_errno(err, errno, "open \"%s\"", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (rmdir_tree(sub, err) < 0)
			return -1;
	}
	/* Processes here that the main hierarchy did not show (one that was joining
	 * the hierarchies one by one when its create was killed): kill them too. */
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	_cleanup_error_ cleat_error_t e = NULL;
	if (cg_procs(dir, &pids, &n, &e) == 0)
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	return cg_rmdir_retry(dir, err);
}

/* The usual delete: the container's processes are gone, and its cgroup is an empty
 * leaf.  Removing the main hierarchy's directory then succeeds at once and proves
 * it (a cgroup with a process or a child says EBUSY), so its listing is skipped;
 * the other hierarchies go through rmdir_tree(), which still kills a process
 * found only there (one killed while joining them).  False: list and kill first. */
static bool main_removed_empty(struct cleat_cgroup *cg)
{
	struct cg_hier *h = main_hier(cg);
	if (cg->systemd || !h || !h->dir || strcmp(h->dir, h->mountpoint) == 0)
		return false;
	return rmdir(h->dir) == 0 || errno == ENOENT;
}

int cleat_cgroup_destroy(struct cleat_cgroup *cg, cleat_error_t *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	_cleanup_error_ cleat_error_t perr = NULL;
	struct cg_hier *removed = main_removed_empty(cg) ? main_hier(cg) : NULL;
	if (!removed)
		cleat_cgroup_pids(cg, &pids, &n, &perr);
	/* SIGKILL what is left, again every 0.5 s, and wait until it is gone (~5 s max).
	 * A killed process leaves the list within a millisecond or so: look every
	 * millisecond for the first 10 ms, then every 10 ms. */
	for (long waited = 0, step = 1; n > 0 && waited < 5000; waited += step) {
		if (waited % 500 == 0) {
			_cleanup_error_ cleat_error_t e = NULL;
			cleat_cgroup_kill_all(cg, SIGKILL, &e);
		}
		step = waited < 10 ? 1 : 10;
		sleep_ms(step);
		free(pids);
		pids = NULL;
		cleat_error_free(&perr);
		cleat_cgroup_pids(cg, &pids, &n, &perr);
	}
	if (n > 0)
		return cleat_error_errno(
			err, EBUSY, "container's cgroup is not empty: %zu process(es) left", n);
	int rc = 0;
	if (cg->systemd) {
		/* Stop the scope first so systemd doesn't recreate what we remove. */
		_cleanup_error_ cleat_error_t e = NULL;
		if (cg_systemd_stop(cg, &e) < 0) {
			rc = -1;
			*err = TAKE_PTR(e);
		}
	}
	for (size_t i = cg->n_h; i-- > 0;) {
		struct cg_hier *h = &cg->h[i];
		if (h == removed || !h->dir || strcmp(h->dir, h->mountpoint) == 0)
			continue;
		_cleanup_error_ cleat_error_t e = NULL;
		if (rmdir_tree(h->dir, &e) < 0 && rc == 0) {
			rc = -1;
			*err = TAKE_PTR(e);
		}
	}
	return rc;
}

/* ---- serialization: tab-separated lines, kept in the state dir ---- */

char *cleat_cgroup_to_string(const struct cleat_cgroup *cg)
{
	static const char *const modes[] = { "v1", "hybrid", "v2" };
	_cleanup_free_ char *s = xasprintf(
		"cleat-cgroup/1\nmode\t%s\nsystemd\t%d\nunit\t%s\nslice\t%s\npath\t%s\n",
		modes[cg->mode], cg->systemd, cg->unit ? cg->unit : "", cg->slice ? cg->slice : "",
		cg->path ? cg->path : "");
	for (size_t i = 0; i < cg->n_h; i++) {
		const struct cg_hier *h = &cg->h[i];
		if (!h->dir)
			continue;
		size_t len = 0;
		for (char **c = h->controllers; c && *c; c++)
			len += strlen(*c) + 1;
		_cleanup_free_ char *ctrls = xmalloc0(len + 2);
		for (char **c = h->controllers; c && *c; c++) {
			if (*ctrls)
				strcat(ctrls, ",");
			strcat(ctrls, *c);
		}
		char *n = xasprintf("%sh\t%s\t%d\t%s\t%s\t%s\n", s, h->v2 ? "v2" : "v1", h->created,
				    ctrls, h->mountpoint, h->dir);
		free(s);
		s = n;
	}
	return TAKE_PTR(s);
}

static char *field(char **p)
{
	char *s = *p, *t = strchr(s, '\t');
	if (t) {
		*t = 0;
		*p = t + 1;
	} else
		*p = s + strlen(s);
	return s;
}

static int parse_hier(char *rest, struct cg_hier *h)
{
	memset(h, 0, sizeof *h);
	const char *kind = field(&rest), *created = field(&rest), *ctrls = field(&rest);
	const char *mp = field(&rest), *dir = rest;
	if (!*mp || !*dir)
		return -1;
	h->v2 = strcmp(kind, "v2") == 0;
	h->created = strcmp(created, "1") == 0;
	h->mountpoint = xstrdup(mp);
	h->root = xstrdup("/");
	h->dir = xstrdup(dir);
	size_t n = 1;
	for (const char *c = ctrls; *c; c++)
		n += *c == ',';
	h->controllers = xmalloc0((n + 1) * sizeof(char *));
	n = 0;
	_cleanup_free_ char *cp = xstrdup(ctrls);
	for (char *sv = NULL, *t = strtok_r(cp, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
		h->controllers[n++] = xstrdup(t);
	return 0;
}

int cleat_cgroup_from_string(const char *s, struct cleat_cgroup **out, cleat_error_t *err)
{
	if (!s || !str_has_prefix(s, "cleat-cgroup/1\n"))
		return cleat_error_msg(err, "unrecognized cgroup state \"%.40s\"", s ? s : "");
	_cleanup_cgroup_ struct cleat_cgroup *cg = xmalloc0(sizeof *cg);
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *rest = line;
		const char *key = field(&rest);
		if (strcmp(key, "mode") == 0)
			cg->mode = strcmp(rest, "v2") == 0	 ? CLEAT_CGROUP_V2
				   : strcmp(rest, "hybrid") == 0 ? CLEAT_CGROUP_HYBRID
								 : CLEAT_CGROUP_V1;
		else if (strcmp(key, "systemd") == 0)
			cg->systemd = strcmp(rest, "1") == 0;
		else if (strcmp(key, "unit") == 0 && *rest)
			cg->unit = xstrdup(rest);
		else if (strcmp(key, "slice") == 0 && *rest)
			cg->slice = xstrdup(rest);
		else if (strcmp(key, "path") == 0 && *rest)
			cg->path = xstrdup(rest);
		else if (strcmp(key, "h") == 0) {
			cg->h = xrealloc(cg->h, (cg->n_h + 1) * sizeof *cg->h);
			if (parse_hier(rest, &cg->h[cg->n_h]) < 0)
				return cleat_error_msg(err, "corrupt cgroup state line \"%s\"",
						       line);
			cg->n_h++;
		}
	}
	*out = TAKE_PTR(cg);
	return 0;
}
