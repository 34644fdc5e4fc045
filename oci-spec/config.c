/* config.json: the top level, root, mounts, hooks, annotations; entry points. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "oci-spec/json.h"

int oci_parse_idmap(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_idmap *m = out;
	if (get_int(p, v, "containerID", true, JI_U32, &m->container_id, NULL) < 0 ||
	    get_int(p, v, "hostID", true, JI_U32, &m->host_id, NULL) < 0 ||
	    get_int(p, v, "size", true, JI_U32, &m->size, NULL) < 0)
		return -1;
	/* The kernel's rules for a uid_map line: no empty range, and neither range may wrap
	 * past 4294967295, which is (uid_t)-1 and never a valid id. */
	if (m->size == 0)
		return perr_at(p, "size", json_member(v, "size"), "expected at least 1");
	if ((uint64_t) m->container_id + m->size > UINT32_MAX)
		return perr(p, v, "containerID + size exceeds 4294967295");
	if ((uint64_t) m->host_id + m->size > UINT32_MAX)
		return perr(p, v, "hostID + size exceeds 4294967295");
	return 0;
}

static int parse_mount(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_mount *m = out;
	if (get_string(p, v, "destination", true, &m->destination) < 0 ||
	    get_string(p, v, "source", false, &m->source) < 0 ||
	    get_string(p, v, "type", false, &m->type) < 0 ||
	    get_strv(p, v, "options", &m->options, &m->n_options, NULL) < 0 ||
	    get_obj_array(p, v, "uidMappings", sizeof(struct oci_idmap), (void **) &m->uid_mappings,
			  &m->n_uid_mappings, oci_parse_idmap) < 0 ||
	    get_obj_array(p, v, "gidMappings", sizeof(struct oci_idmap), (void **) &m->gid_mappings,
			  &m->n_gid_mappings, oci_parse_idmap) < 0)
		return -1;
	if (m->destination[0] == '\0')
		return perr_at(p, "destination", json_member(v, "destination"),
			       "expected a non-empty path");
	return 0;
}

static int parse_hook(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_hook *h = out;
	if (get_string(p, v, "path", true, &h->path) < 0 ||
	    get_strv(p, v, "args", &h->args, &h->n_args, NULL) < 0 ||
	    get_strv(p, v, "env", &h->env, &h->n_env, NULL) < 0)
		return -1;
	if (h->path[0] != '/')
		return perr_at(p, "path", json_member(v, "path"), "expected an absolute path");
	int64_t t;
	/* runtime-spec: "timeout ... MUST be greater than zero" */
	if (get_int_range(p, v, "timeout", false, 1, INT32_MAX, &t, &h->has_timeout) < 0)
		return -1;
	if (h->has_timeout)
		h->timeout = t;
	return 0;
}

static int parse_hooks(struct oci_parse *p, yajl_val v, struct oci_hooks *h)
{
	static const struct {
		const char *key;
		size_t off, n_off;
	} lists[] = {
#define HOOK_LIST(k, f) { k, offsetof(struct oci_hooks, f), offsetof(struct oci_hooks, n_##f) }
		HOOK_LIST("prestart", prestart),
		HOOK_LIST("createRuntime", create_runtime),
		HOOK_LIST("createContainer", create_container),
		HOOK_LIST("startContainer", start_container),
		HOOK_LIST("poststart", poststart),
		HOOK_LIST("poststop", poststop),
#undef HOOK_LIST
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		void **arr = (void **) ((char *) h + lists[i].off);
		size_t *n = (size_t *) ((char *) h + lists[i].n_off);
		if (get_obj_array(p, v, lists[i].key, sizeof(struct oci_hook), arr, n, parse_hook) <
		    0)
			return -1;
	}
	return 0;
}

