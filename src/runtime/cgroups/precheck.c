/* Checks on the container's cgroup before anything is created or joined
 * (runc's checks when it creates a container).
 *
 * A frozen cgroup, or a new one under a frozen parent (it starts frozen),
 * would stop the init in the kernel's refrigerator as soon as it joins,
 * before it could report back: `create` would wait for it forever and not
 * even SIGKILL would end the init until someone thaws the cgroup.  So that
 * is refused, before a directory is made, leaving the pre-existing cgroup as
 * it was.  Processes already in the cgroup are refused too, as runc 1.5 does. */
#include "config.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

/* dir, or its closest existing ancestor below the mountpoint: the kernel's
 * freezer state of a cgroup about to be made. */
static char *closest_existing(const struct cg_hier *h, const char *dir)
{
	char *d = xstrdup(dir);
	size_t mlen = strlen(h->mountpoint);
	while (strlen(d) > mlen && access(d, F_OK) < 0) {
		char *s = strrchr(d, '/');
		if (!s || (size_t) (s - d) < mlen)
			break;
		*s = '\0';
	}
	return d;
}

/* Unreadable files (the root cgroup has neither, a rootless user may not
 * read them) count as not frozen: joining would fail there anyway. */
static bool frozen(const struct cg_hier *h, const char *dir)
{
	_cleanup_free_ char *d = closest_existing(h, dir);
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	if (!h->v2) {
		/* FREEZING: being frozen right now, by someone else. */
		return cg_read(d, "freezer.state", &s, &e) == 0 &&
		       (str_has_prefix(s, "FROZEN") || str_has_prefix(s, "FREEZING"));
	}
	/* cgroup.freeze is this cgroup's own setting; cgroup.events "frozen 1"
	 * also covers a frozen ancestor. */
	if (cg_read(d, "cgroup.freeze", &s, &e) == 0 && s[0] == '1')
		return true;
	free(s);
	s = NULL;
	cleat_error_free(&e);
	if (cg_read(d, "cgroup.events", &s, &e) < 0)
		return false;
	const char *p = strstr(s, "frozen ");
	return p && p[7] == '1';
}

static size_t count_procs(const char *dir)
{
	pid_t *pids = NULL;
	size_t n = 0;
	_cleanup_error_ cleat_error_t e = NULL;
	if (cg_procs(dir, &pids, &n, &e) < 0)
		return 0;
	free(pids);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		n += count_procs(sub);
	}
	return n;
}

/* Where the processes are counted: the v2 tree on v2, else the v1 devices
 * hierarchy as runc does, else any v1 one. */
static bool counts_procs(const struct cleat_cgroup *cg, const struct cg_hier *h)
{
	if (cg->mode == CLEAT_CGROUP_V2)
		return h->v2;
	if (h->v2)
		return false;
	for (size_t i = 0; i < cg->n_h; i++)
		if (!cg->h[i].v2 && cg_hier_has(&cg->h[i], "devices"))
			return cg_hier_has(h, "devices");
	for (size_t i = 0; i < cg->n_h; i++)
		if (!cg->h[i].v2)
			return &cg->h[i] == h;
	return false;
}

int cg_precheck(struct cleat_cgroup *cg, cleat_error_t *err)
{
	for (size_t i = 0; i < cg->n_h; i++) {
		const struct cg_hier *h = &cg->h[i];
		if (counts_procs(cg, h) && access(h->dir, F_OK) == 0) {
			size_t n = count_procs(h->dir);
			/* runc 1.5 refuses it (1.1 only warned): the container would share
			 * limits, freezing and kill-all with processes it does not own. */
			if (n > 0)
				return cleat_error_msg(
					err,
					"container's cgroup is not empty: %zu process(es) found",
					n);
		}
		if ((h->v2 || cg_hier_has(h, "freezer")) && frozen(h, h->dir))
			return cleat_error_msg(
				err, "container's cgroup unexpectedly frozen (\"%s\")", h->dir);
	}
	return 0;
}
