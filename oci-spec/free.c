/* Destructors for the config model.  Every one accepts partially parsed
 * objects: arrays are zeroed before their elements are filled. */
#include <config.h>

#include <stdlib.h>

#include "oci-spec/config.h"
#include "oci-spec/json.h"

void oci_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void oci_kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void oci_process_clear(struct oci_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	oci_strv_free(p->args, p->n_args);
	free(p->command_line);
	oci_strv_free(p->env, p->n_env);
	free(p->cwd);
	struct oci_capabilities *c = &p->capabilities;
	oci_strv_free(c->bounding, c->n_bounding);
	oci_strv_free(c->effective, c->n_effective);
	oci_strv_free(c->inheritable, c->n_inheritable);
	oci_strv_free(c->permitted, c->n_permitted);
	oci_strv_free(c->ambient, c->n_ambient);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	if (p->scheduler) {
		free(p->scheduler->policy);
		oci_strv_free(p->scheduler->flags, p->scheduler->n_flags);
		free(p->scheduler);
	}
	free(p->selinux_label);
	if (p->io_priority) {
		free(p->io_priority->class);
		free(p->io_priority);
	}
	if (p->exec_cpu_affinity) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
		free(p->exec_cpu_affinity);
	}
}

void oci_process_free(struct oci_process *p)
{
	if (!p)
		return;
	oci_process_clear(p);
	free(p);
}

void oci_resources_clear(struct oci_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_device);
	free(r->blkio.throttle_read_bps_device);
	free(r->blkio.throttle_write_bps_device);
	free(r->blkio.throttle_read_iops_device);
	free(r->blkio.throttle_write_iops_device);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	oci_kv_free(r->unified, r->n_unified);
}

void oci_resources_free(struct oci_resources *r)
{
	if (!r)
		return;
	oci_resources_clear(r);
	free(r);
}

void oci_seccomp_free(struct oci_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	oci_strv_free(s->architectures, s->n_architectures);
	oci_strv_free(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *sc = &s->syscalls[i];
		oci_strv_free(sc->names, sc->n_names);
		free(sc->action);
		for (size_t j = 0; j < sc->n_args; j++)
			free(sc->args[j].op);
		free(sc->args);
	}
	free(s->syscalls);
	free(s);
}

void oci_linux_clear(struct oci_linux *l)
{
	for (size_t i = 0; i < l->n_namespaces; i++) {
		free(l->namespaces[i].type);
		free(l->namespaces[i].path);
	}
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_time_offsets; i++)
		free(l->time_offsets[i].clock);
	free(l->time_offsets);
	for (size_t i = 0; i < l->n_devices; i++) {
		free(l->devices[i].type);
		free(l->devices[i].path);
	}
	free(l->devices);
	free(l->cgroups_path);
	oci_resources_free(l->resources);
	free(l->rootfs_propagation);
	oci_seccomp_free(l->seccomp);
	oci_kv_free(l->sysctl, l->n_sysctl);
	oci_strv_free(l->masked_paths, l->n_masked_paths);
	oci_strv_free(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		oci_strv_free(l->personality->flags, l->personality->n_flags);
		free(l->personality);
	}
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		oci_strv_free(l->intel_rdt->schemata, l->intel_rdt->n_schemata);
		free(l->intel_rdt);
	}
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		oci_strv_free(l->memory_policy->flags, l->memory_policy->n_flags);
		free(l->memory_policy);
	}
}

static void hooks_free(struct oci_hook *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].path);
		oci_strv_free(h[i].args, h[i].n_args);
		oci_strv_free(h[i].env, h[i].n_env);
	}
	free(h);
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	free(c->root.path);
	for (size_t i = 0; i < c->n_mounts; i++) {
		struct oci_mount *m = &c->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		oci_strv_free(m->options, m->n_options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(c->mounts);
	oci_process_free(c->process);
	free(c->hostname);
	free(c->domainname);
	hooks_free(c->hooks.prestart, c->hooks.n_prestart);
	hooks_free(c->hooks.create_runtime, c->hooks.n_create_runtime);
	hooks_free(c->hooks.create_container, c->hooks.n_create_container);
	hooks_free(c->hooks.start_container, c->hooks.n_start_container);
	hooks_free(c->hooks.poststart, c->hooks.n_poststart);
	hooks_free(c->hooks.poststop, c->hooks.n_poststop);
	oci_kv_free(c->annotations, c->n_annotations);
	if (c->linux_) {
		oci_linux_clear(c->linux_);
		free(c->linux_);
	}
	free(c);
}
