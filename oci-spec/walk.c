/* Every pointer a parsed config owns, visited in one fixed order (walk.h).  The
 * same list as free.c's: a field added to the model is added to both. */
#include <config.h>

#include "oci-spec/walk.h"

#include <string.h>

struct walk {
	oci_walk_fn fn;
	void *ctx;
};

/* Visit the slot (when set) and return what it points to afterwards. */
static void *visit(const struct walk *w, void *slot, size_t size)
{
	void **s = slot;
	if (*s == NULL)
		return NULL;
	w->fn(s, size, w->ctx);
	return *s;
}

static void str(const struct walk *w, char **s) { visit(w, s, OCI_WALK_STRING); }

static void strv(const struct walk *w, char ***v, size_t n)
{
	char **a = visit(w, v, n * sizeof **v);
	for (size_t i = 0; a && i < n; i++)
		str(w, &a[i]);
}

static void kv(const struct walk *w, struct oci_kv **slot, size_t n)
{
	struct oci_kv *a = visit(w, slot, n * sizeof **slot);
	for (size_t i = 0; a && i < n; i++) {
		str(w, &a[i].key);
		str(w, &a[i].value);
	}
}

static void process(const struct walk *w, struct oci_process **slot)
{
	struct oci_process *p = visit(w, slot, sizeof **slot);
	if (p == NULL)
		return;
	visit(w, &p->user.additional_gids, p->user.n_additional_gids * sizeof(uint32_t));
	str(w, &p->user.username);
	strv(w, &p->args, p->n_args);
	str(w, &p->command_line);
	strv(w, &p->env, p->n_env);
	str(w, &p->cwd);
	struct oci_capabilities *c = &p->capabilities;
	strv(w, &c->bounding, c->n_bounding);
	strv(w, &c->effective, c->n_effective);
	strv(w, &c->inheritable, c->n_inheritable);
	strv(w, &c->permitted, c->n_permitted);
	strv(w, &c->ambient, c->n_ambient);
	struct oci_rlimit *rl = visit(w, &p->rlimits, p->n_rlimits * sizeof *rl);
	for (size_t i = 0; rl && i < p->n_rlimits; i++)
		str(w, &rl[i].type);
	str(w, &p->apparmor_profile);
	struct oci_scheduler *s = visit(w, &p->scheduler, sizeof *s);
	if (s) {
		str(w, &s->policy);
		strv(w, &s->flags, s->n_flags);
	}
	str(w, &p->selinux_label);
	struct oci_io_priority *io = visit(w, &p->io_priority, sizeof *io);
	if (io)
		str(w, &io->class);
	struct oci_cpu_affinity *aff = visit(w, &p->exec_cpu_affinity, sizeof *aff);
	if (aff) {
		str(w, &aff->initial);
		str(w, &aff->final);
	}
}

static void resources(const struct walk *w, struct oci_resources **slot)
{
	struct oci_resources *r = visit(w, slot, sizeof **slot);
	if (r == NULL)
		return;
	struct oci_device_cgroup *d = visit(w, &r->devices, r->n_devices * sizeof *d);
	for (size_t i = 0; d && i < r->n_devices; i++) {
		str(w, &d[i].type);
		str(w, &d[i].access);
	}
	str(w, &r->cpu.cpus);
	str(w, &r->cpu.mems);
	struct oci_blkio *b = &r->blkio;
	visit(w, &b->weight_device, b->n_weight_device * sizeof *b->weight_device);
	const size_t td = sizeof(struct oci_throttle_device);
	visit(w, &b->throttle_read_bps_device, b->n_throttle_read_bps_device * td);
	visit(w, &b->throttle_write_bps_device, b->n_throttle_write_bps_device * td);
	visit(w, &b->throttle_read_iops_device, b->n_throttle_read_iops_device * td);
	visit(w, &b->throttle_write_iops_device, b->n_throttle_write_iops_device * td);
	struct oci_hugepage_limit *h = visit(w, &r->hugepage_limits,
					     r->n_hugepage_limits * sizeof *h);
	for (size_t i = 0; h && i < r->n_hugepage_limits; i++)
		str(w, &h[i].page_size);
	struct oci_network_resources *n = &r->network;
	struct oci_net_priority *np = visit(w, &n->priorities, n->n_priorities * sizeof *np);
	for (size_t i = 0; np && i < n->n_priorities; i++)
		str(w, &np[i].name);
	struct oci_rdma *rd = visit(w, &r->rdma, r->n_rdma * sizeof *rd);
	for (size_t i = 0; rd && i < r->n_rdma; i++)
		str(w, &rd[i].device);
	kv(w, &r->unified, r->n_unified);
}

static void seccomp(const struct walk *w, struct oci_seccomp **slot)
{
	struct oci_seccomp *s = visit(w, slot, sizeof **slot);
	if (s == NULL)
		return;
	str(w, &s->default_action);
	strv(w, &s->architectures, s->n_architectures);
	strv(w, &s->flags, s->n_flags);
	str(w, &s->listener_path);
	str(w, &s->listener_metadata);
	struct oci_seccomp_syscall *sc = visit(w, &s->syscalls, s->n_syscalls * sizeof *sc);
	for (size_t i = 0; sc && i < s->n_syscalls; i++) {
		strv(w, &sc[i].names, sc[i].n_names);
		str(w, &sc[i].action);
		struct oci_seccomp_arg *a = visit(w, &sc[i].args, sc[i].n_args * sizeof *a);
		for (size_t j = 0; a && j < sc[i].n_args; j++)
			str(w, &a[j].op);
	}
}

