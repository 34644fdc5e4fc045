#include "config.h"
#include "shim/options.h"
#include "common/cleanup.h"
#include "common/cut.h"
#include "common/log.h"
#include "common/util.h"
#include "runc_options.pb-c.h"
#include "runtimeoptions.pb-c.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void shim_options_clear(struct shim_options *o)
{
	free(o->binary_name);
	free(o->root);
	free(o->shim_cgroup);
	free(o->criu_work_path);
	memset(o, 0, sizeof *o);
}

static bool type_is(const char *url, const char *name)
{
	size_t ul = strlen(url), nl = strlen(name);
	return ul >= nl && strcmp(url + ul - nl, name) == 0 &&
	       (ul == nl || url[ul - nl - 1] == '/');
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? xstrdup(v) : NULL;
}

static void from_runc(const Containerd__Runc__V1__Options *r, struct shim_options *o)
{
	set_str(&o->binary_name, r->binary_name);
	set_str(&o->root, r->root);
	set_str(&o->shim_cgroup, r->shim_cgroup);
	set_str(&o->criu_work_path, r->criu_work_path);
	o->systemd_cgroup = r->systemd_cgroup;
	o->no_pivot_root = r->no_pivot_root;
	o->no_new_keyring = r->no_new_keyring;
	o->io_uid = r->io_uid;
	o->io_gid = r->io_gid;
}

void shim_options_from_any(const char *type_url, const uint8_t *value, size_t len,
			   struct shim_options *o)
{
	if (!type_url)
		return;
	if (type_is(type_url, "containerd.runc.v1.Options")) {
		Containerd__Runc__V1__Options *r = containerd__runc__v1__options__unpack(NULL, len,
											 value);
		if (r) {
			from_runc(r, o);
			containerd__runc__v1__options__free_unpacked(r, NULL);
		}
		return;
	}
	if (!type_is(type_url, "runtimeoptions.v1.Options"))
		return;
	Runtimeoptions__V1__Options *r = runtimeoptions__v1__options__unpack(NULL, len, value);
	if (!r)
		return;
	if (r->config_path && *r->config_path) {
		_cleanup_free_ char *text = NULL;
		cleat_error_t err = NULL;
		if (read_file(r->config_path, &text, NULL, &err) == 0)
			shim_options_from_toml(text, o);
		else
			cleat_warn("runtime options: %s", err->msg);
		cleat_error_free(&err);
	}
	runtimeoptions__v1__options__free_unpacked(r, NULL);
}

/* IoUid / IoGid: a uint32 as in runc's options message, where containerd's shim hands
 * 4294967295 to fchown(2) as -1, "leave unchanged", and so does ours.  Anything else
 * (negative, too large, not an integer) is warned about and ignored rather than wrapped
 * into another id, as strtoul would (4294967296 would become root). */
static void set_io_id(uint32_t *dst, const char *key, const char *v)
{
	long long n;
	if (parse_int(v, 0, UINT32_MAX, &n) < 0) {
		cleat_warn("runtime options: %s = %s is not an integer in 0-4294967295, ignored",
			   key, cleat_cut(v));
		return;
	}
	*dst = (uint32_t) n;
}

/* One TOML value: "string" (basic escapes), true/false, or an integer. */
static char *toml_value(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '"' && *p != '\'') {
		size_t n = strcspn(p, " \t#\r");
		return xstrndup(p, n);
	}
	char q = *p++;
	char *out = xmalloc(strlen(p) + 1);
	size_t n = 0;
	for (; *p && *p != q; p++) {
		if (q == '"' && *p == '\\' && p[1])
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
	return out;
}

void shim_options_from_toml(const char *text, struct shim_options *o)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchrnul(line, '\n');
		_cleanup_free_ char *l = xstrndup(line, (size_t) (nl - line));
		line = *nl ? nl + 1 : nl;
		char *k = l;
		while (isspace((unsigned char) *k))
			k++;
		char *eq = strchr(k, '=');
		if (!eq || *k == '#' || *k == '[')
			continue;
		char *kend = eq;
		while (kend > k && isspace((unsigned char) kend[-1]))
			kend--;
		*kend = '\0';
		_cleanup_free_ char *v = toml_value(eq + 1);
		bool t = strcmp(v, "true") == 0;
		if (strcmp(k, "BinaryName") == 0)
			set_str(&o->binary_name, v);
		else if (strcmp(k, "Root") == 0)
			set_str(&o->root, v);
		else if (strcmp(k, "ShimCgroup") == 0)
			set_str(&o->shim_cgroup, v);
		else if (strcmp(k, "CriuWorkPath") == 0)
			set_str(&o->criu_work_path, v);
		else if (strcmp(k, "SystemdCgroup") == 0)
			o->systemd_cgroup = t;
		else if (strcmp(k, "NoPivotRoot") == 0)
			o->no_pivot_root = t;
		else if (strcmp(k, "NoNewKeyring") == 0)
			o->no_new_keyring = t;
		else if (strcmp(k, "IoUid") == 0 || strcmp(k, "IoGid") == 0)
			set_io_id(k[2] == 'U' ? &o->io_uid : &o->io_gid, k, v);
	}
}
