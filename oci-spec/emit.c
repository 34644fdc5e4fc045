/* Serialize the config model.  Keys come in the order of the runtime-spec's
 * Go types, which is what runc, containerd and dockerd write, so documents
 * we emit diff cleanly against theirs. */
#include <config.h>

#include <stdlib.h>

#include "oci-spec/config.h"
#include "oci-spec/json.h"

static void gen_caps(yajl_gen g, const struct oci_capabilities *c)
{
	gen_key(g, "capabilities");
	yajl_gen_map_open(g);
	if (c->has_bounding)
		gen_kstrv_always(g, "bounding", c->bounding, c->n_bounding);
	if (c->has_effective)
		gen_kstrv_always(g, "effective", c->effective, c->n_effective);
	if (c->has_inheritable)
		gen_kstrv_always(g, "inheritable", c->inheritable, c->n_inheritable);
	if (c->has_permitted)
		gen_kstrv_always(g, "permitted", c->permitted, c->n_permitted);
	if (c->has_ambient)
		gen_kstrv_always(g, "ambient", c->ambient, c->n_ambient);
	yajl_gen_map_close(g);
}

static void gen_user(yajl_gen g, const struct oci_user *u)
{
	gen_key(g, "user");
	yajl_gen_map_open(g);
	gen_ku64(g, "uid", u->uid);
	gen_ku64(g, "gid", u->gid);
	if (u->has_umask)
		gen_ku64(g, "umask", u->umask);
	if (u->n_additional_gids > 0) {
		gen_key(g, "additionalGids");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < u->n_additional_gids; i++)
			gen_u64(g, u->additional_gids[i]);
		yajl_gen_array_close(g);
	}
	gen_kstr(g, "username", u->username);
	yajl_gen_map_close(g);
}

static void gen_scheduler(yajl_gen g, const struct oci_scheduler *s)
{
	gen_key(g, "scheduler");
	yajl_gen_map_open(g);
	gen_kstr(g, "policy", s->policy);
	if (s->has_nice)
		gen_ki64(g, "nice", s->nice);
	if (s->has_priority)
		gen_ki64(g, "priority", s->priority);
	gen_kstrv(g, "flags", s->flags, s->n_flags);
	if (s->has_runtime)
		gen_ku64(g, "runtime", s->runtime);
	if (s->has_deadline)
		gen_ku64(g, "deadline", s->deadline);
	if (s->has_period)
		gen_ku64(g, "period", s->period);
	yajl_gen_map_close(g);
}

