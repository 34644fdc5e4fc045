/* update / pause / resume / ps / events over a loaded container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/cgroups/internal.h"
#include "runtime/cgroups/verbs.h"
#include "runtime/container.h"
#include "runtime/linux/resctrl.h"
#include "runtime/state_dir.h"

#define MOVE_ARRAY(into, delta, f)                            \
	do {                                                  \
		if ((delta)->n_##f) {                         \
			__typeof__((into)->f) t_ = (into)->f; \
			size_t tn_ = (into)->n_##f;           \
			(into)->f = (delta)->f;               \
			(into)->n_##f = (delta)->n_##f;       \
			(delta)->f = t_;                      \
			(delta)->n_##f = tn_;                 \
		}                                             \
	} while (0)

#define MERGE(into, delta, f)                   \
	do {                                    \
		if ((delta)->has_##f) {         \
			(into)->has_##f = true; \
			(into)->f = (delta)->f; \
		}                               \
	} while (0)

static void swap_str(char **a, char **b)
{
	if (*b && **b) {
		char *t = *a;
		*a = *b;
		*b = t;
	}
}

/* update's blockIO devices are upserted by major:minor (runc 1.4+): a device
 * already in the config gets its new values, a new one is appended.
 * dev_find: 1 + the index of the last entry of ARR[N] for DEV's device, 0 if none. */
#define dev_find(arr, n, dev)                                                                      \
	__extension__({                                                                            \
		size_t j_ = (n);                                                                   \
		while (j_ > 0 &&                                                                   \
		       ((arr)[j_ - 1].major != (dev).major || (arr)[j_ - 1].minor != (dev).minor)) \
			j_--;                                                                      \
		j_;                                                                                \
	})

static void upsert_throttle(struct oci_throttle_device **into, size_t *n,
			    const struct oci_throttle_device *d, size_t nd)
{
	for (size_t i = 0; i < nd; i++) {
		size_t j = dev_find(*into, *n, d[i]);
		if (j > 0) {
			(*into)[j - 1].rate = d[i].rate;
			continue;
		}
		*into = xrealloc(*into, (*n + 1) * sizeof **into);
		(*into)[(*n)++] = d[i];
	}
}

static void upsert_weight(struct oci_weight_device **into, size_t *n,
			  const struct oci_weight_device *d, size_t nd)
{
	for (size_t i = 0; i < nd; i++) {
		size_t j = dev_find(*into, *n, d[i]);
		if (j == 0) {
			*into = xrealloc(*into, (*n + 1) * sizeof **into);
			(*into)[(*n)++] = d[i];
			continue;
		}
		struct oci_weight_device *w = &(*into)[j - 1];
		MERGE(w, &d[i], weight);
		MERGE(w, &d[i], leaf_weight);
	}
}

#define UPSERT(fn, into, delta, f) fn(&(into)->f, &(into)->n_##f, (delta)->f, (delta)->n_##f)

void cleat_resources_merge(struct oci_resources *into, struct oci_resources *d)
{
	if (d->has_memory) {
		struct oci_memory *a = &into->memory, *b = &d->memory;
		into->has_memory = true;
		MERGE(a, b, limit);
		MERGE(a, b, reservation);
		MERGE(a, b, swap);
		MERGE(a, b, kernel);
		MERGE(a, b, kernel_tcp);
		MERGE(a, b, swappiness);
		MERGE(a, b, disable_oom_killer);
	}
	if (d->has_cpu) {
		struct oci_cpu *a = &into->cpu, *b = &d->cpu;
		into->has_cpu = true;
		MERGE(a, b, shares);
		MERGE(a, b, quota);
		MERGE(a, b, burst);
		MERGE(a, b, period);
		MERGE(a, b, realtime_runtime);
		MERGE(a, b, realtime_period);
		MERGE(a, b, idle);
		swap_str(&a->cpus, &b->cpus);
		swap_str(&a->mems, &b->mems);
	}
	if (d->has_pids) {
		into->has_pids = true;
		into->pids_limit = d->pids_limit;
	}
	if (d->has_blkio) {
		struct oci_blkio *a = &into->blkio, *b = &d->blkio;
		into->has_blkio = true;
		MERGE(a, b, weight);
		MERGE(a, b, leaf_weight);
		UPSERT(upsert_weight, a, b, weight_device);
		UPSERT(upsert_throttle, a, b, throttle_read_bps_device);
		UPSERT(upsert_throttle, a, b, throttle_write_bps_device);
		UPSERT(upsert_throttle, a, b, throttle_read_iops_device);
		UPSERT(upsert_throttle, a, b, throttle_write_iops_device);
	}
	MOVE_ARRAY(into, d, hugepage_limits);
	MOVE_ARRAY(into, d, unified);
	MOVE_ARRAY(into, d, rdma);
	if (d->has_network) {
		into->has_network = true;
		MERGE(&into->network, &d->network, class_id);
		MOVE_ARRAY(&into->network, &d->network, priorities);
	}
}

