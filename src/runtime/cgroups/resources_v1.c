/* linux.resources onto cgroup v1 controllers, one function per controller.
 * Values and write order follow runc 1.1's fs driver so that the same config
 * leaves the same file contents.  A controller that some other hierarchy
 * carries (hybrid: hugetlb on the unified mount) is handed to the v2 code. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/cgroups/internal.h"

static int wr_i64(const char *dir, const char *file, int64_t v, cleat_error_t *err)
{
	return cg_writef(dir, file, err, "%lld", (long long) v);
}

static int need(struct cleat_cgroup *cg, const char *ctrl, const char *what, struct cg_hier **h,
		cleat_error_t *err)
{
	*h = cg_find(cg, ctrl);
	if (!*h)
		return cleat_error_msg(err, "%s: the \"%s\" cgroup controller is not available",
				       what, ctrl);
	return 0;
}

static int set_mem_limit(const char *dir, int64_t v, cleat_error_t *err)
{
	if (v == 0)
		return 0;
	if (wr_i64(dir, "memory.limit_in_bytes", v, err) == 0)
		return 0;
	if ((*err)->errnum != EBUSY)
		return -1;
	/* EBUSY: the kernel refuses a limit below the current usage. */
	uint64_t usage = 0, peak = 0;
	_cleanup_error_ cleat_error_t e2 = NULL;
	cg_read_u64(dir, "memory.usage_in_bytes", &usage, &e2);
	cleat_error_free(&e2);
	cg_read_u64(dir, "memory.max_usage_in_bytes", &peak, &e2);
	return cleat_error_wrap(
		err, "unable to set memory limit to %lld (current usage: %llu, peak usage: %llu)",
		(long long) v, (unsigned long long) usage, (unsigned long long) peak);
}

static int set_swap(const char *dir, int64_t v, cleat_error_t *err)
{
	if (v == 0)
		return 0;
	if (!cg_exists(dir, "memory.memsw.limit_in_bytes"))
		return cleat_error_msg(err,
				       "memory.swap: swap accounting is not enabled in this kernel "
				       "(no memory.memsw.limit_in_bytes)");
	return wr_i64(dir, "memory.memsw.limit_in_bytes", v, err);
}

/* kernelTCP: the TCP buffer limit, applied as crun does where the kernel has
 * memory.kmem.tcp.*; a kernel without it gets runc's warning (runc ignores
 * every kernel memory setting). */
static int v1_kernel_tcp(const char *dir, int64_t v, cleat_error_t *err)
{
	if (!cg_exists(dir, "memory.kmem.tcp.limit_in_bytes")) {
		cleat_warn("linux.resources.memory.kernelTCP: this kernel has no "
			   "memory.kmem.tcp.limit_in_bytes; Kernel memory settings are ignored and "
			   "will be removed");
		return 0;
	}
	if (wr_i64(dir, "memory.kmem.tcp.limit_in_bytes", v, err) < 0)
		return cleat_error_wrap(err, "linux.resources.memory.kernelTCP");
	return 0;
}

