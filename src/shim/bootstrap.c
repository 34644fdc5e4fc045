#include "config.h"
#include "shim/bootstrap.h"
#include "shim/json.h"
#include "shim/shim.h"
#include "common/cleanup.h"
#include "common/sha256.h"
#include "common/util.h"
#include "bootstrap.pb-c.h"
#include "google_types.pb-c.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct flag_def {
	const char *name;
	size_t off; /* offset of the char * or bool in struct shim_flags */
	bool is_bool;
};

#define STR_FLAG(n, field)                                   \
	{                                                    \
		n, offsetof(struct shim_flags, field), false \
	}
#define BOOL_FLAG(n, field)                                 \
	{                                                   \
		n, offsetof(struct shim_flags, field), true \
	}

static const struct flag_def defs[] = {
	STR_FLAG("namespace", ns),
	STR_FLAG("address", address),
	STR_FLAG("publish-binary", publish_binary),
	STR_FLAG("id", id),
	STR_FLAG("bundle", bundle),
	STR_FLAG("socket", socket),
	BOOL_FLAG("debug", debug),
	BOOL_FLAG("v", version),
	BOOL_FLAG("info", info),
};

void shim_flags_clear(struct shim_flags *f)
{
	free(f->ns);
	free(f->address);
	free(f->publish_binary);
	free(f->id);
	free(f->bundle);
	free(f->socket);
	free(f->action);
	memset(f, 0, sizeof *f);
}

int shim_flags_parse(int argc, char **argv, struct shim_flags *f, cleat_error_t *err)
{
	memset(f, 0, sizeof *f);
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		a += a[1] == '-' ? 2 : 1;
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t) (eq - a) : strlen(a);
		const struct flag_def *d = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(defs); k++)
			if (strlen(defs[k].name) == nlen && strncmp(defs[k].name, a, nlen) == 0)
				d = &defs[k];
		if (!d)
			return cleat_error_msg(err, "flag provided but not defined: -%.*s",
					       (int) nlen, a);
		char *field = (char *) f + d->off;
		if (d->is_bool) {
			bool v = true;
			if (eq) {
				if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0)
					v = true;
				else if (strcmp(eq + 1, "false") == 0 || strcmp(eq + 1, "0") == 0)
					v = false;
				else
					return cleat_error_msg(
						err, "invalid boolean value \"%s\" for -%s", eq + 1,
						d->name);
			}
			*(bool *) field = v;
			continue;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (i + 1 >= argc)
				return cleat_error_msg(err, "flag needs an argument: -%s", d->name);
			val = argv[++i];
		}
		free(*(char **) field);
		*(char **) field = xstrdup(val);
	}
	if (i < argc)
		f->action = xstrdup(argv[i]);
	return 0;
}

const char *shim_default_runtime(const char *invoked_as)
{
	return invoked_as && strcmp(invoked_as, SHIM_DROPIN_NAME) == 0 ? "runc"
								       : SHIM_DEFAULT_RUNTIME;
}

char *shim_group_key(const char *config_json, const char *id)
{
	static const char *const keys[] = { "io.containerd.runc.v2.group",
					    "io.kubernetes.cri.sandbox-id" };
	const char *ann = config_json ? json_get(config_json, "annotations") : NULL;
	for (size_t k = 0; ann && k < ARRAY_SIZE(keys); k++) {
		char *v = json_string_dup(json_get(ann, keys[k]));
		if (v && *v)
			return v;
		free(v);
	}
	return xstrdup(id);
}

char *shim_socket_path(const char *dir, const char *address, const char *ns, const char *group)
{
	_cleanup_free_ char *s = xasprintf("%s/%s/%s", address, ns, group);
	char hex[65];
	sha256_hex(s, strlen(s), hex);
	return xasprintf("%s/%s", dir ? dir : SHIM_SOCKET_DIR, hex);
}

static void take_any(const Google__Protobuf__Any *any, struct shim_start_input *in)
{
	if (!any || !any->type_url || !*any->type_url)
		return;
	in->opts_type_url = xstrdup(any->type_url);
	in->opts_len = any->value.len;
	in->opts_value = xmalloc(any->value.len + 1);
	if (any->value.len)
		memcpy(in->opts_value, any->value.data, any->value.len);
}

void shim_start_input_parse(const uint8_t *buf, size_t len, const char *id, const char *ns,
			    struct shim_start_input *in)
{
	*in = (struct shim_start_input){ 0 };
	if (len == 0)
		return;
	/* An options Any may parse as BootstrapParams too (its type_url is field
	 * 1): only the matching identity tells containerd 2.x's input apart. */
	Containerd__Runtime__Bootstrap__V1__BootstrapParams *p =
		containerd__runtime__bootstrap__v1__bootstrap_params__unpack(NULL, len, buf);
	if (p && id && ns && strcmp(p->instance_id, id) == 0 && strcmp(p->namespace_, ns) == 0) {
		in->bootstrap = true;
		if (p->n_extensions > 0)
			take_any(p->extensions[0]->value, in);
		if (p->socket_dir && *p->socket_dir)
			in->socket_dir = xstrdup(p->socket_dir);
		containerd__runtime__bootstrap__v1__bootstrap_params__free_unpacked(p, NULL);
		return;
	}
	if (p)
		containerd__runtime__bootstrap__v1__bootstrap_params__free_unpacked(p, NULL);
	Google__Protobuf__Any *any = google__protobuf__any__unpack(NULL, len, buf);
	take_any(any, in);
	if (any)
		google__protobuf__any__free_unpacked(any, NULL);
}

void shim_start_input_clear(struct shim_start_input *in)
{
	free(in->opts_type_url);
	free(in->opts_value);
	free(in->socket_dir);
	*in = (struct shim_start_input){ 0 };
}

uint8_t *shim_bootstrap_result(const char *address, size_t *len)
{
	Containerd__Runtime__Bootstrap__V1__BootstrapResult r =
		CONTAINERD__RUNTIME__BOOTSTRAP__V1__BOOTSTRAP_RESULT__INIT;
	r.version = 3;
	r.address = (char *) address;
	r.protocol = (char *) "ttrpc";
	*len = containerd__runtime__bootstrap__v1__bootstrap_result__get_packed_size(&r);
	uint8_t *out = xmalloc(*len + 1);
	containerd__runtime__bootstrap__v1__bootstrap_result__pack(&r, out);
	return out;
}
