/* linux.resources onto a cgroup2 directory.  On a v2 host every controller is
 * here; on a hybrid host only those no v1 hierarchy carries (cg_find decides),
 * the rest went to resources_v1.c.  Conversions as runc 1.1's fs2 driver. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/cgroups/internal.h"

static bool mine(struct cleat_cgroup *cg, struct cg_hier *h, const char *ctrl, const char *what,
		 bool *skip, cleat_error_t *err)
{
	struct cg_hier *f = cg_find(cg, ctrl);
	*skip = f != h;
	if (!f && cg->mode == CLEAT_CGROUP_V2) {
		cleat_error_msg(err, "%s: the \"%s\" cgroup controller is not available", what,
				ctrl);
		return false;
	}
	return true;
}

#define MINE(ctrl, what)                                   \
	do {                                               \
		bool skip_;                                \
		if (!mine(cg, h, ctrl, what, &skip_, err)) \
			return -1;                         \
		if (skip_)                                 \
			return 0;                          \
	} while (0)

static int v2_memory(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_memory *m,
		     bool update, cleat_error_t *err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	bool any = limit || swap || (m->has_reservation && m->reservation);
	if (!any)
		return 0;
	MINE("memory", "linux.resources.memory");
	const char *dir = h->dir;
	if (update && m->has_check_before_update && m->check_before_update && limit > 0) {
		uint64_t usage;
		if (cg_read_u64(dir, "memory.current", &usage, err) < 0)
			return -1;
		if (usage > (uint64_t) limit)
			return cleat_error_msg(
				err, "memory.max: new limit %lld is below the current usage %llu",
				(long long) limit, (unsigned long long) usage);
	}
	int64_t sw;
	if (cg_swap_v2(swap, limit, &sw, err) < 0)
		return cleat_error_wrap(err, "linux.resources.memory.swap");
	if (sw != 0) {
		_cleanup_free_ char *v = cg_v2_limit(sw);
		if (!cg_exists(dir, "memory.swap.max")) {
			if (sw != -1)
				return cleat_error_msg(
					err, "memory.swap.max: swap accounting is not enabled");
		} else if (cg_write(dir, "memory.swap.max", v, err) < 0)
			return -1;
	}
	if (limit != 0) {
		_cleanup_free_ char *v = cg_v2_limit(limit);
		if (cg_write(dir, "memory.max", v, err) < 0)
			return -1;
	}
	if (m->has_reservation && m->reservation != 0) {
		_cleanup_free_ char *v = cg_v2_limit(m->reservation);
		if (cg_write(dir, "memory.low", v, err) < 0)
			return -1;
	}
	if (m->has_kernel || m->has_kernel_tcp)
		cleat_warn("Kernel memory settings are ignored and will be removed");
	return 0;
}

static int v2_cpu(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_cpu *c,
		  cleat_error_t *err)
{
	_cleanup_free_ char *max = cg_cpu_max(c->has_quota, c->quota, c->has_period, c->period);
	bool any = (c->has_shares && c->shares) || max || c->has_burst || c->has_idle ||
		   (c->has_realtime_period && c->realtime_period) ||
		   (c->has_realtime_runtime && c->realtime_runtime);
	if (!any)
		return 0;
	MINE("cpu", "linux.resources.cpu");
	if ((c->has_realtime_period && c->realtime_period) ||
	    (c->has_realtime_runtime && c->realtime_runtime))
		return cleat_error_msg(err,
				       "linux.resources.cpu.realtime*: real-time scheduling is not "
				       "supported on cgroup v2");
	/* The kernel refuses cpu.weight in an idle group: leaving idle comes first,
	 * entering it last. */
	if (c->has_idle && c->idle == 0 && cg_write(h->dir, "cpu.idle", "0", err) < 0)
		return -1;
	if (c->has_shares && c->shares &&
	    cg_writef(h->dir, "cpu.weight", err, "%llu",
		      (unsigned long long) cg_shares_to_weight(c->shares)) < 0)
		return -1;
	bool burst_pending = false;
	if (c->has_burst &&
	    cg_burst_write(h->dir, "cpu.max.burst", c->burst, max != NULL, &burst_pending, err) < 0)
		return -1;
	if (max && cg_write(h->dir, "cpu.max", max, err) < 0)
		return -1;
	if (burst_pending &&
	    cg_burst_write(h->dir, "cpu.max.burst", c->burst, false, NULL, err) < 0)
		return -1;
	if (c->has_idle && c->idle != 0 &&
	    cg_writef(h->dir, "cpu.idle", err, "%lld", (long long) c->idle) < 0)
		return -1;
	return 0;
}