static int load_live(const struct cleat_ctx *ctx, const char *id, struct cleat_container **c,
		     struct cleat_cgroup **cg, cleat_error_t *err)
{
	if (cleat_container_load(ctx->root, id, c, err) < 0)
		return -1;
	if (!(*c)->cgroup_str || !*(*c)->cgroup_str)
		return cleat_error_msg(err, "container \"%s\" has no cgroup", id);
	return cleat_container_cgroup(*c, cg, err);
}

/* The intelRdt half of update: refused (runc's checks) before anything
 * changes; the schemata are written before the cgroup so that a cgroup
 * failure can put the old lines back (runc rolls back both). */
struct rdt_update {
	char *root;
	char *old_l3, *old_mb;
	bool written;
};

static int rdt_update_apply(struct cleat_container *c, const char *l3, const char *mb,
			    struct rdt_update *u, cleat_error_t *err)
{
	if ((!l3 || !*l3) && (!mb || !*mb))
		return 0;
	struct oci_intel_rdt *rdt = c->config->linux_ ? c->config->linux_->intel_rdt : NULL;
	_cleanup_error_ cleat_error_t none = NULL;
	if (cleat_resctrl_root(&u->root, &none) < 0)
		u->root = NULL;
	if (cleat_resctrl_update_check(u->root, rdt, l3, mb, err) < 0)
		return -1;
	u->old_l3 = rdt->l3_cache_schema ? xstrdup(rdt->l3_cache_schema) : NULL;
	u->old_mb = rdt->mem_bw_schema ? xstrdup(rdt->mem_bw_schema) : NULL;
	if (cleat_resctrl_update(u->root, rdt, c->id, l3, mb, err) < 0)
		return -1;
	u->written = true;
	return 0;
}

static void rdt_update_undo(struct cleat_container *c, struct rdt_update *u)
{
	if (!u->written)
		return;
	struct oci_intel_rdt *rdt = c->config->linux_->intel_rdt;
	free(rdt->l3_cache_schema);
	free(rdt->mem_bw_schema);
	rdt->l3_cache_schema = u->old_l3;
	rdt->mem_bw_schema = u->old_mb;
	u->old_l3 = u->old_mb = NULL;
	_cleanup_error_ cleat_error_t e = NULL;
	cleat_resctrl_update(u->root, rdt, c->id, NULL, NULL, &e);
}

static void rdt_update_free(struct rdt_update *u)
{
	free(u->root);
	free(u->old_l3);
	free(u->old_mb);
}

int cleat_container_update(const struct cleat_ctx *ctx, const char *id, struct oci_resources *delta,
			   const char *l3, const char *mb, cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	struct cleat_cgroup *cg;
	if (load_live(ctx, id, &c, &cg, err) < 0)
		return -1;
	if (c->status == CLEAT_STATUS_STOPPED)
		return cleat_error_msg(err, "container not running");
	struct oci_config *cfg = c->config;
	__attribute__((cleanup(rdt_update_free))) struct rdt_update rdt = { 0 };
	if (rdt_update_apply(c, l3, mb, &rdt, err) < 0)
		return -1;
	if (!cfg->linux_)
		cfg->linux_ = xmalloc0(sizeof *cfg->linux_);
	if (!cfg->linux_->resources)
		cfg->linux_->resources = xmalloc0(sizeof *cfg->linux_->resources);
	/* checkBeforeUpdate is a property of this request, not of the config. */
	bool check = delta->has_memory && delta->memory.has_check_before_update &&
		     delta->memory.check_before_update;
	bool new_limit = delta->has_memory && delta->memory.has_limit && !delta->memory.has_swap;
	/* A new cpu.idle without new shares drops the recorded shares (runc's rule): the
	 * kernel refuses cpu.shares (cpu.weight) in an idle group. */
	bool idle_only = delta->has_cpu && delta->cpu.has_idle && !delta->cpu.has_shares;
	cleat_resources_merge(cfg->linux_->resources, delta);
	struct oci_resources *r = cfg->linux_->resources;
	if (idle_only)
		r->cpu.has_shares = false;
	if (new_limit && r->memory.has_swap) {
		/* A new limit without a new swap: an unlimited memory takes swap with it
		 * (runc's rule), and a recorded memory+swap now below the limit is
		 * dropped rather than rejected; the kernel keeps its current swap value. */
		if (r->memory.limit == -1)
			r->memory.swap = -1;
		else if (r->memory.swap > 0 && r->memory.swap < r->memory.limit)
			r->memory.has_swap = false;
	}
	bool saved = r->memory.check_before_update, had = r->memory.has_check_before_update;
	r->memory.has_check_before_update = check;
	r->memory.check_before_update = check;
	int rc = cleat_cgroup_update(cg, r, err);
	r->memory.has_check_before_update = had;
	r->memory.check_before_update = saved;
	if (rc < 0) {
		rdt_update_undo(c, &rdt);
		return -1;
	}
	_cleanup_free_ char *json = oci_config_to_json(cfg);
	_cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, CLEAT_CONFIG_FILE);
	if (write_file_atomic(path, json, strlen(json), 0600, err) < 0)
		return cleat_error_wrap(err, "persist the updated resources");
	return 0;
}

