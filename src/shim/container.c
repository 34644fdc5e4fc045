#include "config.h"
#include "shim/container.h"
#include "shim/bootstrap.h"
#include "shim/events.h"
#include "shim/json.h"
#include "shim/runtime.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct container *container_new(struct shim *s, const char *id, const char *bundle)
{
	struct container *c = xmalloc0(sizeof *c);
	c->shim = s;
	c->id = xstrdup(id);
	c->bundle = xstrdup(bundle);
	c->log_path = xasprintf("%s/log.json", bundle);
	c->private_pidns = true;
	c->next = s->containers;
	s->containers = c;
	return c;
}

void container_free(struct container *c)
{
	if (!c)
		return;
	for (struct container **pp = &c->shim->containers; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	oom_watch_stop(c);
	while (c->execs) {
		struct process *p = c->execs;
		c->execs = p->next;
		process_free(p);
	}
	process_free(c->init);
	runtime_opts_clear(&c->opts);
	free(c->id);
	free(c->bundle);
	free(c->log_path);
	free(c);
}

struct process *container_find_process(struct container *c, const char *exec_id)
{
	if (!exec_id || !*exec_id)
		return c->init;
	for (struct process *p = c->execs; p; p = p->next)
		if (strcmp(p->id, exec_id) == 0)
			return p;
	return NULL;
}

struct container *shim_find_container(struct shim *s, const char *id)
{
	for (struct container *c = s->containers; c; c = c->next)
		if (id && strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

struct process *shim_find_pid(struct shim *s, pid_t pid)
{
	for (struct container *c = s->containers; c; c = c->next) {
		if (c->init && c->init->pid == pid && !process_reaped(c->init))
			return c->init;
		for (struct process *p = c->execs; p; p = p->next)
			if (p->pid == pid && !process_reaped(p))
				return p;
	}
	return NULL;
}

char **container_runtime_argv(struct container *c, const char *const *args)
{
	return runtime_argv(&c->opts, c->log_path, args);
}

const char *container_runtime_name(const char *binary_name)
{
	if (binary_name && *binary_name)
		return binary_name;
	const char *env = getenv("CLEAT_SHIM_RUNTIME");
	if (env && *env)
		return env;
	return shim_default_runtime(program_invocation_short_name);
}

void container_set_options(struct container *c, const char *binary_name, const char *root,
			   bool systemd_cgroup, bool no_pivot, bool no_new_keyring, uint32_t io_uid,
			   uint32_t io_gid)
{
	runtime_opts_clear(&c->opts);
	c->opts.binary = runtime_resolve_binary(container_runtime_name(binary_name));
	c->opts.root = xasprintf("%s/%s", root && *root ? root : SHIM_DEFAULT_RUNTIME_ROOT,
				 c->shim->ns);
	c->opts.systemd_cgroup = systemd_cgroup;
	c->opts.no_pivot_root = no_pivot;
	c->opts.no_new_keyring = no_new_keyring;
	c->opts.io_uid = io_uid;
	c->opts.io_gid = io_gid;
}

bool container_spec_private_pidns(const char *config_json)
{
	static const char *const path[] = { "linux", "namespaces", NULL };
	const char *ns = json_get_path(config_json, path);
	if (!ns)
		return false;
	const char *it = ns, *e;
	while ((e = json_array_next(&it))) {
		_cleanup_free_ char *type = json_string_dup(json_get(e, "type"));
		if (!type || strcmp(type, "pid") != 0)
			continue;
		_cleanup_free_ char *p = json_string_dup(json_get(e, "path"));
		/* Joining an existing pid namespace is not a private one. */
		return !p || !*p;
	}
	return false;
}
