/* config.json .linux.resources and `cleat update --resources`. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

static const char *const dev_cgroup_types[] = { "a", "c", "b", NULL };

static int parse_dev_cgroup(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_device_cgroup *d = out;
	if (get_bool(p, v, "allow", true, &d->allow, NULL) < 0 ||
	    get_string(p, v, "type", false, &d->type) < 0 ||
	    check_enum(p, "type", json_member(v, "type"), d->type, dev_cgroup_types) < 0 ||
	    get_int(p, v, "major", false, JI_I64, &d->major, &d->has_major) < 0 ||
	    get_int(p, v, "minor", false, JI_I64, &d->minor, &d->has_minor) < 0 ||
	    get_string(p, v, "access", false, &d->access) < 0)
		return -1;
	/* Letters other than r, w and m are ignored when the rule is applied, as runc
	 * does (its own tests write "rwa"): not refused here. */
	return 0;
}

static int parse_memory(struct oci_parse *p, yajl_val v, struct oci_memory *m)
{
	if (get_int(p, v, "limit", false, JI_I64, &m->limit, &m->has_limit) < 0 ||
	    get_int(p, v, "reservation", false, JI_I64, &m->reservation, &m->has_reservation) < 0 ||
	    get_int(p, v, "swap", false, JI_I64, &m->swap, &m->has_swap) < 0 ||
	    get_int(p, v, "kernel", false, JI_I64, &m->kernel, &m->has_kernel) < 0 ||
	    get_int(p, v, "kernelTCP", false, JI_I64, &m->kernel_tcp, &m->has_kernel_tcp) < 0 ||
	    get_int(p, v, "swappiness", false, JI_U64, &m->swappiness, &m->has_swappiness) < 0 ||
	    get_bool(p, v, "disableOOMKiller", false, &m->disable_oom_killer,
		     &m->has_disable_oom_killer) < 0 ||
	    get_bool(p, v, "useHierarchy", false, &m->use_hierarchy, &m->has_use_hierarchy) < 0 ||
	    get_bool(p, v, "checkBeforeUpdate", false, &m->check_before_update,
		     &m->has_check_before_update) < 0)
		return -1;
	/* memory.swappiness takes 0..100.  dockerd's "unset" is -1 stored in the
	 * uint64, which runc treats as "leave alone": keep accepting it. */
	if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
		return perr_at(p, "swappiness", json_member(v, "swappiness"),
			       "expected an integer between 0 and 100");
	return 0;
}

static int parse_cpu(struct oci_parse *p, yajl_val v, struct oci_cpu *c)
{
	if (get_int(p, v, "shares", false, JI_U64, &c->shares, &c->has_shares) < 0 ||
	    get_int(p, v, "quota", false, JI_I64, &c->quota, &c->has_quota) < 0 ||
	    get_int(p, v, "burst", false, JI_U64, &c->burst, &c->has_burst) < 0 ||
	    get_int(p, v, "period", false, JI_U64, &c->period, &c->has_period) < 0 ||
	    get_int(p, v, "realtimeRuntime", false, JI_I64, &c->realtime_runtime,
		    &c->has_realtime_runtime) < 0 ||
	    get_int(p, v, "realtimePeriod", false, JI_U64, &c->realtime_period,
		    &c->has_realtime_period) < 0 ||
	    get_string(p, v, "cpus", false, &c->cpus) < 0 ||
	    get_string(p, v, "mems", false, &c->mems) < 0 ||
	    get_int(p, v, "idle", false, JI_I64, &c->idle, &c->has_idle) < 0)
		return -1;
	return 0;
}

static int parse_weight_device(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_weight_device *w = out;
	if (get_int(p, v, "major", true, JI_I64, &w->major, NULL) < 0 ||
	    get_int(p, v, "minor", true, JI_I64, &w->minor, NULL) < 0 ||
	    get_int(p, v, "weight", false, JI_U16, &w->weight, &w->has_weight) < 0 ||
	    get_int(p, v, "leafWeight", false, JI_U16, &w->leaf_weight, &w->has_leaf_weight) < 0)
		return -1;
	return 0;
}

static int parse_throttle_device(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_throttle_device *t = out;
	if (get_int(p, v, "major", true, JI_I64, &t->major, NULL) < 0 ||
	    get_int(p, v, "minor", true, JI_I64, &t->minor, NULL) < 0 ||
	    get_int(p, v, "rate", true, JI_U64, &t->rate, NULL) < 0)
		return -1;
	return 0;
}