static int v2_cpuset(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_cpu *c,
		     cleat_error_t *err)
{
	if (!(c->cpus && *c->cpus) && !(c->mems && *c->mems))
		return 0;
	MINE("cpuset", "linux.resources.cpu.cpus/mems");
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	const char *vals[] = { c->cpus, c->mems };
	for (size_t i = 0; i < 2; i++) {
		if (!vals[i] || !*vals[i])
			continue;
		if (cg_write(h->dir, files[i], vals[i], err) == 0)
			continue;
		if ((*err)->errnum == EINVAL || (*err)->errnum == ERANGE) {
			_cleanup_free_ char *parent = xstrdup(h->dir), *allowed = NULL;
			*strrchr(parent, '/') = 0;
			_cleanup_error_ cleat_error_t e2 = NULL;
			if (cg_read(parent, i ? "cpuset.mems.effective" : "cpuset.cpus.effective",
				    &allowed, &e2) == 0) {
				allowed[strcspn(allowed, "\n")] = 0;
				return cleat_error_wrap(
					err, "%s \"%s\" is outside the allowed set \"%s\"",
					files[i], vals[i], allowed);
			}
		}
		return -1;
	}
	return 0;
}

static int v2_pids(struct cleat_cgroup *cg, struct cg_hier *h, int64_t limit, cleat_error_t *err)
{
	MINE("pids", "linux.resources.pids");
	_cleanup_free_ char *v = cg_v2_limit(cg_pids_max(limit));
	return cg_write(h->dir, "pids.max", v, err);
}

static int io_max(const char *dir, const char *key, const struct oci_throttle_device *t, size_t n,
		  cleat_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_writef(dir, "io.max", err, "%lld:%lld %s=%llu", (long long) t[i].major,
			      (long long) t[i].minor, key, (unsigned long long) t[i].rate) < 0)
			return -1;
	return 0;
}

static int v2_io(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_blkio *b,
		 cleat_error_t *err)
{
	MINE("io", "linux.resources.blockIO");
	const char *dir = h->dir;
	if (b->has_weight && b->weight) {
		/* BFQ takes the v1 range as is; io.weight needs the conversion. */
		if (cg_exists(dir, "io.bfq.weight")) {
			if (cg_writef(dir, "io.bfq.weight", err, "%u", b->weight) < 0)
				return -1;
		} else if (cg_writef(dir, "io.weight", err, "%llu",
				     (unsigned long long) cg_blkio_to_io_weight(b->weight)) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oci_weight_device *w = &b->weight_device[i];
		if (!w->has_weight)
			continue;
		bool bfq = cg_exists(dir, "io.bfq.weight");
		if (cg_writef(dir, bfq ? "io.bfq.weight" : "io.weight", err, "%lld:%lld %llu",
			      (long long) w->major, (long long) w->minor,
			      (unsigned long long) (bfq ? w->weight
							: cg_blkio_to_io_weight(w->weight))) < 0)
			return -1;
	}
	if (b->has_leaf_weight || b->n_weight_device)
		cleat_debug("blkio leafWeight has no cgroup v2 equivalent; ignored");
	if (io_max(dir, "rbps", b->throttle_read_bps_device, b->n_throttle_read_bps_device, err) <
		    0 ||
	    io_max(dir, "wbps", b->throttle_write_bps_device, b->n_throttle_write_bps_device, err) <
		    0 ||
	    io_max(dir, "riops", b->throttle_read_iops_device, b->n_throttle_read_iops_device,
		   err) < 0 ||
	    io_max(dir, "wiops", b->throttle_write_iops_device, b->n_throttle_write_iops_device,
		   err) < 0)
		return -1;
	return 0;
}

static int v2_hugetlb(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_resources *r,
		      cleat_error_t *err)
{
	if (r->n_hugepage_limits == 0)
		return 0;
	MINE("hugetlb", "linux.resources.hugepageLimits");
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &r->hugepage_limits[i];
		_cleanup_free_ char *f = xasprintf("hugetlb.%s.max", l->page_size);
		_cleanup_free_ char *rf = xasprintf("hugetlb.%s.rsvd.max", l->page_size);
		if (!cg_exists(h->dir, f))
			return cleat_error_msg(
				err, "hugepageLimits: page size \"%s\" is not supported (no %s)",
				l->page_size, f);
		if (cg_writef(h->dir, f, err, "%llu", (unsigned long long) l->limit) < 0)
			return -1;
		if (cg_exists(h->dir, rf) &&
		    cg_writef(h->dir, rf, err, "%llu", (unsigned long long) l->limit) < 0)
			return -1;
	}
	return 0;
}

