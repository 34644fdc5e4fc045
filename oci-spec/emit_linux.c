/* Serialize .linux, its resources and seccomp (key order: the spec's Go types). */
#include <config.h>

#include <stdlib.h>

#include "oci-spec/config.h"
#include "oci-spec/json.h"

#define OPT_I64(g, k, has, v)              \
	do {                               \
		if (has)                   \
			gen_ki64(g, k, v); \
	} while (0)
#define OPT_U64(g, k, has, v)              \
	do {                               \
		if (has)                   \
			gen_ku64(g, k, v); \
	} while (0)

static void gen_dev_cgroups(yajl_gen g, const struct oci_device_cgroup *d, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kbool(g, "allow", d[i].allow);
		gen_kstr(g, "type", d[i].type);
		OPT_I64(g, "major", d[i].has_major, d[i].major);
		OPT_I64(g, "minor", d[i].has_minor, d[i].minor);
		gen_kstr(g, "access", d[i].access);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_memory(yajl_gen g, const struct oci_memory *m)
{
	gen_key(g, "memory");
	yajl_gen_map_open(g);
	OPT_I64(g, "limit", m->has_limit, m->limit);
	OPT_I64(g, "reservation", m->has_reservation, m->reservation);
	OPT_I64(g, "swap", m->has_swap, m->swap);
	OPT_I64(g, "kernel", m->has_kernel, m->kernel);
	OPT_I64(g, "kernelTCP", m->has_kernel_tcp, m->kernel_tcp);
	OPT_U64(g, "swappiness", m->has_swappiness, m->swappiness);
	if (m->has_disable_oom_killer)
		gen_kbool(g, "disableOOMKiller", m->disable_oom_killer);
	if (m->has_use_hierarchy)
		gen_kbool(g, "useHierarchy", m->use_hierarchy);
	if (m->has_check_before_update)
		gen_kbool(g, "checkBeforeUpdate", m->check_before_update);
	yajl_gen_map_close(g);
}

static void gen_cpu(yajl_gen g, const struct oci_cpu *c)
{
	gen_key(g, "cpu");
	yajl_gen_map_open(g);
	OPT_U64(g, "shares", c->has_shares, c->shares);
	OPT_I64(g, "quota", c->has_quota, c->quota);
	OPT_U64(g, "burst", c->has_burst, c->burst);
	OPT_U64(g, "period", c->has_period, c->period);
	OPT_I64(g, "realtimeRuntime", c->has_realtime_runtime, c->realtime_runtime);
	OPT_U64(g, "realtimePeriod", c->has_realtime_period, c->realtime_period);
	gen_kstr(g, "cpus", c->cpus);
	gen_kstr(g, "mems", c->mems);
	OPT_I64(g, "idle", c->has_idle, c->idle);
	yajl_gen_map_close(g);
}

static void gen_throttle(yajl_gen g, const char *k, const struct oci_throttle_device *t, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_ki64(g, "major", t[i].major);
		gen_ki64(g, "minor", t[i].minor);
		gen_ku64(g, "rate", t[i].rate);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_blkio(yajl_gen g, const struct oci_blkio *b)
{
	gen_key(g, "blockIO");
	yajl_gen_map_open(g);
	OPT_U64(g, "weight", b->has_weight, b->weight);
	OPT_U64(g, "leafWeight", b->has_leaf_weight, b->leaf_weight);
	if (b->n_weight_device > 0) {
		gen_key(g, "weightDevice");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < b->n_weight_device; i++) {
			const struct oci_weight_device *w = &b->weight_device[i];
			yajl_gen_map_open(g);
			gen_ki64(g, "major", w->major);
			gen_ki64(g, "minor", w->minor);
			OPT_U64(g, "weight", w->has_weight, w->weight);
			OPT_U64(g, "leafWeight", w->has_leaf_weight, w->leaf_weight);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	gen_throttle(g, "throttleReadBpsDevice", b->throttle_read_bps_device,
		     b->n_throttle_read_bps_device);
	gen_throttle(g, "throttleWriteBpsDevice", b->throttle_write_bps_device,
		     b->n_throttle_write_bps_device);
	gen_throttle(g, "throttleReadIOPSDevice", b->throttle_read_iops_device,
		     b->n_throttle_read_iops_device);
	gen_throttle(g, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
		     b->n_throttle_write_iops_device);
	yajl_gen_map_close(g);
}

static void gen_resources_body(yajl_gen g, const struct oci_resources *r)
{
	gen_dev_cgroups(g, r->devices, r->n_devices);
	if (r->has_memory)
		gen_memory(g, &r->memory);
	if (r->has_cpu)
		gen_cpu(g, &r->cpu);
	if (r->has_pids) {
		gen_key(g, "pids");
		yajl_gen_map_open(g);
		gen_ki64(g, "limit", r->pids_limit);
		yajl_gen_map_close(g);
	}
	if (r->has_blkio)
		gen_blkio(g, &r->blkio);
	if (r->n_hugepage_limits > 0) {
		gen_key(g, "hugepageLimits");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < r->n_hugepage_limits; i++) {
			yajl_gen_map_open(g);
			gen_kstr(g, "pageSize", r->hugepage_limits[i].page_size);
			gen_ku64(g, "limit", r->hugepage_limits[i].limit);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	if (r->has_network) {
		gen_key(g, "network");
		yajl_gen_map_open(g);
		OPT_U64(g, "classID", r->network.has_class_id, r->network.class_id);
		if (r->network.n_priorities > 0) {
			gen_key(g, "priorities");
			yajl_gen_array_open(g);
			for (size_t i = 0; i < r->network.n_priorities; i++) {
				yajl_gen_map_open(g);
				gen_kstr(g, "name", r->network.priorities[i].name);
				gen_ku64(g, "priority", r->network.priorities[i].priority);
				yajl_gen_map_close(g);
			}
			yajl_gen_array_close(g);
		}
		yajl_gen_map_close(g);
	}
	if (r->n_rdma > 0) {
		gen_key(g, "rdma");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < r->n_rdma; i++) {
			gen_key(g, r->rdma[i].device);
			yajl_gen_map_open(g);
			OPT_U64(g, "hcaHandles", r->rdma[i].has_hca_handles,
				r->rdma[i].hca_handles);
			OPT_U64(g, "hcaObjects", r->rdma[i].has_hca_objects,
				r->rdma[i].hca_objects);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
	gen_kkv(g, "unified", r->unified, r->n_unified);
}

void oci_gen_resources(yajl_gen g, const struct oci_resources *r)
{
	yajl_gen_map_open(g);
	gen_resources_body(g, r);
	yajl_gen_map_close(g);
}

static void gen_seccomp(yajl_gen g, const struct oci_seccomp *s)
{
	gen_key(g, "seccomp");
	yajl_gen_map_open(g);
	gen_kstr(g, "defaultAction", s->default_action);
	OPT_U64(g, "defaultErrnoRet", s->has_default_errno_ret, s->default_errno_ret);
	gen_kstrv(g, "architectures", s->architectures, s->n_architectures);
	gen_kstrv(g, "flags", s->flags, s->n_flags);
	gen_kstr(g, "listenerPath", s->listener_path);
	gen_kstr(g, "listenerMetadata", s->listener_metadata);
	if (s->n_syscalls > 0) {
		gen_key(g, "syscalls");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < s->n_syscalls; i++) {
			const struct oci_seccomp_syscall *sc = &s->syscalls[i];
			yajl_gen_map_open(g);
			gen_kstrv_always(g, "names", sc->names, sc->n_names);
			gen_kstr(g, "action", sc->action);
			OPT_U64(g, "errnoRet", sc->has_errno_ret, sc->errno_ret);
			if (sc->n_args > 0) {
				gen_key(g, "args");
				yajl_gen_array_open(g);
				for (size_t j = 0; j < sc->n_args; j++) {
					const struct oci_seccomp_arg *a = &sc->args[j];
					yajl_gen_map_open(g);
					gen_ku64(g, "index", a->index);
					gen_ku64(g, "value", a->value);
					OPT_U64(g, "valueTwo", a->has_value_two, a->value_two);
					gen_kstr(g, "op", a->op);
					yajl_gen_map_close(g);
				}
				yajl_gen_array_close(g);
			}
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_namespaces(yajl_gen g, const struct oci_namespace *ns, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kstr(g, "type", ns[i].type);
		gen_kstr(g, "path", ns[i].path);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_devices(yajl_gen g, const struct oci_device *d, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kstr(g, "path", d[i].path);
		gen_kstr(g, "type", d[i].type);
		OPT_I64(g, "major", d[i].has_major, d[i].major);
		OPT_I64(g, "minor", d[i].has_minor, d[i].minor);
		OPT_U64(g, "fileMode", d[i].has_file_mode, d[i].file_mode);
		OPT_U64(g, "uid", d[i].has_uid, d[i].uid);
		OPT_U64(g, "gid", d[i].has_gid, d[i].gid);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_net_devices(yajl_gen g, const struct oci_linux *l)
{
	if (l->n_net_devices > 0) {
		gen_key(g, "netDevices");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < l->n_net_devices; i++) {
			gen_key(g, l->net_devices[i].host_name);
			yajl_gen_map_open(g);
			gen_kstr(g, "name", l->net_devices[i].name);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
}

static void gen_tail(yajl_gen g, const struct oci_linux *l)
{
	if (l->intel_rdt) {
		const struct oci_intel_rdt *r = l->intel_rdt;
		gen_key(g, "intelRdt");
		yajl_gen_map_open(g);
		gen_kstr(g, "closID", r->clos_id);
		gen_kstr(g, "l3CacheSchema", r->l3_cache_schema);
		gen_kstr(g, "memBwSchema", r->mem_bw_schema);
		gen_kstrv(g, "schemata", r->schemata, r->n_schemata);
		if (r->enable_monitoring)
			gen_kbool(g, "enableMonitoring", true);
		if (r->has_enable_cmt)
			gen_kbool(g, "enableCMT", r->enable_cmt);
		if (r->has_enable_mbm)
			gen_kbool(g, "enableMBM", r->enable_mbm);
		yajl_gen_map_close(g);
	}
	if (l->memory_policy) {
		gen_key(g, "memoryPolicy");
		yajl_gen_map_open(g);
		gen_kstr(g, "mode", l->memory_policy->mode);
		gen_kstr(g, "nodes", l->memory_policy->nodes);
		gen_kstrv(g, "flags", l->memory_policy->flags, l->memory_policy->n_flags);
		yajl_gen_map_close(g);
	}
	if (l->personality) {
		gen_key(g, "personality");
		yajl_gen_map_open(g);
		gen_kstr(g, "domain", l->personality->domain);
		gen_kstrv(g, "flags", l->personality->flags, l->personality->n_flags);
		yajl_gen_map_close(g);
	}
	if (l->n_time_offsets > 0) {
		gen_key(g, "timeOffsets");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < l->n_time_offsets; i++) {
			gen_key(g, l->time_offsets[i].clock);
			yajl_gen_map_open(g);
			gen_ki64(g, "secs", l->time_offsets[i].secs);
			gen_ku64(g, "nanosecs", l->time_offsets[i].nanosecs);
			yajl_gen_map_close(g);
		}
		yajl_gen_map_close(g);
	}
}

void oci_gen_linux(yajl_gen g, const struct oci_linux *l)
{
	yajl_gen_map_open(g);
	gen_idmaps(g, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	gen_idmaps(g, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	gen_kkv(g, "sysctl", l->sysctl, l->n_sysctl);
	if (l->resources) {
		gen_key(g, "resources");
		oci_gen_resources(g, l->resources);
	}
	gen_kstr(g, "cgroupsPath", l->cgroups_path);
	gen_namespaces(g, l->namespaces, l->n_namespaces);
	gen_devices(g, l->devices, l->n_devices);
	gen_net_devices(g, l);
	if (l->seccomp)
		gen_seccomp(g, l->seccomp);
	gen_kstr(g, "rootfsPropagation", l->rootfs_propagation);
	gen_kstrv(g, "maskedPaths", l->masked_paths, l->n_masked_paths);
	gen_kstrv(g, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
	gen_kstr(g, "mountLabel", l->mount_label);
	gen_tail(g, l);
	yajl_gen_map_close(g);
}
