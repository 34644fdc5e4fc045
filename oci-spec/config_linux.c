/* config.json .linux (resources and seccomp have their own files). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json.h"

static const char *const namespace_types[] = {
	"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL,
};

/* The spec lists private/shared/slave/unbindable; runc and containerd's CRI
 * also use the recursive forms (CRI sets "rslave" / "rshared"). */
static const char *const propagations[] = {
	"private", "shared", "slave",	    "unbindable", "rprivate",
	"rshared", "rslave", "runbindable", NULL,
};

static const char *const device_types[] = { "c", "b", "u", "p", NULL };
static const char *const clocks[] = { "boottime", "monotonic", NULL };
static const char *const domains[] = { "LINUX", "LINUX32", NULL };

static int parse_namespace(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_namespace *ns = out;
	if (get_string(p, v, "type", true, &ns->type) < 0 ||
	    check_enum(p, "type", json_member(v, "type"), ns->type, namespace_types) < 0 ||
	    get_string(p, v, "path", false, &ns->path) < 0)
		return -1;
	/* runc treats an empty path as none: a new namespace. */
	if (ns->path && ns->path[0] == '\0') {
		free(ns->path);
		ns->path = NULL;
	}
	if (ns->path && ns->path[0] != '/')
		return perr_at(p, "path", json_member(v, "path"), "expected an absolute path");
	return 0;
}

static int check_namespaces(struct oci_parse *p, yajl_val v, const struct oci_linux *l)
{
	/* runtime-spec: "If a namespace type is specified more than once,
	 * the runtime MUST generate an error." */
	for (size_t i = 0; i < l->n_namespaces; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(l->namespaces[i].type, l->namespaces[j].type) != 0)
				continue;
			size_t m = path_push_key(p, "namespaces");
			path_push_index(p, i);
			yajl_val e = json_member(v, "namespaces")->u.array.values[i];
			perr_at(p, "type", json_member(e, "type"), "duplicate namespace type");
			path_pop(p, m);
			return -1;
		}
	}
	return 0;
}

static int parse_device(struct oci_parse *p, yajl_val v, void *out)
{
	struct oci_device *d = out;
	if (get_string(p, v, "type", true, &d->type) < 0 ||
	    check_enum(p, "type", json_member(v, "type"), d->type, device_types) < 0 ||
	    get_string(p, v, "path", true, &d->path) < 0)
		return -1;
	if (d->path[0] != '/')
		return perr_at(p, "path", json_member(v, "path"), "expected an absolute path");
	/* major and minor are meaningless for FIFOs and required otherwise */
	bool need = strcmp(d->type, "p") != 0;
	if (get_int(p, v, "major", need, JI_I64, &d->major, &d->has_major) < 0 ||
	    get_int(p, v, "minor", need, JI_I64, &d->minor, &d->has_minor) < 0 ||
	    get_int(p, v, "fileMode", false, JI_U32, &d->file_mode, &d->has_file_mode) < 0 ||
	    get_int(p, v, "uid", false, JI_ID, &d->uid, &d->has_uid) < 0 ||
	    get_int(p, v, "gid", false, JI_ID, &d->gid, &d->has_gid) < 0)
		return -1;
	if (need)
		d->has_major = d->has_minor = true;
	return 0;
}