static int parse_config_obj(struct oci_parse *p, yajl_val doc, struct oci_config *c)
{
	yajl_val v;
	if (doc->type != yajl_t_object)
		return perr(p, doc, "expected an object");
	if (get_string(p, doc, "ociVersion", true, &c->oci_version) < 0)
		return -1;

	if (get_object(p, doc, "root", false, &v) < 0)
		return -1;
	if (v) {
		size_t m = path_push_key(p, "root");
		c->has_root = true;
		int r = get_string(p, v, "path", true, &c->root.path);
		if (r == 0)
			r = get_bool(p, v, "readonly", false, &c->root.readonly, NULL);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}

	if (get_obj_array(p, doc, "mounts", sizeof(struct oci_mount), (void **) &c->mounts,
			  &c->n_mounts, parse_mount) < 0)
		return -1;

	if (get_object(p, doc, "process", false, &v) < 0)
		return -1;
	if (v) {
		size_t m = path_push_key(p, "process");
		c->process = xmalloc0(sizeof *c->process);
		int r = oci_parse_process_obj(p, v, c->process);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}

	if (get_string(p, doc, "hostname", false, &c->hostname) < 0 ||
	    get_string(p, doc, "domainname", false, &c->domainname) < 0)
		return -1;
	/* sethostname(2) and setdomainname(2) take at most 64 bytes */
	const char *uts_keys[] = { "hostname", "domainname" };
	const char *uts_values[] = { c->hostname, c->domainname };
	for (size_t i = 0; i < ARRAY_SIZE(uts_keys); i++)
		if (uts_values[i] && strlen(uts_values[i]) > 64)
			return perr_at(p, uts_keys[i], json_member(doc, uts_keys[i]),
				       "expected at most 64 bytes");

	if (get_object(p, doc, "hooks", false, &v) < 0)
		return -1;
	if (v) {
		size_t m = path_push_key(p, "hooks");
		int r = parse_hooks(p, v, &c->hooks);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}

	if (get_kv_map(p, doc, "annotations", &c->annotations, &c->n_annotations) < 0)
		return -1;

	if (get_object(p, doc, "linux", false, &v) < 0)
		return -1;
	if (v) {
		size_t m = path_push_key(p, "linux");
		c->linux_ = xmalloc0(sizeof *c->linux_);
		int r = oci_parse_linux_obj(p, v, c->linux_);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

int oci_config_parse(const char *json, size_t len, const char *origin, struct oci_config **out,
		     cleat_error_t *err)
{
	_cleanup_yajl_val_ yajl_val doc = NULL;
	if (oci_json_parse_tree(json, len, origin, &doc, err) < 0)
		return -1;
	_cleanup_oci_config_ struct oci_config *c = xmalloc0(sizeof *c);
	struct oci_parse p;
	oci_parse_init(&p, origin, err);
	int r = parse_config_obj(&p, doc, c);
	oci_parse_fini(&p);
	if (r < 0)
		return -1;
	*out = TAKE_PTR(c);
	return 0;
}

int oci_config_load(const char *path, struct oci_config **out, cleat_error_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_file(path, &buf, &len, err) < 0)
		return -1;
	const char *base = strrchr(path, '/');
	return oci_config_parse(buf, len, base ? base + 1 : path, out, err);
}

int oci_process_parse(const char *json, size_t len, const char *origin, struct oci_process **out,
		      cleat_error_t *err)
{
	_cleanup_yajl_val_ yajl_val doc = NULL;
	if (oci_json_parse_tree(json, len, origin, &doc, err) < 0)
		return -1;
	_cleanup_oci_process_ struct oci_process *proc = xmalloc0(sizeof *proc);
	struct oci_parse p;
	oci_parse_init(&p, origin, err);
	p.process_user_optional = true;
	int r = doc->type == yajl_t_object ? oci_parse_process_obj(&p, doc, proc)
					   : perr(&p, doc, "expected an object");
	oci_parse_fini(&p);
	if (r < 0)
		return -1;
	*out = TAKE_PTR(proc);
	return 0;
}

int oci_resources_parse(const char *json, size_t len, const char *origin,
			struct oci_resources **out, cleat_error_t *err)
{
	_cleanup_yajl_val_ yajl_val doc = NULL;
	if (oci_json_parse_tree(json, len, origin, &doc, err) < 0)
		return -1;
	struct oci_resources *res = xmalloc0(sizeof *res);
	struct oci_parse p;
	oci_parse_init(&p, origin, err);
	int r = doc->type == yajl_t_object ? oci_parse_resources_obj(&p, doc, res)
					   : perr(&p, doc, "expected an object");
	oci_parse_fini(&p);
	if (r < 0) {
		oci_resources_free(res);
		return -1;
	}
	*out = res;
	return 0;
}

const struct oci_namespace *oci_config_namespace(const struct oci_config *c, const char *type)
{
	if (!c || !c->linux_)
		return NULL;
	for (size_t i = 0; i < c->linux_->n_namespaces; i++)
		if (strcmp(c->linux_->namespaces[i].type, type) == 0)
			return &c->linux_->namespaces[i];
	return NULL;
}

const char *oci_config_annotation(const struct oci_config *c, const char *key)
{
	if (!c)
		return NULL;
	/* the last duplicate wins, as with JSON members */
	for (size_t i = c->n_annotations; i > 0; i--)
		if (strcmp(c->annotations[i - 1].key, key) == 0)
			return c->annotations[i - 1].value;
	return NULL;
}