static int v1_memory(struct cleat_cgroup *cg, const struct oci_memory *m, bool update,
		     cleat_error_t *err)
{
	struct cg_hier *h;
	if (need(cg, "memory", "linux.resources.memory", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1; /* handled by the v2 code */
	const char *dir = h->dir;
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	if (update && m->has_check_before_update && m->check_before_update && limit > 0) {
		uint64_t usage;
		if (cg_read_u64(dir, "memory.usage_in_bytes", &usage, err) < 0)
			return -1;
		if (usage > (uint64_t) limit)
			return cleat_error_msg(err,
					       "memory.limit_in_bytes: new limit %lld is below the "
					       "current usage %llu",
					       (long long) limit, (unsigned long long) usage);
	}
	/* Unlimited memory with swap unspecified means unlimited swap too. */
	if (limit == -1 && swap == 0 && cg_exists(dir, "memory.memsw.limit_in_bytes"))
		swap = -1;
	bool swap_first = false;
	if (limit != 0 && swap != 0) {
		/* memsw must stay >= memory at every step: raise it first when growing. */
		uint64_t cur;
		if (cg_read_u64(dir, "memory.limit_in_bytes", &cur, err) < 0)
			return -1;
		swap_first = swap == -1 || cur < (uint64_t) swap;
	}
	if (swap_first) {
		if (set_swap(dir, swap, err) < 0 || set_mem_limit(dir, limit, err) < 0)
			return -1;
	} else if (set_mem_limit(dir, limit, err) < 0 || set_swap(dir, swap, err) < 0)
		return -1;
	if (m->has_kernel)
		cleat_warn("Kernel memory settings are ignored and will be removed");
	if (m->has_kernel_tcp && v1_kernel_tcp(dir, m->kernel_tcp, err) < 0)
		return -1;
	if (m->has_reservation && m->reservation != 0 &&
	    wr_i64(dir, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
		return -1;
	if (m->has_disable_oom_killer && m->disable_oom_killer &&
	    cg_write(dir, "memory.oom_control", "1", err) < 0)
		return -1;
	if (m->has_swappiness && m->swappiness != (uint64_t) -1) {
		if (m->swappiness > 100)
			return cleat_error_msg(
				err, "invalid memory swappiness value: %llu (valid range is 0-100)",
				(unsigned long long) m->swappiness);
		if (cg_writef(dir, "memory.swappiness", err, "%llu",
			      (unsigned long long) m->swappiness) < 0)
			return -1;
	}
	return 0;
}

static int v1_cpu(struct cleat_cgroup *cg, const struct oci_cpu *c, cleat_error_t *err)
{
	bool any = (c->has_shares && c->shares) || (c->has_quota && c->quota) ||
		   (c->has_period && c->period) || (c->has_burst) ||
		   (c->has_realtime_period && c->realtime_period) ||
		   (c->has_realtime_runtime && c->realtime_runtime) || c->has_idle;
	if (!any)
		return 0;
	struct cg_hier *h;
	if (need(cg, "cpu", "linux.resources.cpu", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1;
	const char *dir = h->dir;
	/* Real-time budget first: a child can't get runtime its parent lacks. */
	bool rt_period_pending = false;
	if (c->has_realtime_period && c->realtime_period) {
		_cleanup_error_ cleat_error_t e = NULL;
		if (cg_writef(dir, "cpu.rt_period_us", &e, "%llu",
			      (unsigned long long) c->realtime_period) < 0)
			rt_period_pending = true;
	}
	if (c->has_realtime_runtime && c->realtime_runtime &&
	    wr_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0)
		return -1;
	if (rt_period_pending && cg_writef(dir, "cpu.rt_period_us", err, "%llu",
					   (unsigned long long) c->realtime_period) < 0)
		return -1;
	/* The kernel refuses cpu.shares in an idle group: leaving idle comes first,
	 * entering it last. */
	if (c->has_idle && c->idle == 0 && wr_i64(dir, "cpu.idle", c->idle, err) < 0)
		return -1;
	if (c->has_shares && c->shares) {
		if (cg_writef(dir, "cpu.shares", err, "%llu", (unsigned long long) c->shares) < 0)
			return -1;
		uint64_t got;
		if (cg_read_u64(dir, "cpu.shares", &got, err) < 0)
			return -1;
		if (c->shares > got)
			return cleat_error_msg(
				err, "cpu.shares %llu: the maximum allowed cpu-shares is %llu",
				(unsigned long long) c->shares, (unsigned long long) got);
		if (c->shares < got)
			return cleat_error_msg(
				err, "cpu.shares %llu: the minimum allowed cpu-shares is %llu",
				(unsigned long long) c->shares, (unsigned long long) got);
	}
	bool period_pending = false;
	if (c->has_period && c->period) {
		_cleanup_error_ cleat_error_t e = NULL;
		if (cg_writef(dir, "cpu.cfs_period_us", &e, "%llu",
			      (unsigned long long) c->period) < 0) {
			/* A shorter period can exceed the parent's quota until the new
			 * quota is in: retry after the quota, if one comes. */
			if (e->errnum != EINVAL || !(c->has_quota && c->quota))
				return cleat_error_errno(err, e->errnum, "%s", e->msg);
			period_pending = true;
		}
	}
	/* The burst may not exceed the quota: a lower burst goes before a lower quota,
	 * a higher one that the old quota refuses after the new quota. */
	bool burst_pending = false;
	if (c->has_burst && cg_burst_write(dir, "cpu.cfs_burst_us", c->burst,
					   c->has_quota && c->quota, &burst_pending, err) < 0)
		return -1;
	if (c->has_quota && c->quota && wr_i64(dir, "cpu.cfs_quota_us", c->quota, err) < 0)
		return -1;
	if (period_pending &&
	    cg_writef(dir, "cpu.cfs_period_us", err, "%llu", (unsigned long long) c->period) < 0)
		return -1;
	if (burst_pending &&
	    cg_burst_write(dir, "cpu.cfs_burst_us", c->burst, false, NULL, err) < 0)
		return -1;
	if (c->has_idle && c->idle != 0 && wr_i64(dir, "cpu.idle", c->idle, err) < 0)
		return -1;
	return 0;
}

static int cpuset_write(const char *dir, const char *file, const char *v, cleat_error_t *err)
{
	if (cg_write(dir, file, v, err) == 0)
		return 0;
	if ((*err)->errnum == EINVAL || (*err)->errnum == ERANGE) {
		_cleanup_free_ char *parent = xstrdup(dir);
		char *s = strrchr(parent, '/');
		if (s)
			*s = 0;
		_cleanup_free_ char *allowed = NULL;
		_cleanup_error_ cleat_error_t e2 = NULL;
		const char *eff = cg_v1_cpuset_name(dir, str_has_suffix(file, "cpus")
								 ? "cpuset.effective_cpus"
								 : "cpuset.effective_mems");
		if (cg_read(parent, eff, &allowed, &e2) == 0 ||
		    (cleat_error_free(&e2), cg_read(parent, file, &allowed, &e2)) == 0) {
			allowed[strcspn(allowed, "\n")] = 0;
			return cleat_error_wrap(err, "%s \"%s\" is outside the allowed set \"%s\"",
						file, v, allowed);
		}
	}
	return -1;
}

int cg_v1_cpuset_init(const struct cg_hier *h, cleat_error_t *err)
{
	/* A fresh v1 cpuset has empty cpus/mems and refuses tasks; fill every
	 * level from the mountpoint down with its parent's values. */
	size_t mlen = strlen(h->mountpoint);
	_cleanup_free_ char *p = xstrdup(h->dir);
	for (char *s = p + mlen; s && *s;) {
		char *next = strchr(s + 1, '/');
		if (next)
			*next = 0;
		_cleanup_free_ char *parent = xstrdup(p);
		char *ls = strrchr(parent, '/');
		*ls = 0;
		const char *const files[] = { cg_v1_cpuset_name(h->mountpoint, "cpuset.cpus"),
					      cg_v1_cpuset_name(h->mountpoint, "cpuset.mems") };
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			_cleanup_free_ char *cur = NULL, *pv = NULL;
			if (cg_read(p, files[i], &cur, err) < 0)
				return -1;
			if (cur[0] != '\n' && cur[0] != 0)
				continue;
			if (cg_read(parent, files[i], &pv, err) < 0)
				return -1;
			pv[strcspn(pv, "\n")] = 0;
			if (*pv && cg_write(p, files[i], pv, err) < 0)
				return -1;
		}
		if (next)
			*next = '/';
		s = next;
	}
	return 0;
}

static int v1_cpuset(struct cleat_cgroup *cg, const struct oci_cpu *c, cleat_error_t *err)
{
	if (!(c->cpus && *c->cpus) && !(c->mems && *c->mems))
		return 0;
	struct cg_hier *h;
	if (need(cg, "cpuset", "linux.resources.cpu.cpus/mems", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1;
	if (c->cpus && *c->cpus &&
	    cpuset_write(h->dir, cg_v1_cpuset_name(h->dir, "cpuset.cpus"), c->cpus, err) < 0)
		return -1;
	if (c->mems && *c->mems &&
	    cpuset_write(h->dir, cg_v1_cpuset_name(h->dir, "cpuset.mems"), c->mems, err) < 0)
		return -1;
	return 0;
}

static int v1_pids(struct cleat_cgroup *cg, int64_t limit, cleat_error_t *err)
{
	struct cg_hier *h;
	if (need(cg, "pids", "linux.resources.pids", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1;
	if (cg_pids_max(limit) > 0)
		return wr_i64(h->dir, "pids.max", cg_pids_max(limit), err);
	return cg_write(h->dir, "pids.max", "max", err);
}

static int throttle(const char *dir, const char *file, const struct oci_throttle_device *t,
		    size_t n, cleat_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_writef(dir, file, err, "%lld:%lld %llu", (long long) t[i].major,
			      (long long) t[i].minor, (unsigned long long) t[i].rate) < 0)
			return -1;
	return 0;
}

static int v1_blkio(struct cleat_cgroup *cg, const struct oci_blkio *b, cleat_error_t *err)
{
	struct cg_hier *h;
	if (need(cg, "blkio", "linux.resources.blockIO", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1;
	const char *dir = h->dir;
	/* Without CFQ (gone since 5.0) the weight lives in BFQ's files. */
	bool bfq = !cg_exists(dir, "blkio.weight") && cg_exists(dir, "blkio.bfq.weight");
	const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	if (b->has_weight && b->weight && cg_writef(dir, wfile, err, "%u", b->weight) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight &&
	    cg_writef(dir, "blkio.leaf_weight", err, "%u", b->leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oci_weight_device *w = &b->weight_device[i];
		if (w->has_weight &&
		    cg_writef(dir, wdfile, err, "%lld:%lld %u", (long long) w->major,
			      (long long) w->minor, w->weight) < 0)
			return -1;
		if (w->has_leaf_weight &&
		    cg_writef(dir, "blkio.leaf_weight_device", err, "%lld:%lld %u",
			      (long long) w->major, (long long) w->minor, w->leaf_weight) < 0)
			return -1;
	}
	if (throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
		     b->n_throttle_read_bps_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
		     b->n_throttle_write_bps_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
		     b->n_throttle_read_iops_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
		     b->n_throttle_write_iops_device, err) < 0)
		return -1;
	return 0;
}

static int v1_hugetlb(struct cleat_cgroup *cg, const struct oci_resources *r, cleat_error_t *err)
{
	if (r->n_hugepage_limits == 0)
		return 0;
	struct cg_hier *h;
	if (need(cg, "hugetlb", "linux.resources.hugepageLimits", &h, err) < 0)
		return -1;
	if (h->v2)
		return 1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *l = &r->hugepage_limits[i];
		_cleanup_free_ char *f = xasprintf("hugetlb.%s.limit_in_bytes", l->page_size);
		_cleanup_free_ char *rf = xasprintf("hugetlb.%s.rsvd.limit_in_bytes", l->page_size);
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

static int v1_network(struct cleat_cgroup *cg, const struct oci_network_resources *n,
		      cleat_error_t *err)
{
	struct cg_hier *h;
	if (n->has_class_id && n->class_id) {
		if (need(cg, "net_cls", "linux.resources.network.classID", &h, err) < 0)
			return -1;
		if (cg_writef(h->dir, "net_cls.classid", err, "%u", n->class_id) < 0)
			return -1;
	}
	if (n->n_priorities) {
		if (need(cg, "net_prio", "linux.resources.network.priorities", &h, err) < 0)
			return -1;
		for (size_t i = 0; i < n->n_priorities; i++)
			if (cg_writef(h->dir, "net_prio.ifpriomap", err, "%s %u",
				      n->priorities[i].name, n->priorities[i].priority) < 0)
				return -1;
	}
	return 0;
}

int cg_rdma_apply(struct cg_hier *h, const struct oci_resources *r, cleat_error_t *err)
{
	/* Same file format on v1 and v2. */
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oci_rdma *d = &r->rdma[i];
		char hh[32] = "max", ho[32] = "max";
		if (d->has_hca_handles)
			snprintf(hh, sizeof hh, "%u", d->hca_handles);
		if (d->has_hca_objects)
			snprintf(ho, sizeof ho, "%u", d->hca_objects);
		if (cg_writef(h->dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", d->device,
			      hh, ho) < 0)
			return -1;
	}
	return 0;
}

static int v1_devices(struct cleat_cgroup *cg, const struct oci_resources *r,
		      const struct oci_config *c, cleat_error_t *err)
{
	struct cg_hier *h = cg_find(cg, "devices");
	if (!h || h->v2)
		return 0;
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n;
	if (cg_dev_rules_build(r, c, true, &rules, &n, err) < 0)
		return -1;
	/* The kernel applies the rules in order exactly as the emulator does.
	 * The container's processes join after this, so a transient deny-all
	 * hurts no one.  Each write(2) is one rule: each file is opened once. */
	static const char *const files[2] = { "devices.deny", "devices.allow" };
	int fds[2] = { -1, -1 };
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int k = rules[i].allow ? 1 : 0;
		if (fds[k] < 0 && (fds[k] = cg_open_write(h->dir, files[k], err)) < 0) {
			rc = -1;
			break;
		}
		_cleanup_free_ char *s = cg_dev_rule_string(&rules[i]);
		rc = cg_write_fd(fds[k], h->dir, files[k], s, err);
	}
	for (int k = 0; k < 2; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return rc;
}

int cg_v1_apply(struct cleat_cgroup *cg, const struct oci_resources *r, const struct oci_config *c,
		bool update, cleat_error_t *err)
{
	struct cg_hier *h;
	if (r && r->n_unified)
		return cleat_error_msg(err,
				       "invalid configuration: cannot use unified on cgroup v1");
	if (!update && v1_devices(cg, r, c, err) < 0)
		return -1;
	if (!r)
		return 0;
	if (r->has_memory && v1_memory(cg, &r->memory, update, err) < 0)
		return -1;
	if (r->has_cpu && (v1_cpuset(cg, &r->cpu, err) < 0 || v1_cpu(cg, &r->cpu, err) < 0))
		return -1;
	if (r->has_pids && v1_pids(cg, r->pids_limit, err) < 0)
		return -1;
	if (r->has_blkio && v1_blkio(cg, &r->blkio, err) < 0)
		return -1;
	if (v1_hugetlb(cg, r, err) < 0)
		return -1;
	if (r->has_network && v1_network(cg, &r->network, err) < 0)
		return -1;
	if (r->n_rdma) {
		if (need(cg, "rdma", "linux.resources.rdma", &h, err) < 0)
			return -1;
		if (!h->v2 && cg_rdma_apply(h, r, err) < 0)
			return -1;
	}
	return 0;
}
