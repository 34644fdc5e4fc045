/* Pure value conversions shared by the drivers (unit-tested in
 * tests/unit/test-cgroups.c).  Formulas follow runc so the same config
 * gives the same file values under both runtimes. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "common/util.h"
#include "runtime/cgroups/internal.h"

/* cpu.shares [2, 262144] → cpu.weight [1, 10000] on runc 1.3.2+'s curve: in
 * log2(shares) a quadratic through (1, 0), (10, 2) and (18, 4) in log10(weight),
 * so the v1 default 1024 is the v2 default 100 (runc 1.1 was linear: 39).
 * 0 means unset. */
uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	double l = log2((double) shares);
	double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t) ceil(pow(10, exponent));
}

/* blkio.weight [10, 1000] → io.weight [1, 10000]. */
uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	return 1 + (w - 10) * 9999 / 990;
}

char *cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period)
{
	if ((!has_quota || quota == 0) && (!has_period || period == 0))
		return NULL;
	/* A period alone keeps the quota unlimited, as runc writes it. */
	char q[32] = "max";
	if (has_quota && quota > 0)
		snprintf(q, sizeof q, "%lld", (long long) quota);
	if (has_period && period != 0)
		return xasprintf("%s %llu", q, (unsigned long long) period);
	return xstrdup(q);
}

int cg_swap_v2(int64_t swap, int64_t limit, int64_t *out, cleat_error_t *err)
{
	/* OCI's swap is memory+swap (the v1 memsw meaning); cgroup2 limits swap alone. */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	/* -1 and 0 (unset) as they are; so is swap under unlimited memory (runc 1.2.1+) */
	if (swap == -1 || swap == 0 || limit == -1) {
		*out = swap;
		return 0;
	}
	if (limit == 0)
		return cleat_error_msg(err, "unable to set swap limit without memory limit");
	if (limit < 0)
		return cleat_error_msg(err, "invalid memory value: %lld", (long long) limit);
	if (swap < limit)
		return cleat_error_msg(err,
				       "memory+swap limit (%lld) should be >= memory limit (%lld)",
				       (long long) swap, (long long) limit);
	*out = swap - limit;
	return 0;
}

/* pids.limit as runc 1.4+ writes it: 0 is a real limit, written as 1
 * (systemd refuses TasksMax=0, and both drivers agree); < 0 is unlimited (-1). */
int64_t cg_pids_max(int64_t limit) { return limit < 0 ? -1 : limit == 0 ? 1 : limit; }

char *cg_v2_limit(int64_t v)
{
	if (v < 0)
		return xstrdup("max");
	return xasprintf("%lld", (long long) v);
}

/* ---- device rules ---- */

int cg_dev_rule_from_oci(const struct oci_device_cgroup *d, struct cg_dev_rule *r,
			 cleat_error_t *err)
{
	memset(r, 0, sizeof *r);
	r->allow = d->allow;
	const char *t = d->type && *d->type ? d->type : "a";
	if (strcmp(t, "a") != 0 && strcmp(t, "b") != 0 && strcmp(t, "c") != 0)
		return cleat_error_msg(err, "invalid cgroup device type \"%s\"", t);
	r->type = t[0];
	r->major = d->has_major ? d->major : -1;
	r->minor = d->has_minor ? d->minor : -1;
	if (!d->access || !*d->access)
		return cleat_error_msg(err, "device access field cannot be empty");
	/* runc's Permissions: any other letter is ignored. */
	for (const char *p = d->access; *p; p++) {
		switch (*p) {
		case 'r': r->access |= CG_DEV_R; break;
		case 'w': r->access |= CG_DEV_W; break;
		case 'm': r->access |= CG_DEV_M; break;
		}
	}
	return 0;
}

char *cg_dev_rule_string(const struct cg_dev_rule *r)
{
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t n = 0;
	if (r->type == 'a')
		return xstrdup("a *:* rwm");
	if (r->major >= 0)
		snprintf(maj, sizeof maj, "%lld", (long long) r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof min, "%lld", (long long) r->minor);
	if (r->access & CG_DEV_R)
		acc[n++] = 'r';
	if (r->access & CG_DEV_W)
		acc[n++] = 'w';
	if (r->access & CG_DEV_M)
		acc[n++] = 'm';
	acc[n] = 0;
	return xasprintf("%c %s:%s %s", r->type, maj, min, acc);
}