static int parse_blkio(struct oci_parse *p, yajl_val v, struct oci_blkio *b)
{
	if (get_int(p, v, "weight", false, JI_U16, &b->weight, &b->has_weight) < 0 ||
	    get_int(p, v, "leafWeight", false, JI_U16, &b->leaf_weight, &b->has_leaf_weight) < 0 ||
	    get_obj_array(p, v, "weightDevice", sizeof(struct oci_weight_device),
			  (void **) &b->weight_device, &b->n_weight_device,
			  parse_weight_device) < 0)
		return -1;
#define THROTTLE(key, f)                                                                         \
	get_obj_array(p, v, key, sizeof(struct oci_throttle_device), (void **) &b->f, &b->n_##f, \
		      parse_throttle_device)
	if (THROTTLE("throttleReadBpsDevice", throttle_read_bps_device) < 0 ||
	    THROTTLE("throttleWriteBpsDevice", throttle_write_bps_device) < 0 ||
	    THROTTLE("throttleReadIOPSDevice", throttle_read_iops_device) < 0 ||
	    THROTTLE("throttleWriteIOPSDevice", throttle_write_iops_device) < 0)
		return -1;
#undef THROTTLE
	return 0;
}

static int parse_hugepage(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_hugepage_limit *h = out;
	if (get_string(p, v, "pageSize", true, &h->page_size) < 0 ||
	    get_int(p, v, "limit", true, JI_U64, &h->limit, NULL) < 0)
		return -1;
	return 0;
}

static int parse_net_priority(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_net_priority *n = out;
	if (get_string(p, v, "name", true, &n->name) < 0 ||
	    get_int(p, v, "priority", true, JI_U32, &n->priority, NULL) < 0)
		return -1;
	return 0;
}

static int parse_network(struct oci_parse *p, yajl_val v, struct oci_network_resources *n)
{
	if (get_int(p, v, "classID", false, JI_U32, &n->class_id, &n->has_class_id) < 0 ||
	    get_obj_array(p, v, "priorities", sizeof(struct oci_net_priority),
			  (void **) &n->priorities, &n->n_priorities, parse_net_priority) < 0)
		return -1;
	return 0;
}

static int parse_rdma(struct oci_parse *p, yajl_val v, struct oci_resources *r)
{
	size_t len = v->u.object.len;
	if (len == 0)
		return 0;
	r->rdma = xmalloc0(len * sizeof *r->rdma);
	for (size_t i = 0; i < len; i++) {
		yajl_val e = v->u.object.values[i];
		size_t m = path_push_mapkey(p, v->u.object.keys[i]);
		if (!e || e->type != yajl_t_object) {
			perr(p, e, "expected an object");
			path_pop(p, m);
			return -1;
		}
		size_t j = 0;
		while (j < r->n_rdma && strcmp(r->rdma[j].device, v->u.object.keys[i]) != 0)
			j++;
		struct oci_rdma *d = &r->rdma[j];
		if (j == r->n_rdma) {
			d->device = xstrdup(v->u.object.keys[i]);
			r->n_rdma++;
		}
		int rc = get_int(p, e, "hcaHandles", false, JI_U32, &d->hca_handles,
				 &d->has_hca_handles);
		if (rc == 0)
			rc = get_int(p, e, "hcaObjects", false, JI_U32, &d->hca_objects,
				     &d->has_hca_objects);
		path_pop(p, m);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* obj[key] as an object, parsed with the path extended; *has set when present. */
#define SUB_OBJECT(key, has, call)                         \
	do {                                               \
		yajl_val s_;                               \
		if (get_object(p, v, key, false, &s_) < 0) \
			return -1;                         \
		if (s_) {                                  \
			size_t m_ = path_push_key(p, key); \
			int r_ = call;                     \
			path_pop(p, m_);                   \
			if (r_ < 0)                        \
				return -1;                 \
			has = true;                        \
		}                                          \
	} while (0)

int oci_parse_resources_obj(struct oci_parse *p, yajl_val v, struct oci_resources *r)
{
	if (get_obj_array(p, v, "devices", sizeof(struct oci_device_cgroup), (void **) &r->devices,
			  &r->n_devices, parse_dev_cgroup) < 0)
		return -1;
	SUB_OBJECT("memory", r->has_memory, parse_memory(p, s_, &r->memory));
	SUB_OBJECT("cpu", r->has_cpu, parse_cpu(p, s_, &r->cpu));
	/* runtime-spec 1.3: limit is optional (absent: no limit set) */
	bool has_pids_obj = false;
	SUB_OBJECT("pids", has_pids_obj,
		   get_int(p, s_, "limit", false, JI_I64, &r->pids_limit, &r->has_pids));
	(void) has_pids_obj;
	SUB_OBJECT("blockIO", r->has_blkio, parse_blkio(p, s_, &r->blkio));
	if (get_obj_array(p, v, "hugepageLimits", sizeof(struct oci_hugepage_limit),
			  (void **) &r->hugepage_limits, &r->n_hugepage_limits, parse_hugepage) < 0)
		return -1;
	SUB_OBJECT("network", r->has_network, parse_network(p, s_, &r->network));
	bool has_rdma = false;
	SUB_OBJECT("rdma", has_rdma, parse_rdma(p, s_, r));
	(void) has_rdma;
	if (get_kv_map(p, v, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}