void oci_gen_process(yajl_gen g, const struct oci_process *p)
{
	yajl_gen_map_open(g);
	if (p->terminal)
		gen_kbool(g, "terminal", true);
	if (p->has_console_size) {
		gen_key(g, "consoleSize");
		yajl_gen_map_open(g);
		gen_ku64(g, "height", p->console_size.height);
		gen_ku64(g, "width", p->console_size.width);
		yajl_gen_map_close(g);
	}
	gen_user(g, &p->user);
	gen_kstrv(g, "args", p->args, p->n_args);
	gen_kstr(g, "commandLine", p->command_line);
	gen_kstrv(g, "env", p->env, p->n_env);
	gen_kstr(g, "cwd", p->cwd);
	if (p->has_capabilities)
		gen_caps(g, &p->capabilities);
	if (p->n_rlimits > 0) {
		gen_key(g, "rlimits");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < p->n_rlimits; i++) {
			yajl_gen_map_open(g);
			gen_kstr(g, "type", p->rlimits[i].type);
			gen_ku64(g, "hard", p->rlimits[i].hard);
			gen_ku64(g, "soft", p->rlimits[i].soft);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	if (p->no_new_privileges)
		gen_kbool(g, "noNewPrivileges", true);
	gen_kstr(g, "apparmorProfile", p->apparmor_profile);
	if (p->has_oom_score_adj)
		gen_ki64(g, "oomScoreAdj", p->oom_score_adj);
	if (p->scheduler)
		gen_scheduler(g, p->scheduler);
	gen_kstr(g, "selinuxLabel", p->selinux_label);
	if (p->io_priority) {
		gen_key(g, "ioPriority");
		yajl_gen_map_open(g);
		gen_kstr(g, "class", p->io_priority->class);
		gen_ki64(g, "priority", p->io_priority->priority);
		yajl_gen_map_close(g);
	}
	if (p->exec_cpu_affinity) {
		gen_key(g, "execCPUAffinity");
		yajl_gen_map_open(g);
		gen_kstr(g, "initial", p->exec_cpu_affinity->initial);
		gen_kstr(g, "final", p->exec_cpu_affinity->final);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, const struct oci_mount *m, size_t n)
{
	gen_key(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kstr(g, "destination", m[i].destination);
		gen_kstr(g, "type", m[i].type);
		gen_kstr(g, "source", m[i].source);
		gen_kstrv(g, "options", m[i].options, m[i].n_options);
		gen_idmaps(g, "uidMappings", m[i].uid_mappings, m[i].n_uid_mappings);
		gen_idmaps(g, "gidMappings", m[i].gid_mappings, m[i].n_gid_mappings);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_hook_list(yajl_gen g, const char *k, const struct oci_hook *h, size_t n)
{
	if (n == 0)
		return;
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kstr(g, "path", h[i].path);
		gen_kstrv(g, "args", h[i].args, h[i].n_args);
		gen_kstrv(g, "env", h[i].env, h[i].n_env);
		if (h[i].has_timeout)
			gen_ki64(g, "timeout", h[i].timeout);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_hooks(yajl_gen g, const struct oci_hooks *h)
{
	if (h->n_prestart + h->n_create_runtime + h->n_create_container + h->n_start_container +
		    h->n_poststart + h->n_poststop ==
	    0)
		return;
	gen_key(g, "hooks");
	yajl_gen_map_open(g);
	gen_hook_list(g, "prestart", h->prestart, h->n_prestart);
	gen_hook_list(g, "createRuntime", h->create_runtime, h->n_create_runtime);
	gen_hook_list(g, "createContainer", h->create_container, h->n_create_container);
	gen_hook_list(g, "startContainer", h->start_container, h->n_start_container);
	gen_hook_list(g, "poststart", h->poststart, h->n_poststart);
	gen_hook_list(g, "poststop", h->poststop, h->n_poststop);
	yajl_gen_map_close(g);
}

void oci_gen_config(yajl_gen g, const struct oci_config *c)
{
	yajl_gen_map_open(g);
	gen_kstr(g, "ociVersion", c->oci_version);
	if (c->process) {
		gen_key(g, "process");
		oci_gen_process(g, c->process);
	}
	if (c->has_root) {
		gen_key(g, "root");
		yajl_gen_map_open(g);
		gen_kstr(g, "path", c->root.path);
		if (c->root.readonly)
			gen_kbool(g, "readonly", true);
		yajl_gen_map_close(g);
	}
	gen_kstr(g, "hostname", c->hostname);
	gen_kstr(g, "domainname", c->domainname);
	if (c->n_mounts > 0)
		gen_mounts(g, c->mounts, c->n_mounts);
	gen_hooks(g, &c->hooks);
	gen_kkv(g, "annotations", c->annotations, c->n_annotations);
	if (c->linux_) {
		gen_key(g, "linux");
		oci_gen_linux(g, c->linux_);
	}
	yajl_gen_map_close(g);
}

char *oci_config_to_json(const struct oci_config *c)
{
	yajl_gen g = oci_gen_new(NULL);
	oci_gen_config(g, c);
	return oci_gen_finish(g, false);
}

char *oci_process_to_json(const struct oci_process *p)
{
	yajl_gen g = oci_gen_new(NULL);
	oci_gen_process(g, p);
	return oci_gen_finish(g, false);
}

char *oci_resources_to_json(const struct oci_resources *r)
{
	yajl_gen g = oci_gen_new(NULL);
	oci_gen_resources(g, r);
	return oci_gen_finish(g, false);
}