static void linux_(const struct walk *w, struct oci_linux **slot)
{
	struct oci_linux *l = visit(w, slot, sizeof **slot);
	if (l == NULL)
		return;
	struct oci_namespace *ns = visit(w, &l->namespaces, l->n_namespaces * sizeof *ns);
	for (size_t i = 0; ns && i < l->n_namespaces; i++) {
		str(w, &ns[i].type);
		str(w, &ns[i].path);
	}
	visit(w, &l->uid_mappings, l->n_uid_mappings * sizeof(struct oci_idmap));
	visit(w, &l->gid_mappings, l->n_gid_mappings * sizeof(struct oci_idmap));
	struct oci_time_offset *t = visit(w, &l->time_offsets, l->n_time_offsets * sizeof *t);
	for (size_t i = 0; t && i < l->n_time_offsets; i++)
		str(w, &t[i].clock);
	struct oci_device *d = visit(w, &l->devices, l->n_devices * sizeof *d);
	for (size_t i = 0; d && i < l->n_devices; i++) {
		str(w, &d[i].type);
		str(w, &d[i].path);
	}
	str(w, &l->cgroups_path);
	resources(w, &l->resources);
	str(w, &l->rootfs_propagation);
	seccomp(w, &l->seccomp);
	kv(w, &l->sysctl, l->n_sysctl);
	strv(w, &l->masked_paths, l->n_masked_paths);
	strv(w, &l->readonly_paths, l->n_readonly_paths);
	str(w, &l->mount_label);
	struct oci_personality *p = visit(w, &l->personality, sizeof *p);
	if (p) {
		str(w, &p->domain);
		strv(w, &p->flags, p->n_flags);
	}
	struct oci_net_device *nd = visit(w, &l->net_devices, l->n_net_devices * sizeof *nd);
	for (size_t i = 0; nd && i < l->n_net_devices; i++) {
		str(w, &nd[i].host_name);
		str(w, &nd[i].name);
	}
	struct oci_intel_rdt *rdt = visit(w, &l->intel_rdt, sizeof *rdt);
	if (rdt) {
		str(w, &rdt->clos_id);
		str(w, &rdt->l3_cache_schema);
		str(w, &rdt->mem_bw_schema);
		strv(w, &rdt->schemata, rdt->n_schemata);
	}
	struct oci_memory_policy *mp = visit(w, &l->memory_policy, sizeof *mp);
	if (mp) {
		str(w, &mp->mode);
		str(w, &mp->nodes);
		strv(w, &mp->flags, mp->n_flags);
	}
}

static void hooks(const struct walk *w, struct oci_hook **slot, size_t n)
{
	struct oci_hook *h = visit(w, slot, n * sizeof **slot);
	for (size_t i = 0; h && i < n; i++) {
		str(w, &h[i].path);
		strv(w, &h[i].args, h[i].n_args);
		strv(w, &h[i].env, h[i].n_env);
	}
}

void oci_config_walk(struct oci_config **slot, oci_walk_fn fn, void *ctx)
{
	const struct walk w = { fn, ctx };
	struct oci_config *c = visit(&w, slot, sizeof **slot);
	if (c == NULL)
		return;
	str(&w, &c->oci_version);
	str(&w, &c->root.path);
	struct oci_mount *m = visit(&w, &c->mounts, c->n_mounts * sizeof *m);
	for (size_t i = 0; m && i < c->n_mounts; i++) {
		str(&w, &m[i].destination);
		str(&w, &m[i].source);
		str(&w, &m[i].type);
		strv(&w, &m[i].options, m[i].n_options);
		visit(&w, &m[i].uid_mappings, m[i].n_uid_mappings * sizeof(struct oci_idmap));
		visit(&w, &m[i].gid_mappings, m[i].n_gid_mappings * sizeof(struct oci_idmap));
	}
	process(&w, &c->process);
	str(&w, &c->hostname);
	str(&w, &c->domainname);
	struct oci_hooks *h = &c->hooks;
	hooks(&w, &h->prestart, h->n_prestart);
	hooks(&w, &h->create_runtime, h->n_create_runtime);
	hooks(&w, &h->create_container, h->n_create_container);
	hooks(&w, &h->start_container, h->n_start_container);
	hooks(&w, &h->poststart, h->n_poststart);
	hooks(&w, &h->poststop, h->n_poststop);
	kv(&w, &c->annotations, c->n_annotations);
	linux_(&w, &c->linux_);
}

void oci_walk_string(char **slot, oci_walk_fn fn, void *ctx)
{
	const struct walk w = { fn, ctx };
	str(&w, slot);
}

#define FLAT_ALIGN 16

void *oci_flat_alloc(struct oci_flat *f, size_t n)
{
	void *p = f->base ? f->base + f->used : NULL;
	f->used += (n + FLAT_ALIGN - 1) & ~(size_t) (FLAT_ALIGN - 1);
	return p;
}

void oci_flat_put(void **slot, size_t size, void *ctx)
{
	struct oci_flat *f = ctx;
	size_t n = size == OCI_WALK_STRING ? strlen(*slot) + 1 : size;
	void *p = oci_flat_alloc(f, n);
	if (p) {
		memcpy(p, *slot, n);
		*slot = p;
	}
}

void oci_flat_relocate(void **slot, size_t size, void *ctx)
{
	struct oci_flat *f = ctx;
	uintptr_t off = (uintptr_t) *slot - f->built_at;
	size_t left = off < f->size ? f->size - off : 0;
	bool in = size == OCI_WALK_STRING ? left > 0 && memchr(f->base + off, 0, left) != NULL
					  : off <= f->size && size <= f->size - off;
	if (!in) {
		f->bad = true;
		*slot = NULL;
		return;
	}
	*slot = f->base + off;
}