/* runc's AllowedDevices: mknod of anything, the standard nodes, ptys, tun. */
static const struct {
	const char *path;
	struct cg_dev_rule r;
} default_devs[] = {
	{ NULL, { true, 'c', -1, -1, CG_DEV_M } },
	{ NULL, { true, 'b', -1, -1, CG_DEV_M } },
	{ "/dev/null", { true, 'c', 1, 3, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ "/dev/random", { true, 'c', 1, 8, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ "/dev/full", { true, 'c', 1, 7, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ "/dev/tty", { true, 'c', 5, 0, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ "/dev/zero", { true, 'c', 1, 5, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ "/dev/urandom", { true, 'c', 1, 9, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ NULL, { true, 'c', 136, -1, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ NULL, { true, 'c', 5, 2, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
	{ NULL, { true, 'c', 10, 200, CG_DEV_R | CG_DEV_W | CG_DEV_M } },
};

static bool config_has_device(const struct oci_config *c, const char *path)
{
	if (!c || !c->linux_)
		return false;
	for (size_t i = 0; i < c->linux_->n_devices; i++)
		if (c->linux_->devices[i].path && strcmp(c->linux_->devices[i].path, path) == 0)
			return true;
	return false;
}

int cg_dev_rules_build(const struct oci_resources *r, const struct oci_config *c,
		       bool with_defaults, struct cg_dev_rule **out, size_t *n, cleat_error_t *err)
{
	size_t nr = r ? r->n_devices : 0;
	struct cg_dev_rule *v = xmalloc0((nr + ARRAY_SIZE(default_devs) + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < nr; i++) {
		if (cg_dev_rule_from_oci(&r->devices[i], &v[k], err) < 0) {
			free(v);
			return cleat_error_wrap(err, "linux.resources.devices[%zu]", i);
		}
		/* No r, w or m left ("x"): the rule changes nothing, as with runc. */
		if (v[k].type == 'a' || v[k].access)
			k++;
	}
	/* A config device with the same path replaces the default one (runc's
	 * createDevices); linux.devices themselves add no cgroup rule. */
	for (size_t i = 0; with_defaults && i < ARRAY_SIZE(default_devs); i++)
		if (!default_devs[i].path || !config_has_device(c, default_devs[i].path))
			v[k++] = default_devs[i].r;
	*out = v;
	*n = k;
	return 0;
}

/* ---- the v1 devices cgroup, emulated ----
 * The kernel keeps a default (allow or deny everything) and a list of
 * exceptions.  "a" resets both; a rule of the default's kind removes access
 * from matching exceptions, a rule of the other kind adds an exception. */

static bool same_dev(const struct cg_dev_rule *a, const struct cg_dev_rule *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

void cg_dev_emu_apply(struct cg_dev_emu *e, const struct cg_dev_rule *rule)
{
	if (rule->type == 'a') {
		e->default_allow = rule->allow;
		free(e->r);
		e->r = NULL;
		e->n = 0;
		return;
	}
	if (rule->allow != e->default_allow) {
		for (size_t i = 0; i < e->n; i++)
			if (same_dev(&e->r[i], rule)) {
				e->r[i].access |= rule->access;
				return;
			}
		e->r = xrealloc(e->r, (e->n + 1) * sizeof *e->r);
		e->r[e->n] = *rule;
		e->r[e->n].allow = !e->default_allow;
		e->n++;
		return;
	}
	/* Same kind as the default: take the access away from exceptions it
	 * covers.  Like the kernel, a wildcard rule covers specific exceptions,
	 * never the other way round (punching a hole into a wildcard is not
	 * possible on v1). */
	size_t o = 0;
	for (size_t i = 0; i < e->n; i++) {
		struct cg_dev_rule *x = &e->r[i];
		bool covers = x->type == rule->type &&
			      (rule->major < 0 || rule->major == x->major) &&
			      (rule->minor < 0 || rule->minor == x->minor);
		if (covers)
			x->access &= ~rule->access;
		if (x->access)
			e->r[o++] = *x;
	}
	e->n = o;
}

void cg_dev_emu_free(struct cg_dev_emu *e)
{
	free(e->r);
	e->r = NULL;
	e->n = 0;
}