static int v2_rdma(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_resources *r,
		   cleat_error_t *err)
{
	if (r->n_rdma == 0)
		return 0;
	MINE("rdma", "linux.resources.rdma");
	return cg_rdma_apply(h, r, err);
}

static int v2_unified(struct cg_hier *h, const struct oci_resources *r, cleat_error_t *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *v = r->unified[i].value;
		if (strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0 || !*k)
			return cleat_error_msg(
				err, "unified resource \"%s\" must be a file name (no slashes)", k);
		if (!cg_exists(h->dir, k)) {
			_cleanup_free_ char *ctrl = xstrndup(k, strcspn(k, "."));
			if (strcmp(ctrl, "cgroup") != 0 && !cg_hier_has(h, ctrl))
				return cleat_error_msg(
					err,
					"unified resource \"%s\" can't be set: controller \"%s\" "
					"not available",
					k, ctrl);
			return cleat_error_errno(err, ENOENT,
						 "unified resource \"%s\": no such cgroup file", k);
		}
		if (cg_write(h->dir, k, v, err) < 0)
			return cleat_error_wrap(err, "unified resource \"%s\"", k);
	}
	return 0;
}

static int v2_devices(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_resources *r,
		      const struct oci_config *c, cleat_error_t *err)
{
	/* No devices controller on a hybrid host's unified mount: v1 rules apply. */
	if (cg->mode != CLEAT_CGROUP_V2)
		return 0;
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n;
	if (cg_dev_rules_build(r, c, true, &rules, &n, err) < 0)
		return -1;
	/* A fresh v1 cgroup allows everything; so does our emulator's start. */
	struct cg_dev_emu e = { .default_allow = true };
	for (size_t i = 0; i < n; i++)
		cg_dev_emu_apply(&e, &rules[i]);
	int rc = cg_bpf_dev_apply(h->dir, &e, err);
	cg_dev_emu_free(&e);
	return rc;
}

int cg_v2_apply(struct cleat_cgroup *cg, struct cg_hier *h, const struct oci_resources *r,
		const struct oci_config *c, bool update, cleat_error_t *err)
{
	if (!update && v2_devices(cg, h, r, c, err) < 0)
		return -1;
	if (!r)
		return 0;
	if (r->has_memory && v2_memory(cg, h, &r->memory, update, err) < 0)
		return -1;
	if (r->has_cpu && (v2_cpuset(cg, h, &r->cpu, err) < 0 || v2_cpu(cg, h, &r->cpu, err) < 0))
		return -1;
	if (r->has_pids && v2_pids(cg, h, r->pids_limit, err) < 0)
		return -1;
	if (r->has_blkio && v2_io(cg, h, &r->blkio, err) < 0)
		return -1;
	if (v2_hugetlb(cg, h, r, err) < 0 || v2_rdma(cg, h, r, err) < 0)
		return -1;
	if (r->n_unified && cg->mode == CLEAT_CGROUP_V2 && v2_unified(h, r, err) < 0)
		return -1;
	return 0;
}

int cg_v2_enable_controllers(const struct cg_hier *h, cleat_error_t *err)
{
	/* Enable every available controller on each level above the leaf, as runc
	 * does; "no internal processes" makes a level with tasks refuse, which we
	 * tolerate: the controller is then simply not ours to use. */
	size_t mlen = strlen(h->mountpoint);
	_cleanup_free_ char *p = xstrdup(h->dir);
	char *leaf = strrchr(p, '/');
	if (!leaf || (size_t) (leaf - p) < mlen)
		return 0;
	for (char *s = p + mlen;;) {
		char save = *s;
		*s = 0;
		const char *level = *p ? p : "/";
		_cleanup_free_ char *avail = NULL;
		if (cg_read(level, "cgroup.controllers", &avail, err) < 0)
			return -1;
		*s = save;
		_cleanup_free_ char *lv = xstrndup(p, (size_t) (s - p));
		for (char *save2 = NULL, *c = strtok_r(avail, " \n", &save2); c;
		     c = strtok_r(NULL, " \n", &save2)) {
			_cleanup_error_ cleat_error_t e = NULL;
			cg_writef(lv, "cgroup.subtree_control", &e, "+%s", c);
		}
		if (s == leaf)
			break;
		s = strchr(s + 1, '/');
	}
	return 0;
}