static int parse_time_offsets(struct oci_parse *p, yajl_val v, struct oci_linux *l)
{
	size_t len = v->u.object.len;
	if (len == 0)
		return 0;
	l->time_offsets = xmalloc0(len * sizeof *l->time_offsets);
	for (size_t i = 0; i < len; i++) {
		const char *clock = v->u.object.keys[i];
		yajl_val e = v->u.object.values[i];
		size_t m = path_push_mapkey(p, clock);
		int r = 0;
		if (!str_in(clock, clocks)) {
			r = perr(p, NULL, "expected a clock name, one of boottime, monotonic");
		} else if (!e || e->type != yajl_t_object) {
			r = perr(p, e, "expected an object");
		} else {
			/* a repeated clock replaces the earlier entry, as in a Go map */
			size_t j = 0;
			while (j < l->n_time_offsets &&
			       strcmp(l->time_offsets[j].clock, clock) != 0)
				j++;
			struct oci_time_offset *t = &l->time_offsets[j];
			if (j == l->n_time_offsets) {
				t->clock = xstrdup(clock);
				l->n_time_offsets++;
			}
			int64_t ns = 0;
			r = get_int(p, e, "secs", false, JI_I64, &t->secs, NULL);
			if (r == 0)
				r = get_int_range(p, e, "nanosecs", false, 0, 999999999, &ns, NULL);
			t->nanosecs = (uint32_t) ns;
		}
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Linux interface names: at most IFNAMSIZ-1 bytes, not "." or "..", and no
 * '/', ':' or whitespace (dev_valid_name() in net/core/dev.c). */
static bool valid_ifname(const char *n)
{
	size_t l = strlen(n);
	if (l == 0 || l > 15 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (const char *c = n; *c; c++)
		if (*c == '/' || *c == ':' || *c == ' ' || (*c >= '\t' && *c <= '\r'))
			return false;
	return true;
}

/* A name for inside the container: a valid interface name with at most one '%',
 * as "%d" (the kernel then picks the lowest free number), and never "lo", which
 * every network namespace has. */
static const char *net_device_name_error(const char *n)
{
	const char *pct = strchr(n, '%');
	if (!valid_ifname(n))
		return "expected a valid interface name";
	if (pct && (pct[1] != 'd' || strchr(pct + 2, '%')))
		return "expected at most one \"%\", as %d";
	if (strcmp(n, "lo") == 0)
		return "every network namespace already has lo";
	return NULL;
}

static const char *net_device_target(const struct oci_net_device *d)
{
	return d->name ? d->name : d->host_name;
}

/* Two devices may not end up with the same name in the container ("%d" names
 * are the kernel's to make unique). */
static int check_net_device_clash(struct oci_parse *p, const struct oci_linux *l)
{
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const char *t = net_device_target(&l->net_devices[i]);
		for (size_t j = 0; j < i && !strchr(t, '%'); j++) {
			if (strcmp(t, net_device_target(&l->net_devices[j])) != 0)
				continue;
			size_t m = path_push_mapkey(p, l->net_devices[i].host_name);
			int r = perr(p, NULL,
				     "the container name \"%s\" is also the one of "
				     "netDevices[\"%s\"]",
				     t, l->net_devices[j].host_name);
			path_pop(p, m);
			return r;
		}
	}
	return 0;
}

static int parse_net_devices(struct oci_parse *p, yajl_val v, struct oci_linux *l)
{
	size_t len = v->u.object.len;
	if (len == 0)
		return 0;
	l->net_devices = xmalloc0(len * sizeof *l->net_devices);
	for (size_t i = 0; i < len; i++) {
		const char *host = v->u.object.keys[i];
		yajl_val e = v->u.object.values[i];
		size_t m = path_push_mapkey(p, host);
		int r = 0;
		if (!valid_ifname(host)) {
			r = perr(p, NULL, "expected a valid interface name as the key");
		} else if (!e || e->type != yajl_t_object) {
			r = perr(p, e, "expected an object");
		} else {
			size_t j = 0;
			while (j < l->n_net_devices &&
			       strcmp(l->net_devices[j].host_name, host) != 0)
				j++;
			struct oci_net_device *d = &l->net_devices[j];
			if (j == l->n_net_devices) {
				d->host_name = xstrdup(host);
				l->n_net_devices++;
			}
			free(d->name);
			d->name = NULL;
			r = get_string(p, e, "name", false, &d->name);
			const char *why = r == 0 && d->name ? net_device_name_error(d->name) : NULL;
			if (why)
				r = perr_at(p, "name", json_member(e, "name"), "%s", why);
			else if (r == 0 && strcmp(host, "lo") == 0)
				r = perr(p, NULL,
					 "the loopback device cannot leave its network namespace");
		}
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	return check_net_device_clash(p, l);
}

static int parse_personality(struct oci_parse *p, yajl_val v, struct oci_personality *pe)
{
	if (get_string(p, v, "domain", true, &pe->domain) < 0 ||
	    check_enum(p, "domain", json_member(v, "domain"), pe->domain, domains) < 0 ||
	    get_strv(p, v, "flags", &pe->flags, &pe->n_flags, NULL) < 0)
		return -1;
	return 0;
}

static int parse_intel_rdt(struct oci_parse *p, yajl_val v, struct oci_intel_rdt *rdt)
{
	if (get_string(p, v, "closID", false, &rdt->clos_id) < 0 ||
	    get_string(p, v, "l3CacheSchema", false, &rdt->l3_cache_schema) < 0 ||
	    get_string(p, v, "memBwSchema", false, &rdt->mem_bw_schema) < 0 ||
	    get_strv(p, v, "schemata", &rdt->schemata, &rdt->n_schemata, NULL) < 0 ||
	    get_bool(p, v, "enableMonitoring", false, &rdt->enable_monitoring, NULL) < 0 ||
	    get_bool(p, v, "enableCMT", false, &rdt->enable_cmt, &rdt->has_enable_cmt) < 0 ||
	    get_bool(p, v, "enableMBM", false, &rdt->enable_mbm, &rdt->has_enable_mbm) < 0)
		return -1;
	/* closID names one directory under the resctrl root, or "/" the root itself */
	const char *clos = rdt->clos_id;
	if (clos && (*clos == '\0' || strcmp(clos, ".") == 0 || strcmp(clos, "..") == 0 ||
		     (strchr(clos, '/') && strcmp(clos, "/") != 0)))
		return perr_at(p, "closID", json_member(v, "closID"),
			       "expected \"/\" or a directory name without \"/\"");
	/* each value is one line of the schemata file */
	if (rdt->l3_cache_schema && strchr(rdt->l3_cache_schema, '\n'))
		return perr_at(p, "l3CacheSchema", json_member(v, "l3CacheSchema"),
			       "must not contain a newline");
	if (rdt->mem_bw_schema &&
	    (strncmp(rdt->mem_bw_schema, "MB:", 3) != 0 || strchr(rdt->mem_bw_schema, '\n')))
		return perr_at(p, "memBwSchema", json_member(v, "memBwSchema"),
			       "expected one line starting with \"MB:\"");
	for (size_t i = 0; i < rdt->n_schemata; i++) {
		if (!strchr(rdt->schemata[i], '\n'))
			continue;
		size_t m = path_push_key(p, "schemata");
		path_push_index(p, i);
		perr(p, json_member(v, "schemata")->u.array.values[i],
		     "must not contain a newline");
		path_pop(p, m);
		return -1;
	}
	return 0;
}

/* obj[key] as an object: allocate *field with size bytes and parse into it. */
static int parse_optional_obj(struct oci_parse *p, yajl_val obj, const char *key, void **field,
			      size_t size, int (*fn)(struct oci_parse *, yajl_val, void *))
{
	yajl_val v;
	if (get_object(p, obj, key, false, &v) < 0)
		return -1;
	if (!v)
		return 0;
	size_t m = path_push_key(p, key);
	*field = xmalloc0(size);
	int r = fn(p, v, *field);
	path_pop(p, m);
	return r;
}

static int resources_fn(struct oci_parse *p, yajl_val v, void *out)
{
	return oci_parse_resources_obj(p, v, out);
}
static int seccomp_fn(struct oci_parse *p, yajl_val v, void *out)
{
	return oci_parse_seccomp_obj(p, v, out);
}
static int personality_fn(struct oci_parse *p, yajl_val v, void *out)
{
	return parse_personality(p, v, out);
}
static int intel_rdt_fn(struct oci_parse *p, yajl_val v, void *out)
{
	return parse_intel_rdt(p, v, out);
}
static int memory_policy_fn(struct oci_parse *p, yajl_val v, void *out)
{
	return oci_parse_memory_policy_obj(p, v, out);
}

int oci_parse_linux_obj(struct oci_parse *p, yajl_val v, struct oci_linux *l)
{
	if (get_obj_array(p, v, "namespaces", sizeof(struct oci_namespace),
			  (void **) &l->namespaces, &l->n_namespaces, parse_namespace) < 0 ||
	    check_namespaces(p, v, l) < 0)
		return -1;
	if (get_obj_array(p, v, "uidMappings", sizeof(struct oci_idmap), (void **) &l->uid_mappings,
			  &l->n_uid_mappings, oci_parse_idmap) < 0 ||
	    get_obj_array(p, v, "gidMappings", sizeof(struct oci_idmap), (void **) &l->gid_mappings,
			  &l->n_gid_mappings, oci_parse_idmap) < 0)
		return -1;
	yajl_val to;
	if (get_object(p, v, "timeOffsets", false, &to) < 0)
		return -1;
	if (to) {
		size_t m = path_push_key(p, "timeOffsets");
		int r = parse_time_offsets(p, to, l);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	if (get_obj_array(p, v, "devices", sizeof(struct oci_device), (void **) &l->devices,
			  &l->n_devices, parse_device) < 0 ||
	    get_string(p, v, "cgroupsPath", false, &l->cgroups_path) < 0 ||
	    parse_optional_obj(p, v, "resources", (void **) &l->resources, sizeof *l->resources,
			       resources_fn) < 0 ||
	    get_string(p, v, "rootfsPropagation", false, &l->rootfs_propagation) < 0 ||
	    check_enum(p, "rootfsPropagation", json_member(v, "rootfsPropagation"),
		       l->rootfs_propagation, propagations) < 0 ||
	    parse_optional_obj(p, v, "seccomp", (void **) &l->seccomp, sizeof *l->seccomp,
			       seccomp_fn) < 0 ||
	    get_kv_map(p, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
	    get_strv(p, v, "maskedPaths", &l->masked_paths, &l->n_masked_paths, NULL) < 0 ||
	    get_strv(p, v, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths, NULL) < 0 ||
	    get_string(p, v, "mountLabel", false, &l->mount_label) < 0 ||
	    parse_optional_obj(p, v, "personality", (void **) &l->personality,
			       sizeof *l->personality, personality_fn) < 0 ||
	    parse_optional_obj(p, v, "intelRdt", (void **) &l->intel_rdt, sizeof *l->intel_rdt,
			       intel_rdt_fn) < 0 ||
	    parse_optional_obj(p, v, "memoryPolicy", (void **) &l->memory_policy,
			       sizeof *l->memory_policy, memory_policy_fn) < 0)
		return -1;
	yajl_val nd;
	if (get_object(p, v, "netDevices", false, &nd) < 0)
		return -1;
	if (nd) {
		size_t m = path_push_key(p, "netDevices");
		int r = parse_net_devices(p, nd, l);
		path_pop(p, m);
		if (r < 0)
			return -1;
	}
	return 0;
}