int cleat_container_pause(const struct cleat_ctx *ctx, const char *id, bool freeze,
			  cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	struct cleat_cgroup *cg;
	if (load_live(ctx, id, &c, &cg, err) < 0)
		return -1;
	if (freeze && c->status != CLEAT_STATUS_RUNNING && c->status != CLEAT_STATUS_CREATED)
		return cleat_error_msg(err, "container not running");
	if (!freeze && c->status != CLEAT_STATUS_PAUSED)
		return cleat_error_msg(err, "container not paused");
	return cleat_cgroup_freeze(cg, freeze, err);
}

int cleat_container_pids(const struct cleat_ctx *ctx, const char *id, pid_t **pids, size_t *n,
			 cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	struct cleat_cgroup *cg;
	*pids = NULL;
	*n = 0;
	if (load_live(ctx, id, &c, &cg, err) < 0)
		return -1;
	return cleat_cgroup_pids(cg, pids, n, err);
}

static int emit_stats(struct cleat_cgroup *cg, const char *id, cleat_event_fn emit, void *ud,
		      cleat_error_t *err)
{
	_cleanup_free_ char *data = NULL;
	if (cleat_cgroup_stats_json(cg, &data, err) < 0)
		return -1;
	_cleanup_free_ char *eid = cleat_json_escape(id);
	_cleanup_free_ char *line = xasprintf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}", eid,
					      data);
	if (emit(line, ud) < 0)
		return cleat_error_msg(err, "events: output closed");
	return 0;
}

/* OOM notification: v1 memory.oom_control through cgroup.event_control and an
 * eventfd; v2 memory.events watched with inotify (the oom_kill count). */
static int oom_fd(struct cleat_cgroup *cg, uint64_t *last)
{
	struct cg_hier *h = cg_find(cg, "memory");
	if (!h)
		return -1;
	if (h->v2) {
		int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		_cleanup_free_ char *p = xasprintf("%s/memory.events", h->dir);
		if (fd >= 0 && inotify_add_watch(fd, p, IN_MODIFY) < 0) {
			close(fd);
			return -1;
		}
		*last = cleat_cgroup_oom_kills(cg);
		return fd;
	}
	_cleanup_free_ char *ctl = xasprintf("%s/memory.oom_control", h->dir);
	_cleanup_close_ int cfd = open(ctl, O_RDONLY | O_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cfd < 0 || efd < 0) {
		if (efd >= 0)
			close(efd);
		return -1;
	}
	_cleanup_error_ cleat_error_t e = NULL;
	if (cg_writef(h->dir, "cgroup.event_control", &e, "%d %d", efd, cfd) < 0) {
		close(efd);
		return -1;
	}
	return efd;
}

static bool oom_happened(struct cleat_cgroup *cg, int fd, uint64_t *last)
{
	struct cg_hier *h = cg_find(cg, "memory");
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof buf);
	if (r <= 0 || !h)
		return false;
	if (!h->v2)
		return true; /* the eventfd counter fired */
	uint64_t now = cleat_cgroup_oom_kills(cg);
	bool fired = now > *last;
	*last = now;
	return fired;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cleat_container_events(const struct cleat_ctx *ctx, const char *id, bool stats_once,
			   long interval_ms, cleat_event_fn emit, void *ud, cleat_error_t *err)
{
	_cleanup_container_ struct cleat_container *c = NULL;
	struct cleat_cgroup *cg;
	if (load_live(ctx, id, &c, &cg, err) < 0)
		return -1;
	if (c->status == CLEAT_STATUS_STOPPED)
		return cleat_error_msg(err, "container with id %s is not running", id);
	if (stats_once)
		return emit_stats(cg, id, emit, ud, err);
	/* Stream without the state lock: holding it would block the `delete`
	 * (or `kill`) that ends the container, and with it this stream. */
	if (c->lock_fd >= 0) {
		close(c->lock_fd);
		c->lock_fd = -1;
	}
	uint64_t last_oom = 0;
	_cleanup_close_ int ofd = oom_fd(cg, &last_oom);
	_cleanup_free_ char *eid = cleat_json_escape(id);
	long long next = now_ms() + interval_ms;
	for (;;) {
		long long wait = next - now_ms();
		struct pollfd p = { .fd = ofd, .events = POLLIN };
		int r = poll(&p, ofd >= 0 ? 1 : 0, wait > 0 ? (int) wait : 0);
		if (r < 0 && errno != EINTR)
			return cleat_error_errno(err, errno, "events: poll");
		if (r > 0 && oom_happened(cg, ofd, &last_oom)) {
			_cleanup_free_ char *line = xasprintf("{\"type\":\"oom\",\"id\":\"%s\"}",
							      eid);
			if (emit(line, ud) < 0)
				return 0;
		}
		if (!cleat_container_init_alive(c))
			return 0;
		if (now_ms() >= next) {
			if (emit_stats(cg, id, emit, ud, err) < 0) {
				/* A delete between the check above and the read. */
				if (cleat_container_init_alive(c))
					return -1;
				cleat_error_free(err);
				return 0;
			}
			next += interval_ms;
		}
	}
}
